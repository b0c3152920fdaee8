import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPrng } from '../../hardware-sim/prng.js'
import { RF_PROFILE_NAMES, RF_PROFILES } from '../../hardware-sim/profiles.js'
import { flipBits, frameLossProbability, snrFromScript } from '../../hardware-sim/rf-channel-impairments.js'
import { createRfChannel, type RfChannel, type RfChannelOptions, type RfFrame } from '../../hardware-sim/rf-channel.js'
import { createSimClock, type SimClock } from '../../hardware-sim/sim-clock.js'

let channel: RfChannel | undefined
let clock: SimClock | undefined

afterEach(() => {
  channel?.close()
  clock?.dispose()
  channel = undefined
  clock = undefined
  vi.useRealTimers()
})

/** A channel on fake timers (time scale 1: simulated ms = fake wall ms). */
function fakeChannel(options: RfChannelOptions): RfChannel {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  channel = createRfChannel(options)
  return channel
}

/** Attaches a receiver that records every frame it gets. */
function receiver(ch: RfChannel, id: string, mode?: string): RfFrame[] {
  const got: RfFrame[] = []
  ch.attach({ id, ...(mode === undefined ? {} : { mode }), onFrame: (f) => got.push(f) })
  return got
}

/** Sends `count` frames back to back from `id` (each after the previous ended); returns when queued. */
function sendSequence(ch: RfChannel, id: string, count: number, size: number): void {
  const tx = ch.attach({ id })
  let sent = 0
  const next = (): void => {
    if (sent >= count) return
    const payload = new Uint8Array(size)
    new DataView(payload.buffer).setUint32(0, sent++)
    tx.transmit(payload, { onEnd: next })
  }
  next()
}

const frameIndex = (f: RfFrame): number => new DataView(f.payload.buffer).getUint32(0)

describe('prng', () => {
  it('is reproducible from its seed and differs across seeds', () => {
    const a = createPrng(42)
    const b = createPrng(42)
    const c = createPrng(43)
    const sa = Array.from({ length: 8 }, () => a.nextU32())
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(sa)
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(sa)
  })

  it('gives uniform floats in [0, 1) (mean 0.5 ± 0.01 over 100 000 draws)', () => {
    const p = createPrng(0)
    let sum = 0
    let min = 1
    let max = 0
    for (let i = 0; i < 100_000; i++) {
      const x = p.next()
      sum += x
      min = Math.min(min, x)
      max = Math.max(max, x)
    }
    expect(min).toBeGreaterThanOrEqual(0)
    expect(max).toBeLessThan(1)
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.01)
  })
})

describe('sim clock', () => {
  it('runs events in due order with now() equal to the due time, at time scale 100', async () => {
    clock = createSimClock({ timeScale: 100 })
    const seen: Array<[string, number]> = []
    const c = clock
    const done = new Promise<void>((resolve) => {
      c.setTimeout(() => {
        const base = c.now() // frozen inside an event, so all three are relative to the same instant
        c.setTimeout(() => seen.push(['b', c.now() - base]), 2000)
        c.setTimeout(() => seen.push(['a', c.now() - base]), 1000.5)
        c.setTimeout(() => {
          seen.push(['c', c.now() - base])
          resolve()
        }, 3000)
      }, 0)
    })
    const wallStart = Date.now()
    await done
    expect(seen).toEqual([['a', 1000.5], ['b', 2000], ['c', 3000]])
    expect(Date.now() - wallStart).toBeLessThan(1000) // 3 simulated s at ×100 ≈ 30 ms wall
  })

  it('cancels timers and drops everything on dispose', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    clock = createSimClock()
    const fn = vi.fn()
    clock.setTimeout(fn, 10).cancel()
    clock.setTimeout(fn, 20)
    clock.dispose()
    vi.advanceTimersByTime(100)
    expect(fn).not.toHaveBeenCalled()
  })
})

