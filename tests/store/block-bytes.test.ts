import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isCodecError } from '../../codecs/errors.js'
import { blockHash, txHash } from '../../codecs/hashes.js'
import { U32_MAX, U64_MAX, type Block } from '../../codecs/model.js'
import { unwrap } from '../../codecs/result.js'
import { decodeBlockBytes, encodeBlockBytes } from '../../gateway/store/block-bytes.js'
import { fromHex, toHex, vectors } from '../helpers/vectors.js'
import { vectorChain } from './fixtures.js'

const bytes = (max = 80) => fc.uint8Array({ maxLength: max }).map((b) => new Uint8Array(b))
const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => new Uint8Array(b))
const u64 = fc.bigInt({ min: 0n, max: U64_MAX })
const arbBlock: fc.Arbitrary<Block> = fc.record({
  header: fc.record({
    version: fc.integer({ min: 0, max: U32_MAX }),
    prev_hash: hash32,
    merkle_root: hash32,
    timestamp: u64,
    vdf_output: hash32,
    difficulty: fc.integer({ min: 0, max: U32_MAX }),
    nonce: u64,
    tx_count: fc.integer({ min: 0, max: U32_MAX }),
    signature: bytes(),
  }),
  transactions: fc.array(fc.record({ sender: bytes(), recipient: bytes(), amount: u64, nonce: u64, signature: bytes() }), { maxLength: 5 }),
})

const storedVector = (i: number): Uint8Array => {
  const v = vectors.blocks[i]
  if (v === undefined) throw new Error(`no vector block ${i}`)
  return fromHex(v.header_bincode + v.transactions_bincode)
}

describe('stored block bytes', () => {
  it('are the bincode of the golden blocks (header then Vec<Transaction>) and decode to the same hashes', () => {
    const chain = vectorChain()
    chain.forEach((block, i) => {
      const v = vectors.blocks[i]
      expect(toHex(encodeBlockBytes(block))).toBe(`${v?.header_bincode}${v?.transactions_bincode}`)
      const back = unwrap(decodeBlockBytes(storedVector(i)))
      expect(toHex(blockHash(back.header))).toBe(v?.hash)
      expect(back.transactions.map((tx) => toHex(txHash(tx)))).toEqual(v?.tx_hashes)
    })
    expect(chain.some((b) => b.header.nonce > 2n ** 53n)).toBe(true)
  })

  it('round-trip any block exactly, u64 values above 2^53 included', () => {
    fc.assert(
      fc.property(arbBlock, (block) => {
        const encoded = encodeBlockBytes(block)
        const back = unwrap(decodeBlockBytes(encoded))
        expect(back).toEqual(block)
        expect(encodeBlockBytes(back)).toEqual(encoded)
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('report every truncation and trailing bytes as typed errors', () => {
    const full = storedVector(3)
    for (let n = 0; n < full.length; n++) {
      const r = decodeBlockBytes(full.subarray(0, n))
      expect(r.ok ? 'decoded' : r.error.code).toBe('ERR_TRUNCATED')
    }
    const extra = new Uint8Array(full.length + 1)
    extra.set(full)
    const r = decodeBlockBytes(extra)
    expect(!r.ok && isCodecError(r.error, 'ERR_TRAILING_CHARACTERS')).toBe(true)
  })

  it('refuse a header whose signature length is absurd without allocating it', () => {
    const damaged = storedVector(0).slice()
    damaged.fill(0xff, 124, 132) // signature length = 2^64 - 1
    const r = decodeBlockBytes(damaged)
    expect(!r.ok && isCodecError(r.error, 'ERR_TRUNCATED')).toBe(true)
  })
})
