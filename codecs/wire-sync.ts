/**
 * Incremental chain sync messages (docs/PROTOCOL.md §8.8, §8.9, §8.11, §8.12): `getheaders` (block
 * locator), `headers` (full or *linked* headers), `getbodies` (a run of blocks by its last hash) and
 * `bodies` (their transactions only, deflated against the chain both sides share), plus the plain
 * CBOR of the `bodies` payload. Deriving linked headers and packing bodies is gateway/protocol/.
 *
 * A linked header omits every field the receiver can recompute from the header before it in the same
 * message (prev_hash, version 1, vdf_output, difficulty 10 000, the derived nonce, an empty signature,
 * and timestamp + 30 s unless given): `[merkle_root, tx_count]` or `[merkle_root, tx_count,
 * timestamp]`, 36 bytes instead of 127. Decoding never computes a VDF; expansion does, bounded by
 * {@link MAX_HEADERS} per message.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { CodecError } from './errors.js'
import { BlockHeaderSchema, BytesSchema, Hash32Schema, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, U32Schema, U64Schema } from './model.js'
import type { BlockHeader, Transaction } from './model.js'
import { err, ok } from './result.js'
import type { Result } from './result.js'
import {
  BytesWireSchema,
  decodeCbor,
  describeIssues,
  encodeCbor,
  fixedBytesWire,
  Hash32WireSchema,
  HeaderArraySchema,
  headerToArray,
  hashListWire,
  joinHashes,
  messageCheck,
  sameBytes,
  TransactionArraySchema,
  transactionToArray,
  u64ToWire,
  U64WireSchema,
} from './wire-fields.js'
import type { MessageCodec } from './wire-fields.js'

/** Type codes of the sync messages. */
export const SYNC_MESSAGE_TYPES = { getheaders: 11, headers: 12, getbodies: 14, bodies: 15 } as const

/** Most hashes in a block locator (10 dense + one per doubling step: 41 cover 2^32 blocks). */
export const MAX_LOCATOR = 64
/** Most headers per `headers` message (and largest `max` a `getheaders` may ask for). */
export const MAX_HEADERS = 2000
/** Most blocks per `getbodies` / `bodies`. */
export const MAX_BODIES = 500
/** Largest chain context a `bodies` payload is deflated against, bytes (the deflate window). */
export const MAX_CONTEXT_BYTES = 32 * 1024
/** Largest `bodies` payload, deflated or inflated, bytes (the envelope's default body cap). */
export const MAX_BODIES_PAYLOAD_BYTES = 1024 * 1024

/** A header sent as only what the receiver cannot recompute; see the file comment. */
export const LinkedHeaderSchema = z.strictObject({
  merkle_root: Hash32Schema,
  tx_count: U32Schema,
  /** Absent: the previous header's timestamp + 30 s. */
  timestamp: U64Schema.optional(),
})
/** A linked header. */
export type LinkedHeader = z.infer<typeof LinkedHeaderSchema>
/** One entry of a `headers` message. */
export type HeaderEntry = BlockHeader | LinkedHeader

/** True for a full header, false for a linked one. */
export function isFullHeader(entry: HeaderEntry): entry is BlockHeader {
  return 'version' in entry
}

/** `getheaders`: headers after the newest locator hash the peer knows, up to `max` or `stop`. */
export const GetHeadersSchema = z.object({
  type: z.literal('getheaders'),
  /** Hashes of the sender's chain, newest first (empty: it has no blocks). */
  locator: z.array(Hash32Schema).max(MAX_LOCATOR),
  /** Most headers wanted. */
  max: z.number().int().min(1).max(MAX_HEADERS),
  /** Stop after the header with this hash. */
  stop: Hash32Schema.optional(),
})
/** A `getheaders` message. */
export type GetHeaders = z.infer<typeof GetHeadersSchema>

/**
 * `headers`: consecutive headers, oldest first; the first one (if any) is full. `pushed`: the sender
 * sends the bodies of the first `pushed` headers right behind, unasked (one `bodies` message), so the
 * requester need not spend a turn of a half-duplex link asking for them.
 */
