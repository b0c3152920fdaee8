/**
 * Fuzzing of fragment headers and the Reassembler: any bytes from any senders give an outcome or
 * one of its three typed errors, the holdings never pass their limits (checked through `stats()`
 * after every push, also under an endless stream of fragments that never complete), what completes
 * is exactly a message that was sent (or one an input carried whole), and fragmented messages
 * reassemble in any order with duplicates and other senders' fragments mixed in.
 */
import fc from 'fast-check'
import { describe, expect } from 'vitest'
import type { CodecErrorCode } from '../../codecs/errors.js'
import { CHECK_BYTES, crc32, fragmentMessage, MAX_FRAGMENTS, MESSAGE_ID_LIMIT, parseFragmentHeader, Reassembler } from '../../codecs/fragment.js'
import type { ReassemblerOptions, ReassemblerStats, ReassemblyOutcome } from '../../codecs/fragment.js'
import type { Result } from '../../codecs/result.js'
import { unwrap } from '../../codecs/result.js'
import { checkProperty, expectEqual, fuzzTest, LARGE_INPUT_TIME_BOUND_MS, mutatedBytes, valueOrTypedError, withinTime } from './harness.js'

const REASSEMBLY_CODES: readonly CodecErrorCode[] = ['ERR_FRAGMENT', 'ERR_REASSEMBLY_LIMIT', 'ERR_CHECKSUM']
const SENDERS = ['', 'N0CALL', 'N1CALL-7']

interface Limits {
  readonly maxMessages: number
  readonly maxMessageBytes: number
  readonly maxTotalBytes: number
  readonly expireAfterMs: number
}

const limitsArb: fc.Arbitrary<Limits> = fc
  .record({
    maxMessages: fc.integer({ min: 1, max: 8 }),
    maxMessageBytes: fc.integer({ min: 1, max: 3000 }),
    slack: fc.nat(4000),
    expireAfterMs: fc.integer({ min: 1, max: 60_000 }),
  })
  .map(({ slack, ...l }) => ({ ...l, maxTotalBytes: l.maxMessageBytes + 4 + slack }))

/** One received fragment: its bytes, sender, and the ms that passed before it arrived. */
interface Arrival {
  readonly bytes: Uint8Array
  readonly from: string
  readonly waitMs: number
}

/** What a fresh reassembler made of a list of arrivals. */
interface Fed {
  readonly outcomes: readonly Result<ReassemblyOutcome>[]
  /** Most payload bytes and partial messages held after any push. */
  readonly peak: { readonly bytes: number; readonly partials: number }
  readonly stats: ReassemblerStats
}

/** Pushes every arrival into a fresh reassembler, noting outcomes and the largest holdings. */
function feedAll(arrivals: readonly Arrival[], limits: ReassemblerOptions): Fed {
  let now = 0 // ms
  const reassembler = new Reassembler(limits, () => now)
  const peak = { bytes: 0, partials: 0 }
  const outcomes = arrivals.map(({ bytes, from, waitMs }) => {
    now += waitMs
    const outcome = reassembler.push(bytes, from)
    const stats = reassembler.stats()
    peak.bytes = Math.max(peak.bytes, stats.bytes)
    peak.partials = Math.max(peak.partials, stats.partials)
    return outcome
  })
  return { outcomes, peak, stats: reassembler.stats() }
}

/**
 * Feeds `arrivals` within the time bound (each try on a fresh reassembler, so a retried slow run
 * sees the same outcomes), checks every outcome is typed, the holdings never passed the limits and
 * completed messages fit; returns the completed messages and the final counters.
 */
function feed(arrivals: readonly Arrival[], limits: ReassemblerOptions & Limits): { completed: Uint8Array[]; stats: ReassemblerStats } {
  const fed = withinTime(() => feedAll(arrivals, limits), LARGE_INPUT_TIME_BOUND_MS)
  expect(fed.peak.bytes).toBeLessThanOrEqual(limits.maxTotalBytes)
  expect(fed.peak.partials).toBeLessThanOrEqual(limits.maxMessages)
  const completed: Uint8Array[] = []
  for (const result of fed.outcomes) {
    const outcome = valueOrTypedError(result, REASSEMBLY_CODES)
    if (outcome?.status === 'complete') completed.push(outcome.message)
  }
  expect(Math.max(0, ...completed.map((m) => m.length))).toBeLessThanOrEqual(limits.maxMessageBytes)
  return { completed, stats: fed.stats }
}

