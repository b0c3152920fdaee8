/**
 * A tiny block producer and wallet helper following the node's documented `mine_once` and
 * `create_tx`: enough for the simulated node and for tests to make chains the real nodes accept.
 *
 * @packageDocumentation
 */
import { publicKeyFromSecret, sign } from './ed25519.js'
import { blockHash, compareBytes, dataToSign, headerNonce, merkleRoot, txHash, vdf, VDF_DIFFICULTY, ZERO_HASH } from './hashes.js'
import type { Block, BlockHeader, Transaction } from './model.js'

/** Header version of mined blocks (protocol version 1). */
export const BLOCK_VERSION = 1

/** Block interval: each block's timestamp is its predecessor's plus this, seconds. */
export const BLOCK_INTERVAL = 30n // s

/** Options of {@link buildNextBlock}. */
export interface BuildBlockOptions {
  /** Header timestamp, Unix seconds; default: tip + 30 s, or the 30-s-aligned clock for a first block. */
  timestamp?: bigint
  /** Clock for a first block, ms since the Unix epoch; default `Date.now`. */
  now?: () => number
}

/** The first block's timestamp: `(now / 30) * 30` in whole seconds, like `mine_once`. */
function alignedTimestamp(nowMs: number): bigint {
  const intervalMs = Number(BLOCK_INTERVAL) * 1000 // ms
  return BigInt(Math.floor(nowMs / intervalMs)) * BLOCK_INTERVAL
}

/** The transactions sorted ascending by tx hash (hashing each once), as every node orders them. */
function sortByTxHash(txs: readonly Transaction[]): Transaction[] {
  return txs
    .map((tx) => ({ tx, hash: txHash(tx) }))
    .sort((a, b) => compareBytes(a.hash, b.hash))
    .map(({ tx }) => tx)
}

/**
 * Builds the block that follows `tip` (or the first block when `tip` is null) from a mempool
 * snapshot, by the documented `mine_once` rules: version 1, prev_hash = hash of the tip's header (or
 * zeros), transactions sorted by tx hash, merkle_root over them, vdf_output = vdf(prev_hash, 10 000),
 * the derived header nonce, tx_count and an empty signature. Takes one VDF (about 10 001 Blake3s).
 *
 * @param tip - the current last block, or null for an empty chain
 * @param mempool - the transactions to include, in any order; they are not validated here
 */
export function buildNextBlock(tip: Block | null, mempool: readonly Transaction[], opts: BuildBlockOptions = {}): Block {
  const prevHash = tip === null ? ZERO_HASH.slice() : blockHash(tip.header)
  const transactions = sortByTxHash(mempool)
  const timestamp =
    opts.timestamp ?? (tip === null ? alignedTimestamp((opts.now ?? Date.now)()) : tip.header.timestamp + BLOCK_INTERVAL)
  const header: BlockHeader = {
    version: BLOCK_VERSION,
    prev_hash: prevHash,
    merkle_root: merkleRoot(transactions),
    timestamp,
    vdf_output: vdf(prevHash, VDF_DIFFICULTY),
    difficulty: VDF_DIFFICULTY,
    nonce: headerNonce(prevHash, timestamp),
    tx_count: transactions.length,
    signature: new Uint8Array(0),
  }
  return { header, transactions }
}

/** What {@link createTransaction} needs: the sender's secret key and the payment. */
export type CreateTransactionInit = Pick<Transaction, 'amount' | 'nonce'> & {
  /** The sender's 32-byte Ed25519 secret key (`secret_key_bytes` of the node's wallet.json). */
  secretKey: Uint8Array
  /** The recipient's public key (32 bytes for a valid payment; copied). */
  recipient: Uint8Array
}

/**
 * A signed transaction, as the node's wallet `create_tx` makes it: sender = the secret key's public
 * key, signature over `data_to_sign`. The caller tracks the wallet's nonce.
 *
 * @throws CodecError `ERR_BYTE_LENGTH` if the secret key is not 32 bytes
 */
export function createTransaction(init: CreateTransactionInit): Transaction {
  const unsigned: Transaction = {
    sender: publicKeyFromSecret(init.secretKey),
    recipient: Uint8Array.from(init.recipient),
    amount: init.amount,
    nonce: init.nonce,
    signature: new Uint8Array(0),
  }
  return { ...unsigned, signature: sign(init.secretKey, dataToSign(unsigned)) }
}
