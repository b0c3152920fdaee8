/**
 * The gateway-to-gateway message bodies: every message is one CBOR array `[type, ...fields]` with a
 * small integer type code and no field names, and every Bunkercoin object is a fixed-order CBOR
 * array of its fields. docs/PROTOCOL.md describes the same layout byte by byte.
 *
 * Decoding is strict so that two peers can never disagree about what a body means: cbor-x keeps no
 * record/structure state between messages, every array is checked by one zod schema per message
 * type before anything reads it, and the body must be in deterministic encoding (RFC 8949 §4.2.1:
 * shortest integers and lengths, definite lengths, no tags or floats), checked by re-encoding. So
 * anything cbor-x decodes beyond unsigned integers, byte strings and arrays is refused.
 *
 * @packageDocumentation
 */
import { Decoder, Encoder } from 'cbor-x'
import { z } from 'zod'
import { CodecError } from './errors.js'
import { BlockSchema, BytesSchema, HASH_LENGTH, TransactionSchema, U32_MAX, U32Schema, U64_MAX } from './model.js'
import type { Block, BlockHeader, Transaction } from './model.js'
import { err, ok } from './result.js'
import type { Result } from './result.js'

/** Type codes of the messages implemented now (CBOR uints 0–23 cost one byte). */
export const WIRE_MESSAGE_TYPES = { tx: 1, block: 2, blocks: 3 } as const

/**
 * Type codes reserved for the gateway protocol (specified by the Gateway core issue). Decoding one of
 * them fails with `ERR_ENVELOPE` until it is implemented. Code 0 is never used, so a zeroed buffer
 * never decodes.
 */
export const RESERVED_MESSAGE_TYPES = {
  hello: 4,
  inv: 5,
  getdata: 6,
  notfound: 7,
  cmpctblock: 8,
  getblocktxn: 9,
  blocktxn: 10,
  getheaders: 11,
  headers: 12,
  ack: 13,
} as const

/** Every message that can travel in an envelope, as a discriminated union on `type`. */
export const WireMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tx'), transaction: TransactionSchema }),
  z.object({ type: z.literal('block'), block: BlockSchema }),
  z.object({ type: z.literal('blocks'), blocks: z.array(BlockSchema) }),
])
/** A gateway-to-gateway message. */
export type WireMessage = z.infer<typeof WireMessageSchema>
/** Name of a message type, e.g. `'tx'`. */
export type WireMessageType = WireMessage['type']

// ---- field encodings -------------------------------------------------------------------------

/** A u64 as cbor-x hands it over: a number up to 2^32-1, a bigint from the 8-byte form. */
const U64WireSchema = z
  .union([z.number().int().min(0).max(U32_MAX), z.bigint().min(0n).max(U64_MAX)])
  .transform((v) => BigInt(v))

/** A byte string, copied out of the decoder's view of the input buffer. */
const BytesWireSchema = BytesSchema.transform((b) => new Uint8Array(b))

/** A 32-byte hash, copied. */
const Hash32WireSchema = BytesSchema.refine((b) => b.length === HASH_LENGTH, {
  message: `must be exactly ${HASH_LENGTH} bytes`,
}).transform((b) => new Uint8Array(b))

/** u64 as the shortest CBOR integer: a number below 2^32 (cbor-x writes a bigint always as 8 bytes). */
function u64ToWire(v: bigint): number | bigint {
  return v <= BigInt(U32_MAX) ? Number(v) : v
}

/** The five transaction fields, in the node's order; the `tx` message puts them after its type code. */
const TX_FIELDS = [BytesWireSchema, BytesWireSchema, U64WireSchema, U64WireSchema, BytesWireSchema] as const
type TxFields = z.output<z.ZodTuple<typeof TX_FIELDS, null>>

