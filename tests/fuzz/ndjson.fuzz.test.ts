/**
 * Fuzzing of the node's JSON texts: the NDJSON P2P line (`decodeP2PMessage`) and the HTTP bodies
 * (`decodeTransactionJson`, `decodeBlockJson`, `decodeChainJson`, `decodeTransactionsJson`,
 * `decodeSyncInfo`), plus `validateJsonText`. Every input either decodes to a schema-valid value
 * that re-encodes to text decoding to the same value, or fails with one of the JSON codes.
 */
import fc from 'fast-check'
import type { z } from 'zod'
import { describe, expect } from 'vitest'
import type { CodecErrorCode } from '../../codecs/errors.js'
import { validateJsonText } from '../../codecs/json-text.js'
import { BlockSchema, P2PMessageSchema, TransactionSchema } from '../../codecs/model.js'
import {
  decodeBlockJson,
  decodeChainJson,
  decodeP2PMessage,
  decodeTransactionJson,
  decodeTransactionsJson,
  encodeBlockJson,
  encodeChainJson,
  encodeP2PMessage,
  encodeTransactionJson,
  encodeTransactionsJson,
} from '../../codecs/ndjson.js'
import type { Result } from '../../codecs/result.js'
import { decodeSyncInfo, encodeSyncInfo, SyncInfoSchema } from '../../codecs/sync-info.js'
import {
  checkProperty,
  expectCodecError,
  expectEqual,
  fuzzTest,
  LARGE_INPUT_TIME_BOUND_MS,
  mutatedBytes,
  utf8,
  valueOrTypedError,
  withinTime,
} from './harness.js'
import { blockArb, p2pMessageArb, transactionArb, vectorJsonTexts } from './model-arbitraries.js'

/** Everything a JSON decoder may fail with (module docs of ndjson.ts, serde-reader.ts, json-cursor.ts). */
const JSON_CODES: readonly CodecErrorCode[] = [
  'ERR_JSON_SYNTAX',
  'ERR_EMPTY_LINE',
  'ERR_TRAILING_CHARACTERS',
  'ERR_UNKNOWN_VARIANT',
  'ERR_INVALID_TYPE',
  'ERR_MISSING_FIELD',
  'ERR_DUPLICATE_FIELD',
  'ERR_INVALID_LENGTH',
  'ERR_NUMBER_RANGE',
]

/** JSON pieces worth inserting whole: structure, escapes, number edges, variant names, a BOM. */
const TOKENS = [
  '"', '{', '}', '[', ']', ',', ':', 'null', 'true', '-', '0', '1e3', '1.0', '-0', '\\', '\\u0047', '\\ud800', '\r\n', '\t ',
  '18446744073709551615', '18446744073709551616', '4294967296', '"GetChain"', '{"Chain":', '"amount":1,', '\ufeff', '\u0000',
].map(utf8)

/** Text shapes that stress time and memory: deep nesting, huge numbers, long strings and escapes. */
const hostileArb: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 1, max: 100_000 }).map((d) => `{"NewTransaction":{"x":${'['.repeat(d)}${']'.repeat(d)},"sender":[]}}`),
  fc.integer({ min: 1, max: 100_000 }).map((d) => `{"NewBlock":${'{"a":'.repeat(d)}`),
  fc.integer({ min: 1, max: 100_000 }).map((n) => `{"NewTransaction":{"amount":${'9'.repeat(n)}}}`),
  fc.integer({ min: 1, max: 20_000 }).map((n) => `{"NewTransaction":{"${'\\u0041'.repeat(n)}":0}}`),
  fc.integer({ min: 1, max: 50_000 }).map((n) => `{"Mempool":[${'{},'.repeat(n)}]}`),
  fc.integer({ min: 1, max: 100_000 }).map((n) => `{"NewTransaction":{"sender":[${'1,'.repeat(n)}1]}}`),
)

/** One JSON decoder under test, with the encoder and schema its successes must satisfy. */
interface JsonTarget {
  readonly name: string
  /** Decodes (within `boundMs`), checks the outcome, and checks a success survives re-encoding. */
  readonly check: (input: string | Uint8Array, boundMs?: number) => void
  /** Texts of valid values, checked to decode back to the value they were made from. */
  readonly roundTrip: fc.Arbitrary<() => void>
}