describe('impairment helpers', () => {
  it('interpolates SNR scripts, holds the ends, steps and repeats', () => {
    const script = [
      { atMs: 1000, snrDb: 10 },
      { atMs: 2000, snrDb: 0 },
      { atMs: 3000, snrDb: 0 },
      { atMs: 3000, snrDb: 20 },
    ]
    expect(snrFromScript(script, 0)).toBe(10)
    expect(snrFromScript(script, 1500)).toBe(5)
    expect(snrFromScript(script, 2999)).toBe(0)
    expect(snrFromScript(script, 3000)).toBe(20)
    expect(snrFromScript(script, 9000)).toBe(20)
    expect(snrFromScript(script, 4500, 3000)).toBe(5)
  })

  it('combines base loss with SNR loss below the decode floor', () => {
    expect(frameLossProbability(0.1, 10, 5, 6)).toBeCloseTo(0.1, 12)
    expect(frameLossProbability(0, 2, 5, 6)).toBeCloseTo(0.5, 12)
    expect(frameLossProbability(0.5, 2, 5, 6)).toBeCloseTo(0.75, 12)
    expect(frameLossProbability(0, -10, 5, 6)).toBe(1)
  })

  it('flips about ber × bits bits (1e-3 over 2 000 000 bits: 2000 ± 10 %)', () => {
    const prng = createPrng(3)
    let flipped = 0
    let changed = 0
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(125)
      flipped += flipBits(bytes, 1e-3, prng)
      changed += bytes.reduce((n, b) => n + popcount(b), 0)
    }
    expect(changed).toBe(flipped)
    expect(Math.abs(flipped - 2000)).toBeLessThan(200)
  })
})

function popcount(b: number): number {
  let n = 0
  for (let x = b; x !== 0; x &= x - 1) n++
  return n
}

describe('rf channel: airtime and delivery', () => {
  it('has a complete, sourced set of profiles', () => {
    for (const name of RF_PROFILE_NAMES) expect(RF_PROFILES[name].bitrateBps).toBeGreaterThan(0)
    expect(RF_PROFILES['vhf-1200']).toMatchObject({ bitrateBps: 1200, txDelayMs: 300, txTailMs: 100 })
    expect(RF_PROFILES['vhf-9600']).toMatchObject({ bitrateBps: 9600, txDelayMs: 300, txTailMs: 100 })
  })

  it('a 256-byte frame at 1200 bit/s takes TXDELAY + 256·8/1200 s + TXTAIL exactly, plus latency', () => {
    const ch = fakeChannel({ profile: 'vhf-1200', lossProbability: 0 })
    const got = receiver(ch, 'B')
    const tx = ch.attach({ id: 'A' }).transmit(new Uint8Array(256))
    const expected = 300 + (256 * 8 * 1000) / 1200 + 100 // ms
    expect(tx.airtimeMs).toBeCloseTo(expected, 9)
    expect(tx.endMs - tx.startMs).toBeCloseTo(expected, 9)
    vi.advanceTimersByTime(Math.ceil(expected + 5) - 1)
    expect(got).toHaveLength(0)
    vi.advanceTimersByTime(1)
    expect(got).toHaveLength(1)
    expect(got[0]?.receivedAtMs).toBeCloseTo(tx.startMs + expected + 5, 9)
  })

  it('adds caller-stated on-air bytes and honours a stated signal length', () => {
    const ch = fakeChannel({ profile: 'vhf-1200' })
    expect(ch.airtimeMs(100, { extraBytes: 20 })).toBeCloseTo(300 + (120 * 8 * 1000) / 1200 + 100, 9)
    expect(ch.airtimeMs(100, { txDelayMs: 0, txTailMs: 0, bitrateBps: 9600 })).toBeCloseTo(
      (100 * 8 * 1000) / 9600, 9)
    expect(ch.airtimeMs(9, { durationMs: 12_640, txTailMs: 0 })).toBe(300 + 12_640)
  })

  it('queues a second transmission of the same station behind the first', () => {
    const ch = fakeChannel({ profile: 'vhf-1200', lossProbability: 0 })
    const got = receiver(ch, 'B')
    const a = ch.attach({ id: 'A' })
    const first = a.transmit(new Uint8Array(10))
    const second = a.transmit(new Uint8Array(10), { txDelayMs: 0 })
    expect(second.startMs).toBe(first.endMs)
    vi.advanceTimersByTime(second.endMs + 10)
    expect(got.map((f) => f.startMs)).toEqual([first.startMs, second.startMs])
  })

  it('loses 10 % ± 1 % of 10 000 frames at lossProbability 0.1', () => {
    const ch = fakeChannel({ profile: 'vhf-1200', lossProbability: 0.1 })
    const got = receiver(ch, 'B')
    sendSequence(ch, 'A', 10_000, 64)
    vi.advanceTimersByTime(10_000 * ch.airtimeMs(64) + 1000)
    const lossRate = 1 - got.length / 10_000
    expect(Math.abs(lossRate - 0.1)).toBeLessThan(0.01)
    expect(ch.stats()).toMatchObject({ transmissions: 10_000, deliveries: got.length, lost: 10_000 - got.length })
  })

  it('gives the same losses and bit errors for the same seed, and different ones for another', () => {
    const run = (seed: number): string => {
      const ch = createRfChannel({ profile: 'vhf-1200', lossProbability: 0.3, bitErrorRate: 1e-3, seed })
      channel = ch
      const got = receiver(ch, 'B')
      sendSequence(ch, 'A', 200, 32)
      vi.advanceTimersByTime(200 * ch.airtimeMs(32) + 1000)
      ch.close()
      return got.map((f) => `${frameIndex(f)}:${f.bitErrors}`).join(',')
    }
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const a = run(7)
    expect(run(7)).toBe(a)
    expect(run(8)).not.toBe(a)
  })

  it('reports bit errors per frame (a CRC would reject those frames)', () => {
    const ch = fakeChannel({ profile: 'vhf-1200', lossProbability: 0, bitErrorRate: 1e-3 })
    const got = receiver(ch, 'B')
    sendSequence(ch, 'A', 300, 100)
    vi.advanceTimersByTime(300 * ch.airtimeMs(100) + 1000)
    const damaged = got.filter((f) => f.bitErrors > 0)
    // P(frame of 800 bits has an error) = 1 − 0.999^800 ≈ 0.55
    expect(damaged.length / got.length).toBeGreaterThan(0.45)
    expect(damaged.length / got.length).toBeLessThan(0.65)
    expect(ch.stats().bitErrorFrames).toBe(damaged.length)
  })
})

