import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HistorySnapshotSchema, StatusHistory, toHistorySample, type Ticker } from '../../gateway/status/history.js'
import { FakeStatusSource, sampleStatus } from './fake-status.js'

/** A clock the test moves by hand. */
function fakeClock(start = 1_800_000_000_000) {
  let now = start
  return { now: () => now, set: (t: number) => (now = t), advance: (ms: number) => (now += ms) }
}

/** A ticker the test fires by hand; records the interval it was asked for and whether it was stopped. */
function manualTicker() {
  const state = { tick: undefined as (() => void) | undefined, intervalMs: 0, stopped: false }
  const ticker: Ticker = (tick, intervalMs) => {
    Object.assign(state, { tick, intervalMs, stopped: false })
    return () => (state.stopped = true)
  }
  return { ticker, state }
}

/** Lets the pending source reads finish. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('StatusHistory ring', () => {
  it('keeps at most retention / interval samples, oldest first, dropping the oldest', () => {
    const clock = fakeClock()
    const source = new FakeStatusSource(clock.now)
    const h = new StatusHistory(source.read, { intervalMs: 1_000, retentionMs: 10_000 }, clock.now)
    expect(h.capacity).toBe(10)
    for (let i = 0; i < 25; i++) {
      source.setLink('backbone', { rttMs: i })
      h.record(source.read())
      clock.advance(1_000)
    }
    expect(h.size).toBe(10)
    const rtts = h.samples(0).map((s) => s.links.backbone?.rttMs)
    expect(rtts).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24])
  })

  it('stays bounded and time-ordered for any sequence of clock steps (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5_000, max: 20_000 }), { maxLength: 60 }), (steps) => {
        const clock = fakeClock()
        const h = new StatusHistory(() => sampleStatus(0), { intervalMs: 1_000, retentionMs: 8_000 }, clock.now)
        for (const step of steps) {
          clock.advance(step)
          h.record(sampleStatus(0))
          const ts = h.samples(Number.NEGATIVE_INFINITY).map((s) => s.t)
          expect(ts.length).toBeLessThanOrEqual(h.capacity)
          expect(ts.at(-1)).toBe(clock.now()) // the newest is the one just recorded
          expect([...ts].sort((a, b) => a - b)).toEqual(ts)
        }
      }),
      { seed: 42, numRuns: 200 },
    )
  })

  it('drops samples from the future when the clock steps back', () => {
    const clock = fakeClock(10_000)
    const h = new StatusHistory(() => sampleStatus(0), { intervalMs: 1_000, retentionMs: 60_000 }, clock.now)
    for (const t of [10_000, 11_000, 12_000, 13_000]) {
      clock.set(t)
      h.record(sampleStatus(0))
    }
    clock.set(11_500)
    h.record(sampleStatus(0))
    expect(h.samples(0).map((s) => s.t)).toEqual([10_000, 11_000, 11_500])
  })

  it('leaves samples older than the retention window out of the snapshot', () => {
    const clock = fakeClock()
    const h = new StatusHistory(() => sampleStatus(0), { intervalMs: 1_000, retentionMs: 5_000 }, clock.now)
    const first = clock.now()
    h.record(sampleStatus(0))
    clock.advance(3_000)
    h.record(sampleStatus(0))
    clock.advance(4_000) // the first is now 7 s old, the second 4 s
    const snap = HistorySnapshotSchema.parse(h.snapshot())
    expect(snap.samples.map((s) => s.t)).toEqual([first + 3_000])
    expect(snap).toMatchObject({ intervalMs: 1_000, retentionMs: 5_000, now: first + 7_000 })
  })

  it('samples each link\'s state, up flag, readings and byte counts, and nothing else', () => {
    const status = sampleStatus(0)
    const s = toHistorySample(status, 99)
    expect(s.t).toBe(99)
    expect(Object.keys(s.links)).toEqual(['backbone', 'vhf-packet', 'hf-vara', 'hf-js8'])
    expect(s.links['vhf-packet']).toEqual({ state: 'up', up: true, snrDb: 12.5, rttMs: 2_300, loss: 0.04, goodputBps: 110, bitrateBps: 1_200, bytesSent: 4_096, bytesReceived: 8_192 })
    expect(s.links['hf-vara']).toMatchObject({ state: 'down', up: false })
    expect(s.links['hf-js8']).toMatchObject({ state: 'starting', up: false })
  })

  it('refuses options that would make the ring unbounded', () => {
    expect(() => new StatusHistory(() => sampleStatus(0), { intervalMs: 1, retentionMs: 3_600_000 })).toThrow(/at most 100000 samples/)
    expect(() => new StatusHistory(() => sampleStatus(0), { intervalMs: 0 })).toThrow()
  })
})

describe('StatusHistory sampling timer', () => {
  it('samples at start and on every tick, at the configured interval, until stopped', async () => {
    const clock = fakeClock()
    const source = new FakeStatusSource(clock.now)
    const { ticker, state } = manualTicker()
    const h = new StatusHistory(source.read, { intervalMs: 10_000 }, clock.now, ticker)
    h.start()
    await settle()
    expect(state.intervalMs).toBe(10_000)
    expect(h.size).toBe(1)
    for (let i = 0; i < 3; i++) {
      clock.advance(10_000)
      state.tick?.()
      await settle()
    }
    expect(h.size).toBe(4)
    h.stop()
    expect(state.stopped).toBe(true)
  })

  it('skips a sample (a gap in the chart) when the source throws, and resumes after', async () => {
    const clock = fakeClock()
    const source = new FakeStatusSource(clock.now)
    const h = new StatusHistory(source.read, {}, clock.now, manualTicker().ticker)
    source.failure = new Error('gateway busy')
    expect(await h.sample()).toBe(false)
    expect(h.size).toBe(0)
    source.failure = undefined
    expect(await h.sample()).toBe(true)
    expect(h.size).toBe(1)
  })

  it('does not start a second read while one is pending', async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((r) => (release = r))
    let reads = 0
    const slow = async () => {
      reads++
      await gate
      return sampleStatus(0)
    }
    const h = new StatusHistory(slow, {}, Date.now, manualTicker().ticker)
    const first = h.sample()
    expect(await h.sample()).toBe(false)
    release()
    expect(await first).toBe(true)
    expect(reads).toBe(1)
  })
})
