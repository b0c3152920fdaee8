/**
 * The node's P2P messages and HTTP bodies as JSON text, byte for byte what serde_json writes and
 * reads for the Rust types (fact sheet §1.1, §1.2, §1.5, §1.9):
 * - `P2PMessage` is externally tagged: `"GetChain"`, `"GetMempool"`, `{"Chain":[...]}`,
 *   `{"Mempool":[...]}`, `{"NewBlock":{...}}`, `{"NewTransaction":{...}}`;
 * - byte fields are arrays of numbers, fields keep the Rust names and order, no whitespace;
 * - every u64 stays a bigint from the digits to the value and back (`JSON.parse` would round the
 *   header nonce, which is usually above 2^53, and break every later block hash).
 *
 * Decoders accept and reject what `serde_json::from_str` accepts and rejects (see
 * `serde-reader.ts`, `serde-struct.ts`) and return a {@link Result}; they never throw. Enum errors:
 * `ERR_UNKNOWN_VARIANT`, and `ERR_INVALID_TYPE` for well-formed JSON of another shape (`null`,
 * `{}`, two keys, `"Chain"` without its data). They run in one pass over the
 * text, so a multi-MB `Chain` line costs linear time and no intermediate tree. Encoders check the
 * invariants the TypeScript types cannot express, so they never emit a line the node would refuse.
 *
 * @packageDocumentation
 */
import { Buffer } from 'node:buffer'
import { CodecError } from './errors.js'
import { isDigit, SYNTAX } from './json-cursor.js'
import {
  HASH_LENGTH,
  P2P_VARIANTS,
  U32_MAX,
  U64_MAX,
  type Block,
  type BlockHeader,
  type P2PMessage,
  type P2PVariant,
  type Transaction,
} from './model.js'
import type { Result } from './result.js'
import { decodeJsonText, type SerdeReader } from './serde-reader.js'
import { defineStruct, readStruct } from './serde-struct.js'

const TRANSACTION = defineStruct<Transaction>('Transaction', {
  sender: (r) => r.readBytes(),
  recipient: (r) => r.readBytes(),
  amount: (r) => r.readU64(),
  nonce: (r) => r.readU64(),
  signature: (r) => r.readBytes(),
})

const HEADER = defineStruct<BlockHeader>('BlockHeader', {
  version: (r) => r.readU32(),
  prev_hash: (r) => r.readBytes(HASH_LENGTH),
  merkle_root: (r) => r.readBytes(HASH_LENGTH),
  timestamp: (r) => r.readU64(),
  vdf_output: (r) => r.readBytes(HASH_LENGTH),
  difficulty: (r) => r.readU32(),
  nonce: (r) => r.readU64(),
  tx_count: (r) => r.readU32(),
  signature: (r) => r.readBytes(),
})

const readTransaction = (r: SerdeReader): Transaction => readStruct(r, TRANSACTION)

const BLOCK = defineStruct<Block>('Block', {
  header: (r) => readStruct(r, HEADER),
  transactions: (r) => r.readSeq(readTransaction),
})

const readBlock = (r: SerdeReader): Block => readStruct(r, BLOCK)

const VARIANT_KEYS = P2P_VARIANTS.map((v) => Buffer.from(v, 'utf8'))
const UNKNOWN_VARIANT_TAIL = `expected one of ${P2P_VARIANTS.map((v) => `\`${v}\``).join(', ')}`
const ENUM_SHAPE = 'a P2PMessage is "GetChain", "GetMempool" or an object with exactly one variant key'

/** Reads a variant name string (serde's identifier visitor). */
function readVariant(r: SerdeReader): P2PVariant {
  r.scanString(true)
  const i = VARIANT_KEYS.findIndex((k) => r.tokenEquals(k))
  const variant = P2P_VARIANTS[i]
  if (variant === undefined) r.fail('ERR_UNKNOWN_VARIANT', `unknown variant \`${r.tokenText()}\`, ${UNKNOWN_VARIANT_TAIL}`, r.pos)
  return variant
}

