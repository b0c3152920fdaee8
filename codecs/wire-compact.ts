/**
 * Compact block messages (docs/PROTOCOL.md §8.5–§8.7, after BIP152): `cmpctblock` (header, salt,
 * 6-byte short transaction ids, prefilled transactions), `getblocktxn` (the slots a receiver could not
 * fill) and `blocktxn` (their transactions). How short ids are computed and blocks rebuilt is in
 * gateway/protocol/; this file is only the byte layout.
 *
 * Short ids travel concatenated in one byte string (6 bytes each, no per-id CBOR header), and indexes
 * differentially as BIP152 does: each is sent as its distance to the previous one minus one, so a run
 * of neighbouring slots is a run of `00` bytes.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { BlockHeaderSchema, BytesSchema, fixedBytes, Hash32Schema, TransactionSchema } from './model.js'
import { fixedBytesWire, Hash32WireSchema, HeaderArraySchema, headerToArray, messageCheck } from './wire-fields.js'
import { TransactionArraySchema, transactionToArray, TX_FIELDS, txFromFields } from './wire-fields.js'
import type { MessageCodec } from './wire-fields.js'

/** Type codes of the compact block messages. */
export const COMPACT_MESSAGE_TYPES = { cmpctblock: 8, getblocktxn: 9, blocktxn: 10 } as const

/** Short transaction id length, bytes (48 bits, as BIP152). */
export const SHORT_ID_BYTES = 6
/** Per-send salt length, bytes. */
export const SALT_BYTES = 8
/**
 * Most transactions a compact block (and a `getblocktxn` or `blocktxn`) may describe. The envelope's
 * 1 MiB body cap holds about 7 000 transactions, so no larger block can travel at all.
 */
export const MAX_BLOCK_TXS = 10_000

const MAX_SHORT_ID = 2 ** (8 * SHORT_ID_BYTES) - 1 // 2^48 - 1: exact in a JS number
const ShortIdSchema = z.number().int().min(0).max(MAX_SHORT_ID)
const IndexSchema = z.number().int().min(0).max(MAX_BLOCK_TXS - 1)

function increasing(indexes: readonly number[]): boolean {
  return indexes.every((v, i) => i === 0 || v > (indexes[i - 1] ?? v))
}

/** A transaction sent whole inside a compact block, at its position in the block. */
export const PrefilledTxSchema = z.object({ index: IndexSchema, transaction: TransactionSchema })
/** A prefilled transaction. */
export type PrefilledTx = z.infer<typeof PrefilledTxSchema>

/**
 * `cmpctblock`: the block's header, the salt its short ids are keyed with, one short id per
 * transaction not prefilled (in block order), and the prefilled transactions (increasing index).
 * The block has `shortIds.length + prefilled.length` transactions.
 */
export const CompactBlockSchema = z
  .object({
    type: z.literal('cmpctblock'),
    header: BlockHeaderSchema,
    salt: fixedBytes(SALT_BYTES),
    shortIds: z.array(ShortIdSchema).max(MAX_BLOCK_TXS),
    prefilled: z.array(PrefilledTxSchema).max(MAX_BLOCK_TXS),
  })
  .refine((m) => m.shortIds.length + m.prefilled.length <= MAX_BLOCK_TXS, { message: `more than ${MAX_BLOCK_TXS} transactions` })
  .refine((m) => increasing(m.prefilled.map((p) => p.index)), { message: 'prefilled indexes must increase', path: ['prefilled'] })
  .refine((m) => m.prefilled.every((p) => p.index < m.shortIds.length + m.prefilled.length), {
    message: 'prefilled index past the last transaction',
    path: ['prefilled'],
  })
/** A `cmpctblock` message. */
export type CompactBlock = z.infer<typeof CompactBlockSchema>

/** `getblocktxn`: the transactions (by index, increasing) of a compact block the sender could not fill. */
export const GetBlockTxnSchema = z
  .object({ type: z.literal('getblocktxn'), block: Hash32Schema, indexes: z.array(IndexSchema).min(1).max(MAX_BLOCK_TXS) })
  .refine((m) => increasing(m.indexes), { message: 'indexes must increase', path: ['indexes'] })
/** A `getblocktxn` message. */
export type GetBlockTxn = z.infer<typeof GetBlockTxnSchema>

/** `blocktxn`: the transactions a `getblocktxn` asked for, in its order. */
export const BlockTxnSchema = z.object({
  type: z.literal('blocktxn'),
  block: Hash32Schema,
  transactions: z.array(TransactionSchema).min(1).max(MAX_BLOCK_TXS),
})
/** A `blocktxn` message. */
export type BlockTxn = z.infer<typeof BlockTxnSchema>

