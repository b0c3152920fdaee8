import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeHeaderBincode,
  decodeTransactionBincode,
  decodeTransactionsBincode,
  encodeHeaderBincode,
  encodeTransactionBincode,
  encodeTransactionsBincode,
} from '../../codecs/bincode.js'
import { isCodecError } from '../../codecs/errors.js'
import { U32_MAX, U64_MAX, type BlockHeader, type Transaction } from '../../codecs/model.js'
import { unwrap } from '../../codecs/result.js'
import { fromHex, toHex, vectors } from '../helpers/vectors.js'

/** Vector hex as a model byte field (the helper's `fromHex` is typed over any buffer kind). */
const bytesOf = (hex: string) => new Uint8Array(fromHex(hex))

const txFromVector = (t: (typeof vectors.transactions)[number]): Transaction => ({
  sender: bytesOf(t.sender),
  recipient: bytesOf(t.recipient),
  amount: BigInt(t.amount),
  nonce: BigInt(t.nonce),
  signature: bytesOf(t.signature),
})

const headerFromVector = (v: (typeof vectors.blocks)[number]): BlockHeader => ({
  version: 1,
  prev_hash: bytesOf(v.prev_hash),
  merkle_root: bytesOf(v.merkle_root),
  timestamp: BigInt(v.timestamp),
  vdf_output: bytesOf(v.vdf_output),
  difficulty: v.difficulty,
  nonce: BigInt(v.nonce),
  tx_count: v.tx_count,
  signature: new Uint8Array(0),
})

const bytes = (max = 80) => fc.uint8Array({ maxLength: max }).map((b) => new Uint8Array(b))
const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => new Uint8Array(b))
const u64 = fc.bigInt({ min: 0n, max: U64_MAX })
const u32 = fc.integer({ min: 0, max: U32_MAX })
const arbTx: fc.Arbitrary<Transaction> = fc.record({
  sender: bytes(),
  recipient: bytes(),
  amount: u64,
  nonce: u64,
  signature: bytes(),
})
const arbHeader: fc.Arbitrary<BlockHeader> = fc.record({
  version: u32,
  prev_hash: hash32,
  merkle_root: hash32,
  timestamp: u64,
  vdf_output: hash32,
  difficulty: u32,
  nonce: u64,
  tx_count: u32,
  signature: bytes(),
})

/** The error code of a failed decode (fails the test if it succeeded). */
function errorCode<T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): string {
  expect(r.ok).toBe(false)
  return r.ok ? '' : r.error.code
}

describe('bincode transactions (golden vectors)', () => {
  it.each(vectors.transactions.map((t) => [t.name, t] as const))('%s encodes to the vector bytes', (_name, t) => {
    const encoded = encodeTransactionBincode(txFromVector(t))
    expect(encoded.length).toBe(168)
    expect(toHex(encoded)).toBe(t.bincode)
  })

  it.each(vectors.transactions.map((t) => [t.name, t] as const))('%s decodes to the vector fields', (_name, t) => {
    expect(unwrap(decodeTransactionBincode(fromHex(t.bincode)))).toEqual(txFromVector(t))
  })

  it('decodes and re-encodes every block transaction list byte for byte', () => {
    for (const b of vectors.blocks) {
      const txs = unwrap(decodeTransactionsBincode(fromHex(b.transactions_bincode)))
      expect(txs).toHaveLength(b.tx_count)
      expect(toHex(encodeTransactionsBincode(txs))).toBe(b.transactions_bincode)
    }
  })

  it('encodes an empty list as a zero u64 count', () => {
    expect(toHex(encodeTransactionsBincode([]))).toBe('0000000000000000')
  })
})

describe('bincode headers (golden vectors)', () => {
  it.each(vectors.blocks.map((b) => [b.height, b] as const))('block %i header is 132 bytes and round-trips', (_h, b) => {
    const header = headerFromVector(b)
    expect(toHex(encodeHeaderBincode(header))).toBe(b.header_bincode)
    expect(unwrap(decodeHeaderBincode(fromHex(b.header_bincode)))).toEqual(header)
    expect(b.header_bincode.length / 2).toBe(132)
  })

  it('writes a header signature as a u64 length and the bytes', () => {
    const header = { ...headerFromVector(vectors.blocks[0]!), signature: new Uint8Array([0xab, 0xcd]) }
    const encoded = encodeHeaderBincode(header)
    expect(encoded.length).toBe(134)
    expect(toHex(encoded.subarray(124))).toBe('0200000000000000abcd')
  })
})

