/**
 * Throwaway TLS identities for tests: an Ed25519 key and self-signed certificate per station, made
 * by `openssl` (through the gateway's own createSelfSignedIdentity) in a temp dir the caller removes.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSelfSignedIdentity, type TlsIdentity } from '../../transports/tcp/tls-identity.js'

/** One station's files and fingerprint. */
export type TestIdentity = TlsIdentity & { certFile: string; keyFile: string }

/** Identities by station name, plus the dir that holds them. */
export interface TestIdentities<N extends string> {
  dir: string
  of: Record<N, TestIdentity>
  /** Removes the dir. */
  remove(): Promise<void>
}

/** Makes one identity per station in a fresh temp dir. */
export async function makeTestIdentities<N extends string>(stations: readonly N[]): Promise<TestIdentities<N>> {
  const dir = await mkdtemp(join(tmpdir(), 'bunker-tls-'))
  const of = {} as Record<N, TestIdentity>
  for (const station of stations) {
    const files = { certFile: join(dir, `${station}.crt`), keyFile: join(dir, `${station}.key`) }
    of[station] = { ...(await createSelfSignedIdentity({ station, ...files })), ...files }
  }
  return { dir, of, remove: () => rm(dir, { recursive: true, force: true }) }
}
