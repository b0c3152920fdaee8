/**
 * The pieces every gateway-to-gateway message body is built from: the deterministic CBOR codec,
 * field encodings (u64, bytes, hashes, hash lists), and the fixed-order CBOR arrays of the Bunkercoin
 * objects. docs/PROTOCOL.md §2.2 and §4 describe the same layout byte by byte.
 *
 * Shared by codecs/wire-model.ts (the message registry) and the files that define the gateway
 * protocol messages, so that none of them has to import the registry.
 *
 * @packageDocumentation
 */
import { Decoder, Encoder } from 'cbor-x'
import { z } from 'zod'
import { CodecError } from './errors.js'
import { BytesSchema, HASH_LENGTH, U32_MAX, U32Schema, U64_MAX } from './model.js'
import type { Block, BlockHeader, Transaction } from './model.js'
import { err, ok } from './result.js'
import type { Result } from './result.js'

/** One message type: its code, the schema of its whole body array, and how to build that array. */
export interface MessageCodec<M> {
  /** Type code, the body's first element. */
  readonly code: number
  /** Validates the decoded body (type code at index 0 included, so issue paths are body indices). */
  readonly body: z.ZodType<M>
  /** The body array of a message (u64 values already in their shortest form). */
  readonly toBody: (msg: M) => unknown[]
}

/**
 * `schema` as the target of a `.pipe()` after a body transform, so a decoded message passes exactly
 * the checks `encodeWireBody` applies. The cast only narrows the declared input: zod types a
 * field whose input is `unknown` as optional, which `.pipe()` would otherwise refuse.
 */
export function messageCheck<M>(schema: z.ZodType<M>): z.ZodType<M, M> {
  return schema as unknown as z.ZodType<M, M>
}

// ---- deterministic CBOR -----------------------------------------------------------------------

// No records, no shared structures, no packing: nothing survives from one decode to the next, so no
// peer can change how a later message decodes. Byte strings are plain major type 2 (no tag 64);
// 8-byte integers come back as bigint so a u64 above 2^53 is exact.
const encoder = new Encoder({ useRecords: false, tagUint8Array: false, pack: false, structuredClone: false })
const decoder = new Decoder({ useRecords: false, mapsAsObjects: false, sequential: false })

/** CBOR of `value` (arrays, byte strings and unsigned integers only), as a fresh copy. */
export function encodeCbor(value: unknown): Uint8Array {
  // copy: cbor-x may hand back a view of its reusable output buffer
  return new Uint8Array(encoder.encode(value))
}

/** Decodes one CBOR item. Never throws: anything cbor-x rejects is `ERR_ENVELOPE`. */
export function decodeCbor(bytes: Uint8Array): Result<unknown> {
  try {
    // a fresh view: cbor-x caches a DataView on the object it is given
    return ok(decoder.decode(bytes.subarray(0)))
  } catch (e) {
    // anything cbor-x throws (truncation, unknown tokens, stack overflow from deep nesting) is bad input
    return err(new CodecError('ERR_ENVELOPE', `invalid CBOR: ${e instanceof Error ? e.message : String(e)}`))
  }
}

/** `body[2][0][3]: Invalid input ...` for the first few zod issues. */
export function describeIssues(error: z.ZodError, root: string): string {
  const shown = error.issues.slice(0, 3).map((i) => `${root}${i.path.map(pathStep).join('')}: ${i.message}`)
  const more = error.issues.length > shown.length ? ` (+${error.issues.length - shown.length} more)` : ''
  return shown.join('; ') + more
}

function pathStep(p: PropertyKey): string {
  return typeof p === 'number' ? `[${p}]` : `.${String(p)}`
}

/** True when both byte strings are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

// ---- field encodings -------------------------------------------------------------------------

/** A u64 as cbor-x hands it over: a number up to 2^32-1, a bigint from the 8-byte form. */
export const U64WireSchema = z
  .union([z.number().int().min(0).max(U32_MAX), z.bigint().min(0n).max(U64_MAX)])
  .transform((v) => BigInt(v))

/** A byte string, copied out of the decoder's view of the input buffer. */
export const BytesWireSchema = BytesSchema.transform((b): Uint8Array => new Uint8Array(b))

