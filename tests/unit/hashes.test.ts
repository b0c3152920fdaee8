import { blake3 } from '@noble/hashes/blake3.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeHeaderBincode, decodeTransactionBincode, decodeTransactionsBincode } from '../../codecs/bincode.js'
import {
  blockHash,
  compareBytes,
  dataToSign,
  headerNonce,
  merkleRoot,
  txHash,
  vdf,
  VDF_DIFFICULTY,
  ZERO_HASH,
} from '../../codecs/hashes.js'
import { unwrap } from '../../codecs/result.js'
import { fromHex, toHex, vectors } from '../helpers/vectors.js'

const txs = vectors.transactions.map((t) => ({ vector: t, tx: unwrap(decodeTransactionBincode(fromHex(t.bincode))) }))
const blocks = vectors.blocks.map((b) => ({
  vector: b,
  header: unwrap(decodeHeaderBincode(fromHex(b.header_bincode))),
  transactions: unwrap(decodeTransactionsBincode(fromHex(b.transactions_bincode))),
}))

/** The VDF exactly as the docs write it, one fresh hash per step. */
function naiveVdf(seed: Uint8Array, difficulty: number): Uint8Array {
  let out = blake3(seed)
  for (let i = 0; i < difficulty; i++) out = blake3(out)
  return out
}

describe('block and transaction hashes (golden vectors)', () => {
  it('hashes every transaction to its vector hash', () => {
    for (const { vector, tx } of txs) expect(toHex(txHash(tx))).toBe(vector.hash)
  })

  it('hashes every header to its block hash, and links each block to the previous hash', () => {
    for (const { vector, header } of blocks) expect(toHex(blockHash(header))).toBe(vector.hash)
    blocks.slice(1).forEach(({ vector }, i) => expect(vector.prev_hash).toBe(blocks[i]!.vector.hash))
  })

  it('gives the fact sheet hash for the first block', () => {
    expect(toHex(blockHash(blocks[0]!.header))).toBe('11d5fda4a01bd6561e9521958f36656b1ed2cf4a1c23468ff0623eebaf5d9625')
  })

  it('takes the merkle root over the listed transactions, and lists them by tx hash', () => {
    for (const { vector, transactions } of blocks) {
      expect(toHex(merkleRoot(transactions))).toBe(vector.merkle_root)
      expect(transactions.map((t) => toHex(txHash(t)))).toEqual(vector.tx_hashes)
    }
  })

  it('hashes an empty transaction list as blake3 of eight zero bytes', () => {
    expect(toHex(merkleRoot([]))).toBe('71e0a99173564931c0b8acc52d2685a8e39c64dc52e3d02390fdac2a12b155cb')
  })

  it('depends on transaction order', () => {
    const three = blocks.find((b) => b.transactions.length >= 2)!.transactions
    const swapped = [three[1]!, three[0]!, ...three.slice(2)]
    expect(toHex(merkleRoot(swapped))).not.toBe(toHex(merkleRoot(three)))
  })
})

describe('vdf', () => {
  it('matches the fact sheet for the zero seed at the fixed difficulty', () => {
    expect(VDF_DIFFICULTY).toBe(10_000)
    expect(toHex(vdf(ZERO_HASH, VDF_DIFFICULTY))).toBe('13cb8b52fe272489c8a19e19187e880a434a9f29f003ef36c09bfbad4a74f08d')
  })

  it('matches every block vdf_output, seeded with the prev_hash', () => {
    for (const { vector } of blocks) expect(toHex(vdf(fromHex(vector.prev_hash), vector.difficulty))).toBe(vector.vdf_output)
  })

  it('is blake3(seed) at difficulty 0 and equals the naive hash chain', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(40), (seed, difficulty) => {
        expect(toHex(vdf(seed, 0))).toBe(toHex(blake3(seed)))
        expect(toHex(vdf(seed, difficulty))).toBe(toHex(naiveVdf(seed, difficulty)))
      }),
      { seed: 42, numRuns: 100 },
    )
  })

  it('rejects a negative or fractional difficulty', () => {
    expect(() => vdf(ZERO_HASH, -1)).toThrow(RangeError)
    expect(() => vdf(ZERO_HASH, 1.5)).toThrow(RangeError)
  })
})

describe('header nonce and data_to_sign', () => {
  it('derives every block nonce from prev_hash and timestamp', () => {
    for (const { vector } of blocks) {
      expect(headerNonce(fromHex(vector.prev_hash), BigInt(vector.timestamp))).toBe(BigInt(vector.nonce))
    }
    expect(headerNonce(ZERO_HASH, 1704067200n)).toBe(4156942186214894952n)
  })

  it('builds data_to_sign as sender || recipient || amount LE || nonce LE', () => {
    for (const { vector, tx } of txs) {
      const data = dataToSign(tx)
      expect(toHex(data)).toBe(vector.data_to_sign)
      expect(data.length).toBe(80)
    }
  })

  it('has no length prefixes, so short keys give a shorter message', () => {
    const tx = { sender: new Uint8Array([1]), recipient: new Uint8Array([2, 3]), amount: 258n, nonce: 1n, signature: new Uint8Array(0) }
    expect(toHex(dataToSign(tx))).toBe('010203' + '0201000000000000' + '0100000000000000')
  })
})

describe('compareBytes', () => {
  it('orders like the lowercase hex strings of equal-length arrays', () => {
    const h = fc.uint8Array({ minLength: 32, maxLength: 32 })
    fc.assert(
      fc.property(h, h, (a, b) => {
        const [x, y] = [toHex(a), toHex(b)]
        expect(Math.sign(compareBytes(a, b))).toBe(x < y ? -1 : x > y ? 1 : 0)
        expect(Math.sign(compareBytes(b, a))).toBe(-Math.sign(compareBytes(a, b)))
        expect(compareBytes(a, Uint8Array.from(a))).toBe(0)
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('puts a prefix before the longer array', () => {
    expect(compareBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBeLessThan(0)
    expect(compareBytes(new Uint8Array([2]), new Uint8Array([1, 255]))).toBeGreaterThan(0)
    expect(compareBytes(new Uint8Array(0), new Uint8Array(0))).toBe(0)
  })
})
