import { afterEach, describe, expect, it } from 'vitest'
import { startVaraPair, type VaraPair, type VaraPairOptions } from '../../bench/vara-goodput.js'
import { startSimVara } from '../../hardware-sim/vara/sim-vara.js'
import { isTransportError } from '../../transports/errors.js'
import type { InboundFrame, StateChange } from '../../transports/types.js'
import type { VaraLinkSample } from '../../transports/vara/vara-samples.js'
import { VaraTransport } from '../../transports/vara/vara-transport.js'
import { simTransportOptions } from '../../bench/vara-goodput.js'
import { captureLog, type CapturedLog } from '../helpers/log-capture.js'
import { waitFor } from '../helpers/raw-peer.js'

const A = 'vara-n0aaa'
const B = 'vara-n0bbb'

let pair: VaraPair | undefined
let logs: CapturedLog
const extra: { stop(): Promise<void> }[] = []

afterEach(async () => {
  for (const x of extra.splice(0)) await x.stop()
  await pair?.close()
  pair = undefined
})

async function setup(o: VaraPairOptions = {}): Promise<VaraPair> {
  logs = captureLog()
  pair = await startVaraPair({ log: logs.log, ...o })
  return pair
}

async function startBoth(p: VaraPair): Promise<void> {
  await p.b.start()
  await p.a.start()
}

/** Command lines a transport wrote to its modem. */
const sentBy = (id: string): string[] => logs.records.filter((r) => r.transport === id && r.msg === 'to VARA').map((r) => String(r.line))
/** Lines a transport read from its modem. */
const heardBy = (id: string): string[] => logs.records.filter((r) => r.transport === id && r.msg === 'from VARA').map((r) => String(r.line))

const payload = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff)

function framesOf(t: VaraTransport): InboundFrame[] {
  const out: InboundFrame[] = []
  t.on('frame', (f) => out.push(f))
  return out
}

/** Samples of `t`, stamped with the simulated time they were emitted at. */
function samplesOf(t: VaraTransport, p: VaraPair): (VaraLinkSample & { simMs: number })[] {
  const out: (VaraLinkSample & { simMs: number })[] = []
  t.on('sample', (s) => out.push({ ...s, simMs: p.channel.clock.now() }))
  return out
}

describe('VARA transport: initialisation', () => {
  it('initialises the modem in order (MYCALL, LISTEN, BW, COMPRESSION OFF, P2P SESSION, CWID) and logs VERSION', async () => {
    const p = await setup({ a: { cwid: true, extraCallsigns: ['N0AAA-1'] } })
    await p.a.start()
    expect(sentBy(A)).toEqual(['MYCALL N0AAA N0AAA-1', 'LISTEN ON', 'BW2300', 'COMPRESSION OFF', 'P2P SESSION', 'CWID ON', 'VERSION'])
    expect(logs.find('VARA modem ready')[0]).toMatchObject({ version: 'VARA HF v4.9.0 sim', transport: A })
    expect(p.a.status()).toMatchObject({ state: 'up', version: 'VARA HF v4.9.0 sim', registered: 'N0AAA', session: { state: 'idle' } })
  })

  it('comes up and carries frames through modems that split every line across two TCP writes', async () => {
    const p = await setup()
    p.simA.splitLines(true)
    p.simB.splitLines(true)
    const got = framesOf(p.b)
    await startBoth(p)
    await p.a.send(payload(300, 1), { to: 'N0BBB' })
    await waitFor(() => got.length === 1, 5000, 'the frame')
    expect(got[0]?.payload).toEqual(payload(300, 1))
    expect(p.a.status().version).toBe('VARA HF v4.9.0 sim')
    expect(heardBy(A)).toContain('CONNECTED N0AAA N0BBB 2300')
  })

  it('stays down with init-refused when the modem answers WRONG to MYCALL, but tolerates a refused CWID', async () => {
    const p = await setup({ b: { cwid: true } })
    p.simA.answerWrong('MYCALL')
    p.simB.answerWrong('CWID')
    const states: StateChange[] = []
    p.a.on('state', (s) => states.push(s))
    const err = await p.a.start().catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_CONFIG')).toBe(true)
    expect(states.map((s) => `${s.to}:${s.reason}`)).toEqual(['starting:start', 'down:init-refused'])
    await p.b.start()
    expect(p.b.state).toBe('up')
    expect(logs.find('refused an optional command')[0]).toMatchObject({ command: 'CWID ON' })
  })

  it('honours an aborted start: ERR_ABORTED, down with reason aborted, no commands sent', async () => {
    const p = await setup()
    const ac = new AbortController()
    ac.abort()
    const err = await p.a.start({ signal: ac.signal }).catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_ABORTED')).toBe(true)
    expect(p.a.state).toBe('down')
    expect(sentBy(A)).toEqual([])
    await p.a.start()
    expect(p.a.state).toBe('up')
  })

  it('rejects sends without a peer callsign, or to itself', async () => {
    const p = await setup()
    await p.a.start()
    for (const to of [undefined, 'not a call', 'N0AAA']) {
      expect(isTransportError(await p.a.send(payload(1, 0), { to }).catch((e: unknown) => e), 'ERR_UNREACHABLE')).toBe(true)
    }
  })
})

