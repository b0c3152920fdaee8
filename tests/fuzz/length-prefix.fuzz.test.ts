/**
 * Fuzzing of the length-prefix stream decoder (TCP between gateways, VARA's data port): for any
 * bytes in any chunking the frames are the same as for one chunk, each within the cap, followed by
 * at most one `ERR_FRAME_TOO_LONG` after which the decoder stays silent; it never holds more than
 * one frame and its prefix; encoded frames come back exactly.
 */
import fc from 'fast-check'
import { describe, expect } from 'vitest'
import { encodeLengthPrefixed, LengthPrefixDecoder, type LengthPrefixEvent } from '../../codecs/length-prefix.js'
import { checkProperty, chunked, cutsArb, expectCodecError, expectEqual, fuzzTest, mutatedBytes, withinTime } from './harness.js'

/** Most bytes a varint prefix takes. */
const MAX_PREFIX_BYTES = 3

/** Feeds `chunks`, checking the buffer bound after each push; returns frames (hex) and `error`. */
function decode(chunks: readonly Uint8Array[], maxFrameBytes: number): string[] {
  const decoder = new LengthPrefixDecoder(maxFrameBytes)
  const events: LengthPrefixEvent[] = []
  for (const chunk of chunks) {
    events.push(...decoder.push(chunk))
    if (decoder.bufferedBytes > maxFrameBytes + MAX_PREFIX_BYTES) throw new Error(`holding ${decoder.bufferedBytes} bytes, cap ${maxFrameBytes}`)
  }
  return events.map((e) => {
    if ('error' in e) {
      expectCodecError(e.error, ['ERR_FRAME_TOO_LONG'])
      return 'error'
    }
    expect(e.frame.length).toBeLessThanOrEqual(maxFrameBytes)
    return Buffer.from(e.frame).toString('hex')
  })
}

interface Case {
  readonly input: Uint8Array
  readonly cuts: number[]
  readonly maxFrameBytes: number
}

function check({ input, cuts, maxFrameBytes }: Case): void {
  const whole = withinTime(() => decode([input], maxFrameBytes))
  const error = whole.indexOf('error')
  if (error !== -1) expect(error).toBe(whole.length - 1) // the error is fatal: nothing after it
  expectEqual(decode(chunked(input, cuts), maxFrameBytes), whole)
}

const maxFrameArb = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constant(2 ** 21 - 1))
const bigFrameArb = fc.integer({ min: 0, max: 20_000 }).map((n) => new Uint8Array(n).fill(0xab))
const framesArb = fc.array(fc.oneof(fc.uint8Array({ maxLength: 200 }), bigFrameArb), { maxLength: 8 })
const encode = (frames: readonly Uint8Array[]): Uint8Array => Buffer.concat(frames.map(encodeLengthPrefixed))

const SEEDS = fc.sample(framesArb, { seed: 5, numRuns: 30 }).map(encode)
/** Prefix bytes: continuation bits, a non-minimal zero, the 3-byte limit. */
const TOKENS = [[0x80], [0x80, 0x00], [0xff, 0xff, 0x7f], [0xff, 0xff, 0xff, 0x01], [0x00]].map((b) => Uint8Array.from(b))

describe('LengthPrefixDecoder', () => {
  fuzzTest('arbitrary bytes in arbitrary chunks: frames within the cap, one final error at most, independent of chunking', 4000, 0.2, (runs) => {
    checkProperty(fc.record({ input: fc.uint8Array({ maxLength: 400 }), cuts: cutsArb, maxFrameBytes: maxFrameArb }), check, runs)
  })

  fuzzTest('mutated real streams (tampered prefixes) in arbitrary chunks: the same guarantees', 4000, 0.3, (runs) => {
    checkProperty(fc.record({ input: mutatedBytes(SEEDS, { tokens: TOKENS }), cuts: cutsArb, maxFrameBytes: maxFrameArb }), check, runs)
  })

  fuzzTest('encoded frames in arbitrary chunks decode to exactly those frames', 2000, 0.3, (runs) => {
    checkProperty(
      fc.record({ frames: framesArb, cuts: cutsArb }),
      ({ frames, cuts }) => {
        const max = Math.max(0, ...frames.map((f) => f.length))
        expectEqual(decode(chunked(encode(frames), cuts), max), frames.map((f) => Buffer.from(f).toString('hex')))
      },
      runs,
    )
  })
})
