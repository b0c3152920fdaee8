/**
 * A gateway's TLS identity for TCP links: its key and self-signed certificate, and the SHA-256
 * fingerprint other gateways pin. There is no CA: an operator makes a key and certificate once
 * ({@link createSelfSignedIdentity}, run through the `openssl` program), gives the printed
 * fingerprint to the operators of the peers, and pins theirs in `tls.pins` / `tls.clientPins`.
 *
 * @packageDocumentation
 */
import { execFile } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { access, chmod, readFile } from 'node:fs/promises'
import { createSecureContext } from 'node:tls'
import { TransportError } from '../errors.js'

/** Certificate lifetime {@link createSelfSignedIdentity} uses when not told, days (about 10 years). */
export const DEFAULT_CERT_DAYS = 3650

/** A loaded identity: PEM text of the certificate and key, and the certificate's fingerprint. */
export interface TlsIdentity {
  cert: string
  key: string
  /** SHA-256 of the DER certificate, `AB:CD:…` (as {@link fingerprintOf} gives it). */
  fingerprint: string
}

/**
 * The canonical form of a SHA-256 fingerprint written with or without colons, in any case:
 * 32 upper-case hex byte pairs joined by colons (the form `openssl x509 -fingerprint -sha256` and
 * Node print). Undefined when `text` is not 64 hex digits once colons and surrounding space go.
 */
export function normaliseFingerprint(text: string): string | undefined {
  const hex = text.trim().replaceAll(':', '').toUpperCase()
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined
  return (hex.match(/../g) as string[]).join(':')
}

/**
 * The SHA-256 fingerprint of a PEM certificate, `AB:CD:…`: what peers pin.
 *
 * @throws TransportError `ERR_CONFIG` when `pem` is not a certificate
 */
export function fingerprintOf(pem: string | Uint8Array): string {
  try {
    return new X509Certificate(pem).fingerprint256
  } catch (e) {
    throw new TransportError('ERR_CONFIG', `not a PEM certificate: ${(e as Error).message}`, { cause: e })
  }
}

/**
 * Reads a certificate and its key from PEM files and checks that they belong together.
 *
 * @throws TransportError `ERR_CONFIG` when a file cannot be read, the certificate cannot be parsed
 *   or the key is not the certificate's
 */
export async function loadTlsIdentity(files: { certFile: string; keyFile: string }): Promise<TlsIdentity> {
  const read = (path: string): Promise<string> =>
    readFile(path, 'utf8').catch((e: unknown) => {
      throw new TransportError('ERR_CONFIG', `cannot read ${path}: ${(e as Error).message}`, { cause: e })
    })
  const [cert, key] = await Promise.all([read(files.certFile), read(files.keyFile)])
  const fingerprint = fingerprintOf(cert)
  try {
    createSecureContext({ cert, key }) // fails now, not at the first connection, on a mismatched key
  } catch (e) {
    throw new TransportError('ERR_CONFIG', `${files.keyFile} is not the key of ${files.certFile}: ${(e as Error).message}`, { cause: e })
  }
  return { cert, key, fingerprint }
}

/** What {@link createSelfSignedIdentity} needs. */
export interface SelfSignedRequest {
  /** Station name for the certificate's common name (a callsign such as `N0CALL-7`). */
  station: string
  /** Where to write the certificate (PEM); must not exist yet. */
  certFile: string
  /** Where to write the private key (PEM, mode 0600); must not exist yet. */
  keyFile: string
  /** Validity, days. */
  days?: number
  /** The openssl program, when not `openssl` on PATH. */
  openssl?: string
}

/**
 * Makes an Ed25519 key and a self-signed certificate for `station` by running
 * `openssl req -x509 -newkey ed25519 -nodes -days <days> -subj /CN=<station>`, and returns the
 * fingerprint to give to peers. Refuses to overwrite existing files: a new key changes the
 * fingerprint every peer has pinned.
 *
 * @throws TransportError `ERR_CONFIG` for a bad station name, an existing file, a missing openssl or
 *   an openssl failure
 */
export async function createSelfSignedIdentity(request: SelfSignedRequest): Promise<TlsIdentity> {
  const { station, certFile, keyFile, days = DEFAULT_CERT_DAYS, openssl = 'openssl' } = request
  // '/' and '=' would change the meaning of -subj; a callsign with SSID needs neither.
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(station)) throw new TransportError('ERR_CONFIG', `station '${station}' is not a plain name (letters, digits, '-')`)
  if (!Number.isInteger(days) || days < 1) throw new TransportError('ERR_CONFIG', `days must be a positive integer, not ${days}`)
  for (const path of [certFile, keyFile]) {
    const exists = await access(path).then(() => true, () => false)
    if (exists) throw new TransportError('ERR_CONFIG', `${path} already exists; remove it first (peers pin the old certificate's fingerprint)`)
  }
  const args = ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-days', String(days), '-subj', `/CN=${station}`, '-keyout', keyFile, '-out', certFile]
  await runProgram(openssl, args)
  await chmod(keyFile, 0o600)
  return loadTlsIdentity({ certFile, keyFile })
}

/** Runs `program` and resolves when it exits with status 0. */
function runProgram(program: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { timeout: 30_000 }, (e, _stdout, stderr) => {
      if (e === null) return resolve()
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT'
      const why = missing ? `the program '${program}' is not installed (Debian package: openssl)` : `${program} failed: ${stderr.trim() || e.message}`
      reject(new TransportError('ERR_CONFIG', why, { cause: e }))
    })
  })
}