export const HeadersSchema = z
  .object({
    type: z.literal('headers'),
    headers: z.array(z.union([BlockHeaderSchema, LinkedHeaderSchema])).max(MAX_HEADERS),
    pushed: z.number().int().min(1).max(MAX_BODIES).optional(),
  })
  .refine((m) => m.headers[0] === undefined || isFullHeader(m.headers[0]), { message: 'the first header must be full', path: ['headers', 0] })
  .refine((m) => m.pushed === undefined || m.pushed <= m.headers.length, { message: 'pushed bodies for more headers than sent', path: ['pushed'] })
/** A `headers` message. */
export type Headers = z.infer<typeof HeadersSchema>

/** `getbodies`: the transactions of the `count` blocks that end with block `last`. */
export const GetBodiesSchema = z.object({
  type: z.literal('getbodies'),
  last: Hash32Schema,
  count: z.number().int().min(1).max(MAX_BODIES),
})
/** A `getbodies` message. */
export type GetBodies = z.infer<typeof GetBodiesSchema>

/**
 * `bodies`: the answer to a `getbodies`. `payload` is raw deflate of the bodies' CBOR with, as preset
 * dictionary, the last `context` bytes of the bodies before them (gateway/protocol/bodies.ts).
 */
export const BodiesSchema = z.object({
  type: z.literal('bodies'),
  last: Hash32Schema,
  context: z.number().int().min(0).max(MAX_CONTEXT_BYTES),
  payload: BytesSchema.refine((b) => b.length >= 1 && b.length <= MAX_BODIES_PAYLOAD_BYTES, {
    message: `must be 1–${MAX_BODIES_PAYLOAD_BYTES} bytes`,
  }),
})
/** A `bodies` message. */
export type Bodies = z.infer<typeof BodiesSchema>

// ---- codecs -----------------------------------------------------------------------------------

const HeaderEntryWireSchema = z.union([
  HeaderArraySchema,
  z.tuple([Hash32WireSchema, U32Schema]).transform(([merkle_root, tx_count]): LinkedHeader => ({ merkle_root, tx_count })),
  z
    .tuple([Hash32WireSchema, U32Schema, U64WireSchema])
    .transform(([merkle_root, tx_count, timestamp]): LinkedHeader => ({ merkle_root, tx_count, timestamp })),
])

function headerEntryToWire(entry: HeaderEntry): unknown[] {
  if (isFullHeader(entry)) return headerToArray(entry)
  const { merkle_root, tx_count, timestamp } = entry
  return timestamp === undefined ? [merkle_root, tx_count] : [merkle_root, tx_count, u64ToWire(timestamp)]
}

const { getheaders: GET_HEADERS, headers: HEADERS, getbodies: GET_BODIES, bodies: BODIES } = SYNC_MESSAGE_TYPES
const LocatorWire = hashListWire(MAX_LOCATOR)
const HeaderListWire = z.array(HeaderEntryWireSchema).max(MAX_HEADERS)

/** Codecs of the sync messages, for the registry. */
export const SYNC_CODECS = {
  getheaders: {
    code: GET_HEADERS,
    body: z
      .union([
        z.tuple([z.literal(GET_HEADERS), LocatorWire, z.number()]),
        z.tuple([z.literal(GET_HEADERS), LocatorWire, z.number(), Hash32WireSchema]),
      ])
      .transform(([, locator, max, stop]) => ({ type: 'getheaders' as const, locator, max, ...(stop === undefined ? {} : { stop }) }))
      .pipe(messageCheck(GetHeadersSchema)),
    toBody: (m) => [GET_HEADERS, joinHashes(m.locator), m.max, ...(m.stop === undefined ? [] : [m.stop])],
  } satisfies MessageCodec<GetHeaders>,
  headers: {
    code: HEADERS,
    body: z
      .union([z.tuple([z.literal(HEADERS), HeaderListWire]), z.tuple([z.literal(HEADERS), HeaderListWire, z.number()])])
      .transform(([, headers, pushed]) => ({ type: 'headers' as const, headers, ...(pushed === undefined ? {} : { pushed }) }))
      .pipe(messageCheck(HeadersSchema)),
    toBody: (m) => [HEADERS, m.headers.map(headerEntryToWire), ...(m.pushed === undefined ? [] : [m.pushed])],
  } satisfies MessageCodec<Headers>,
  getbodies: {
    code: GET_BODIES,
    body: z
      .tuple([z.literal(GET_BODIES), Hash32WireSchema, z.number()])
      .transform(([, last, count]) => ({ type: 'getbodies' as const, last, count }))
      .pipe(messageCheck(GetBodiesSchema)),
    toBody: (m) => [GET_BODIES, m.last, m.count],
  } satisfies MessageCodec<GetBodies>,
  bodies: {
    code: BODIES,
    body: z
      .tuple([z.literal(BODIES), Hash32WireSchema, z.number(), BytesWireSchema])
      .transform(([, last, context, payload]) => ({ type: 'bodies' as const, last, context, payload }))
      .pipe(messageCheck(BodiesSchema)),
    toBody: (m) => [BODIES, m.last, m.context, m.payload],
  } satisfies MessageCodec<Bodies>,
}