/** Reads what follows `"Variant":` in the object form. */
function readContent(r: SerdeReader, variant: P2PVariant): P2PMessage {
  switch (variant) {
    case 'GetChain':
    case 'GetMempool':
      r.readUnit()
      return { type: variant }
    case 'Chain':
      return { type: variant, blocks: r.readSeq(readBlock) }
    case 'Mempool':
      return { type: variant, transactions: r.readSeq(readTransaction) }
    case 'NewBlock':
      return { type: variant, block: readBlock(r) }
    case 'NewTransaction':
      return { type: variant, transaction: readTransaction(r) }
  }
}

/** `{"Variant":content}`: serde's `deserialize_enum` with a map. */
function readTaggedObject(r: SerdeReader): P2PMessage {
  r.pos++ // the `{`
  const b = r.ws()
  // `{}` is valid JSON of the wrong shape: serde says "expected value" there
  if (b === 0x7d) r.fail('ERR_INVALID_TYPE', SYNTAX.value, r.peekPos(), ENUM_SHAPE)
  if (b !== 0x22) r.invalidType('variant identifier')
  const variant = readVariant(r)
  r.colon()
  r.path.push(variant)
  const message = readContent(r, variant)
  r.path.pop()
  const c = r.ws()
  if (c === 0x7d) {
    r.pos++
    return message
  }
  if (c === 0x2c) r.fail('ERR_INVALID_TYPE', SYNTAX.value, r.pos, ENUM_SHAPE)
  return r.syntax(c === -1 ? SYNTAX.eofObject : SYNTAX.value, r.pos)
}

function readMessage(r: SerdeReader): P2PMessage {
  const b = r.ws()
  if (b === 0x7b) return readTaggedObject(r)
  if (b !== 0x22) {
    // another value start (null, [, 1, true) is well-formed JSON of the wrong shape; serde says
    // "expected value" for both
    const wrongShape = b === 0x5b || b === 0x2d || isDigit(b) || b === 0x6e || b === 0x74 || b === 0x66
    if (wrongShape) r.fail('ERR_INVALID_TYPE', SYNTAX.value, r.peekPos(), ENUM_SHAPE)
    return r.syntax(SYNTAX.value, r.peekPos())
  }
  const variant = readVariant(r)
  if (variant === 'GetChain' || variant === 'GetMempool') return { type: variant }
  // serde gives this error no position
  return r.fail('ERR_INVALID_TYPE', 'invalid type: unit variant, expected newtype variant', undefined, `"${variant}" carries data: {"${variant}":...}`)
}

/**
 * Decodes one NDJSON line (without its `\n`; surrounding whitespace and a trailing `\r` are fine)
 * into a P2P message. A `Uint8Array` is UTF-8 and must be valid. Never throws.
 */
export function decodeP2PMessage(line: string | Uint8Array): Result<P2PMessage> {
  return decodeJsonText(line, readMessage)
}

/** Decodes a JSON `Transaction` (the body of POST /tx). Never throws. */
export function decodeTransactionJson(text: string | Uint8Array): Result<Transaction> {
  return decodeJsonText(text, readTransaction)
}

/** Decodes a JSON `Block` (the body of POST /broadcast). Never throws. */
export function decodeBlockJson(text: string | Uint8Array): Result<Block> {
  return decodeJsonText(text, readBlock)
}

/** Decodes a JSON `Vec<Block>` (the body of GET /chain). Never throws. */
export function decodeChainJson(text: string | Uint8Array): Result<Block[]> {
  return decodeJsonText(text, (r) => r.readSeq(readBlock))
}

/** Decodes a JSON `Vec<Transaction>` (the body of GET /mempool). Never throws. */
export function decodeTransactionsJson(text: string | Uint8Array): Result<Transaction[]> {
  return decodeJsonText(text, (r) => r.readSeq(readTransaction))
}

// ---------------------------------------------------------------------------------------------
// Encoding: the exact compact text serde_json::to_string writes.