/** A byte string of exactly `n` bytes, copied. */
export function fixedBytesWire(n: number): z.ZodType<Uint8Array, Uint8Array> {
  return BytesSchema.refine((b) => b.length === n, { message: `must be exactly ${n} bytes` }).transform((b) => new Uint8Array(b))
}

/** A 32-byte hash, copied. */
export const Hash32WireSchema = fixedBytesWire(HASH_LENGTH)

/** u64 as the shortest CBOR integer: a number below 2^32 (cbor-x writes a bigint always as 8 bytes). */
export function u64ToWire(v: bigint): number | bigint {
  return v <= BigInt(U32_MAX) ? Number(v) : v
}

/**
 * Up to `max` hashes sent as ONE byte string of n × 32 bytes (no per-hash CBOR header: 2 bytes
 * saved on every 34), split into copies.
 */
export function hashListWire(max: number): z.ZodType<Uint8Array[], Uint8Array> {
  return BytesSchema.refine((b) => b.length % HASH_LENGTH === 0, { message: `length must be a multiple of ${HASH_LENGTH}` })
    .refine((b) => b.length <= max * HASH_LENGTH, { message: `more than ${max} hashes` })
    .transform((b) => Array.from({ length: b.length / HASH_LENGTH }, (_, i) => b.slice(i * HASH_LENGTH, (i + 1) * HASH_LENGTH)))
}

/** The byte string of a hash list, see {@link hashListWire}. */
export function joinHashes(hashes: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(hashes.length * HASH_LENGTH)
  hashes.forEach((h, i) => out.set(h, i * HASH_LENGTH))
  return out
}

// ---- Bunkercoin objects ----------------------------------------------------------------------

/** The five transaction fields, in the node's order; the `tx` message puts them after its type code. */
export const TX_FIELDS = [BytesWireSchema, BytesWireSchema, U64WireSchema, U64WireSchema, BytesWireSchema] as const
type TxFields = z.output<z.ZodTuple<typeof TX_FIELDS, null>>

/** The transaction of the five decoded {@link TX_FIELDS}. */
export function txFromFields([sender, recipient, amount, nonce, signature]: TxFields): Transaction {
  return { sender, recipient, amount, nonce, signature }
}

/** Bunkercoin `Transaction` as `[sender, recipient, amount, nonce, signature]`. */
export const TransactionArraySchema = z.tuple(TX_FIELDS).transform(txFromFields)

/** The CBOR array of a transaction, see {@link TransactionArraySchema}. */
export function transactionToArray(tx: Transaction): unknown[] {
  return [tx.sender, tx.recipient, u64ToWire(tx.amount), u64ToWire(tx.nonce), tx.signature]
}

/**
 * Bunkercoin `BlockHeader` as the 9-element array `[version, prev_hash, merkle_root, timestamp,
 * vdf_output, difficulty, nonce, tx_count, signature]` (the node's field order).
 */
export const HeaderArraySchema = z
  .tuple([
    U32Schema,
    Hash32WireSchema,
    Hash32WireSchema,
    U64WireSchema,
    Hash32WireSchema,
    U32Schema,
    U64WireSchema,
    U32Schema,
    BytesWireSchema,
  ])
  .transform(
    ([version, prev_hash, merkle_root, timestamp, vdf_output, difficulty, nonce, tx_count, signature]): BlockHeader => ({
      version,
      prev_hash,
      merkle_root,
      timestamp,
      vdf_output,
      difficulty,
      nonce,
      tx_count,
      signature,
    }),
  )

/** The CBOR array of a block header, see {@link HeaderArraySchema}. */
export function headerToArray(h: BlockHeader): unknown[] {
  return [
    h.version,
    h.prev_hash,
    h.merkle_root,
    u64ToWire(h.timestamp),
    h.vdf_output,
    h.difficulty,
    u64ToWire(h.nonce),
    h.tx_count,
    h.signature,
  ]
}

/** Bunkercoin `Block` as `[header, [transaction, ...]]`. */
export const BlockArraySchema = z
  .tuple([HeaderArraySchema, z.array(TransactionArraySchema)])
  .transform(([header, transactions]): Block => ({ header, transactions }))

/** The CBOR array of a block, see {@link BlockArraySchema}. */
export function blockToArray(b: Block): unknown[] {
  return [headerToArray(b.header), b.transactions.map(transactionToArray)]
}