// ---- the bodies payload -------------------------------------------------------------------------

/** sender ‖ recipient ‖ signature of a packed transaction, bytes. */
const PACKED_KEYS_AND_SIGNATURE = 2 * PUBLIC_KEY_LENGTH + SIGNATURE_LENGTH

/** True when a transaction is sent packed: keys of 32 bytes and a 64-byte signature, as every valid one. */
function packable(tx: Transaction): boolean {
  return tx.sender.length === PUBLIC_KEY_LENGTH && tx.recipient.length === PUBLIC_KEY_LENGTH && tx.signature.length === SIGNATURE_LENGTH
}

/** `[sender ‖ recipient ‖ signature, amount, nonce]`: 4 bytes of CBOR headers fewer than the 5-array. */
const PackedTxWireSchema = z
  .tuple([fixedBytesWire(PACKED_KEYS_AND_SIGNATURE), U64WireSchema, U64WireSchema])
  .transform(([keys, amount, nonce]): Transaction => ({
    sender: keys.slice(0, PUBLIC_KEY_LENGTH),
    recipient: keys.slice(PUBLIC_KEY_LENGTH, 2 * PUBLIC_KEY_LENGTH),
    amount,
    nonce,
    signature: keys.slice(2 * PUBLIC_KEY_LENGTH),
  }))

function bodyTxToWire(tx: Transaction): unknown[] {
  if (!packable(tx)) return transactionToArray(tx)
  const keys = new Uint8Array(PACKED_KEYS_AND_SIGNATURE)
  keys.set(tx.sender, 0)
  keys.set(tx.recipient, PUBLIC_KEY_LENGTH)
  keys.set(tx.signature, 2 * PUBLIC_KEY_LENGTH)
  return [keys, u64ToWire(tx.amount), u64ToWire(tx.nonce)]
}

/** The bodies of a payload: blocks oldest first, each its transactions (packed or 5-arrays). */
const BodiesPayloadWireSchema = z
  .array(z.array(z.union([PackedTxWireSchema, TransactionArraySchema])))
  .min(1)
  .max(MAX_BODIES)

/**
 * The CBOR of one block body: an array of its transactions, each `[sender ‖ recipient ‖ signature,
 * amount, nonce]` when its keys are 32 bytes and its signature 64, else the 5-array of §4.1. A
 * payload is the CBOR array of such bodies, so it is the array header followed by these bytes.
 */
export function encodeBodyCbor(transactions: readonly Transaction[]): Uint8Array {
  return encodeCbor(transactions.map(bodyTxToWire))
}

/** The plain (not yet deflated) `bodies` payload: the CBOR array of the bodies, oldest first. */
export function encodeBodiesPayload(bodies: readonly (readonly Transaction[])[]): Uint8Array {
  return encodeCbor(bodies.map((txs) => txs.map(bodyTxToWire)))
}

/**
 * Decodes an inflated `bodies` payload. Never throws; `ERR_ENVELOPE` for bad CBOR, a schema failure
 * (path as `payload[block][tx]`) or a non-deterministic encoding (a packable transaction sent as a
 * 5-array included).
 */
export function decodeBodiesPayload(bytes: Uint8Array): Result<Transaction[][]> {
  const value = decodeCbor(bytes)
  if (!value.ok) return value
  const parsed = BodiesPayloadWireSchema.safeParse(value.value)
  if (!parsed.success) return err(new CodecError('ERR_ENVELOPE', describeIssues(parsed.error, 'payload')))
  if (!sameBytes(encodeBodiesPayload(parsed.data), bytes)) {
    return err(new CodecError('ERR_ENVELOPE', 'payload is valid but not in deterministic CBOR encoding'))
  }
  return ok(parsed.data)
}
