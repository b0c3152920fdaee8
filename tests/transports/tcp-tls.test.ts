import { execFileSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { connect as netConnect } from 'node:net'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { LinkSectionSchema } from '../../gateway/config/schema.js'
import { isTransportError } from '../../transports/errors.js'
import { TcpTransportOptionsSchema, type TcpTransportOptions } from '../../transports/tcp/config.js'
import { TcpTransport } from '../../transports/tcp/tcp-transport.js'
import { createSelfSignedIdentity, fingerprintOf, normaliseFingerprint } from '../../transports/tcp/tls-identity.js'
import type { InboundFrame } from '../../transports/types.js'
import { captureLog, type CapturedLog } from '../helpers/log-capture.js'
import { waitFor } from '../helpers/raw-peer.js'
import { requireProgram } from '../helpers/require-program.js'
import { makeTestIdentities, type TestIdentities, type TestIdentity } from '../helpers/tls-identities.js'

describe.runIf(requireProgram('openssl'))('TCP with mutually pinned TLS', () => {
  let ids: TestIdentities<'a' | 'b' | 'c'>
  const running: TcpTransport[] = []
  let logB: CapturedLog

  beforeAll(async () => {
    ids = await makeTestIdentities(['a', 'b', 'c'] as const)
  })
  afterAll(async () => {
    await ids.remove()
  })
  afterEach(async () => {
    for (const t of running.splice(0)) await t.stop()
  })

  const tlsOf = (me: TestIdentity, more: { pins?: Record<string, string>; clientPins?: string[] } = {}) => ({
    certFile: me.certFile,
    keyFile: me.keyFile,
    ...more,
  })

  /** Starts a TCP transport and remembers it for afterEach. */
  async function started(options: TcpTransportOptions, log?: CapturedLog): Promise<TcpTransport> {
    const t = new TcpTransport({ mtu: 4096, ...options }, log === undefined ? {} : { log: log.log })
    running.push(t)
    await t.start()
    return t
  }

  /** B listening with TLS, allowing the given client fingerprints; its frames and address. */
  async function listenerB(clientPins: string[], extra: Partial<TcpTransportOptions> = {}) {
    logB = captureLog()
    const b = await started({ id: 'b', listen: { host: '127.0.0.1', port: 0 }, tls: tlsOf(ids.of.b, { clientPins }), ...extra }, logB)
    const frames: InboundFrame[] = []
    b.on('frame', (f) => frames.push(f))
    return { b, frames, address: `127.0.0.1:${b.address()?.port ?? 0}` }
  }

  it('carries frames both ways between two pinned gateways', async () => {
    const { b, frames: atB, address } = await listenerB([ids.of.a.fingerprint])
    const a = await started({ id: 'a', tls: tlsOf(ids.of.a, { pins: { [address]: ids.of.b.fingerprint } }) })
    const atA: InboundFrame[] = []
    a.on('frame', (f) => atA.push(f))
    expect(a.fingerprint()).toBe(ids.of.a.fingerprint)

    const big = new Uint8Array(4096).map((_, i) => i % 251)
    await a.send(new Uint8Array([1, 2, 3]), { to: address })
    await a.send(big, { to: address })
    await waitFor(() => atB.length === 2, 5_000, 'two frames at B')
    expect(Array.from(atB[0]?.payload ?? [])).toEqual([1, 2, 3])
    expect(Buffer.from(atB[1]?.payload ?? []).equals(Buffer.from(big))).toBe(true)

    // B answers on the connection A opened, addressed as the frame's sender.
    await b.send(new Uint8Array([9, 8]), { to: atB[0]?.from ?? '' })
    await waitFor(() => atA.length === 1, 5_000, 'the answer at A')
    expect(Array.from(atA[0]?.payload ?? [])).toEqual([9, 8])
    expect(atA[0]?.from).toBe(address)
    expect(logB.find('refused')).toHaveLength(0)
  })

  it('lets a peer pinned in pins (not clientPins) dial in, so two gateways pin each other once', async () => {
    const { address: bAddress } = await listenerB([])
    const a = await started({ id: 'a', listen: { host: '127.0.0.1', port: 0 }, tls: tlsOf(ids.of.a, { pins: { [bAddress]: ids.of.b.fingerprint } }) })
    const aAddress = `127.0.0.1:${a.address()?.port ?? 0}`
    const atA: InboundFrame[] = []
    a.on('frame', (f) => atA.push(f))
    const c = await started({ id: 'c', tls: tlsOf(ids.of.b, { pins: { [aAddress]: ids.of.a.fingerprint } }) }) // presents B's certificate
    await c.send(new Uint8Array([7]), { to: aAddress })
    await waitFor(() => atA.length === 1, 5_000, 'the frame at A')
  })

  it('refuses, as the dialler, a server whose certificate is not the pinned one: nothing is sent', async () => {
    const { frames, address } = await listenerB([ids.of.a.fingerprint])
    const a = await started({ id: 'a', tls: tlsOf(ids.of.a, { pins: { [address]: ids.of.c.fingerprint } }) })
    const err = await a.send(new Uint8Array([1]), { to: address }).catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_CONFIG')).toBe(true)
    expect((err as Error).message).toContain(`server certificate ${ids.of.b.fingerprint} is not the pinned ${ids.of.c.fingerprint}`)
    expect(a.connectedPeers()).toEqual([])
    await new Promise((r) => setTimeout(r, 100)) // time for a stray frame to arrive, had one been sent
    expect(frames).toHaveLength(0)
  })

  it('refuses to dial an address with no pin, without connecting (no plaintext fallback)', async () => {
    const { address } = await listenerB([ids.of.a.fingerprint])
    const a = await started({ id: 'a', tls: tlsOf(ids.of.a, { pins: { '127.0.0.1:1': ids.of.b.fingerprint } }) })
    const err = await a.send(new Uint8Array([1]), { to: address }).catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_CONFIG')).toBe(true)
    expect((err as Error).message).toMatch(/no tls\.pins entry/)
    expect(logB.records).toHaveLength(1) // only B's start-up line: nobody knocked
  })

  it('refuses, as the listener, a client whose certificate is not pinned: logged, and the dialler is told', async () => {
    const { frames, address } = await listenerB([ids.of.c.fingerprint])
    const a = await started({ id: 'a', tls: tlsOf(ids.of.a, { pins: { [address]: ids.of.b.fingerprint } }) })
    const err = await a.send(new Uint8Array([1]), { to: address }).catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_UNREACHABLE')).toBe(true)
    expect((err as Error).message).toMatch(/does not pin our certificate/)
    const refused = logB.find('TLS client refused')
    expect(refused).toHaveLength(1)
    expect(refused[0]).toMatchObject({ reason: 'client-not-pinned', fingerprint: ids.of.a.fingerprint, transport: 'b' })
    expect(frames).toHaveLength(0)
  })

  it('refuses a client that presents no certificate', async () => {
    const { address } = await listenerB([ids.of.a.fingerprint])
    const port = Number(address.split(':')[1])
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false })
    socket.on('error', () => undefined)
    const received: Buffer[] = []
    socket.on('data', (d: Buffer) => received.push(d))
    await waitFor(() => socket.closed, 5_000, 'the listener to close the connection')
    expect(logB.find('TLS client refused')[0]).toMatchObject({ reason: 'no-client-certificate', fingerprint: null })
    expect(received).toHaveLength(0) // no acceptance byte
  })

  it('drops a plaintext client, and a client below TLS 1.3', async () => {
    const { frames, address } = await listenerB([ids.of.a.fingerprint])
    const port = Number(address.split(':')[1])
    // A gateway configured without TLS: its frame reaches the kernel, then the listener hangs up.
    const plain = await started({ id: 'plain' })
    await plain.send(new Uint8Array(16).fill(0x42), { to: address })
    await waitFor(() => plain.connectedPeers().length === 0, 5_000, 'the plaintext gateway to be dropped')

    const old = tlsConnect({ host: '127.0.0.1', port, maxVersion: 'TLSv1.2', cert: ids.of.a.cert, key: ids.of.a.key, rejectUnauthorized: false })
    let oldError: Error | undefined
    old.on('error', (e) => (oldError = e))
    await waitFor(() => old.closed, 5_000, 'the TLS 1.2 client to be dropped')
    expect(oldError?.message).toMatch(/version/i)

    await waitFor(() => logB.find('TLS handshake with a client failed').length === 2, 5_000, 'two handshake failures logged')
    expect(logB.find('TLS handshake with a client failed').every((r) => r.reason === 'tls-handshake-failed')).toBe(true)
    expect(frames).toHaveLength(0)
  })

  it('drops a client that stays silent past the handshake limit', async () => {
    const { address } = await listenerB([], { connectTimeoutMs: 200 })
    const silent = netConnect({ host: '127.0.0.1', port: Number(address.split(':')[1]) })
    silent.on('error', () => undefined)
    await waitFor(() => silent.closed, 2_000, 'the silent client to be dropped')
    expect(logB.find('TLS handshake with a client failed')[0]?.err).toMatch(/timed out|timeout/i)
  })

  it('stop() closes a connection still in its handshake instead of waiting for the limit', async () => {
    const { b, address } = await listenerB([]) // handshake limit: the 10 s default
    const idle = netConnect({ host: '127.0.0.1', port: Number(address.split(':')[1]) })
    idle.on('error', () => undefined)
    await new Promise<void>((r) => idle.once('connect', () => r()))
    const t0 = Date.now()
    await b.stop()
    expect(Date.now() - t0).toBeLessThan(2_000) // ms
    await waitFor(() => idle.closed, 2_000, 'stop to close the pending client')
  })

  it('fails to start with ERR_CONFIG when the certificate file is missing', async () => {
    const t = new TcpTransport({ tls: { certFile: join(ids.dir, 'nope.crt'), keyFile: ids.of.a.keyFile } })
    running.push(t)
    const err = await t.start().catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_CONFIG')).toBe(true)
    expect((err as Error).message).toContain('nope.crt')
    expect(t.state).toBe('down')
  })

  it('fails to start with ERR_CONFIG when the key is not the certificate\'s', async () => {
    const t = new TcpTransport({ listen: { host: '127.0.0.1', port: 0 }, tls: { certFile: ids.of.a.certFile, keyFile: ids.of.b.keyFile } })
    running.push(t)
    const err = await t.start().catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_CONFIG')).toBe(true)
    expect((err as Error).message).toMatch(/is not the key of/)
    expect(t.address()).toBeUndefined()
  })

  it('creates a self-signed Ed25519 identity whose fingerprint openssl agrees with', () => {
    const { cert, certFile, keyFile, fingerprint } = ids.of.a
    const printed = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' })
    expect(printed.trim().split('=')[1]).toBe(fingerprint)
    expect(fingerprintOf(readFileSync(certFile))).toBe(fingerprint)
    expect(cert).toContain('BEGIN CERTIFICATE')
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    const subject = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-subject'], { encoding: 'utf8' })
    expect(subject).toMatch(/CN ?= ?a/)
  })

  it('never overwrites an identity and rejects station names that would change -subj', async () => {
    const err = await createSelfSignedIdentity({ station: 'a', certFile: ids.of.a.certFile, keyFile: join(ids.dir, 'new.key') }).catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_CONFIG')).toBe(true)
    expect((err as Error).message).toMatch(/already exists/)
    const bad = await createSelfSignedIdentity({ station: 'N0CALL/O=x', certFile: join(ids.dir, 'x.crt'), keyFile: join(ids.dir, 'x.key') }).catch((e: unknown) => e)
    expect(isTransportError(bad, 'ERR_CONFIG')).toBe(true)
  })

  it('reports a missing openssl program as ERR_CONFIG naming the package', async () => {
    const err = await createSelfSignedIdentity({ station: 'a', certFile: join(ids.dir, 'y.crt'), keyFile: join(ids.dir, 'y.key'), openssl: 'no-such-openssl' }).catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_CONFIG')).toBe(true)
    expect((err as Error).message).toMatch(/not installed.*openssl/)
  })

  it('normalises pins: colons optional, any case, surrounding space', () => {
    const canonical = ids.of.b.fingerprint
    const bare = canonical.replaceAll(':', '')
    for (const written of [canonical, canonical.toLowerCase(), bare, bare.toLowerCase(), ` ${bare} `]) {
      expect(normaliseFingerprint(written)).toBe(canonical)
      const parsed = TcpTransportOptionsSchema.parse({ tls: { certFile: 'c', keyFile: 'k', pins: { 'h:1': written }, clientPins: [written] } })
      expect(parsed.tls?.pins['h:1']).toBe(canonical)
      expect(parsed.tls?.clientPins).toEqual([canonical])
    }
  })

  it('normalises any 32 bytes written in any case, with or without colons (property)', () => {
    const written = fc.record({ bytes: fc.uint8Array({ minLength: 32, maxLength: 32 }), upper: fc.boolean(), colons: fc.boolean() })
    fc.assert(
      fc.property(written, ({ bytes, upper, colons }) => {
        const pairs = Array.from(bytes, (b) => b.toString(16).padStart(2, '0'))
        const text = pairs.join(colons ? ':' : '')
        expect(normaliseFingerprint(upper ? text.toUpperCase() : text)).toBe(pairs.join(':').toUpperCase())
      }),
      { seed: 42, numRuns: 200 },
    )
  })

  it('rejects malformed pins and unknown TLS keys', () => {
    const bare = ids.of.b.fingerprint.replaceAll(':', '')
    for (const bad of [bare.slice(1), `${bare}00`, `${bare.slice(1)}g`, 'sha256 Fingerprint=' + bare]) {
      expect(normaliseFingerprint(bad)).toBeUndefined()
      expect(TcpTransportOptionsSchema.safeParse({ tls: { certFile: 'c', keyFile: 'k', clientPins: [bad] } }).success).toBe(false)
    }
    expect(TcpTransportOptionsSchema.safeParse({ tls: { certFile: 'c', keyFile: 'k', ca: 'x' } }).success).toBe(false)
  })

  it('allows tls only on TCP link sections: radio links stay readable, by law', () => {
    const tls = { certFile: 'c', keyFile: 'k' }
    const sections = [
      { type: 'tcp' },
      { type: 'ax25', callsign: 'N0CALL-7', tnc: { type: 'tcp', host: '127.0.0.1', port: 8001 } },
      { type: 'vara', callsign: 'N0CALL' },
      { type: 'js8call', callsign: 'N0CALL' },
    ]
    for (const section of sections) {
      expect(LinkSectionSchema.safeParse(section).success).toBe(true)
      expect(LinkSectionSchema.safeParse({ ...section, tls }).success).toBe(section.type === 'tcp')
    }
  })
})
