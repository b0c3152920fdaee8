/**
 * JS8Call goodput: two JS8Call transports on two simulated JS8Calls sharing one RF channel
 * (hardware-sim/links/js8-pair.ts), and how fast directed gateway messages cross it with the
 * transport's ARQ, against the channel's airtime bound.
 *
 * Method (time-scaled: JS8 periods pass `timeScale` times faster than wall time):
 * - the messages are queued at A all at once, to B's callsign; the clock (the channel's simulated
 *   clock) starts at the first `send()` and stops when B has delivered the last byte; the time
 *   until A has every acknowledgement is reported too;
 * - **airtime bound** = 72 payload bits per JS8 frame, one frame per TX period: 4.8 bit/s at
 *   Normal (reference radio.md §4.4). Huffman text, our link headers and CRCs, `FROM: TO` header
 *   frames, acks and the turn-taking of a half-duplex channel all count against it;
 * - the hourly airtime cap is lifted to the whole hour: the cap is policy, not channel capacity.
 *
 * @packageDocumentation
 */
import { speedBitrateBps } from '../transports/js8call/speed.js'
import type { InboundFrame, LinkSample } from '../transports/types.js'
import { CALL_B, startJs8Pair } from '../hardware-sim/links/js8-pair.js'

/** Options of {@link measureJs8Goodput}. */
export interface Js8GoodputOptions {
  /** Simulated ms per wall ms; default 500. */
  timeScale?: number
  /** Per-frame loss probability of the channel; default 0. */
  lossRate?: number
  seed?: number
  /** Wall-clock limit, ms; default 60 000. */
  timeoutMs?: number
}

/** Result of one JS8Call goodput run. */
export interface Js8GoodputResult {
  messages: number
  /** Payload bytes delivered to B. */
  bytes: number
  /** Every message arrived, unaltered. */
  intact: boolean
  /** First `send()` → last byte delivered at B, simulated s. */
  seconds: number
  /** First `send()` → the last acknowledgement back at A, simulated s. */
  ackedSeconds: number
  goodputBps: number
  /** 72 bits per period, bit/s. */
  boundBps: number
  /** goodputBps ÷ boundBps. */
  efficiency: number
}

/** Sends `messages` from A to B at Normal speed and measures goodput (see the module comment). */
export async function measureJs8Goodput(messages: readonly Uint8Array[], o: Js8GoodputOptions = {}): Promise<Js8GoodputResult> {
  const pair = await startJs8Pair({
    speed: 0,
    channel: { timeScale: o.timeScale ?? 500, lossProbability: o.lossRate ?? 0, seed: o.seed ?? 1 },
    transport: { maxAirtimeMsPerHour: 3_600_000 },
  })
  try {
    const received: InboundFrame[] = []
    let deliveredAt = 0 // simulated ms
    const expected = messages.reduce((n, m) => n + m.length, 0)
    pair.b.on('frame', (f) => {
      received.push(f)
      if (received.reduce((n, r) => n + r.payload.length, 0) >= expected) deliveredAt = pair.channel.clock.now()
    })
    let acks = 0
    let ackedAt = 0 // simulated ms
    let failure: { error: unknown } | undefined
    pair.a.on('sample', (s: LinkSample) => {
      if (s.sendOk === false) failure = { error: new Error('a message was given up: no ack from B') }
      if (s.sendOk === true && ++acks === messages.length) ackedAt = pair.channel.clock.now()
    })
    await pair.b.start()
    await pair.a.start()
    const startedAt = pair.channel.clock.now()
    // send() settles when the first frame is on air; the acks arrive as samples
    Promise.all(messages.map((m) => pair.a.send(m, { to: CALL_B }))).catch((error: unknown) => void (failure = { error }))
    await until(() => (ackedAt > 0 && deliveredAt > 0) || failure !== undefined, Date.now() + (o.timeoutMs ?? 60_000))
    if (failure !== undefined) throw failure.error
    return summarise(messages, received, { startedAt, deliveredAt, ackedAt })
  } finally {
    await pair.close()
  }
}

/** Simulated ms of the run's milestones. */
interface Milestones {
  readonly startedAt: number
  readonly deliveredAt: number
  readonly ackedAt: number
}

function summarise(messages: readonly Uint8Array[], received: InboundFrame[], m: Milestones): Js8GoodputResult {
  const bytes = received.reduce((n, f) => n + f.payload.length, 0)
  const sent = new Set(messages.map((x) => Buffer.from(x).toString('hex')))
  const intact = received.length === messages.length && received.every((f) => sent.has(Buffer.from(f.payload).toString('hex')))
  const seconds = (m.deliveredAt - m.startedAt) / 1000
  const goodputBps = (8 * bytes) / seconds
  const boundBps = speedBitrateBps('normal')
  return {
    messages: messages.length, bytes, intact, seconds,
    ackedSeconds: (m.ackedAt - m.startedAt) / 1000, goodputBps, boundBps, efficiency: goodputBps / boundBps,
  }
}

async function until(check: () => boolean, deadline: number): Promise<void> {
  while (!check()) {
    if (Date.now() > deadline) throw new Error('JS8Call goodput run did not finish in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}
