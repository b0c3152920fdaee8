import { blake3 } from '@noble/hashes/blake3.js'
import { concatBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { decodeEnvelope, encodeEnvelope } from '../../codecs/envelope.js'
import type { WireMessage } from '../../codecs/envelope.js'
import { blockHash, txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Block, Transaction } from '../../codecs/model.js'
import { encodeP2PMessage } from '../../codecs/ndjson.js'
import { buildNextBlock } from '../../codecs/producer.js'
import { unwrap } from '../../codecs/result.js'
import type { CompactBlock } from '../../codecs/wire-compact.js'
import { answerGetBlockTxn, completeBlock, makeCompactBlock, reconstructBlock, shortIdLookup } from '../../gateway/protocol/compact-block.js'
import type { MempoolEntry, Reconstruction } from '../../gateway/protocol/compact-block.js'
import { shortId, shortIdKey } from '../../gateway/protocol/short-id.js'
import { CORPUS_COMPACT_SALT, corpusFullBlock, corpusTransactions } from '../../hardware-sim/corpus.js'
import { fromHex } from '../helpers/vectors.js'

// the corpus's "block of 30 transactions" (one VDF, not the 102 of buildCorpus())
const block = corpusFullBlock()
const entries = (txs: readonly Transaction[]): MempoolEntry[] => txs.map((transaction) => ({ hash: txHash(transaction), transaction }))
const mempool = [...entries(block.transactions), ...entries(corpusTransactions(5, 2000))] // plus unrelated ones
const salt = CORPUS_COMPACT_SALT

/** Sends a message through the envelope codec, as the router will. */
function overTheWire<M extends WireMessage>(msg: M): M {
  return unwrap(decodeEnvelope(encodeEnvelope(msg))) as M
}

function expectComplete(r: Reconstruction | ReturnType<typeof completeBlock>): Block {
  expect(r.status).toBe('complete')
  if (r.status !== 'complete') throw new Error(r.status)
  return r.block
}

describe('compact blocks', () => {
  it('announce the 30-transaction corpus block in at most 3 % of its NDJSON size', () => {
    const ndjson = Buffer.byteLength(encodeP2PMessage({ type: 'NewBlock', block })) + 1
    const cmpct = makeCompactBlock(block, salt)
    const wire = encodeEnvelope(cmpct).length
    // plain: envelope byte 1, array and type 2, header 124, salt 9, 30 short ids 2 + 180, no prefilled 1
    expect(encodeEnvelope(cmpct, { compress: 'never' }).length).toBe(319)
    // measured: 301 of 16 152 bytes = 1.86 % (this first block's zero prev_hash deflates; a later block: 319 = 1.96 %)
    expect(wire / ndjson).toBeLessThanOrEqual(0.03)
  })

  it('rebuild a block the peer has every transaction of, without a round trip', () => {
    const cmpct = overTheWire(makeCompactBlock(block, salt))
    expect(cmpct.prefilled).toEqual([])
    expect(expectComplete(reconstructBlock(cmpct, shortIdLookup(cmpct, mempool)))).toEqual(block)
  })

  it('ask for the missing transactions with getblocktxn and complete from blocktxn', () => {
    const cmpct = overTheWire(makeCompactBlock(block, salt))
    const missing = new Set([0, 7, 29])
    const partialPool = entries(block.transactions.filter((_, i) => !missing.has(i)))
    const first = reconstructBlock(cmpct, shortIdLookup(cmpct, partialPool))
    expect(first.status).toBe('incomplete')
    if (first.status !== 'incomplete') return
    const request = overTheWire(first.request)
    expect(request.indexes).toEqual([0, 7, 29])
    expect(request.block).toEqual(blockHash(block.header))
    const answer = answerGetBlockTxn(block, request)
    expect(answer?.transactions).toHaveLength(3)
    if (answer === undefined) return
    expect(expectComplete(completeBlock(first.partial, overTheWire(answer)))).toEqual(block)
  })

  it('prefill what the peer lacks, at its index, so the peer needs no round trip', () => {
    const lacking = new Set([toHex(txHash(block.transactions[3] as Transaction)), toHex(txHash(block.transactions[12] as Transaction))])
    const cmpct = overTheWire(makeCompactBlock(block, salt, (h) => !lacking.has(toHex(h))))
    expect(cmpct.prefilled.map((p) => p.index)).toEqual([3, 12])
    expect(cmpct.shortIds).toHaveLength(28)
    const peerPool = mempool.filter((e) => !lacking.has(toHex(e.hash)))
    expect(expectComplete(reconstructBlock(cmpct, shortIdLookup(cmpct, peerPool)))).toEqual(block)
  })

  it('never accept a block a short-id collision got wrong: the merkle root sends the receiver to the full block', () => {
    const cmpct = makeCompactBlock(block, salt)
    const lookup = shortIdLookup(cmpct, mempool)
    const stranger = corpusTransactions(1, 3000)[0] as Transaction
    const colliding = (id: number) => (id === cmpct.shortIds[4] ? [stranger] : lookup(id))
    expect(reconstructBlock(cmpct, colliding)).toEqual({ status: 'mismatch', hash: blockHash(block.header) })
  })

  it('treat a short id matching two mempool transactions as missing', () => {
    const cmpct = makeCompactBlock(block, salt)
    const lookup = shortIdLookup(cmpct, mempool)
    const twice = (id: number) => (id === cmpct.shortIds[9] ? [...lookup(id), block.transactions[0] as Transaction] : lookup(id))
    const r = reconstructBlock(cmpct, twice)
    expect(r.status === 'incomplete' && r.request.indexes).toEqual([9])
  })

  it('refuse a blocktxn for another block or with the wrong count', () => {
    const cmpct = makeCompactBlock(block, salt)
    const r = reconstructBlock(cmpct, shortIdLookup(cmpct, entries(block.transactions.slice(1))))
    if (r.status !== 'incomplete') throw new Error(r.status)
    const txs = [block.transactions[0] as Transaction]
    expect(completeBlock(r.partial, { type: 'blocktxn', block: new Uint8Array(32), transactions: txs }).status).toBe('invalid')
    expect(completeBlock(r.partial, { type: 'blocktxn', block: r.partial.hash, transactions: [...txs, ...txs] }).status).toBe('invalid')
    expect(answerGetBlockTxn(block, { type: 'getblocktxn', block: r.partial.hash, indexes: [30] })).toBeUndefined()
  })

  it('rebuild an empty block from nothing', () => {
    const empty = buildNextBlock(block, [])
    const cmpct: CompactBlock = overTheWire(makeCompactBlock(empty, salt))
    expect(expectComplete(reconstructBlock(cmpct, () => []))).toEqual(empty)
  })
})

describe('short ids', () => {
  it('are the first 6 bytes of blake3(txHash, key = blake3(blockHash || salt)), big-endian', () => {
    const hash = txHash(block.transactions[0] as Transaction)
    const key = blake3(concatBytes(blockHash(block.header), salt))
    expect(shortIdKey(block.header, salt)).toEqual(key)
    const expected = Number(BigInt(`0x${toHex(blake3(hash, { key }).subarray(0, 6))}`))
    expect(shortId(key, hash)).toBe(expected)
    expect(shortId(key, hash)).toBeLessThan(2 ** 48)
  })

  it('change with the salt, so a collision does not repeat on the next send', () => {
    const a = makeCompactBlock(block, salt).shortIds
    const b = makeCompactBlock(block, fromHex('0123456789abcdee')).shortIds
    expect(new Set(a).size).toBe(30)
    expect(a.filter((id, i) => id === b[i])).toEqual([])
  })
})
