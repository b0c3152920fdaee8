import * as zlib from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isCodecError } from '../../codecs/errors.js'
import type { CodecErrorCode } from '../../codecs/errors.js'
import {
  CHECK_BYTES,
  crc32,
  fragmentMessage,
  MAX_FRAGMENTS,
  MIN_FRAGMENT_MTU,
  parseFragmentHeader,
  Reassembler,
} from '../../codecs/fragment.js'
import type { ReassemblerOptions, ReassemblyOutcome } from '../../codecs/fragment.js'
import type { Result } from '../../codecs/result.js'
import { unwrap } from '../../codecs/result.js'
import { fromHex, toHex } from '../helpers/vectors.js'

const message = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff)

/** A clock tests move by hand, ms. */
function fakeClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: (ms) => (t += ms) }
}

function expectError(r: Result<unknown>, code: CodecErrorCode): void {
  expect(r.ok).toBe(false)
  if (!r.ok) expect(isCodecError(r.error, code), `${r.error.code}: ${r.error.message}`).toBe(true)
}

function completed(r: Result<ReassemblyOutcome>): Uint8Array | undefined {
  const o = unwrap(r)
  return o.status === 'complete' ? o.message : undefined
}

describe('crc32', () => {
  it('is CRC-32/ISO-HDLC (check value and agreement with zlib)', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
    expect(crc32(new Uint8Array(0))).toBe(0)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(crc32(b)).toBe(zlib.crc32(b))
      }),
      { seed: 42, numRuns: 200 },
    )
  })
})

describe('fragment layout', () => {
  it('writes the documented short header and big-endian CRC trailer', () => {
    const frags = unwrap(fragmentMessage(fromHex('0102030405'), 8, 5)) // 5 + 4 CRC = 9 bytes, 6 per fragment
    const crc = crc32(fromHex('0102030405')).toString(16).padStart(8, '0')
    expect(frags.map(toHex)).toEqual([`0501${'0102030405'}${crc.slice(0, 2)}`, `0511${crc.slice(2)}`])
  })

  it('switches to the 4-byte long header above 16 fragments', () => {
    const short = unwrap(fragmentMessage(message(16 * 8 - CHECK_BYTES), 10, 3)) // exactly 16 × 8 bytes
    expect(short).toHaveLength(16)
    expect(short.every((f) => f.length === 10)).toBe(true)
    const long = unwrap(fragmentMessage(message(16 * 8 - CHECK_BYTES + 1), 10, 3))
    expect(long.length).toBeGreaterThan(16)
    expect(long).toHaveLength(22) // 129 bytes at 6 per fragment
    // id 3 with the long flag; index 19 = 0x013 and last index 21 = 0x015 packed as 12 + 12 bits
    expect(toHex(long[19]?.subarray(0, 4) ?? new Uint8Array(0))).toBe('83013015')
    expect(unwrap(parseFragmentHeader(long[long.length - 1] ?? new Uint8Array(0)))).toEqual({
      messageId: 3,
      index: long.length - 1,
      count: long.length,
      headerBytes: 4,
    })
  })

  it('refuses a small mtu, a bad id and too many fragments', () => {
    expectError(fragmentMessage(message(10), MIN_FRAGMENT_MTU - 1, 0), 'ERR_FRAGMENT')
    expectError(fragmentMessage(message(10), 30, 128), 'ERR_FRAGMENT')
    expectError(fragmentMessage(message(10), 30, -1), 'ERR_FRAGMENT')
    const max = MAX_FRAGMENTS * (MIN_FRAGMENT_MTU - 4) - CHECK_BYTES
    expect(unwrap(fragmentMessage(message(max), MIN_FRAGMENT_MTU, 1))).toHaveLength(MAX_FRAGMENTS)
    expectError(fragmentMessage(message(max + 1), MIN_FRAGMENT_MTU, 1), 'ERR_FRAGMENT')
  })

  it('rejects malformed headers', () => {
    expectError(parseFragmentHeader(new Uint8Array(0)), 'ERR_FRAGMENT')
    expectError(parseFragmentHeader(fromHex('0101')), 'ERR_FRAGMENT') // no payload
    expectError(parseFragmentHeader(fromHex('81000000')), 'ERR_FRAGMENT') // long form: 4 header bytes, no payload
    expect(unwrap(parseFragmentHeader(fromHex('8100000099')))).toEqual({ messageId: 1, index: 0, count: 1, headerBytes: 4 })
    expectError(parseFragmentHeader(fromHex('0132ff')), 'ERR_FRAGMENT') // index 3 past last index 2
  })
})

