/**
 * Bunkercoin's hashes, all Blake3 over bincode: block hash, tx hash, the "merkle root" (a single hash
 * of the whole transaction list, not a Merkle tree), the hash-chain VDF, the deterministic header
 * nonce, and the bytes a transaction signature covers.
 *
 * @packageDocumentation
 */
import { blake3 } from '@noble/hashes/blake3.js'
import { concatBytes } from '@noble/hashes/utils.js'
import { blake3Of32Into } from './blake3-32.js'
import { encodeHeaderBincode, encodeTransactionBincode, encodeTransactionsBincode } from './bincode.js'
import { toHex } from './hex.js'
import { HASH_LENGTH, type BlockHeader, type Transaction } from './model.js'

/** The fixed VDF difficulty of protocol version 1 (iterations after the first hash). */
export const VDF_DIFFICULTY = 10_000

/** `[0u8; 32]`: the first block's prev_hash and VDF seed. Do not mutate. */
export const ZERO_HASH: Uint8Array<ArrayBuffer> = new Uint8Array(HASH_LENGTH)

/** Bytes of the little-endian u64s appended to `data_to_sign` and the header-nonce preimage. */
const U64_BYTES = 8

/** Block hash: `blake3(bincode(header))`. Only the header is hashed. */
export function blockHash(header: BlockHeader): Uint8Array<ArrayBuffer> {
  return blake3(encodeHeaderBincode(header))
}

/** Transaction hash: `blake3(bincode(tx))`, signature included. */
export function txHash(tx: Transaction): Uint8Array<ArrayBuffer> {
  return blake3(encodeTransactionBincode(tx))
}

/**
 * The header's `merkle_root`: `blake3(bincode(Vec<Transaction>))` over the transactions in the order
 * given. Not a Merkle tree: one hash of the whole list, so order matters.
 */
export function merkleRoot(txs: readonly Transaction[]): Uint8Array<ArrayBuffer> {
  return blake3(encodeTransactionsBincode(txs))
}

/**
 * The node's VDF: `out = blake3(seed)`, then `difficulty` more times `out = blake3(out)` (10 001
 * hashes at the fixed difficulty). The hot path of block validation and of the header rebuild in a
 * sync, so every 32-byte step is the one-compression Blake3 of codecs/blake3-32.ts, in place: about
 * 6 times faster than `blake3(out)` from @noble/hashes, which builds a hasher and an output reader
 * each round.
 *
 * @param seed - the previous block's hash (`ZERO_HASH` for the first block)
 * @param difficulty - extra iterations; a non-negative integer (10 000 in protocol version 1)
 * @throws RangeError if `difficulty` is not a non-negative safe integer
 */
export function vdf(seed: Uint8Array, difficulty: number): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(difficulty) || difficulty < 0) {
    throw new RangeError(`VDF difficulty must be a non-negative integer, got ${difficulty}`)
  }
  const key = `${difficulty}:${toHex(seed)}`
  const known = VDF_MEMO.get(key)
  if (known !== undefined) {
    VDF_MEMO.delete(key) // re-inserted below: most recently used last
    VDF_MEMO.set(key, known)
    return known.slice()
  }
  const out = computeVdf(seed, difficulty)
  VDF_MEMO.set(key, out.slice())
  if (VDF_MEMO.size > VDF_MEMO_ENTRIES) VDF_MEMO.delete(VDF_MEMO.keys().next().value as string)
  return out
}

/**
 * Recent VDF results (about 100 bytes each): a synced block's VDF is computed when its linked header
 * is rebuilt and again when the block is validated; remembering it halves the cost of a sync.
 */
const VDF_MEMO_ENTRIES = 1024
const VDF_MEMO = new Map<string, Uint8Array<ArrayBuffer>>()

/**
 * Forgets every remembered VDF result. A benchmark hook: a process that built a chain itself would
 * otherwise rebuild that chain's headers for free, hiding the CPU a real receiver spends. Results
 * are unchanged; only the next VDF of each seed costs its full 10 001 Blake3s again.
 */
export function clearVdfMemo(): void {
  VDF_MEMO.clear()
}

function computeVdf(seed: Uint8Array, difficulty: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(HASH_LENGTH)
  if (seed.length === HASH_LENGTH) blake3Of32Into(seed, out)
  else out.set(blake3(seed)) // a seed of another length (never a block hash) takes the general hash
  for (let i = 0; i < difficulty; i++) blake3Of32Into(out, out)
  return out
}

/** A u64 as 8 little-endian bytes. */
function u64le(value: bigint): Uint8Array {
  const bytes = new Uint8Array(U64_BYTES)
  new DataView(bytes.buffer).setBigUint64(0, value, true)
  return bytes
}

/**
 * The deterministic header nonce (not proof of work): the first 8 bytes, read as a little-endian
 * u64, of `blake3(prev_hash || timestamp as u64 LE)`.
 */
export function headerNonce(prevHash: Uint8Array, timestamp: bigint): bigint {
  const digest = blake3(concatBytes(prevHash, u64le(timestamp)))
  return new DataView(digest.buffer, digest.byteOffset, U64_BYTES).getBigUint64(0, true)
}

/**
 * What a transaction signature covers: `sender || recipient || amount LE || nonce LE`, raw bytes with
 * no length prefixes (80 bytes with 32-byte keys).
 */
export function dataToSign(tx: Transaction): Uint8Array {
  return concatBytes(tx.sender, tx.recipient, u64le(tx.amount), u64le(tx.nonce))
}

/**
 * Lexicographic byte order (Rust's `Ord` for `[u8; 32]`/`Vec<u8>`): negative, zero or positive.
 * The order blocks list their transactions in, by tx hash.
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return a.length - b.length
}
