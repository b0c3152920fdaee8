/**
 * Fuzzing of the JS8 link frame (transports/js8call/link-frame.ts), as bytes and as the JS8 text it
 * travels in: any input gives a frame that re-encodes to itself or one of its typed errors, and
 * valid frames round-trip through bytes and text.
 */
import fc from 'fast-check'
import { describe } from 'vitest'
import type { CodecErrorCode } from '../../codecs/errors.js'
import { MAX_FRAGMENTS, MESSAGE_ID_LIMIT } from '../../codecs/fragment.js'
import { decodeLinkFrame, encodeLinkFrame, linkFrameText, MAX_ACK_IDS, parseLinkFrameText, type LinkFrame } from '../../transports/js8call/link-frame.js'
import { checkProperty, expectEqual, fuzzTest, mutatedBytes, mutatedText, valueOrTypedError, withinTime } from './harness.js'

const FRAME_CODES: readonly CodecErrorCode[] = ['ERR_UNKNOWN_VARIANT', 'ERR_INVALID_LENGTH', 'ERR_FRAGMENT']
const TEXT_CODES: readonly CodecErrorCode[] = [...FRAME_CODES, 'ERR_JS8_TEXT', 'ERR_CHECKSUM']

const idArb = fc.nat(MESSAGE_ID_LIMIT - 1)
/** Any valid frame; a nack's missing indices ascending and unique, as decoding gives them. */
const linkFrameArb: fc.Arbitrary<LinkFrame> = fc.oneof(
  fc.record({ kind: fc.constant('data' as const), fragment: fc.uint8Array({ minLength: 3, maxLength: 40 }) }),
  fc.record({ kind: fc.constant('whole' as const), messageId: idArb, payload: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ kind: fc.constant('ack' as const), messageIds: fc.array(idArb, { minLength: 1, maxLength: MAX_ACK_IDS }) }),
  fc.record({
    kind: fc.constant('nack' as const),
    messageId: idArb,
    missing: fc.uniqueArray(fc.nat(MAX_FRAGMENTS - 1), { minLength: 1, maxLength: 20 }).map((a) => a.sort((x, y) => x - y)),
  }),
  fc.record({ kind: fc.constant('poll' as const), messageId: idArb, count: fc.integer({ min: 1, max: MAX_FRAGMENTS }) }),
)

/** A frame that decodes must be valid: it encodes, and its encoding decodes to it again. */
function checkFrame(frame: LinkFrame | undefined): void {
  if (frame !== undefined) expectEqual(decodeLinkFrame(encodeLinkFrame(frame)), { ok: true, value: frame })
}

const SEED_FRAMES = fc.sample(linkFrameArb, { seed: 13, numRuns: 40 })
const SEED_BYTES = SEED_FRAMES.map(encodeLinkFrame)
const KIND_TOKENS = [0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x7f].map((b) => Uint8Array.of(b))

describe('decodeLinkFrame', () => {
  fuzzTest('arbitrary and mutated bytes: a valid frame or a typed error', 6000, 0.1, (runs) => {
    const bytesArb = fc.oneof(fc.uint8Array({ maxLength: 60 }), mutatedBytes(SEED_BYTES, { tokens: KIND_TOKENS }))
    checkProperty(bytesArb, (bytes) => checkFrame(valueOrTypedError(withinTime(() => decodeLinkFrame(bytes)), FRAME_CODES)), runs)
  })

  fuzzTest('decode(encode(frame)) round-trips for every valid frame', 1000, 0.1, (runs) => {
    checkProperty(linkFrameArb, (frame) => expectEqual(decodeLinkFrame(encodeLinkFrame(frame)), { ok: true, value: frame }), runs)
  })
})

describe('parseLinkFrameText', () => {
  fuzzTest('arbitrary and mutated texts: a valid frame or a typed error', 2500, 0.1, (runs) => {
    const textArb = fc.oneof(fc.string({ maxLength: 80 }), mutatedText(SEED_FRAMES.map(linkFrameText), [' ', 'E', '  ']))
    checkProperty(textArb, (text) => checkFrame(valueOrTypedError(withinTime(() => parseLinkFrameText(text)), TEXT_CODES)), runs)
  })

  fuzzTest('parse(text(frame)) round-trips for every valid frame', 500, 0.1, (runs) => {
    checkProperty(linkFrameArb, (frame) => expectEqual(parseLinkFrameText(linkFrameText(frame)), { ok: true, value: frame }), runs)
  })
})
