/**
 * Fuzzing of the gateway-to-gateway envelope (`decodeEnvelope`: header, raw inflate, CBOR, the
 * schema of every message type) and of the `bodies` payload (`decodeBodiesPayload`). Any bytes give
 * a schema-valid message or one of the four envelope codes; a plain envelope that decodes is
 * exactly the encoding of its message; inflation never goes past the cap; hostile CBOR (deep
 * nesting, huge lengths, tags) leaves no state behind for the next message; valid messages of every
 * type round-trip, compressed or not.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { Encoder } from 'cbor-x'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CURRENT_DICTIONARY_ID, deflateWithDictionary, inflateWithDictionary, NO_DICTIONARY } from '../../codecs/compress.js'
import { decodeEnvelope, encodeEnvelope, type WireMessage } from '../../codecs/envelope.js'
import type { CodecErrorCode } from '../../codecs/errors.js'
import { decodeBodiesPayload, encodeBodiesPayload } from '../../codecs/wire-sync.js'
import { checkProperty, expectEqual, fuzzTest, LARGE_INPUT_TIME_BOUND_MS, mutatedBytes, valueOrTypedError, withinTime } from './harness.js'
import { vectorChain, vectorTransactions } from './model-arbitraries.js'
import { wireMessageArb } from './wire-arbitraries.js'

const ENVELOPE_CODES: readonly CodecErrorCode[] = ['ERR_TRUNCATED', 'ERR_ENVELOPE_VERSION', 'ERR_DECOMPRESS', 'ERR_ENVELOPE']
const PLAIN = 0x10 // header: version 1, not compressed
const DEFLATED = 0x18 // header: version 1, raw deflate, no dictionary
const DEFLATED_DICT1 = 0x19 // header: version 1, raw deflate, dictionary 1
const KIB = 1024 // bytes

/** An envelope: `header`, then `body`. */
function frame(header: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length)
  out[0] = header
  out.set(body, 1)
  return out
}

/** Decodes (body cap `cap`, within `boundMs`) and checks the outcome; a plain envelope that decodes must be canonical. */
function checkEnvelope(bytes: Uint8Array, { cap, boundMs }: { cap?: number; boundMs?: number } = {}): void {
  const options = cap === undefined ? {} : { maxDecompressedBytes: cap }
  const message = valueOrTypedError(withinTime(() => decodeEnvelope(bytes, options), boundMs), ENVELOPE_CODES)
  if (message === undefined) return
  if (bytes[0] === PLAIN) expect(Buffer.from(encodeEnvelope(message, { compress: 'never' })).equals(bytes)).toBe(true)
  else expectEqual(decodeEnvelope(encodeEnvelope(message)), { ok: true, value: message })
}

// ---- seeds ----------------------------------------------------------------------------------------

const SEED_MESSAGES: WireMessage[] = [
  ...vectorTransactions.map((transaction): WireMessage => ({ type: 'tx', transaction })),
  ...vectorChain.map((block): WireMessage => ({ type: 'block', block })),
  { type: 'blocks', blocks: [...vectorChain] },
  ...fc.sample(wireMessageArb, { seed: 3, numRuns: 60 }),
]
/** CBOR bodies (no header) of every seed message. */
const BODIES = SEED_MESSAGES.map((m) => encodeEnvelope(m, { compress: 'never' }).subarray(1))
/** Whole envelopes, plain and compressed. */
const ENVELOPES = SEED_MESSAGES.flatMap((m) => [encodeEnvelope(m, { compress: 'never' }), encodeEnvelope(m)])
/** Header bytes of every version/flag/dictionary combination worth trying, and CBOR heads. */
const TOKENS = [0x00, 0x10, 0x18, 0x19, 0x1f, 0xf0, 0x9f, 0xbf, 0xff, 0x5b, 0x9b, 0xd8, 0xc2, 0xf9].map((b) => Uint8Array.of(b))

// ---- hostile CBOR ---------------------------------------------------------------------------------

const rawCbor = new Encoder({ useRecords: false, tagUint8Array: false })