function txFromFields([sender, recipient, amount, nonce, signature]: TxFields): Transaction {
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

// ---- message registry ------------------------------------------------------------------------

/** One message type: its code, the schema of its whole body array, and how to build that array. */
export interface WireCodec<T extends WireMessageType> {
  /** Type code, the body's first element. */
  readonly code: number
  /** Validates the decoded body (type code at index 0 included, so issue paths are body indices). */
  readonly body: z.ZodType<Extract<WireMessage, { type: T }>>
  /** The body array of a message (u64 values already in their shortest form). */
  readonly toBody: (msg: Extract<WireMessage, { type: T }>) => unknown[]
}

/** The codec of every implemented message type; adding a type is one entry here and one in the schema. */
export const WIRE_CODECS: { readonly [T in WireMessageType]: WireCodec<T> } = {
  tx: {
    code: WIRE_MESSAGE_TYPES.tx,
    body: z
      .tuple([z.literal(WIRE_MESSAGE_TYPES.tx), ...TX_FIELDS])
      .transform(([, ...fields]) => ({ type: 'tx' as const, transaction: txFromFields(fields) })),
    toBody: (m) => [WIRE_MESSAGE_TYPES.tx, ...transactionToArray(m.transaction)],
  },
  block: {
    code: WIRE_MESSAGE_TYPES.block,
    body: z
      .tuple([z.literal(WIRE_MESSAGE_TYPES.block), HeaderArraySchema, z.array(TransactionArraySchema)])
      .transform(([, header, transactions]) => ({ type: 'block' as const, block: { header, transactions } })),
    toBody: (m) => [WIRE_MESSAGE_TYPES.block, ...blockToArray(m.block)],
  },
  blocks: {
    code: WIRE_MESSAGE_TYPES.blocks,
    body: z
      .tuple([z.literal(WIRE_MESSAGE_TYPES.blocks)], BlockArraySchema)
      .transform(([, ...blocks]) => ({ type: 'blocks' as const, blocks })),
    toBody: (m) => [WIRE_MESSAGE_TYPES.blocks, ...m.blocks.map(blockToArray)],
  },
}

const CODEC_BY_CODE: ReadonlyMap<number, WireCodec<WireMessageType>> = new Map(
  Object.values(WIRE_CODECS).map((c) => [c.code, c as WireCodec<WireMessageType>]),
)
const RESERVED_BY_CODE: ReadonlyMap<number, string> = new Map(
  Object.entries(RESERVED_MESSAGE_TYPES).map(([name, code]) => [code, name]),
)

// ---- CBOR ------------------------------------------------------------------------------------

// No records, no shared structures, no packing: nothing survives from one decode to the next, so no
// peer can change how a later message decodes. Byte strings are plain major type 2 (no tag 64);
// 8-byte integers come back as bigint so a u64 above 2^53 is exact.
const encoder = new Encoder({ useRecords: false, tagUint8Array: false, pack: false, structuredClone: false })
const decoder = new Decoder({ useRecords: false, mapsAsObjects: false, sequential: false })

/**
 * CBOR body of a message: `[type, ...fields]`.
 *
 * @throws CodecError `ERR_ENVELOPE` if `msg` does not satisfy {@link WireMessageSchema} (a bug in the caller)
 */
export function encodeWireBody(msg: WireMessage): Uint8Array {
  const checked = WireMessageSchema.safeParse(msg)
  if (!checked.success) throw new CodecError('ERR_ENVELOPE', `cannot encode: ${describeIssues(checked.error, 'message')}`)
  return encodeChecked(checked.data)
}

function encodeChecked(msg: WireMessage): Uint8Array {
  const codec = WIRE_CODECS[msg.type] as WireCodec<WireMessageType>
  // copy: cbor-x may hand back a view of its reusable output buffer
  return new Uint8Array(encoder.encode(codec.toBody(msg)))
}

/**
 * Decodes and validates one CBOR body. Never throws: garbage, unknown or reserved types, schema
 * failures (with the issue path as body indices) and non-deterministic encodings give `ERR_ENVELOPE`.
 */
export function decodeWireBody(bytes: Uint8Array): Result<WireMessage> {
  let value: unknown
  try {
    // a fresh view: cbor-x caches a DataView on the object it is given
    value = decoder.decode(bytes.subarray(0))
  } catch (e) {
    // anything cbor-x throws (truncation, unknown tokens, stack overflow from deep nesting) is bad input
    return err(new CodecError('ERR_ENVELOPE', `invalid CBOR: ${e instanceof Error ? e.message : String(e)}`))
  }
  const codec = codecFor(value)
  if (!codec.ok) return codec
  const parsed = codec.value.body.safeParse(value)
  if (!parsed.success) return err(new CodecError('ERR_ENVELOPE', describeIssues(parsed.error, 'body')))
  if (!sameBytes(encodeChecked(parsed.data), bytes)) {
    return err(new CodecError('ERR_ENVELOPE', 'body is valid but not in deterministic CBOR encoding (RFC 8949 §4.2.1)'))
  }
  return ok(parsed.data)
}

function codecFor(value: unknown): Result<WireCodec<WireMessageType>> {
  const code: unknown = Array.isArray(value) ? value[0] : undefined
  if (typeof code !== 'number') return err(new CodecError('ERR_ENVELOPE', 'body[0]: body must be an array starting with a type code'))
  const codec = CODEC_BY_CODE.get(code)
  if (codec) return ok(codec)
  const reserved = RESERVED_BY_CODE.get(code)
  const what = reserved === undefined ? 'unknown' : `reserved for '${reserved}', not implemented`
  return err(new CodecError('ERR_ENVELOPE', `body[0]: message type ${code} is ${what}`))
}

/** `body[2][0][3]: Invalid input ...` for the first few zod issues. */
function describeIssues(error: z.ZodError, root: string): string {
  const shown = error.issues.slice(0, 3).map((i) => `${root}${i.path.map(pathStep).join('')}: ${i.message}`)
  const more = error.issues.length > shown.length ? ` (+${error.issues.length - shown.length} more)` : ''
  return shown.join('; ') + more
}

function pathStep(p: PropertyKey): string {
  return typeof p === 'number' ? `[${p}]` : `.${String(p)}`
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
