/**
 * The AX.25 transport over simulated KISS TNCs joined in process, on virtual time (bench/ax25-goodput.ts):
 * everything above the byte stream is the production code path.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { addAx25SimStation, startAx25SimPair, startBoth, type Ax25SimPair } from '../../bench/ax25-goodput.js'
import { decodeAx25Frame } from '../../codecs/ax25.js'
import { checkFcs } from '../../codecs/fcs.js'
import { isTransportError } from '../../transports/errors.js'
import type { Ax25LinkSample } from '../../transports/ax25/ax25-transport.js'
import type { InboundFrame, StateChange } from '../../transports/types.js'
import type { RfFrame } from '../../hardware-sim/rf-channel.js'

let pair: Ax25SimPair | undefined
afterEach(async () => {
  await pair?.close()
  pair = undefined
})

/** Every frame on the channel, decoded (FCS stripped), with its airtime. */
function spy(p: Ax25SimPair): { frames: { rf: RfFrame; source: string; destination: string; info: Uint8Array }[] } {
  const frames: { rf: RfFrame; source: string; destination: string; info: Uint8Array }[] = []
  p.channel.attach({
    id: 'spy',
    mode: `ax25-${p.channel.profile.bitrateBps}`,
    onFrame: (rf) => {
      if (rf.payload.length === 0 || !checkFcs(rf.payload)) return
      const d = decodeAx25Frame(rf.payload.subarray(0, rf.payload.length - 2), { modulo: 8 })
      if (!d.ok || d.value.kind !== 'UI') return
      const call = (a: { callsign: string; ssid: number }) => `${a.callsign}-${a.ssid}`
      frames.push({ rf, source: call(d.value.source), destination: call(d.value.destination), info: d.value.info })
    },
  })
  return { frames }
}

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff)
const same = (a: Uint8Array | undefined, b: Uint8Array): boolean => a !== undefined && Buffer.from(a).equals(Buffer.from(b))