describe('rf channel: sharing the medium', () => {
  it('collides overlapping transmissions for a third station, and not back-to-back ones', () => {
    const ch = fakeChannel({ profile: 'vhf-1200', lossProbability: 0 })
    const got = receiver(ch, 'C')
    const a = ch.attach({ id: 'A' })
    const b = ch.attach({ id: 'B' })
    a.transmit(new Uint8Array(100))
    vi.advanceTimersByTime(500)
    b.transmit(new Uint8Array(100))
    vi.advanceTimersByTime(5000)
    expect(got).toHaveLength(0)
    expect(ch.stats().collisions).toBe(2)

    const first = a.transmit(new Uint8Array(100), { onEnd: () => b.transmit(new Uint8Array(100)) })
    vi.advanceTimersByTime(2 * first.airtimeMs + 100)
    expect(got.map((f) => f.from)).toEqual(['A', 'B'])
  })

  it('is half duplex: a station does not hear while it transmits', () => {
    const ch = fakeChannel({ profile: 'vhf-1200', lossProbability: 0 })
    const gotA: RfFrame[] = []
    const gotB: RfFrame[] = []
    const a = ch.attach({ id: 'A', onFrame: (f) => gotA.push(f) })
    const b = ch.attach({ id: 'B', onFrame: (f) => gotB.push(f) })
    a.transmit(new Uint8Array(200))
    vi.advanceTimersByTime(100)
    expect(a.isTransmitting()).toBe(true)
    b.transmit(new Uint8Array(10))
    vi.advanceTimersByTime(5000)
    expect(gotA).toHaveLength(0)
    expect(gotB).toHaveLength(0)
    expect(ch.stats().halfDuplexMisses).toBe(2)
  })

  it('exposes carrier sense per station and busy changes', () => {
    const ch = fakeChannel({ profile: 'vhf-1200' })
    const busyB: Array<[boolean, number]> = []
    const a = ch.attach({ id: 'A' })
    const b = ch.attach({ id: 'B', onBusyChange: (busy) => busyB.push([busy, ch.clock.now()]) })
    const tx = a.transmit(new Uint8Array(30))
    expect(b.isBusy()).toBe(true)
    expect(a.isBusy()).toBe(false) // its own carrier does not count
    expect(ch.isBusy()).toBe(true)
    vi.advanceTimersByTime(tx.airtimeMs + 1)
    expect(b.isBusy()).toBe(false)
    expect(busyB).toEqual([[true, tx.startMs], [false, tx.endMs]])
  })

  it('keys up scripted foreign users: busy at the scripted times, colliding with overlapping frames', () => {
    const ch = fakeChannel({ profile: 'vhf-1200', lossProbability: 0, busySchedule: [{ atMs: 1000, durationMs: 500 }] })
    const busy: Array<[boolean, number]> = []
    const got: RfFrame[] = []
    ch.attach({ id: 'B', onFrame: (f) => got.push(f), onBusyChange: (on) => busy.push([on, ch.clock.now()]) })
    const a = ch.attach({ id: 'A' })
    vi.advanceTimersByTime(900)
    a.transmit(new Uint8Array(10)) // 300 + 66.7 + 100 ms: overlaps 1000..1500
    vi.advanceTimersByTime(2000)
    expect(busy).toEqual([[true, 900], [false, 1500]]) // A's carrier, then the foreign user's until 1500
    expect(got).toHaveLength(0)
    expect(ch.stats()).toMatchObject({ interferences: 1, collisions: 1 })
    a.transmit(new Uint8Array(10))
    vi.advanceTimersByTime(1000)
    expect(got).toHaveLength(1)
  })

  it('delivers only to stations of the same mode, but everyone hears the carrier', () => {
    const ch = fakeChannel({ profile: 'vhf-1200', lossProbability: 0 })
    const vara = receiver(ch, 'V', 'vara-hf')
    const any = receiver(ch, 'X')
    let kissBusy = false
    ch.attach({ id: 'K', mode: 'kiss', onBusyChange: (b) => { kissBusy ||= b } })
    ch.attach({ id: 'A', mode: 'vara-hf' }).transmit(new Uint8Array(5))
    vi.advanceTimersByTime(1000)
    expect(vara).toHaveLength(1)
    expect(any).toHaveLength(1)
    expect(kissBusy).toBe(true)
    expect(ch.stats().deliveries).toBe(2)
  })
})