describe('fragment and reassemble', () => {
  it('round-trips at every mtu from the minimum to 300, in any order, with duplicates (property)', () => {
    const arb = fc
      .record({ msg: fc.uint8Array({ maxLength: 1500 }), mtu: fc.integer({ min: MIN_FRAGMENT_MTU, max: 300 }), id: fc.integer({ min: 0, max: 127 }) })
      .chain(({ msg, mtu, id }) => {
        const frags = unwrap(fragmentMessage(msg, mtu, id))
        const order = fc.shuffledSubarray(frags, { minLength: frags.length, maxLength: frags.length })
        const dups = fc.array(fc.constantFrom(...frags), { maxLength: 3 })
        return fc.tuple(fc.constant({ msg, mtu, id, frags }), order, dups)
      })
    fc.assert(
      fc.property(arb, ([{ msg, mtu, id, frags }, order, dups]) => {
        expect(frags.every((f) => f.length <= mtu)).toBe(true)
        const r = new Reassembler()
        const results = [...dups, ...order].map((f) => unwrap(r.push(f, 'N0CALL')))
        const done = results.filter((o) => o.status === 'complete')
        expect(done).toHaveLength(1)
        expect(results.length - done.length - (frags.length - 1)).toBe(dups.length) // every extra copy is a duplicate
        expect(done[0]).toEqual({ status: 'complete', messageId: id, from: 'N0CALL', message: new Uint8Array(msg) })
        expect(r.stats()).toMatchObject({ partials: 0, bytes: 0 })
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('reports exactly the missing indices for every delivered subset of small messages', () => {
    for (let count = 2; count <= 6; count++) {
      const msg = message(count * 6 - CHECK_BYTES) // mtu 8: 6 payload bytes per fragment
      const frags = unwrap(fragmentMessage(msg, 8, 9))
      expect(frags).toHaveLength(count)
      for (let mask = 1; mask < (1 << count) - 1; mask++) {
        const r = new Reassembler()
        const have = frags.map((_, i) => i).filter((i) => mask & (1 << i))
        for (const i of have) expect(unwrap(r.push(frags[i] as Uint8Array)).status).toBe('partial')
        const missing = frags.map((_, i) => i).filter((i) => !(mask & (1 << i)))
        expect(r.missing(9)).toEqual(missing)
        const last = missing.map((i) => r.push(frags[i] as Uint8Array)).at(-1)
        expect(last && completed(last)).toEqual(msg)
        expect(r.missing(9)).toBeUndefined()
      }
    }
  })

  it('keeps the same message id from different senders apart', () => {
    const a = unwrap(fragmentMessage(message(40, 1), 16, 7))
    const b = unwrap(fragmentMessage(message(40, 2), 16, 7))
    const r = new Reassembler()
    const out = a.flatMap((f, i) => [r.push(f, 'A1AAA'), r.push(b[i] as Uint8Array, 'B1BBB')])
    const messages = out.map(completed).filter((m) => m !== undefined)
    expect(messages).toEqual([message(40, 1), message(40, 2)])
  })

  it('recognises retransmissions after completion, but not a new message that reuses the id', () => {
    const clock = fakeClock()
    const r = new Reassembler({ expireAfterMs: 60_000 }, clock.now)
    const first = unwrap(fragmentMessage(message(40, 1), 16, 5))
    expect(completed(first.map((f) => r.push(f)).at(-1) as Result<ReassemblyOutcome>)).toEqual(message(40, 1))
    expect(first.map((f) => unwrap(r.push(f)).status)).toEqual(first.map(() => 'duplicate'))
    expect(r.missing(5)).toBeUndefined()
    const reused = unwrap(fragmentMessage(message(40, 2), 16, 5))
    expect(completed(reused.map((f) => r.push(f)).at(-1) as Result<ReassemblyOutcome>)).toEqual(message(40, 2))
    clock.advance(60_000) // forgotten after expireAfterMs: a copy now starts a fresh partial
    expect(unwrap(r.push(reused[0] as Uint8Array)).status).toBe('partial')
  })

  it('delivers a single-fragment message at once', () => {
    const r = new Reassembler()
    const [only] = unwrap(fragmentMessage(message(20), 64, 1))
    expect(completed(r.push(only as Uint8Array))).toEqual(message(20))
    expect(r.stats().partials).toBe(0)
  })
})

describe('reassembly errors', () => {
  const frags = unwrap(fragmentMessage(message(50), 16, 4)) // 54 bytes, 14 per fragment: 4 fragments

  it('reports a corrupted message as ERR_CHECKSUM', () => {
    const r = new Reassembler()
    const bad = frags.map((f) => Uint8Array.from(f))
    const second = bad[1] as Uint8Array
    second[5] = (second[5] ?? 0) ^ 0x01
    const results = bad.map((f) => r.push(f))
    expectError(results[3] as Result<unknown>, 'ERR_CHECKSUM')
    expect(r.stats()).toMatchObject({ partials: 0, bytes: 0 })
  })

  it('reports a fragment that disagrees on count or size as ERR_FRAGMENT and drops the partial', () => {
    const r = new Reassembler()
    r.push(frags[0] as Uint8Array)
    const otherCount = unwrap(fragmentMessage(message(80), 16, 4))[1] as Uint8Array
    expectError(r.push(otherCount), 'ERR_FRAGMENT')
    expect(r.missing(4)).toBeUndefined()

    r.push(frags[0] as Uint8Array)
    const shorter = (frags[1] as Uint8Array).subarray(0, 10) // a middle fragment with fewer payload bytes
    expectError(r.push(shorter), 'ERR_FRAGMENT')
    expect(r.missing(4)).toBeUndefined()

    r.push(frags[3] as Uint8Array) // last fragment: 54 − 3 × 14 = 12 bytes
    const tooShortMiddle = Uint8Array.of(...(frags[0] as Uint8Array).subarray(0, 2), 1, 2, 3) // 3 < 12
    expectError(r.push(tooShortMiddle), 'ERR_FRAGMENT')
    expect(r.stats()).toMatchObject({ partials: 0, bytes: 0 })
  })

  it('never throws on garbage and stays within its byte limit (property)', () => {
    const options: ReassemblerOptions = { maxMessages: 4, maxMessageBytes: 400, maxTotalBytes: 600 }
    const r = new Reassembler(options)
    const real = unwrap(fragmentMessage(message(300), 20, 2))
    const noise = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(...real))
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, fc.constantFrom('A', 'B')), { maxLength: 60 }), (items) => {
        for (const [f, from] of items) {
          const res = r.push(f, from)
          if (!res.ok) expect(isCodecError(res.error)).toBe(true)
          expect(r.stats().bytes).toBeLessThanOrEqual(600)
          expect(r.stats().partials).toBeLessThanOrEqual(4)
        }
      }),
      { seed: 42, numRuns: 300 },
    )
  })
})

