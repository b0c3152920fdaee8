/**
 * Fuzzing of the two decoders of AX.25 information fields from untrusted stations: our ARQ frames
 * (transports/ax25/arq-frames.ts) and APRS messages (transports/ax25/aprs-message.ts). Any bytes give
 * a value or `ERR_AX25_INFO`; decoded ARQ frames re-encode and decode to themselves, and valid
 * frames and messages round-trip.
 */
import fc from 'fast-check'
import { describe, expect } from 'vitest'
import { fragmentMessage } from '../../codecs/fragment.js'
import { unwrap } from '../../codecs/result.js'
import { encodeAprsAck, encodeAprsMessage, encodeAprsStatus, parseAprsMessage, type AprsMessage } from '../../transports/ax25/aprs-message.js'
import { ACK_BITMAP_MAX_BITS, ARQ_MARKER, decodeArqFrame, encodeArqFrame, seqAdd, type ArqFrame } from '../../transports/ax25/arq-frames.js'
import { checkProperty, expectEqual, fuzzTest, mutatedBytes, utf8, valueOrTypedError, withinTime } from './harness.js'

const u16 = fc.nat(0xffff)
const pollNo = fc.nat(63)

/** Any valid ARQ frame; an ack's selective numbers come in the order the bitmap gives them back. */
const arqFrameArb: fc.Arbitrary<ArqFrame> = fc.oneof(
  fc.record({ type: fc.constant('datagram' as const), fragment: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({
    type: fc.constant('data' as const),
    session: u16,
    seq: u16,
    poll: fc.boolean(),
    end: fc.boolean(),
    pollNo,
    payload: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
  fc
    .record({ session: u16, pollNo, next: u16, offsets: fc.uniqueArray(fc.integer({ min: 1, max: ACK_BITMAP_MAX_BITS }), { maxLength: 40 }) })
    .map(({ offsets, ...rest }) => ({ type: 'ack' as const, ...rest, selective: offsets.sort((a, b) => a - b).map((o) => seqAdd(rest.next, o)) })),
  fc.record({ type: fc.constant('poll' as const), session: u16, pollNo, next: u16 }),
  fc.record({ type: fc.constant('close' as const), session: u16 }),
)

function checkArq(info: Uint8Array): void {
  const frame = valueOrTypedError(withinTime(() => decodeArqFrame(info)), ['ERR_AX25_INFO'])
  // what decodes is a valid frame (it encodes) and its encoding decodes to it again; reserved flag
  // bits and zero bytes at the end of an ack bitmap are ignored, so the bytes may differ
  if (frame !== undefined) expectEqual(decodeArqFrame(encodeArqFrame(frame)), { ok: true, value: frame })
}

const ARQ_SEEDS: Uint8Array[] = [
  ...unwrap(fragmentMessage(new Uint8Array(100).fill(7), 40, 3)).map((fragment) => encodeArqFrame({ type: 'datagram', fragment })),
  ...fc.sample(arqFrameArb, { seed: 11, numRuns: 40 }).map(encodeArqFrame),
]
/** First bytes around our marker, so mutations reach every frame type and its neighbours. */
const ARQ_TOKENS = [0, 1, 2, 3, 4, 5, 15].map((t) => Uint8Array.of(ARQ_MARKER | t))

describe('decodeArqFrame', () => {
  fuzzTest('arbitrary bytes: a valid frame or ERR_AX25_INFO', 3000, 0.1, (runs) => {
    const marked = fc.tuple(fc.nat(15), fc.uint8Array({ maxLength: 80 })).map(([t, rest]) => Uint8Array.of(ARQ_MARKER | t, ...rest))
    checkProperty(fc.oneof(fc.uint8Array({ maxLength: 80 }), marked), checkArq, runs)
  })

  fuzzTest('mutated real frames: a valid frame or ERR_AX25_INFO', 5000, 0.1, (runs) => {
    checkProperty(mutatedBytes(ARQ_SEEDS, { tokens: ARQ_TOKENS }), checkArq, runs)
  })

  fuzzTest('decode(encode(frame)) round-trips for every valid frame', 2000, 0.1, (runs) => {
    checkProperty(arqFrameArb, (frame) => expectEqual(decodeArqFrame(encodeArqFrame(frame)), { ok: true, value: frame }), runs)
  })
})

const printable = (maxLength: number, exclude = ''): fc.Arbitrary<string> =>
  fc
    .string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength })
    .map((s) => [...s].filter((c) => !exclude.includes(c)).join(''))
const addresseeArb = printable(9, ' ').filter((a) => a.length > 0)
const messageIdArb = fc.string({ unit: fc.constantFrom(...'ABCXYZabcxyz0189'), minLength: 1, maxLength: 5 })
const aprsMessageArb: fc.Arbitrary<AprsMessage> = fc
  .record({ addressee: addresseeArb, text: printable(67, '|~{'), id: fc.option(messageIdArb, { nil: undefined }) })
  .filter((m) => !/^(ack|rej)[A-Za-z0-9]{1,5}(\}.*)?$/.test(m.text)) // those read as acknowledgements
  .map((m) => (m.id === undefined ? { addressee: m.addressee, text: m.text } : m))

function checkAprs(info: Uint8Array): void {
  const parsed = valueOrTypedError(withinTime(() => parseAprsMessage(info)), ['ERR_AX25_INFO'])
  if (parsed === undefined) return
  expect(parsed.addressee.length).toBeGreaterThan(0)
  expect(parsed.addressee.length).toBeLessThanOrEqual(9)
}

const APRS_SEEDS: Uint8Array[] = [
  encodeAprsMessage({ addressee: 'N0CALL-7', text: 'hello there' }),
  encodeAprsMessage({ addressee: 'BLN1', text: 'bulletin', id: 'AB12' }),
  encodeAprsAck('N0CALL', '12'),
  encodeAprsAck('N0CALL', 'ZZ', 'rej'),
  encodeAprsStatus('Bunkercoin gateway'),
  utf8(':N0CALL   :reply-ack text{MM}AA'),
]

describe('parseAprsMessage', () => {
  fuzzTest('arbitrary and mutated fields: a message or ERR_AX25_INFO', 8000, 0.1, (runs) => {
    const printableBytes = printable(250).map(utf8)
    const mutated = mutatedBytes(APRS_SEEDS, { tokens: ['{', '}', ':', 'ack'].map(utf8) })
    checkProperty(fc.oneof(fc.uint8Array({ maxLength: 250 }), printableBytes, mutated), checkAprs, runs)
  })

  fuzzTest('parse(encode(message)) round-trips for every valid message', 2000, 0.1, (runs) => {
    checkProperty(aprsMessageArb, (m) => expectEqual(parseAprsMessage(encodeAprsMessage(m)), { ok: true, value: { kind: 'message', ...m } }), runs)
  })
})