// ---- field encodings -------------------------------------------------------------------------

/** Absolute indexes from BIP152 differences; stops growing past the bound so garbage stays cheap. */
function fromDifferences(deltas: readonly number[]): number[] {
  let previous = -1
  return deltas.map((d) => (previous = Math.min(previous + 1 + d, MAX_BLOCK_TXS)))
}

function toDifferences(indexes: readonly number[]): number[] {
  return indexes.map((v, i) => v - (i === 0 ? 0 : (indexes[i - 1] ?? 0) + 1))
}

const DeltaSchema = z.number().int().min(0).max(MAX_BLOCK_TXS)

/** Short ids as one byte string of 6-byte big-endian ids. */
const ShortIdsWireSchema = BytesSchema.refine((b) => b.length % SHORT_ID_BYTES === 0 && b.length <= MAX_BLOCK_TXS * SHORT_ID_BYTES, {
  message: `must be at most ${MAX_BLOCK_TXS} ids of ${SHORT_ID_BYTES} bytes`,
}).transform((b) => Array.from({ length: b.length / SHORT_ID_BYTES }, (_, i) => readShortId(b, i * SHORT_ID_BYTES)))

function readShortId(b: Uint8Array, at: number): number {
  let v = 0
  for (let k = 0; k < SHORT_ID_BYTES; k++) v = v * 256 + (b[at + k] ?? 0)
  return v
}

function joinShortIds(ids: readonly number[]): Uint8Array {
  const out = new Uint8Array(ids.length * SHORT_ID_BYTES)
  ids.forEach((id, i) => {
    let v = id
    for (let k = SHORT_ID_BYTES - 1; k >= 0; k--) {
      out[i * SHORT_ID_BYTES + k] = v % 256
      v = Math.floor(v / 256)
    }
  })
  return out
}

/** A prefilled transaction as `[index difference, sender, recipient, amount, nonce, signature]`. */
const PrefilledWireSchema = z
  .array(z.tuple([DeltaSchema, ...TX_FIELDS]))
  .max(MAX_BLOCK_TXS)
  .transform((entries) => {
    const indexes = fromDifferences(entries.map(([d]) => d))
    return entries.map(([, ...fields], i): PrefilledTx => ({ index: indexes[i] ?? 0, transaction: txFromFields(fields) }))
  })

function prefilledToWire(prefilled: readonly PrefilledTx[]): unknown[] {
  const deltas = toDifferences(prefilled.map((p) => p.index))
  return prefilled.map((p, i) => [deltas[i], ...transactionToArray(p.transaction)])
}

const IndexesWireSchema = z.array(DeltaSchema).max(MAX_BLOCK_TXS).transform(fromDifferences)

// ---- codecs -----------------------------------------------------------------------------------

const { cmpctblock: CMPCT, getblocktxn: GET_TXN, blocktxn: TXN } = COMPACT_MESSAGE_TYPES

/** Codecs of the compact block messages, for the registry. */
export const COMPACT_CODECS = {
  cmpctblock: {
    code: CMPCT,
    body: z
      .tuple([z.literal(CMPCT), HeaderArraySchema, fixedBytesWire(SALT_BYTES), ShortIdsWireSchema, PrefilledWireSchema])
      .transform(([, header, salt, shortIds, prefilled]) => ({ type: 'cmpctblock' as const, header, salt, shortIds, prefilled }))
      .pipe(messageCheck(CompactBlockSchema)),
    toBody: (m) => [CMPCT, headerToArray(m.header), m.salt, joinShortIds(m.shortIds), prefilledToWire(m.prefilled)],
  } satisfies MessageCodec<CompactBlock>,
  getblocktxn: {
    code: GET_TXN,
    body: z
      .tuple([z.literal(GET_TXN), Hash32WireSchema, IndexesWireSchema])
      .transform(([, block, indexes]) => ({ type: 'getblocktxn' as const, block, indexes }))
      .pipe(messageCheck(GetBlockTxnSchema)),
    toBody: (m) => [GET_TXN, m.block, toDifferences(m.indexes)],
  } satisfies MessageCodec<GetBlockTxn>,
  blocktxn: {
    code: TXN,
    body: z
      .tuple([z.literal(TXN), Hash32WireSchema, z.array(TransactionArraySchema).max(MAX_BLOCK_TXS)])
      .transform(([, block, transactions]) => ({ type: 'blocktxn' as const, block, transactions }))
      .pipe(messageCheck(BlockTxnSchema)),
    toBody: (m) => [TXN, m.block, m.transactions.map(transactionToArray)],
  } satisfies MessageCodec<BlockTxn>,
}