describe('reassembly bounds', () => {
  it('expires a partial message after expireAfterMs without a new fragment', () => {
    const clock = fakeClock()
    const r = new Reassembler({ expireAfterMs: 60_000 }, clock.now)
    const frags = unwrap(fragmentMessage(message(100), 30, 1))
    r.push(frags[0] as Uint8Array, 'K1ABC')
    clock.advance(59_999)
    r.push(frags[1] as Uint8Array, 'K1ABC') // progress resets the idle time
    clock.advance(59_999)
    expect(r.missing(1, 'K1ABC')).toEqual([2, 3])
    clock.advance(1)
    expect(r.expire()).toEqual([{ messageId: 1, from: 'K1ABC' }])
    expect(r.missing(1, 'K1ABC')).toBeUndefined()
    expect(r.stats()).toEqual({ partials: 0, bytes: 0, evicted: 0, expired: 1 })
    // late fragments start a fresh partial that can no longer complete on its own
    expect(unwrap(r.push(frags[2] as Uint8Array, 'K1ABC')).status).toBe('partial')
    expect(r.missing(1, 'K1ABC')).toEqual([0, 1, 3])
  })

  it('evicts the partial idle longest when maxMessages is reached', () => {
    const clock = fakeClock()
    const r = new Reassembler({ maxMessages: 2 }, clock.now)
    const first = (id: number): Uint8Array => unwrap(fragmentMessage(message(40, id), 16, id))[0] as Uint8Array
    r.push(first(1))
    clock.advance(10)
    r.push(first(2))
    clock.advance(10)
    r.push(first(3))
    expect(r.missing(1)).toBeUndefined()
    expect(r.missing(2)).toBeDefined()
    expect(r.missing(3)).toBeDefined()
    expect(r.stats()).toMatchObject({ partials: 2, evicted: 1 })
  })

  it('refuses a message over maxMessageBytes from its first fragment', () => {
    const r = new Reassembler({ maxMessageBytes: 100 })
    const big = unwrap(fragmentMessage(message(200), 20, 1)) // 12 fragments of 18 payload bytes
    expect(unwrap(r.push(big[11] as Uint8Array)).status).toBe('partial') // the last alone: at least 12 × 6 − 4 bytes
    expectError(r.push(big[0] as Uint8Array), 'ERR_REASSEMBLY_LIMIT') // now at least 11 × 18 + 6 − 4 = 200 bytes
    expect(r.missing(1)).toBeUndefined()
    const fits = unwrap(fragmentMessage(message(100), 20, 2))
    expect(completed(fits.map((f) => r.push(f)).at(-1) as Result<ReassemblyOutcome>)).toEqual(message(100))
    const [single] = unwrap(fragmentMessage(message(101), 200, 3))
    expectError(r.push(single as Uint8Array), 'ERR_REASSEMBLY_LIMIT')
  })

  it('holds at most maxTotalBytes, evicting idle partials to make room', () => {
    const clock = fakeClock()
    const r = new Reassembler({ maxMessageBytes: 200, maxTotalBytes: 250 }, clock.now)
    const a = unwrap(fragmentMessage(message(196, 1), 52, 1)) // 4 × 50 payload bytes
    const b = unwrap(fragmentMessage(message(196, 2), 52, 2))
    a.slice(0, 3).forEach((f) => r.push(f)) // 150 bytes held
    clock.advance(5)
    b.slice(0, 2).forEach((f) => r.push(f)) // 250 bytes held
    expect(r.stats().bytes).toBe(250)
    clock.advance(5)
    r.push(b[2] as Uint8Array) // needs 50 more: evicts message 1, idle longest
    expect(r.missing(1)).toBeUndefined()
    expect(r.stats()).toMatchObject({ partials: 1, bytes: 150, evicted: 1 })
    expect(completed(r.push(b[3] as Uint8Array))).toEqual(message(196, 2))
  })

  it('rejects options that could never hold one message', () => {
    expect(() => new Reassembler({ maxMessageBytes: 1000, maxTotalBytes: 1000 })).toThrow(/maxTotalBytes/)
    expect(() => new Reassembler({ maxMessages: 0 })).toThrow()
  })
})