const arrivalArb = (bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Arrival> =>
  fc.record({ bytes, from: fc.constantFrom(...SENDERS), waitMs: fc.oneof(fc.constant(0), fc.nat(1000), fc.nat(120_000)) })

/** Real fragments: two messages cut at a short and a long-form mtu, plus a one-fragment message. */
const MESSAGES = [Uint8Array.from({ length: 300 }, (_, i) => i & 0xff), Uint8Array.from({ length: 50 }, (_, i) => (i * 7) & 0xff), Uint8Array.of(42)]
const SEED_FRAGMENTS: Uint8Array[] = [
  ...unwrap(fragmentMessage(MESSAGES[0] ?? new Uint8Array(0), 12, 5)),
  ...unwrap(fragmentMessage(MESSAGES[0] ?? new Uint8Array(0), 100, 6)),
  ...unwrap(fragmentMessage(MESSAGES[1] ?? new Uint8Array(0), 30, 7)),
  ...unwrap(fragmentMessage(MESSAGES[2] ?? new Uint8Array(0), 8, 127)),
]
const isSent = (m: Uint8Array): boolean => MESSAGES.some((sent) => Buffer.from(sent).equals(m))

/**
 * True when an arrival carries `m` whole: a one-fragment header, `m`, then its CRC-32. Random and
 * mutated bytes make such messages easily (CRC-32 of nothing is 0, of the byte FF is FF000000), and
 * they are as valid as any: the CRC guards against accidents, not forgery.
 */
function sentWhole(m: Uint8Array, arrivals: readonly Arrival[]): boolean {
  const stream = Buffer.alloc(m.length + CHECK_BYTES)
  stream.set(m)
  stream.writeUInt32BE(crc32(m), m.length)
  return arrivals.some(({ bytes }) => {
    const header = parseFragmentHeader(bytes)
    return header.ok && header.value.count === 1 && stream.equals(bytes.subarray(header.value.headerBytes))
  })
}

describe('parseFragmentHeader', () => {
  fuzzTest('arbitrary and mutated bytes: a consistent header or ERR_FRAGMENT', 10_000, 0.05, (runs) => {
    checkProperty(
      fc.oneof(fc.uint8Array({ maxLength: 12 }), mutatedBytes(SEED_FRAGMENTS)),
      (bytes) => {
        const h = valueOrTypedError(withinTime(() => parseFragmentHeader(bytes)), ['ERR_FRAGMENT'])
        if (h === undefined) return
        expect(h.messageId).toBeLessThan(MESSAGE_ID_LIMIT)
        expect(h.index).toBeLessThan(h.count)
        expect(h.count).toBeLessThanOrEqual(MAX_FRAGMENTS)
        expect(bytes.length).toBeGreaterThan(h.headerBytes)
      },
      runs,
    )
  })
})

describe('Reassembler', () => {
  fuzzTest('arbitrary and mutated fragments from several senders: typed outcomes, limits held, nothing completes that no input carried', 3000, 2, (runs) => {
    const fragment = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(...SEED_FRAGMENTS), mutatedBytes(SEED_FRAGMENTS))
    checkProperty(
      fc.tuple(fc.array(arrivalArb(fragment), { maxLength: 60 }), limitsArb),
      ([arrivals, limits]) => {
        for (const message of feed(arrivals, limits).completed) expect(isSent(message) || sentWhole(message, arrivals)).toBe(true)
      },
      runs,
    )
  })

  fuzzTest('an endless stream of fragments that never complete stays within its limits', 500, 20, (runs) => {
    // the first fragments of few- and many-fragment messages under fresh ids and senders, never the rest
    const openingArb = fc
      .record({
        id: fc.nat(MESSAGE_ID_LIMIT - 1),
        last: fc.oneof(fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: MAX_FRAGMENTS - 1 })),
        index: fc.nat(),
        size: fc.integer({ min: 1, max: 200 }),
      })
      .map(({ id, last, index, size }) => {
        const i = index % last // never the last fragment, so the size never settles a message
        return Uint8Array.of(0x80 | id, i >> 4, ((i & 0x0f) << 4) | (last >> 8), last & 0xff, ...new Uint8Array(size))
      })
    const arrival = fc.record({ bytes: openingArb, from: fc.constantFrom(...SENDERS, 'N2CALL', 'N3CALL'), waitMs: fc.nat(50) })
    const streamArb = fc.array(arrival, { minLength: 100, maxLength: 400 })
    let evicting = 0 // streams that pushed the reassembler into evicting, so the limits were really tested
    checkProperty(
      fc.tuple(streamArb, limitsArb),
      ([arrivals, limits]) => {
        const { completed, stats } = feed(arrivals, limits)
        expect(completed).toEqual([])
        if (stats.evicted > 0) evicting++
      },
      runs,
    )
    expect(evicting).toBeGreaterThan(runs / 2)
  })

  fuzzTest('fragmented messages reassemble exactly once, in any order, with duplicates and another sender mixed in', 6500, 0.5, (runs) => {
    const caseArb = fc
      .record({
        a: fc.uint8Array({ maxLength: 600 }),
        b: fc.uint8Array({ maxLength: 600 }),
        mtu: fc.integer({ min: 8, max: 120 }),
        ids: fc.tuple(fc.nat(MESSAGE_ID_LIMIT - 1), fc.nat(MESSAGE_ID_LIMIT - 1)),
        duplicates: fc.array(fc.nat(), { maxLength: 5 }),
      })
      .chain((c) => {
        const tagged = [
          ...unwrap(fragmentMessage(c.a, c.mtu, c.ids[0])).map((bytes) => ({ bytes, from: 'N0CALL' })),
          ...unwrap(fragmentMessage(c.b, c.mtu, c.ids[1])).map((bytes) => ({ bytes, from: 'N1CALL' })),
        ]
        const copies = c.duplicates.map((i) => tagged[i % tagged.length] ?? { bytes: new Uint8Array(0), from: '' })
        return fc.shuffledSubarray([...tagged, ...copies], { minLength: tagged.length + copies.length }).map((order) => ({ ...c, order }))
      })
    checkProperty(
      caseArb,
      ({ a, b, order }) => {
        const arrivals = order.map(({ bytes, from }) => ({ bytes, from, waitMs: 0 }))
        const { completed } = feed(arrivals, { maxMessages: 16, maxMessageBytes: 1000, maxTotalBytes: 4000, expireAfterMs: 60_000 })
        const hex = (m: Uint8Array): string => Buffer.from(m).toString('hex')
        expectEqual(completed.map(hex).sort(), [a, b].map(hex).sort())
      },
      runs,
    )
  })
})