/** Valid CBOR of a small value of any kind (maps, strings, floats, bigints, nested arrays). */
const anyCborArb = fc.anything({ maxDepth: 3, withBigInt: true, withTypedArray: true, withMap: true, withSet: true, withDate: true }).map((v) => {
  try {
    return new Uint8Array(rawCbor.encode(v))
  } catch {
    return Uint8Array.of(0xf6) // a value cbor-x cannot write: CBOR null instead
  }
})

/** Heads that announce more than any input holds, nest deeper than any stack, or use tags. */
const hostileCborArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  // n nested one-element arrays (definite or indefinite length) around a 0
  fc.tuple(fc.integer({ min: 1, max: 50_000 }), fc.constantFrom(0x81, 0x9f)).map(([n, head]) => new Uint8Array(n + 1).fill(head, 0, n)),
  fc.constantFrom(0x9a, 0x9b, 0x5a, 0x5b, 0xba, 0xbb, 0x7a, 0x7b).map((head) => Uint8Array.of(head, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)),
  fc.tuple(fc.nat(300), anyCborArb).map(([tag, value]) => Uint8Array.of(0xd9, tag >> 8, tag & 0xff, ...value)),
  // bignums, generic objects, shared references, packed values, sets, maps, typed arrays
  fc
    .tuple(fc.constantFrom(2, 3, 27, 28, 29, 51, 6, 258, 259, 64, 72, 85), anyCborArb)
    .map(([tag, value]) => Uint8Array.of(0xd9, tag >> 8, tag & 0xff, ...value)),
  fc.tuple(fc.integer({ min: 1, max: 16 }), fc.uint8Array({ maxLength: 30 })).map(([type, rest]) => Uint8Array.of(0x82, type, ...rest)),
)

// ---- decompression bombs ----------------------------------------------------------------------------

interface Bomb {
  readonly inflatedBytes: number
  readonly cap: number
  readonly dictionaryId: number
}

const bombArb: fc.Arbitrary<Bomb> = fc.record({
  // a few sizes, so each bomb is built once; the caps around them vary freely
  inflatedBytes: fc.constantFrom(0, 1, 1000, KIB * KIB - 1, KIB * KIB, KIB * KIB + 1, 2 * KIB * KIB, 16 * KIB * KIB),
  cap: fc.oneof(fc.integer({ min: 0, max: 2 * KIB * KIB }), fc.constantFrom(0, 1, 999, 1000, 1001, KIB * KIB - 1, KIB * KIB, KIB * KIB + 1)),
  dictionaryId: fc.constantFrom(NO_DICTIONARY, CURRENT_DICTIONARY_ID),
})

/** Compressed zero runs, memoised by size and dictionary: building each bomb once is enough. */
const bombs = new Map<string, Uint8Array>()
function bombPayload(inflatedBytes: number, dictionaryId: number): Uint8Array {
  const key = `${inflatedBytes}/${dictionaryId}`
  let payload = bombs.get(key)
  if (payload === undefined) {
    const zeros = new Uint8Array(inflatedBytes)
    payload = dictionaryId === NO_DICTIONARY ? new Uint8Array(deflateRawSync(zeros, { level: 1 })) : deflateWithDictionary(zeros, dictionaryId)
    bombs.set(key, payload)
  }
  return payload
}

// ---- properties -------------------------------------------------------------------------------------

