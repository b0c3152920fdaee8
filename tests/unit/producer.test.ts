import { describe, expect, it } from 'vitest'
import { decodeTransactionsBincode, encodeHeaderBincode } from '../../codecs/bincode.js'
import { blockHash, merkleRoot, txHash, vdf, ZERO_HASH } from '../../codecs/hashes.js'
import type { Block } from '../../codecs/model.js'
import { BLOCK_INTERVAL, buildNextBlock, createTransaction } from '../../codecs/producer.js'
import { unwrap } from '../../codecs/result.js'
import { validateBlock, verifyTransaction } from '../../codecs/validate.js'
import { fromHex, toHex, vectors } from '../helpers/vectors.js'

const FIRST_TIMESTAMP = 1704067200n // s, the vectors' first block

/** Each vector block's transactions, listed in reverse so the producer has to sort them. */
const mempools = vectors.blocks.map((b) => unwrap(decodeTransactionsBincode(fromHex(b.transactions_bincode))).reverse())

/** Rebuilds the vector chain with the producer; timestamps default to tip + 30 s after the first. */
function rebuildChain(): Block[] {
  const chain: Block[] = []
  mempools.forEach((mempool, i) => {
    const tip = chain[i - 1] ?? null
    chain.push(buildNextBlock(tip, mempool, tip === null ? { timestamp: FIRST_TIMESTAMP } : {}))
  })
  return chain
}

describe('buildNextBlock', () => {
  const chain = rebuildChain()

  it('reproduces every vector block header byte for byte, and its hash', () => {
    chain.forEach((block, i) => {
      const v = vectors.blocks[i]!
      expect(toHex(encodeHeaderBincode(block.header))).toBe(v.header_bincode)
      expect(toHex(blockHash(block.header))).toBe(v.hash)
      expect(block.transactions.map((t) => toHex(txHash(t)))).toEqual(v.tx_hashes)
    })
  })

  it('produces blocks the documented validator accepts with no warnings', () => {
    chain.forEach((block, i) => {
      expect(validateBlock(chain[i - 1] ?? null, block)).toEqual({ ok: true, warnings: [] })
    })
  })

  it('stamps a first block with the 30-s boundary at or before now, from a clock in ms', () => {
    const block = buildNextBlock(null, [], { now: () => Number(FIRST_TIMESTAMP) * 1000 + 29_999 })
    expect(block.header.timestamp).toBe(FIRST_TIMESTAMP)
    expect(toHex(encodeHeaderBincode(block.header))).toBe(vectors.blocks[0]!.header_bincode)
    expect(toHex(block.header.prev_hash)).toBe(toHex(ZERO_HASH))
    expect(toHex(block.header.vdf_output)).toBe(toHex(vdf(ZERO_HASH, 10_000)))
  })

  it('lets an explicit timestamp override tip + 30 s, with the nonce derived from it', () => {
    const tip = chain[0]!
    const later = buildNextBlock(tip, [], { timestamp: tip.header.timestamp + 2n * BLOCK_INTERVAL })
    expect(later.header.timestamp).toBe(tip.header.timestamp + 60n)
    expect(later.header.nonce).not.toBe(chain[1]!.header.nonce)
    const verdict = validateBlock(tip, later)
    expect(verdict.ok).toBe(true)
    expect(verdict.warnings.map((w) => w.code)).toEqual(['TIMESTAMP_NOT_PREV_PLUS_30'])
  })

  it('does not reorder the caller’s mempool array', () => {
    const mempool = [...mempools[3]!]
    const before = mempool.map((t) => toHex(txHash(t)))
    const block = buildNextBlock(chain[2]!, mempool)
    expect(mempool.map((t) => toHex(txHash(t)))).toEqual(before)
    expect(block.header.tx_count).toBe(7)
    expect(toHex(block.header.merkle_root)).toBe(toHex(merkleRoot(block.transactions)))
  })
})

describe('createTransaction', () => {
  it.each(vectors.transactions.map((t) => [t.name, t] as const))('%s: rebuilds the signed vector transaction', (_name, t) => {
    const tx = createTransaction({
      secretKey: fromHex(t.secret_key),
      recipient: fromHex(t.recipient),
      amount: BigInt(t.amount),
      nonce: BigInt(t.nonce),
    })
    expect(toHex(tx.sender)).toBe(t.sender)
    expect(toHex(tx.signature)).toBe(t.signature)
    expect(toHex(txHash(tx))).toBe(t.hash)
    expect(verifyTransaction(tx)).toEqual({ ok: true })
  })

  it('makes transactions that a produced block carries and that validate', () => {
    const secretKey = new Uint8Array(32).fill(7)
    const recipient = new Uint8Array(32).fill(9)
    const txs = [0n, 1n, 2n].map((nonce) => createTransaction({ secretKey, recipient, amount: 1000n + nonce, nonce }))
    const block = buildNextBlock(null, txs, { timestamp: FIRST_TIMESTAMP })
    expect(validateBlock(null, block)).toEqual({ ok: true, warnings: [] })
  })
})
