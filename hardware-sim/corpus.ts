/**
 * The fixed corpus every size comparison uses (demo and benchmarks): one transaction, an empty block,
 * a block of 30 transactions, and a chain of 100 blocks of 5 transactions, all made by the documented
 * rules from fixed keys, so every run measures the same bytes.
 *
 * @packageDocumentation
 */
import { publicKeyFromSecret } from '../codecs/ed25519.js'
import type { Block, P2PMessage, Transaction } from '../codecs/model.js'
import { buildNextBlock, createTransaction } from '../codecs/producer.js'
import type { WireMessage } from '../codecs/wire-model.js'

/** One corpus entry: the seed protocol message and the wire message carrying the same data. */
export interface CorpusItem {
  /** What it is. */
  name: string
  /** As the node sends it. */
  message: P2PMessage
  /** As the gateway sends it. */
  wire: WireMessage
}

/** First timestamp of the corpus chain (2024-01-01T00:00:00Z), Unix s. */
const GENESIS_TIME = 1704067200n

/** Salt of the corpus's compact blocks (drawn at random per send in service; fixed here so sizes repeat). */
export const CORPUS_COMPACT_SALT: Uint8Array = Uint8Array.from([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef])

/** `count` signed transactions between fixed wallets, with realistic amounts and nonces. */
export function corpusTransactions(count: number, first = 0): Transaction[] {
  return Array.from({ length: count }, (_, i) => {
    const n = first + i
    const secretKey = new Uint8Array(32).fill((n % 200) + 1)
    const recipient = publicKeyFromSecret(new Uint8Array(32).fill(((n + 1) % 200) + 1))
    return createTransaction({ secretKey, recipient, amount: BigInt(1000 + 37 * n), nonce: BigInt(Math.floor(n / 200)) })
  })
}

/** A chain of `length` blocks of `txsPerBlock` transactions each. */
export function corpusChain(length: number, txsPerBlock: number): Block[] {
  const chain: Block[] = []
  for (let i = 0; i < length; i++) {
    const txs = corpusTransactions(txsPerBlock, i * txsPerBlock)
    chain.push(buildNextBlock(chain.at(-1) ?? null, txs, { timestamp: GENESIS_TIME + 30n * BigInt(i) }))
  }
  return chain
}

/** The corpus's empty block: a first block (zero prev_hash) with no transactions (one VDF). */
export function corpusEmptyBlock(): Block {
  return buildNextBlock(null, [], { timestamp: GENESIS_TIME })
}

/** The corpus's block of 30 transactions: a first block holding transactions 1000–1029 (one VDF). */
export function corpusFullBlock(): Block {
  return buildNextBlock(null, corpusTransactions(30, 1000), { timestamp: GENESIS_TIME })
}

/** The four corpus entries. Builds 102 blocks (one VDF each), so callers build it once. */
export function buildCorpus(): CorpusItem[] {
  const [tx] = corpusTransactions(1)
  const empty = corpusEmptyBlock()
  const full = corpusFullBlock()
  const chain = corpusChain(100, 5)
  return [
    { name: 'one transaction', message: { type: 'NewTransaction', transaction: tx as Transaction }, wire: { type: 'tx', transaction: tx as Transaction } },
    { name: 'an empty block', message: { type: 'NewBlock', block: empty }, wire: { type: 'block', block: empty } },
    { name: 'a block of 30 transactions', message: { type: 'NewBlock', block: full }, wire: { type: 'block', block: full } },
    { name: 'a chain of 100 blocks of 5 txs', message: { type: 'Chain', blocks: chain }, wire: { type: 'blocks', blocks: chain } },
  ]
}
