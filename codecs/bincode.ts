/**
 * The bincode 1.x byte layout of `Transaction`, `BlockHeader` and `Vec<Transaction>`: what the node
 * hashes (`bincode::serialize`), so every Bunkercoin hash in the gateway starts here.
 *
 * bincode 1.x defaults: little-endian, fixed-width integers, a u64 length prefix before every `Vec`,
 * and a `[u8; 32]` written as 32 raw bytes without a prefix. A header with an empty signature is
 * 132 bytes, a transaction with 32-byte keys and a 64-byte signature 168 bytes.
 *
 * Decoders take untrusted bytes: they return a {@link Result}, read at most the input, and never
 * allocate more than the input's size (a length prefix larger than what is left is `ERR_TRUNCATED`).
 * Unlike `bincode::deserialize` they reject trailing bytes, so decoding is canonical:
 * `encode(decode(bytes))` gives back `bytes`, and the hash of what was decoded is the hash of the input.
 *
 * @packageDocumentation
 */
import { CodecError } from './errors.js'
import { HASH_LENGTH, U32_MAX, U64_MAX, type BlockHeader, type Transaction } from './model.js'
import { attempt, type Result } from './result.js'

/** Bytes of a u64 (amounts, nonces, timestamps and every `Vec` length prefix). */
const U64_BYTES = 8
/** Bytes of a u32 (version, difficulty, tx_count). */
const U32_BYTES = 4
/** Smallest possible encoded transaction: three empty `Vec`s plus amount and nonce. */
const MIN_TRANSACTION_BYTES = 5 * U64_BYTES // bytes
/** Header bytes besides the signature's content (132 with an empty signature). */
const HEADER_FIXED_BYTES = 3 * U32_BYTES + 3 * U64_BYTES + 3 * HASH_LENGTH // bytes

/** Appends bincode values to a buffer whose exact size is computed up front. */
class BincodeWriter {
  private readonly bytes: Uint8Array
  private readonly view: DataView
  private pos = 0

  constructor(size: number) {
    this.bytes = new Uint8Array(size)
    this.view = new DataView(this.bytes.buffer)
  }

  u32(value: number, field: string): void {
    if (!Number.isInteger(value) || value < 0 || value > U32_MAX) {
      throw new CodecError('ERR_NUMBER_RANGE', `${field} = ${value} is not a u32`)
    }
    this.view.setUint32(this.pos, value, true)
    this.pos += U32_BYTES
  }

  u64(value: bigint, field: string): void {
    if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
      throw new CodecError('ERR_NUMBER_RANGE', `${field} = ${String(value)} is not a u64`)
    }
    this.view.setBigUint64(this.pos, value, true)
    this.pos += U64_BYTES
  }

  /** A `[u8; 32]`: raw, no prefix. */
  hash(value: Uint8Array, field: string): void {
    if (value.length !== HASH_LENGTH) {
      throw new CodecError('ERR_BYTE_LENGTH', `${field} is ${value.length} bytes, expected ${HASH_LENGTH}`)
    }
    this.raw(value)
  }

  /** A `Vec<u8>`: u64 length, then the bytes. */
  vec(value: Uint8Array, field: string): void {
    this.u64(BigInt(value.length), `${field}.len`)
    this.raw(value)
  }

  raw(value: Uint8Array): void {
    this.bytes.set(value, this.pos)
    this.pos += value.length
  }

  finish(): Uint8Array {
    return this.bytes
  }
}

/** Reads bincode values from untrusted input; every read is bounds-checked first. */
class BincodeReader {
  private readonly view: DataView
  private pos = 0

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get remaining(): number {
    return this.bytes.length - this.pos
  }

  private need(n: number, field: string): void {
    if (n > this.remaining) {
      throw new CodecError(
        'ERR_TRUNCATED',
        `${field} needs ${n} bytes at offset ${this.pos}, only ${this.remaining} left`,
      )
    }
  }

  u32(field: string): number {
    this.need(U32_BYTES, field)
    const value = this.view.getUint32(this.pos, true)
    this.pos += U32_BYTES
    return value
  }

  u64(field: string): bigint {
    this.need(U64_BYTES, field)
    const value = this.view.getBigUint64(this.pos, true)
    this.pos += U64_BYTES
    return value
  }

  /** A `Vec` length prefix, checked against what is left so a hostile prefix allocates nothing. */
  length(field: string, minItemBytes: number): number {
    const len = this.u64(`${field}.len`)
    if (len * BigInt(minItemBytes) > BigInt(this.remaining)) {
      throw new CodecError(
        'ERR_TRUNCATED',
        `${field} claims ${len} items of >= ${minItemBytes} bytes at offset ${this.pos}, only ${this.remaining} bytes left`,
      )
    }
    return Number(len)
  }

  fixed(n: number, field: string): Uint8Array<ArrayBuffer> {
    this.need(n, field)
    const value = new Uint8Array(this.bytes.subarray(this.pos, this.pos + n)) // a copy: the caller may reuse its buffer
    this.pos += n
    return value
  }

  vec(field: string): Uint8Array<ArrayBuffer> {
    return this.fixed(this.length(field, 1), field)
  }