describe('AX.25 transport over simulated KISS TNCs', () => {
  it('sets the KISS parameters from config when the link comes up', async () => {
    pair = await startAx25SimPair({ options: { kiss: { txDelayMs: 250, persistence: 127, slotTimeMs: 50, txTailMs: 30, fullDuplex: true } } })
    expect(pair.tncA.params()).toMatchObject({ txDelay: 30, persistence: 63, slotTime: 10, txTail: 10, fullDuplex: false })
    await startBoth(pair)
    expect(pair.tncA.params()).toEqual({ txDelay: 25, persistence: 127, slotTime: 5, txTail: 3, fullDuplex: true })
    expect(pair.a.capabilities).toMatchObject({ kind: 'ax25', broadcast: true, reliable: true, halfDuplex: false, publicMedium: true })
  })

  it('delivers reliable unicast with the sender callsign on every frame, and reports samples', async () => {
    pair = await startAx25SimPair({ lossRate: 0.2, seed: 3 })
    const air = spy(pair)
    await startBoth(pair)
    const got: InboundFrame[] = []
    const samples: Ax25LinkSample[] = []
    pair.b.on('frame', (f) => got.push(f))
    pair.a.on('sample', (s) => samples.push(s))
    const payloads = [bytes(3000, 1), bytes(1, 2), bytes(700, 3)]
    let sent = false
    const sends = Promise.all(payloads.map((p) => pair?.a.send(p, { to: 'n0bbb-2' }))).then(() => (sent = true))
    await pair.time.run(() => sent, 3_600_000)
    await sends
    expect(got.map((f) => f.from)).toEqual(['N0AAA-1', 'N0AAA-1', 'N0AAA-1'])
    payloads.forEach((p, i) => expect(same(got[i]?.payload, p)).toBe(true))
    expect(air.frames.length).toBeGreaterThan(10)
    for (const f of air.frames) expect([f.source, f.destination].sort()).toEqual(['N0AAA-1', 'N0BBB-2'])
    const counters = pair.a.stats().peers['N0BBB-2']
    expect(counters?.framesLost).toBeGreaterThan(0) // 20 % loss: some segments were sent again
    expect(counters?.framesRetried).toBe(counters?.framesLost)
    expect(samples.some((s) => typeof s.rttMs === 'number' && s.rttMs > 0)).toBe(true)
    expect(samples.filter((s) => s.sendOk === true)).toHaveLength(3)
    expect(samples.some((s) => (s.goodputBytesPerSec ?? 0) > 0 && s.framesSent !== undefined)).toBe(true)
    expect(samples.some((s) => (s.txQueueBytes ?? 0) > 0)).toBe(true)
    expect(pair.a.stats().tncAnswersTxbuf).toBe(true)
  })

  it('broadcasts UI frames to the group address: one transmission reaches every station', async () => {
    pair = await startAx25SimPair({ lossRate: 0 })
    const third = await addAx25SimStation(pair.time, pair.channel, 'tnc-c', 'N0CCC', { seed: 9 })
    const air = spy(pair)
    let up = false
    const starting = Promise.all([pair.a.start(), pair.b.start(), third.transport.start()]).then(() => (up = true))
    await pair.time.run(() => up, 60_000)
    await starting
    const atB: InboundFrame[] = []
    const atC: InboundFrame[] = []
    pair.b.on('frame', (f) => atB.push(f))
    third.transport.on('frame', (f) => atC.push(f))
    const payload = bytes(600, 5)
    let sent = false
    void pair.a.send(payload).then(() => (sent = true))
    await pair.time.run(() => sent && atB.length > 0 && atC.length > 0, 600_000)
    expect(same(atB[0]?.payload, payload) && same(atC[0]?.payload, payload)).toBe(true)
    expect(atB[0]?.from).toBe('N0AAA-1')
    const fromA = air.frames.filter((f) => f.source === 'N0AAA-1')
    expect(fromA.length).toBe(3) // 600 + 4 CRC bytes in fragments of 255 - 2 header bytes
    expect(fromA.every((f) => f.destination === 'BUNKER-0')).toBe(true)
    expect(air.frames.filter((f) => f.source !== 'N0AAA-1')).toEqual([]) // nobody acknowledges a broadcast
    await third.transport.stop()
    await third.tnc.close()
  })

  it('rejects a destination that is not a callsign, or is this station', async () => {
    pair = await startAx25SimPair()
    await startBoth(pair)
    for (const to of ['not a call', 'N0CALL-16', 'N0AAA-1']) {
      const e = await pair.a.send(bytes(5), { to }).catch((x: unknown) => x)
      expect(isTransportError(e, 'ERR_UNREACHABLE')).toBe(true)
    }
  })

  it('gives up on a peer that never answers with ERR_UNREACHABLE, in bounded time', async () => {
    pair = await startAx25SimPair({ options: { arq: { retries: 3, t1InitialMs: 2000, t1MinMs: 1000, t1MaxMs: 8000 } } })
    await startBoth(pair)
    let error: unknown
    const t0 = pair.time.clock.now()
    void pair.a.send(bytes(300), { to: 'N0ZZZ' }).catch((e: unknown) => (error = e))
    await pair.time.run(() => error !== undefined, 600_000)
    expect(isTransportError(error, 'ERR_UNREACHABLE')).toBe(true)
    expect((error as Error).message).toMatch(/no answer to 3 polls/)
    expect(pair.time.clock.now() - t0).toBeLessThan(60_000) // 2 + 4 + 8 + 8 s of T1 plus airtime
  })

  it('keeps its own airtime within the duty-cycle cap', async () => {
    const cap = { maxFraction: 0.1, windowMs: 60_000 }
    pair = await startAx25SimPair({ lossRate: 0, options: { dutyCycle: cap } })
    const air = spy(pair)
    await startBoth(pair)
    let sent = 0
    for (let i = 0; i < 3; i++) void pair.a.send(bytes(700, i)).then(() => sent++)
    const ours = (): RfFrame[] => air.frames.filter((f) => f.source === 'N0AAA-1').map((f) => f.rf)
    await pair.time.run(() => sent === 3 && ours().length === 9, 3_600_000) // 3 × (704 bytes in 253-byte fragments)
    // Airtime in every 60 s window ending at one of our frames (keyup and tail count too).
    const spans = ours().map((f) => ({ start: f.startMs, end: f.endMs + 100 }))
    for (const w of spans) {
      const used = spans.reduce((n, s) => n + Math.max(0, Math.min(s.end, w.end) - Math.max(s.start, w.end - cap.windowMs)), 0)
      expect(used).toBeLessThanOrEqual(cap.maxFraction * cap.windowMs + 1)
    }
    const first = ours()[0] as RfFrame
    const last = ours().at(-1) as RfFrame
    expect(last.endMs - first.startMs).toBeGreaterThan(120_000) // 9 frames × ~2.2 s at 10 %: spread over minutes
  })

  it('goes down with a reason when the TNC is unplugged, and fails what was in flight', async () => {
    pair = await startAx25SimPair()
    await startBoth(pair)
    const states: StateChange[] = []
    pair.a.on('state', (s) => states.push(s))
    let error: unknown
    void pair.a.send(bytes(5000), { to: 'N0BBB-2' }).catch((e: unknown) => (error = e))
    await pair.time.run(() => pair?.tncA.queuedBytes() === 0 && pair.tncA.stats().framesSent > 0, 600_000)
    pair.deviceA.unplug()
    await pair.time.run(() => error !== undefined, 60_000)
    expect(states.at(-1)).toMatchObject({ from: 'up', to: 'down', reason: 'device-unplugged' })
    expect(states.at(-1)?.error?.code).toBe('ERR_DEVICE')
    expect(isTransportError(error, 'ERR_NOT_UP')).toBe(true)
    const after = await pair.a.send(bytes(1)).catch((e: unknown) => e)
    expect(isTransportError(after, 'ERR_NOT_UP')).toBe(true)
  })

  it('stop() rejects sends still waiting with ERR_STOPPED', async () => {
    pair = await startAx25SimPair()
    await startBoth(pair)
    const pending = pair.a.send(bytes(2000), { to: 'N0BBB-2' }).catch((e: unknown) => e)
    await pair.a.stop()
    expect(isTransportError(await pending, 'ERR_STOPPED')).toBe(true)
    expect(pair.a.state).toBe('stopped')
  })

  it('rejects ERR_QUEUE_FULL beyond maxQueueBytes', async () => {
    pair = await startAx25SimPair({ options: { maxQueueBytes: 4000, mtu: 4000 } })
    await startBoth(pair)
    const first = pair.a.send(bytes(3000), { to: 'N0BBB-2' }).catch(() => undefined)
    const e = await pair.a.send(bytes(1001), { to: 'N0BBB-2' }).catch((x: unknown) => x)
    expect(isTransportError(e, 'ERR_QUEUE_FULL')).toBe(true)
    expect(pair.a.txQueueBytes()).toBeGreaterThanOrEqual(3000)
    await pair.a.stop()
    await first
  })
})