function target<T>(
  name: string,
  decode: (text: string | Uint8Array) => Result<T>,
  encode: (value: T) => string,
  schema: z.ZodType<T>,
  valid: fc.Arbitrary<T>,
): JsonTarget {
  return {
    name,
    check: (input, boundMs) => {
      const value = valueOrTypedError(withinTime(() => decode(input), boundMs), JSON_CODES)
      if (value === undefined) return
      schema.parse(value)
      expectEqual(decode(encode(value)), { ok: true, value })
    },
    roundTrip: valid.map((value) => () => expectEqual(decode(encode(value)), { ok: true, value })),
  }
}

const hexHashArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'))

const TARGETS: readonly JsonTarget[] = [
  target('decodeP2PMessage', decodeP2PMessage, encodeP2PMessage, P2PMessageSchema, p2pMessageArb),
  target('decodeTransactionJson', decodeTransactionJson, encodeTransactionJson, TransactionSchema, transactionArb),
  target('decodeBlockJson', decodeBlockJson, encodeBlockJson, BlockSchema, blockArb),
  target('decodeChainJson', decodeChainJson, encodeChainJson, BlockSchema.array(), fc.array(blockArb, { maxLength: 3 })),
  target('decodeTransactionsJson', decodeTransactionsJson, encodeTransactionsJson, TransactionSchema.array(), fc.array(transactionArb, { maxLength: 4 })),
  target('decodeSyncInfo', decodeSyncInfo, encodeSyncInfo, SyncInfoSchema, fc.record({ height: fc.maxSafeNat(), latest_hash: hexHashArb })),
]

/** Seeds: every vector text, bare and wrapped as the bodies each decoder expects. */
const SEEDS = [
  ...vectorJsonTexts,
  `[${vectorJsonTexts.filter((t) => t.startsWith('{"header"')).join(',')}]`,
  `[${vectorJsonTexts.filter((t) => t.startsWith('{"sender"')).join(',')}]`,
].map(utf8)

const anyTextArb: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
)

describe.each(TARGETS)('$name', (t) => {
  fuzzTest('arbitrary bytes, strings and JSON values: a value or a JSON error', 2500, 0.2, (runs) => {
    checkProperty(anyTextArb, t.check, runs)
  })

  fuzzTest('mutated vector texts: a value or a JSON error', 6000, 0.5, (runs) => {
    checkProperty(mutatedBytes(SEEDS, { tokens: TOKENS }), t.check, runs)
  })

  fuzzTest('hostile shapes (deep nesting, huge numbers, long strings) stay within the time bound', 300, 5, (runs) => {
    checkProperty(hostileArb, (text) => t.check(text, LARGE_INPUT_TIME_BOUND_MS), runs)
  })

  fuzzTest('decode(encode(x)) round-trips for valid x', 1200, 0.5, (runs) => {
    checkProperty(t.roundTrip, (run) => run(), runs)
  })
})

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

describe('validateJsonText', () => {
  const check = (input: string | Uint8Array, boundMs?: number): void => {
    const result = withinTime(() => validateJsonText(input), boundMs)
    if (!result.ok) expectCodecError(result.error, JSON_CODES)
    // well-formed JSON is what JSON.parse accepts; bytes are compared only once known to be UTF-8
    if (!result.ok && typeof input !== 'string') return
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8')
    expect(result.ok, text.slice(0, 200)).toBe(parsesAsJson(text))
  }

  fuzzTest('arbitrary and mutated texts: agrees with JSON.parse', 9700, 0.3, (runs) => {
    checkProperty(fc.oneof(anyTextArb, mutatedBytes(SEEDS, { tokens: TOKENS })), check, runs)
  })

  fuzzTest('hostile shapes: agrees with JSON.parse within the time bound', 300, 5, (runs) => {
    checkProperty(hostileArb, (text) => check(text, LARGE_INPUT_TIME_BOUND_MS), runs)
  })
})