  end(what: string): void {
    if (this.remaining !== 0) {
      throw new CodecError('ERR_TRAILING_CHARACTERS', `${this.remaining} trailing bytes after the ${what}`)
    }
  }
}

/** Encoded size of one transaction, bytes. */
function transactionSize(tx: Transaction): number {
  return MIN_TRANSACTION_BYTES + tx.sender.length + tx.recipient.length + tx.signature.length
}

function writeTransaction(w: BincodeWriter, tx: Transaction, field: string): void {
  w.vec(tx.sender, `${field}.sender`)
  w.vec(tx.recipient, `${field}.recipient`)
  w.u64(tx.amount, `${field}.amount`)
  w.u64(tx.nonce, `${field}.nonce`)
  w.vec(tx.signature, `${field}.signature`)
}

function readTransaction(r: BincodeReader, field: string): Transaction {
  const sender = r.vec(`${field}.sender`)
  const recipient = r.vec(`${field}.recipient`)
  const amount = r.u64(`${field}.amount`)
  const nonce = r.u64(`${field}.nonce`)
  const signature = r.vec(`${field}.signature`)
  return { sender, recipient, amount, nonce, signature }
}

/**
 * bincode of one `Transaction` (168 bytes with 32-byte keys and a 64-byte signature).
 *
 * @throws CodecError `ERR_NUMBER_RANGE` if amount or nonce is not a u64 (impossible for a schema-valid tx)
 */
export function encodeTransactionBincode(tx: Transaction): Uint8Array {
  const w = new BincodeWriter(transactionSize(tx))
  writeTransaction(w, tx, 'transaction')
  return w.finish()
}

/** Decodes exactly one bincode `Transaction`; `ERR_TRUNCATED` or `ERR_TRAILING_CHARACTERS` otherwise. */
export function decodeTransactionBincode(bytes: Uint8Array): Result<Transaction> {
  return attempt(() => {
    const r = new BincodeReader(bytes)
    const tx = readTransaction(r, 'transaction')
    r.end('transaction')
    return tx
  })
}

/**
 * bincode of a `Vec<Transaction>` in the order given: u64 count, then each transaction. Its Blake3
 * hash is the block's "merkle root".
 *
 * @throws CodecError `ERR_NUMBER_RANGE` if an amount or nonce is not a u64
 */
export function encodeTransactionsBincode(txs: readonly Transaction[]): Uint8Array {
  const size = txs.reduce((sum, tx) => sum + transactionSize(tx), U64_BYTES)
  const w = new BincodeWriter(size)
  w.u64(BigInt(txs.length), 'transactions.len')
  txs.forEach((tx, i) => writeTransaction(w, tx, `transactions[${i}]`))
  return w.finish()
}

/** Decodes exactly one bincode `Vec<Transaction>`; the count is bounded by the input size. */
export function decodeTransactionsBincode(bytes: Uint8Array): Result<Transaction[]> {
  return attempt(() => {
    const r = new BincodeReader(bytes)
    const count = r.length('transactions', MIN_TRANSACTION_BYTES)
    const txs: Transaction[] = []
    for (let i = 0; i < count; i++) txs.push(readTransaction(r, `transactions[${i}]`))
    r.end('transactions')
    return txs
  })
}

/**
 * bincode of a `BlockHeader` (132 bytes with the usual empty signature); its Blake3 hash is the block hash.
 *
 * @throws CodecError `ERR_BYTE_LENGTH` for a hash field that is not 32 bytes, `ERR_NUMBER_RANGE` for
 * an integer out of range (both impossible for a schema-valid header)
 */
export function encodeHeaderBincode(h: BlockHeader): Uint8Array {
  const w = new BincodeWriter(HEADER_FIXED_BYTES + h.signature.length)
  w.u32(h.version, 'version')
  w.hash(h.prev_hash, 'prev_hash')
  w.hash(h.merkle_root, 'merkle_root')
  w.u64(h.timestamp, 'timestamp')
  w.hash(h.vdf_output, 'vdf_output')
  w.u32(h.difficulty, 'difficulty')
  w.u64(h.nonce, 'nonce')
  w.u32(h.tx_count, 'tx_count')
  w.vec(h.signature, 'signature')
  return w.finish()
}

/** Decodes exactly one bincode `BlockHeader`; `ERR_TRUNCATED` or `ERR_TRAILING_CHARACTERS` otherwise. */
export function decodeHeaderBincode(bytes: Uint8Array): Result<BlockHeader> {
  return attempt(() => {
    const r = new BincodeReader(bytes)
    const header: BlockHeader = {
      version: r.u32('version'),
      prev_hash: r.fixed(HASH_LENGTH, 'prev_hash'),
      merkle_root: r.fixed(HASH_LENGTH, 'merkle_root'),
      timestamp: r.u64('timestamp'),
      vdf_output: r.fixed(HASH_LENGTH, 'vdf_output'),
      difficulty: r.u32('difficulty'),
      nonce: r.u64('nonce'),
      tx_count: r.u32('tx_count'),
      signature: r.vec('signature'),
    }
    r.end('header')
    return header
  })
}
