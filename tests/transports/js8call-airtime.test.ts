/**
 * The hourly airtime cap and the transmit queue: the ledger's arithmetic, the queue's rules (one
 * transmission at a time, replies first, data only on a quiet channel, nothing over the cap), and
 * a three-hour time-scaled run in which the cap holds in every one-hour window.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { isTransportError, TransportError } from '../../transports/errors.js'
import { AirtimeBudget, HOUR_MS } from '../../transports/js8call/airtime-budget.js'
import type { LinkFrame } from '../../transports/js8call/link-frame.js'
import { TxScheduler, type TxItem } from '../../transports/js8call/tx-scheduler.js'
import { Js8ApiClient, pollFor } from '../helpers/js8call.js'
import { ManualClock } from './js8call-fake.js'
import { CALL_B, startJs8Pair, type Js8Pair } from './js8call-fixture.js'

/** Most airtime in any window of `windowMs` over these [start, end) intervals, ms. */
function worstWindow(intervals: readonly [number, number][], windowMs = HOUR_MS): number {
  let worst = 0
  for (const [, end] of intervals) {
    const from = end - windowMs
    const used = intervals.reduce((n, [s, e]) => n + Math.max(0, Math.min(e, end) - Math.max(s, from)), 0)
    worst = Math.max(worst, used)
  }
  return worst
}

describe('airtime budget', () => {
  it('lets a transmission start at once while the hour has room, and never one longer than the cap', () => {
    const budget = new AirtimeBudget(60_000, () => 0)
    expect(budget.waitMs(60_000)).toBe(0)
    expect(budget.waitMs(60_001)).toBe(Number.POSITIVE_INFINITY)
  })

  it('makes a transmission wait until enough old airtime has left the window', () => {
    let now = 0
    const budget = new AirtimeBudget(60_000, () => now)
    budget.reserve(30_000, 30_000) // [0, 30 s]
    now = 100_000
    budget.reserve(20_000, 120_000) // [100 s, 120 s]
    now = 200_000
    expect(budget.usedMs()).toBe(50_000)
    expect(budget.waitMs(10_000)).toBe(0)
    // 20 s more needs the first 30 s gone: it leaves when the new one ends an hour after 30 s.
    expect(budget.waitMs(20_000)).toBe(30_000 + HOUR_MS - 20_000 - now)
    now = HOUR_MS + 30_001
    expect(budget.usedMs()).toBe(20_000)
  })

  it('books measured airtime no reservation covers, and does not count reserved airtime twice', () => {
    let now = 0
    const budget = new AirtimeBudget(600_000, () => now)
    budget.reserve(40_000, 60_000)
    now = 50_000
    budget.spend(13_000)
    budget.spend(13_000)
    expect(budget.usedMs()).toBe(40_000) // within the reservation
    budget.spend(20_000) // 6 s over the estimate
    expect(budget.usedMs()).toBe(46_000)
    now = 70_000 // past the reservation's latest end: a heartbeat JS8Call sent on its own
    budget.spend(13_000)
    expect(budget.usedMs()).toBe(59_000)
  })

  it('keeps every one-hour window under the cap, whatever the requests (property)', () => {
    const request = fc.record({ gapMs: fc.integer({ min: 0, max: 900_000 }), durationMs: fc.integer({ min: 4_000, max: 150_000 }) })
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 60 }), fc.integer({ min: 150_000, max: 900_000 }), (requests, cap) => {
        let now = 0
        const budget = new AirtimeBudget(cap, () => now)
        const sent: [number, number][] = []
        for (const r of requests) {
          now += r.gapMs
          now += budget.waitMs(r.durationMs)
          budget.reserve(r.durationMs, now + r.durationMs)
          sent.push([now, now + r.durationMs])
          now += r.durationMs // one transmitter: the next starts after this one
        }
        expect(worstWindow(sent)).toBeLessThanOrEqual(cap)
      }),
      { seed: 42, numRuns: 200 },
    )
  })
})