describe('VARA transport: sessions', () => {
  it('carries frames both ways in one session: outbound to B, inbound accepted by B', async () => {
    const p = await setup()
    const atA = framesOf(p.a)
    const atB = framesOf(p.b)
    await startBoth(p)
    const toB = [payload(4096, 1), payload(10, 2), payload(2000, 3)]
    await Promise.all(toB.map((f) => p.a.send(f, { to: 'N0BBB' })))
    await waitFor(() => p.b.status().session.state === 'connected', 5000, 'B to see the session')
    await p.b.send(payload(500, 4), { to: 'n0aaa' })
    await waitFor(() => atB.length === 3 && atA.length === 1, 5000, 'all frames')
    expect(atB.map((f) => f.payload)).toEqual(toB)
    expect(atB.every((f) => f.from === 'N0AAA')).toBe(true)
    expect(atA[0]).toMatchObject({ from: 'N0BBB', payload: payload(500, 4) })
    expect([...sentBy(A), ...sentBy(B)].filter((l) => l.startsWith('CONNECT'))).toEqual(['CONNECT N0AAA N0BBB'])
  })

  it('keeps no more than the bound in the modem, making send() wait, and delivers everything in order', async () => {
    const p = await setup({ channel: { timeScale: 200 } })
    const got = framesOf(p.b)
    await startBoth(p)
    const frames = Array.from({ length: 16 }, (_, i) => payload(4000, i))
    for (const f of frames) await p.a.send(f, { to: 'N0BBB' }) // one after the other, as a router would
    await waitFor(() => got.length === frames.length, 10_000, 'every frame')
    expect(got.map((f) => f.payload)).toEqual(frames)
    const buffers = heardBy(A).filter((l) => l.startsWith('BUFFER')).map((l) => Number(l.slice(7)))
    const bound = Math.floor((7050 * 15_000) / 8000) // modemBufferMs of airtime at the BITRATE
    expect(Math.max(...buffers)).toBeLessThanOrEqual(bound)
    expect(Math.max(...buffers)).toBeGreaterThan(bound - 4002) // and the modem was kept busy
  })

  it('does not call while the channel is busy, then calls once it is free', async () => {
    const p = await setup()
    const got = framesOf(p.b)
    const samples = samplesOf(p.a, p)
    await startBoth(p)
    const busyFrom = p.channel.clock.now()
    p.channel.interfere(40_000) // simulated ms of somebody else's transmission
    await waitFor(() => p.a.isBusy() === true, 2000, 'BUSY ON')
    await p.a.send(payload(100, 1), { to: 'N0BBB' })
    await waitFor(() => got.length === 1, 5000, 'the frame')
    const calling = samples.find((s) => s.session === 'connecting')
    expect(calling?.simMs).toBeGreaterThanOrEqual(busyFrom + 40_000)
    expect(samples.some((s) => s.channelBusy === true)).toBe(true)
    expect(samples.some((s) => s.channelBusy === false)).toBe(true)
    expect(p.a.isBusy()).toBe(false)
  })

  it('disconnects a session idle for idleTimeoutMs to free the frequency', async () => {
    const p = await setup({ a: { idleTimeoutMs: 20_000 }, b: { idleTimeoutMs: 600_000 } })
    const samples = samplesOf(p.a, p)
    const got = framesOf(p.b)
    await startBoth(p)
    await p.a.send(payload(100, 1), { to: 'N0BBB' })
    await waitFor(() => got.length === 1, 5000, 'the frame')
    await waitFor(() => samples.some((s) => s.session === 'disconnected'), 5000, 'the idle disconnect')
    const lastAck = samples.findLast((s) => s.txQueueBytes === 0 && s.session === undefined) // BUFFER 0: the last traffic
    const closing = samples.find((s) => s.session === 'disconnecting')
    const idleMs = (closing?.simMs ?? 0) - (lastAck?.simMs ?? Infinity)
    expect(idleMs).toBeGreaterThan(20_000 - 200) // one wall ms of clock granularity is 100 simulated ms
    expect(idleMs).toBeLessThan(20_000 + 2_000)
    expect(logs.find('closing VARA session').map((r) => r.why)).toEqual(['idle'])
    expect(p.simA.linkState()).toBe('idle')
    expect(p.b.status().session.state).toBe('idle')
  })

  it('serves waiting peers one session at a time, oldest frame first', async () => {
    const p = await setup({ a: { handoverIdleMs: 5_000 } })
    const simC = await startSimVara({ channel: p.channel, cmdPort: 0, seed: 3 })
    const c = new VaraTransport(simTransportOptions(simC, p.channel, 'N0CCC'), { clock: p.channel.clock, log: logs.log })
    extra.push({ stop: async () => (await c.stop(), await simC.close()) })
    const samples = samplesOf(p.a, p)
    const atB = framesOf(p.b)
    const atC = framesOf(c)
    await c.start()
    await startBoth(p)
    await Promise.all([
      p.a.send(payload(3000, 1), { to: 'N0BBB' }),
      p.a.send(payload(3000, 2), { to: 'N0CCC' }),
      p.a.send(payload(3000, 3), { to: 'N0BBB' }),
    ])
    await waitFor(() => atB.length === 2 && atC.length === 1, 10_000, 'both peers served')
    expect(sentBy(A).filter((l) => l.startsWith('CONNECT'))).toEqual(['CONNECT N0AAA N0BBB', 'CONNECT N0AAA N0CCC'])
    const sessions = samples.filter((s) => s.session !== undefined).map((s) => `${s.peer}:${s.session}`)
    expect(sessions.slice(0, 5)).toEqual(['N0BBB:connecting', 'N0BBB:connected', 'N0BBB:disconnecting', 'N0BBB:disconnected', 'N0CCC:connecting'])
    expect(logs.find('closing VARA session')[0]?.why).toBe('handover')
  })

  it('delivers session data that arrives after DISCONNECTED (the two sockets race)', async () => {
    // B's modem writes session bytes 8 s (simulated) behind its command lines.
    const p = await setup({ simB: { dataLagMs: 8_000 }, b: { trailingDataMs: 20_000 } })
    const got = framesOf(p.b)
    let ended = false
    const afterEnd: boolean[] = []
    p.b.on('sample', (s: VaraLinkSample) => (ended ||= s.session === 'disconnected'))
    p.b.on('frame', () => afterEnd.push(ended))
    await startBoth(p)
    const frames = [payload(1000, 1), payload(1000, 2), payload(1000, 3)]
    for (const f of frames) await p.a.send(f, { to: 'N0BBB' })
    await p.a.stop() // drains the modem, then DISCONNECT
    await waitFor(() => got.length === 3, 5000, 'the trailing frames')
    expect(got.map((f) => f.payload)).toEqual(frames)
    expect(got.every((f) => f.from === 'N0AAA')).toBe(true)
    expect(afterEnd.at(-1)).toBe(true) // really after the DISCONNECTED line
  })

  it('rejects a send with ERR_UNREACHABLE when nobody answers the call, and rests that peer', async () => {
    const p = await setup({ channel: { timeScale: 200 }, a: { peerRetryMs: 600_000 } })
    const samples = samplesOf(p.a, p)
    await p.a.start()
    const err = await p.a.send(payload(100, 1), { to: 'N0ZZZ' }).catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_UNREACHABLE')).toBe(true)
    expect(samples).toContainEqual(expect.objectContaining({ peer: 'N0ZZZ', session: 'failed', sendOk: false }))
    const second = p.a.send(payload(100, 2), { to: 'N0ZZZ' }) // waits out the rest, no new call
    await new Promise((r) => setTimeout(r, 100))
    expect(sentBy(A).filter((l) => l.startsWith('CONNECT'))).toEqual(['CONNECT N0AAA N0ZZZ'])
    expect(p.a.txQueueBytes()).toBe(100)
    await p.a.stop()
    expect(isTransportError(await second.catch((e: unknown) => e), 'ERR_STOPPED')).toBe(true)
  })

  it('rests an unanswering peer for 1–1.5 × peerRetryMs, drawn at random, so two stations that called each other at once do not call again in step', async () => {
    const p = await setup({ channel: { timeScale: 200 }, a: { peerRetryMs: 600_000 }, random: () => 0.5 })
    await p.a.start()
    const err = await p.a.send(payload(100, 1), { to: 'N0ZZZ' }).catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_UNREACHABLE')).toBe(true)
    expect(logs.find('VARA connect failed')).toEqual([expect.objectContaining({ peer: 'N0ZZZ', retryInMs: 750_000 })])
  })

  it('keeps frames the peer never acknowledged when its modem vanishes, and hands them over with takeUnsent()', async () => {
    const p = await setup({ channel: { timeScale: 200 }, a: { peerRetryMs: 600_000 } })
    const got = framesOf(p.b)
    const samples = samplesOf(p.a, p)
    await startBoth(p)
    const frames = Array.from({ length: 5 }, (_, i) => payload(3000, i))
    for (const f of frames) await p.a.send(f, { to: 'N0BBB' }) // all five taken by the modem
    await waitFor(() => got.length >= 1, 5000, 'the first frame')
    await p.simB.close() // B's station goes off the air mid-transfer
    await waitFor(() => samples.some((s) => s.session === 'lost'), 10_000, 'the session to drop')
    const kept = p.a.takeUnsent()
    expect(kept.length).toBeGreaterThan(0)
    expect(kept.every((f) => f.peer === 'N0BBB')).toBe(true)
    const delivered = got.map((f) => f.payload)
    for (const f of frames) expect([...delivered, ...kept.map((k) => k.payload)]).toContainEqual(f) // none lost
    expect(p.a.takeUnsent()).toEqual([])
  })

  it('does not count frames the modem discarded when the peer closed the session as delivered (BUFFER 0, PTT, DISCONNECTED)', async () => {
    const p = await setup({ channel: { timeScale: 200 }, a: { peerRetryMs: 600_000 } })
    const got = framesOf(p.b)
    await startBoth(p)
    const frames = Array.from({ length: 5 }, (_, i) => payload(3000, i))
    for (const f of frames) await p.a.send(f, { to: 'N0BBB' }) // all five taken by the modem
    await waitFor(() => got.length >= 1, 5000, 'the first frame')
    await p.b.stop() // B closes the session while A's modem still holds most of the transfer
    await waitFor(() => heardBy(A).includes('DISCONNECTED'), 10_000, 'the session to end')
    const fall = heardBy(A).lastIndexOf('BUFFER 0')
    expect(heardBy(A).slice(fall + 1, fall + 3)).toEqual(['PTT ON', 'PTT OFF']) // the teardown keys up after the discard
    const kept = p.a.takeUnsent()
    expect(kept.length).toBeGreaterThan(0)
    const delivered = got.map((f) => f.payload)
    for (const f of frames) expect([...delivered, ...kept.map((k) => k.payload)]).toContainEqual(f) // none lost
  })

  it('runs over VARA FM, dialling through VIA digipeaters', async () => {
    const p = await setup({ flavour: 'fm', a: { digipeaters: { N0BBB: ['N0DDD'] } } })
    const got = framesOf(p.b)
    await startBoth(p)
    await p.a.send(payload(2000, 1), { to: 'N0BBB' })
    await waitFor(() => got.length === 1, 5000, 'the frame')
    expect(sentBy(A)).toEqual(['MYCALL N0AAA', 'LISTEN ON', 'COMPRESSION OFF', 'P2P SESSION', 'VERSION', 'CONNECT N0AAA N0BBB VIA N0DDD'])
    expect(heardBy(B)).toContain('CONNECTED N0AAA N0BBB VIA N0DDD')
    expect(got[0]?.from).toBe('N0AAA')
  })
})