function bytes(value: Uint8Array, field: string, fixed?: number): string {
  if (!(value instanceof Uint8Array)) throw new CodecError('ERR_INVALID_TYPE', `${field}: expected a Uint8Array`)
  if (fixed !== undefined && value.length !== fixed) {
    throw new CodecError('ERR_INVALID_LENGTH', `${field}: ${value.length} bytes, a [u8; ${fixed}] needs exactly ${fixed}`)
  }
  return `[${value.join(',')}]`
}

function u64(value: bigint, field: string): string {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new CodecError('ERR_NUMBER_RANGE', `${field}: ${String(value)} is not a u64 (a bigint in 0..2^64-1)`)
  }
  return value.toString()
}

function u32(value: number, field: string): string {
  if (!Number.isInteger(value) || value < 0 || value > U32_MAX) {
    throw new CodecError('ERR_NUMBER_RANGE', `${field}: ${String(value)} is not a u32 (an integer in 0..2^32-1)`)
  }
  return String(value)
}

/**
 * Encodes a transaction as serde_json does. Throws {@link CodecError} if a value breaks a Rust
 * type's invariant (u64 range), which would give a line the node refuses.
 */
export function encodeTransactionJson(tx: Transaction): string {
  return (
    `{"sender":${bytes(tx.sender, 'sender')},"recipient":${bytes(tx.recipient, 'recipient')},` +
    `"amount":${u64(tx.amount, 'amount')},"nonce":${u64(tx.nonce, 'nonce')},"signature":${bytes(tx.signature, 'signature')}}`
  )
}

function encodeHeader(h: BlockHeader): string {
  return (
    `{"version":${u32(h.version, 'header.version')},"prev_hash":${bytes(h.prev_hash, 'header.prev_hash', HASH_LENGTH)},` +
    `"merkle_root":${bytes(h.merkle_root, 'header.merkle_root', HASH_LENGTH)},"timestamp":${u64(h.timestamp, 'header.timestamp')},` +
    `"vdf_output":${bytes(h.vdf_output, 'header.vdf_output', HASH_LENGTH)},"difficulty":${u32(h.difficulty, 'header.difficulty')},` +
    `"nonce":${u64(h.nonce, 'header.nonce')},"tx_count":${u32(h.tx_count, 'header.tx_count')},` +
    `"signature":${bytes(h.signature, 'header.signature')}}`
  )
}

/** Encodes a block as serde_json does. Throws {@link CodecError} on a broken invariant (hash length, ranges). */
export function encodeBlockJson(block: Block): string {
  return `{"header":${encodeHeader(block.header)},"transactions":${encodeTransactionsJson(block.transactions)}}`
}

/** Encodes a `Vec<Block>` (the body of GET /chain). Throws like {@link encodeBlockJson}. */
export function encodeChainJson(blocks: readonly Block[]): string {
  return `[${blocks.map(encodeBlockJson).join(',')}]`
}

/** Encodes a `Vec<Transaction>` (the body of GET /mempool). Throws like {@link encodeTransactionJson}. */
export function encodeTransactionsJson(txs: readonly Transaction[]): string {
  return `[${txs.map(encodeTransactionJson).join(',')}]`
}

/**
 * Encodes a P2P message as one compact JSON line, without the trailing `\n` (the sender adds it).
 * Throws {@link CodecError} on a broken invariant, like the other encoders.
 */
export function encodeP2PMessage(msg: P2PMessage): string {
  switch (msg.type) {
    case 'GetChain':
    case 'GetMempool':
      return `"${msg.type}"`
    case 'Chain':
      return `{"Chain":${encodeChainJson(msg.blocks)}}`
    case 'Mempool':
      return `{"Mempool":${encodeTransactionsJson(msg.transactions)}}`
    case 'NewBlock':
      return `{"NewBlock":${encodeBlockJson(msg.block)}}`
    case 'NewTransaction':
      return `{"NewTransaction":${encodeTransactionJson(msg.transaction)}}`
  }
}
