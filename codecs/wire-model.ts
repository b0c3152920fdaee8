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
 * This file is the registry; the pieces live next to it: wire-fields.ts (CBOR, field encodings,
 * Bunkercoin objects), wire-gateway.ts (hello, inventories, ack, relay), wire-compact.ts (compact
 * blocks) and wire-sync.ts (headers and bodies).
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { CodecError } from './errors.js'
import { BlockSchema, TransactionSchema } from './model.js'
import { err, ok } from './result.js'
import type { Result } from './result.js'
import { BlockTxnSchema, COMPACT_CODECS, COMPACT_MESSAGE_TYPES, CompactBlockSchema, GetBlockTxnSchema } from './wire-compact.js'
import { BlockArraySchema, blockToArray, decodeCbor, describeIssues, encodeCbor, HeaderArraySchema, sameBytes } from './wire-fields.js'
import { TransactionArraySchema, transactionToArray, TX_FIELDS, txFromFields } from './wire-fields.js'
import type { MessageCodec } from './wire-fields.js'
import { AckSchema, CONTROL_CODECS, CONTROL_MESSAGE_TYPES, GetDataSchema, HelloSchema, InvSchema, NotFoundSchema, RelaySchema } from './wire-gateway.js'
import { BodiesSchema, GetBodiesSchema, GetHeadersSchema, HeadersSchema, SYNC_CODECS, SYNC_MESSAGE_TYPES } from './wire-sync.js'

export { BlockArraySchema, blockToArray, HeaderArraySchema, headerToArray, TransactionArraySchema, transactionToArray } from './wire-fields.js'

/** Type codes of every implemented message (CBOR uints 0–23 cost one byte). Code 0 is never used. */
export const WIRE_MESSAGE_TYPES = {
  tx: 1,
  block: 2,
  blocks: 3,
  ...CONTROL_MESSAGE_TYPES,
  ...COMPACT_MESSAGE_TYPES,
  ...SYNC_MESSAGE_TYPES,
} as const

/**
 * Type codes reserved but not implemented: decoding one fails with `ERR_ENVELOPE`. `nack` is kept for
 * a selective-repeat request of missing fragments on links without ARQ (docs/PROTOCOL.md §8.14).
 */
export const RESERVED_MESSAGE_TYPES = { nack: 17 } as const

/** Every message that can travel in an envelope, as a discriminated union on `type`. */
export const WireMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tx'), transaction: TransactionSchema }),
  z.object({ type: z.literal('block'), block: BlockSchema }),
  z.object({ type: z.literal('blocks'), blocks: z.array(BlockSchema) }),
  HelloSchema,
  InvSchema,
  GetDataSchema,
  NotFoundSchema,
  CompactBlockSchema,
  GetBlockTxnSchema,
  BlockTxnSchema,
  GetHeadersSchema,
  HeadersSchema,
  AckSchema,
  GetBodiesSchema,
  BodiesSchema,
  RelaySchema,
])
/** A gateway-to-gateway message. */
export type WireMessage = z.infer<typeof WireMessageSchema>
/** Name of a message type, e.g. `'tx'`. */
export type WireMessageType = WireMessage['type']

// ---- message registry ------------------------------------------------------------------------

/** One message type: its code, the schema of its whole body array, and how to build that array. */
export type WireCodec<T extends WireMessageType> = MessageCodec<Extract<WireMessage, { type: T }>>

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
  ...CONTROL_CODECS,
  ...COMPACT_CODECS,
  ...SYNC_CODECS,
}

const CODEC_BY_CODE: ReadonlyMap<number, WireCodec<WireMessageType>> = new Map(
  Object.values(WIRE_CODECS).map((c) => [c.code, c as WireCodec<WireMessageType>]),
)
const RESERVED_BY_CODE: ReadonlyMap<number, string> = new Map(
  Object.entries(RESERVED_MESSAGE_TYPES).map(([name, code]) => [code, name]),
)

// ---- encoding and decoding ---------------------------------------------------------------------

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
  return encodeCbor(codec.toBody(msg))
}

/**
 * Decodes and validates one CBOR body. Never throws: garbage, unknown or reserved types, schema
 * failures (with the issue path as body indices) and non-deterministic encodings give `ERR_ENVELOPE`.
 */
export function decodeWireBody(bytes: Uint8Array): Result<WireMessage> {
  const value = decodeCbor(bytes)
  if (!value.ok) return value
  const codec = codecFor(value.value)
  if (!codec.ok) return codec
  const parsed = codec.value.body.safeParse(value.value)
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