describe('rf channel: SNR', () => {
  it('follows the SNR script, stamps frames with it, and derives loss from it', () => {
    const ch = fakeChannel({
      profile: 'vhf-1200',
      lossProbability: 0,
      snrThresholdDb: 5,
      snrFadeDb: 6,
      snrScript: [{ atMs: 0, snrDb: 20 }, { atMs: 100_000, snrDb: 20 }, { atMs: 100_000, snrDb: -5 }],
    })
    const got = receiver(ch, 'B')
    sendSequence(ch, 'A', 200, 16)
    vi.advanceTimersByTime(200 * ch.airtimeMs(16) + 1000)
    expect(ch.snrDb(50_000)).toBe(20)
    expect(ch.snrDb(150_000)).toBe(-5)
    const early = got.filter((f) => f.endMs < 100_000)
    expect(early.every((f) => f.snrDb === 20)).toBe(true)
    const sentEarly = Math.ceil(100_000 / ch.airtimeMs(16))
    expect(early.length).toBeGreaterThanOrEqual(sentEarly - 1)
    expect(got.filter((f) => f.endMs >= 100_000)).toHaveLength(0) // 10 dB below the floor: all lost
  })

  it('loses about half the frames 3 dB below a 6 dB fade (50 % ± 5 % of 2000)', () => {
    const ch = fakeChannel({ profile: 'vhf-1200', lossProbability: 0, snrDb: 2, snrThresholdDb: 5, snrFadeDb: 6 })
    const got = receiver(ch, 'B')
    sendSequence(ch, 'A', 2000, 16)
    vi.advanceTimersByTime(2000 * ch.airtimeMs(16) + 1000)
    expect(Math.abs(got.length / 2000 - 0.5)).toBeLessThan(0.05)
  })

  it('lets a mode state its own decode floor, and setSnr replaces the script', () => {
    const ch = fakeChannel({ profile: 'hf-poor', lossProbability: 0 })
    expect(ch.snrDb(15_000)).toBeCloseTo(-1.5, 9)
    ch.setSnr(-20)
    expect(ch.snrDb(15_000)).toBe(-20)
    const got = receiver(ch, 'B')
    const a = ch.attach({ id: 'A' })
    a.transmit(new Uint8Array(8), { durationMs: 12_640, minSnrDb: -25 }) // JS8 Normal decodes at −25 dB
    vi.advanceTimersByTime(20_000)
    a.transmit(new Uint8Array(8))
    vi.advanceTimersByTime(20_000)
    expect(got).toHaveLength(1)
    expect(got[0]?.snrDb).toBe(-20)
  })

  it('the dead profile delivers nothing', () => {
    const ch = fakeChannel({ profile: 'dead' })
    const got = receiver(ch, 'B')
    sendSequence(ch, 'A', 50, 8)
    vi.advanceTimersByTime(50 * ch.airtimeMs(8) + 1000)
    expect(got).toHaveLength(0)
    expect(ch.stats().lost).toBe(50)
  })
})
