import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { main } from '../../gateway/cli-main.js'
import { EXIT } from '../../gateway/exit-codes.js'
import { fingerprintOf } from '../../transports/tcp/tls-identity.js'
import { requireProgram } from '../helpers/require-program.js'

describe('bunker-gateway tls-keygen', () => {
  const hasOpenssl = requireProgram('openssl')
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bgw-tls-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const run = async (...args: string[]) => {
    const out: string[] = []
    const code = await main(['tls-keygen', ...args], (l) => out.push(l))
    return { code, out: out.join('\n') }
  }

  it.runIf(hasOpenssl)('writes a key (0600) and certificate and prints the fingerprint peers pin', async () => {
    const [cert, key] = [join(dir, 'c.pem'), join(dir, 'k.pem')]
    const r = await run('--station', 'N0CALL-7', '--cert', cert, '--key', key)
    expect(r.code).toBe(EXIT.OK)
    const printed = /fingerprint \(SHA-256, give it to your peers\): ([0-9A-F:]{95})/.exec(r.out)?.[1]
    expect(printed).toBe(fingerprintOf(readFileSync(cert)))
    expect(statSync(key).mode & 0o777).toBe(0o600)
  })

  it.runIf(hasOpenssl)('refuses to overwrite an identity peers have pinned (exit 78)', async () => {
    const args = ['--station', 'N0CALL-7', '--cert', join(dir, 'c.pem'), '--key', join(dir, 'k.pem')]
    expect((await run(...args)).code).toBe(EXIT.OK)
    const again = await run(...args)
    expect(again.code).toBe(EXIT.CONFIG)
    expect(again.out).toContain('already exists')
  })

  it('needs station, cert and key (exit 64) and has --help', async () => {
    expect((await run('--station', 'N0CALL-7')).code).toBe(EXIT.USAGE)
    const help = await run('--help')
    expect(help.code).toBe(EXIT.OK)
    expect(help.out).toContain('never used on radio links')
  })
})