describe('bincode decoders reject bad input with typed errors', () => {
  const txBytes = fromHex(vectors.transactions[0]!.bincode)
  const headerBytes = fromHex(vectors.blocks[1]!.header_bincode)

  it('reports every strict prefix as ERR_TRUNCATED', () => {
    for (let n = 0; n < txBytes.length; n++) expect(errorCode(decodeTransactionBincode(txBytes.subarray(0, n)))).toBe('ERR_TRUNCATED')
    for (let n = 0; n < headerBytes.length; n++) expect(errorCode(decodeHeaderBincode(headerBytes.subarray(0, n)))).toBe('ERR_TRUNCATED')
  })

  it('rejects trailing bytes', () => {
    const longer = new Uint8Array([...txBytes, 0])
    expect(errorCode(decodeTransactionBincode(longer))).toBe('ERR_TRAILING_CHARACTERS')
    expect(errorCode(decodeHeaderBincode(new Uint8Array([...headerBytes, 1, 2])))).toBe('ERR_TRAILING_CHARACTERS')
  })

  it('never allocates for a length prefix larger than the input', () => {
    const hostile = new Uint8Array(16)
    new DataView(hostile.buffer).setBigUint64(0, U64_MAX, true) // sender length 2^64-1
    const r = decodeTransactionBincode(hostile)
    expect(errorCode(r)).toBe('ERR_TRUNCATED')
    const manyTxs = new Uint8Array(8 + 40)
    new DataView(manyTxs.buffer).setBigUint64(0, 2n ** 40n, true) // 2^40 transactions claimed in 40 bytes
    expect(errorCode(decodeTransactionsBincode(manyTxs))).toBe('ERR_TRUNCATED')
  })

  it('reads from a subarray at a non-zero offset', () => {
    const padded = new Uint8Array([9, 9, 9, ...txBytes])
    expect(toHex(encodeTransactionBincode(unwrap(decodeTransactionBincode(padded.subarray(3)))))).toBe(toHex(txBytes))
  })

  it('refuses to encode a hash field that is not 32 bytes or an out-of-range integer', () => {
    const header = headerFromVector(vectors.blocks[0]!)
    expect(() => encodeHeaderBincode({ ...header, prev_hash: new Uint8Array(31) })).toThrow(
      expect.objectContaining({ code: 'ERR_BYTE_LENGTH' }),
    )
    expect(() => encodeHeaderBincode({ ...header, version: -1 })).toThrow(expect.objectContaining({ code: 'ERR_NUMBER_RANGE' }))
    const tx = txFromVector(vectors.transactions[0]!)
    expect(() => encodeTransactionBincode({ ...tx, amount: U64_MAX + 1n })).toThrow(
      expect.objectContaining({ code: 'ERR_NUMBER_RANGE' }),
    )
  })
})

describe('bincode properties', () => {
  it('decode(encode(tx)) = tx, and the size is 40 + the byte fields', () => {
    fc.assert(
      fc.property(arbTx, (tx) => {
        const encoded = encodeTransactionBincode(tx)
        expect(encoded.length).toBe(40 + tx.sender.length + tx.recipient.length + tx.signature.length)
        expect(unwrap(decodeTransactionBincode(encoded))).toEqual(tx)
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('decode(encode(header)) = header', () => {
    fc.assert(
      fc.property(arbHeader, (h) => {
        expect(unwrap(decodeHeaderBincode(encodeHeaderBincode(h)))).toEqual(h)
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('decode(encode(txs)) = txs', () => {
    fc.assert(
      fc.property(fc.array(arbTx, { maxLength: 6 }), (txs) => {
        expect(unwrap(decodeTransactionsBincode(encodeTransactionsBincode(txs)))).toEqual(txs)
      }),
      { seed: 42, numRuns: 200 },
    )
  })

  it('a truncated encoding is always ERR_TRUNCATED', () => {
    fc.assert(
      fc.property(fc.array(arbTx, { minLength: 1, maxLength: 4 }), fc.nat(), (txs, cut) => {
        const encoded = encodeTransactionsBincode(txs)
        expect(errorCode(decodeTransactionsBincode(encoded.subarray(0, cut % encoded.length)))).toBe('ERR_TRUNCATED')
      }),
      { seed: 42, numRuns: 200 },
    )
  })

  /** Decode then re-encode; the decoder's error when decoding fails. */
  const roundTrips = [
    {
      name: 'Transaction',
      valid: arbTx.map(encodeTransactionBincode),
      roundTrip: (b: Uint8Array) => {
        const r = decodeTransactionBincode(b)
        return r.ok ? { ok: true as const, bytes: encodeTransactionBincode(r.value) } : r
      },
    },
    {
      name: 'Vec<Transaction>',
      valid: fc.array(arbTx, { maxLength: 3 }).map(encodeTransactionsBincode),
      roundTrip: (b: Uint8Array) => {
        const r = decodeTransactionsBincode(b)
        return r.ok ? { ok: true as const, bytes: encodeTransactionsBincode(r.value) } : r
      },
    },
    {
      name: 'BlockHeader',
      valid: arbHeader.map(encodeHeaderBincode),
      roundTrip: (b: Uint8Array) => {
        const r = decodeHeaderBincode(b)
        return r.ok ? { ok: true as const, bytes: encodeHeaderBincode(r.value) } : r
      },
    },
  ]

  it.each(roundTrips)('$name: garbage or a corrupted encoding never throws, and what decodes re-encodes to the input', ({ valid, roundTrip }) => {
    // a valid encoding with one byte changed (often still decodable), or plain random bytes
    const corrupted = fc
      .tuple(valid, fc.nat(), fc.integer({ min: 1, max: 255 }))
      .map(([b, at, xor]) => {
        const copy = Uint8Array.from(b)
        copy[at % copy.length] = (copy[at % copy.length] ?? 0) ^ xor
        return copy
      })
    fc.assert(
      fc.property(fc.oneof(corrupted, fc.uint8Array({ maxLength: 300 })), (input) => {
        const r = roundTrip(input)
        if (r.ok) expect(toHex(r.bytes)).toBe(toHex(input))
        else expect(isCodecError(r.error)).toBe(true)
      }),
      { seed: 42, numRuns: 500 },
    )
  })
})
