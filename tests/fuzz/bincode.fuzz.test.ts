/**
 * Fuzzing of the bincode decoders (what the store reads back after a crash or a torn write, and
 * what hashes are computed over): any bytes, including tampered length prefixes, give exactly one
 * canonical value or `ERR_TRUNCATED` / `ERR_TRAILING_CHARACTERS`, without allocating what a prefix
 * claims; valid values round-trip.
 */
import fc from 'fast-check'
import { describe, expect } from 'vitest'
import {
  decodeHeaderBincode,
  decodeTransactionBincode,
  decodeTransactionsBincode,
  encodeHeaderBincode,
  encodeTransactionBincode,
  encodeTransactionsBincode,
} from '../../codecs/bincode.js'
import type { CodecErrorCode } from '../../codecs/errors.js'
import type { Result } from '../../codecs/result.js'
import { fromHex, vectors } from '../helpers/vectors.js'
import { checkProperty, expectEqual, fuzzTest, mutatedBytes, valueOrTypedError, withinTime } from './harness.js'
import { headerArb, transactionArb } from './model-arbitraries.js'

const BINCODE_CODES: readonly CodecErrorCode[] = ['ERR_TRUNCATED', 'ERR_TRAILING_CHARACTERS']

/** One decoder with its encoder and valid values. */
interface BincodeTarget {
  readonly name: string
  readonly check: (bytes: Uint8Array) => void
  readonly roundTrip: fc.Arbitrary<() => void>
}

function target<T>(name: string, decode: (b: Uint8Array) => Result<T>, encode: (v: T) => Uint8Array, valid: fc.Arbitrary<T>): BincodeTarget {
  return {
    name,
    check: (bytes) => {
      const value = valueOrTypedError(withinTime(() => decode(bytes)), BINCODE_CODES)
      // bincode has one encoding per value: what decodes is exactly its encoding
      if (value !== undefined) expect(Buffer.from(encode(value)).equals(bytes)).toBe(true)
    },
    roundTrip: valid.map((value) => () => expectEqual(decode(encode(value)), { ok: true, value })),
  }
}

const TARGETS: readonly BincodeTarget[] = [
  target('decodeTransactionBincode', decodeTransactionBincode, encodeTransactionBincode, transactionArb),
  target('decodeTransactionsBincode', decodeTransactionsBincode, encodeTransactionsBincode, fc.array(transactionArb, { maxLength: 5 })),
  target('decodeHeaderBincode', decodeHeaderBincode, encodeHeaderBincode, headerArb),
]

const SEEDS = [
  ...vectors.transactions.map((t) => fromHex(t.bincode)),
  ...vectors.blocks.flatMap((b) => [fromHex(b.header_bincode), fromHex(b.transactions_bincode)]),
]

describe.each(TARGETS)('$name', (t) => {
  fuzzTest('arbitrary bytes: the canonical value or a typed error', 2000, 0.1, (runs) => {
    checkProperty(fc.uint8Array({ maxLength: 300 }), t.check, runs)
  })

  fuzzTest('mutated vector encodings (tampered lengths): the canonical value or a typed error', 7000, 0.1, (runs) => {
    checkProperty(mutatedBytes(SEEDS), t.check, runs)
  })

  fuzzTest('decode(encode(x)) round-trips', 1000, 0.1, (runs) => {
    checkProperty(t.roundTrip, (run) => run(), runs)
  })
})