describe('VARA transport: modem messages', () => {
  it('reports samples: BITRATE level and rate, goodput from BUFFER drain, SN, airtime, session states', async () => {
    const p = await setup({ channel: { timeScale: 200 } })
    const samples = samplesOf(p.a, p)
    const got = framesOf(p.b)
    await startBoth(p)
    for (let i = 0; i < 6; i++) await p.a.send(payload(4000, i), { to: 'N0BBB' })
    await waitFor(() => got.length === 6, 5000, 'the frames')
    p.simB.emitLine('SN 12.5')
    await p.a.send(payload(10, 9), { to: 'N0BBB' })
    await waitFor(() => got.length === 7, 5000, 'the last frame')
    expect(got[6]?.snrDb).toBe(12.5)
    await waitFor(() => p.a.txQueueBytes() === 0, 5000, 'the last acknowledgement')
    expect(samples).toContainEqual(expect.objectContaining({ peer: 'N0BBB', bitrateBps: 7050, level: 12 }))
    const goodput = samples.filter((s) => s.goodputBps !== undefined).map((s) => s.goodputBps ?? 0)
    expect(Math.max(...goodput)).toBeGreaterThan(0.8 * 7050) // measured in simulated time
    expect(Math.max(...goodput)).toBeLessThan(1.1 * 7050)
    expect(samples.some((s) => (s.txAirtimeMs ?? 0) > 0)).toBe(true)
    expect(samples.some((s) => s.sendOk === true)).toBe(true)
    expect(samples.filter((s) => s.session !== undefined).map((s) => s.session).slice(0, 2)).toEqual(['connecting', 'connected'])
  })

  it('logs an unknown line once and stays up; warns about an encrypted link', async () => {
    const p = await setup()
    await p.a.start()
    p.simA.emitLine('SOMETHING NEW 42')
    p.simA.emitLine('SOMETHING NEW 42')
    p.simA.emitLine('ENCRYPTED LINK')
    await waitFor(() => logs.find('ENCRYPTED').length > 0, 2000, 'the warning')
    expect(logs.find('unknown message from VARA').map((r) => r.line)).toEqual(['SOMETHING NEW 42'])
    expect(logs.find('ENCRYPTED')[0]?.level).toBe(40)
    expect(p.a.state).toBe('up')
  })

  it('raises a clear alarm and goes down on MISSING SOUNDCARD', async () => {
    const p = await setup()
    const states: StateChange[] = []
    p.a.on('state', (s) => states.push(s))
    await p.a.start()
    p.simA.emitLine('MISSING SOUNDCARD')
    await waitFor(() => p.a.state === 'down', 2000, 'down')
    expect(states.at(-1)).toMatchObject({ to: 'down', reason: 'missing-soundcard' })
    expect(isTransportError(states.at(-1)?.error, 'ERR_DEVICE')).toBe(true)
    const alarm = logs.find('MISSING SOUNDCARD')[0]
    expect(alarm?.level).toBe(50)
    expect(alarm?.msg).toMatch(/restarting the PC/)
  })

  it('ABORTs when DISCONNECT is refused, and moves on when even ABORT goes unanswered', async () => {
    const p = await setup({ a: { idleTimeoutMs: 5_000, abortTimeoutMs: 3_000 } })
    p.simA.answerWrong('DISCONNECT')
    const got = framesOf(p.b)
    const samples = samplesOf(p.a, p)
    await startBoth(p)
    await p.a.send(payload(100, 1), { to: 'N0BBB' })
    await waitFor(() => samples.some((s) => s.session === 'disconnected'), 5000, 'the aborted session to end')
    expect(got).toHaveLength(1)
    expect(sentBy(A).slice(-2)).toEqual(['DISCONNECT', 'ABORT'])
    expect(logs.find('aborting VARA session')[0]?.why).toBe('disconnect-refused')

    p.simA.answerWrong('ABORT')
    await p.a.send(payload(100, 2), { to: 'N0BBB' })
    await waitFor(() => samples.filter((s) => s.session === 'disconnected').length === 2, 5000, 'the second session to end')
    expect(logs.find('VARA session ended').at(-1)?.why).toMatch(/no DISCONNECTED after ABORT/)
    expect(got).toHaveLength(2)
  })
})