describe('decodeEnvelope', () => {
  fuzzTest('arbitrary bytes: a canonical message or a typed error', 1500, 0.3, (runs) => {
    checkProperty(fc.uint8Array({ maxLength: 300 }), (b) => checkEnvelope(b), runs)
  })

  fuzzTest('mutated real envelopes (plain and compressed): a canonical message or a typed error', 3500, 0.5, (runs) => {
    checkProperty(mutatedBytes(ENVELOPES, { tokens: TOKENS }), (b) => checkEnvelope(b), runs)
  })

  fuzzTest('mutated CBOR bodies, sent plain or re-deflated: the mutation reaches the CBOR and schema checks', 2000, 0.5, (runs) => {
    const arb = fc.tuple(mutatedBytes(BODIES, { tokens: TOKENS }), fc.boolean()).map(([body, deflate]) =>
      deflate ? frame(DEFLATED_DICT1, deflateWithDictionary(body, CURRENT_DICTIONARY_ID)) : frame(PLAIN, body),
    )
    checkProperty(arb, (b) => checkEnvelope(b), runs)
  })

  fuzzTest('hostile CBOR and CBOR of any value: a typed error, and the next message decodes unharmed', 1000, 1, (runs) => {
    const reference = ENVELOPES[0] ?? new Uint8Array(0)
    const expected = decodeEnvelope(reference)
    expect(expected.ok).toBe(true)
    checkProperty(
      fc.oneof(hostileCborArb, anyCborArb),
      (body) => {
        checkEnvelope(frame(PLAIN, body), { boundMs: LARGE_INPUT_TIME_BOUND_MS })
        expectEqual(decodeEnvelope(reference), expected)
      },
      runs,
    )
  })

  fuzzTest('decompression bombs: nothing inflates past the cap, over it is ERR_DECOMPRESS', 200, 20, (runs) => {
    checkProperty(
      bombArb,
      ({ inflatedBytes, cap, dictionaryId }) => {
        const payload = bombPayload(inflatedBytes, dictionaryId)
        const inflated = withinTime(() => inflateWithDictionary(payload, dictionaryId, cap))
        if (inflatedBytes > cap) expect(inflated.ok ? inflated.value.length : inflated.error.code).toBe('ERR_DECOMPRESS')
        else expect(inflated.ok ? inflated.value.length : inflated.error.message).toBe(inflatedBytes)
        // through the envelope the body is zeros, which is not CBOR of a message; only the code may vary
        checkEnvelope(frame(dictionaryId === NO_DICTIONARY ? DEFLATED : DEFLATED_DICT1, payload), { cap })
      },
      runs,
    )
  })

  it('stops a 64 MiB bomb at the 1 MiB cap, many times faster than inflating it whole', () => {
    const payload = bombPayload(64 * KIB * KIB, NO_DICTIONARY)
    const start = performance.now()
    expect(inflateRawSync(payload).length).toBe(64 * KIB * KIB) // what an uncapped decoder would do
    const wholeMs = performance.now() - start // ms
    const capped = withinTime(() => decodeEnvelope(frame(DEFLATED, payload)), wholeMs / 8)
    expect(capped.ok ? 'decoded' : capped.error.code).toBe('ERR_DECOMPRESS')
  })

  fuzzTest('decode(encode(m)) round-trips for valid messages of every type, compressed or not', 1800, 0.5, (runs) => {
    checkProperty(
      fc.tuple(wireMessageArb, fc.constantFrom('auto' as const, 'never' as const)),
      ([message, compress]) => expectEqual(decodeEnvelope(encodeEnvelope(message, { compress })), { ok: true, value: message }),
      runs,
    )
  })
})

describe('decodeBodiesPayload', () => {
  const PAYLOADS = [
    encodeBodiesPayload(vectorChain.map((b) => b.transactions)),
    encodeBodiesPayload([[], vectorTransactions.slice(0, 2)]),
    ...BODIES.slice(0, 10), // message bodies: CBOR of the wrong shape
  ]
  const check = (bytes: Uint8Array): void => {
    // hostile CBOR (50 000 levels of nesting) is among the inputs: the bound for large inputs
    const bodies = valueOrTypedError(withinTime(() => decodeBodiesPayload(bytes), LARGE_INPUT_TIME_BOUND_MS), ['ERR_ENVELOPE'])
    if (bodies !== undefined) expect(Buffer.from(encodeBodiesPayload(bodies)).equals(bytes)).toBe(true)
  }

  fuzzTest('arbitrary, hostile and mutated payloads: canonical bodies or ERR_ENVELOPE', 9000, 0.3, (runs) => {
    checkProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), hostileCborArb, mutatedBytes(PAYLOADS, { tokens: TOKENS })), check, runs)
  })

  fuzzTest('decode(encode(bodies)) round-trips', 1000, 0.3, (runs) => {
    const bodiesArb = fc.array(fc.array(fc.constantFrom(...vectorTransactions), { maxLength: 4 }), { minLength: 1, maxLength: 5 })
    checkProperty(bodiesArb, (bodies) => expectEqual(decodeBodiesPayload(encodeBodiesPayload(bodies)), { ok: true, value: bodies }), runs)
  })
})