describe('transmit queue', () => {
  const frame = (n: number): LinkFrame => ({ kind: 'whole', messageId: n, payload: Uint8Array.of(n) })

  function queue(o: { busy?: () => boolean; capMs?: number } = {}) {
    const clock = new ManualClock()
    const written: string[] = []
    const budget = new AirtimeBudget(o.capMs ?? 600_000, () => clock.now())
    const scheduler = new TxScheduler({
      clock,
      budget,
      speed: () => 'normal',
      myCall: () => 'K1AAA',
      write: (to, text) => written.push(`${to} ${text}`),
      channelBusy: o.busy ?? (() => false),
      gapSlackMs: 1_000,
    })
    /** JS8Call keys `frames` frames, one per 15-s period, starting now. */
    const key = (frames: number): void => {
      for (let i = 0; i < frames; i++) {
        scheduler.ptt(true)
        clock.advance(12_640)
        scheduler.ptt(false)
        clock.advance(2_360)
      }
    }
    return { clock, written, budget, scheduler, key }
  }

  it('hands JS8Call one transmission at a time, the next once PTT stayed off for a period', () => {
    const { clock, written, scheduler, key } = queue()
    scheduler.submit({ to: CALL_B, frame: frame(1), priority: 'data' })
    scheduler.submit({ to: CALL_B, frame: frame(2), priority: 'data' })
    expect(written).toHaveLength(1) // JS8Call drops a message sent while one is on air
    clock.advance(1_000)
    key(3)
    expect(written).toHaveLength(1) // 2.36 s after the last PTT off: another frame may follow
    clock.advance(1_000)
    expect(written).toHaveLength(2)
    expect(scheduler.busy).toBe(true)
  })

  it('sends replies before queued data, and data only on a quiet channel', () => {
    let busy = true
    const { clock, written, scheduler } = queue({ busy: () => busy })
    const sent: number[] = []
    scheduler.submit({ to: CALL_B, frame: frame(1), priority: 'data', onSent: () => sent.push(1) })
    scheduler.submit({ to: CALL_B, frame: frame(2), priority: 'reply', onSent: () => sent.push(2) })
    expect(sent).toEqual([2])
    clock.advance(16_000) // no PTT: JS8Call dropped it; the queue moves on, but the channel is busy
    expect(sent).toEqual([2])
    busy = false
    clock.advance(4_000)
    expect(sent).toEqual([2, 1])
    expect(written).toHaveLength(2)
  })

  it('holds data back until the hour has room, and drops what can never fit', () => {
    const { clock, written, scheduler, key } = queue({ capMs: 60_000 })
    const dropped: TransportError[] = []
    const long: LinkFrame = { kind: 'whole', messageId: 9, payload: new Uint8Array(60) }
    scheduler.submit({ to: CALL_B, frame: long, priority: 'data', onDropped: (e) => dropped.push(e) })
    expect(dropped.map((e) => e.code)).toEqual(['ERR_CONFIG'])
    scheduler.submit({ to: CALL_B, frame: frame(1), priority: 'data' })
    key(3)
    clock.advance(20_000)
    scheduler.submit({ to: CALL_B, frame: frame(2), priority: 'data' })
    expect(written).toHaveLength(1) // 3 frames of ~13 s booked; 3 more would pass 60 s
    clock.advance(HOUR_MS)
    expect(written).toHaveLength(2)
  })

  it('drops only the cancelled owner\u2019s items, telling each why', () => {
    const { scheduler } = queue()
    const mine = {}
    const dropped: string[] = []
    scheduler.submit({ to: CALL_B, frame: frame(0), priority: 'data' }) // on air
    for (const n of [1, 2]) scheduler.submit({ to: CALL_B, frame: frame(n), priority: 'data', owner: mine, onDropped: (e) => dropped.push(`${n} ${e.code}`) })
    scheduler.submit({ to: CALL_B, frame: frame(3), priority: 'data', onDropped: () => dropped.push('3') })
    scheduler.cancel(mine, new TransportError('ERR_ABORTED', 'superseded'))
    expect(scheduler.length).toBe(1)
    expect(dropped).toEqual(['1 ERR_ABORTED', '2 ERR_ABORTED'])
  })
})

describe('airtime cap in a long run', () => {
  let pair: Js8Pair | undefined
  const observers: Js8ApiClient[] = []
  afterEach(async () => {
    for (const o of observers.splice(0)) o.close()
    await pair?.close()
    pair = undefined
  })

  /** PTT intervals a station keyed, from its RIG.PTT events (JS8Call's UTC: exact simulated times). */
  function keyed(o: Js8ApiClient): [number, number][] {
    const out: [number, number][] = []
    let on: number | undefined
    for (const m of o.ofType('RIG.PTT')) {
      if (m.params.PTT === true) on = m.params.UTC as number
      else if (on !== undefined) out.push([on, m.params.UTC as number])
    }
    return out
  }

  it('never transmits more than the cap in any hour, and keeps delivering hour after hour', async () => {
    const cap = 300_000 // 5 min an hour
    pair = await startJs8Pair({ speed: 0, channel: { timeScale: 2_000 }, transport: { maxAirtimeMsPerHour: cap, maxFramesPerTransmission: 4 } })
    const [atA, atB] = [await Js8ApiClient.connect(pair.simA.port), await Js8ApiClient.connect(pair.simB.port)]
    observers.push(atA, atB)
    const received: number[] = [] // simulated ms
    const p = pair
    p.b.on('frame', () => received.push(p.channel.clock.now()))
    await p.b.start()
    await p.a.start()
    const start = p.channel.clock.now()
    const sends = Array.from({ length: 40 }, (_, i) => p.a.send(new Uint8Array(20).fill(i), { to: CALL_B }).catch((e: unknown) => e))

    await pollFor(() => (p.channel.clock.now() - start > 3 * HOUR_MS ? true : undefined), 20_000, 'three simulated hours')

    const a = keyed(atA)
    expect(worstWindow(a)).toBeLessThanOrEqual(cap)
    expect(worstWindow(a)).toBeGreaterThan(0.8 * cap) // the cap was what held A back
    expect(worstWindow(keyed(atB))).toBeLessThanOrEqual(cap) // B's acks count against B's own cap
    expect(p.a.airtimeUsedMs()).toBeLessThanOrEqual(cap)
    const perHour = [0, 1, 2].map((h) => received.filter((t) => t - start >= h * HOUR_MS && t - start < (h + 1) * HOUR_MS).length)
    expect(perHour.every((n) => n >= 3)).toBe(true) // still delivering in every hour
    expect(received.length).toBeLessThan(40) // …but not everything: the rest waits for the air
    await p.a.stop()
    const outcomes = await Promise.all(sends)
    expect(outcomes.filter((e) => e !== undefined).every((e) => isTransportError(e, 'ERR_STOPPED'))).toBe(true)
  }, 40_000)
})
