/**
 * The Bunkercoin data model: `Transaction`, `BlockHeader`, `Block` and the six-variant `P2PMessage`
 * of the node's `network.rs`, as zod schemas. Types come from `z.infer`.
 *
 * Field names are the Rust names unchanged (`prev_hash`, `tx_count`), so the model, the node's JSON
 * and the docs can be read side by side. Byte fields are `Uint8Array`; every Rust `u64` is a `bigint`
 * (the header nonce is usually above 2^53, where a JS number loses bits); every `u32` a number.
 *
 * Two levels of strictness, on purpose:
 * - the *wire* schemas ({@link TransactionSchema}, {@link BlockSchema}) accept exactly what the
 *   node's serde types accept: `[u8; 32]` is exactly 32 bytes, but a `Vec<u8>` key may have any length;
 * - the *relay* schema ({@link RelayTransactionSchema}) adds the lengths without which the node's
 *   `verify()` would panic (keys 32, signature 64): a gateway never forwards such a transaction.
 *
 * @packageDocumentation
 */
import { z } from 'zod'

/** Largest Rust `u64`. */
export const U64_MAX = (1n << 64n) - 1n
/** Largest Rust `u32`. */
export const U32_MAX = 0xffff_ffff

/** Ed25519 public key length, bytes. */
export const PUBLIC_KEY_LENGTH = 32
/** Ed25519 signature length, bytes. */
export const SIGNATURE_LENGTH = 64
/** Blake3 hash length, bytes. */
export const HASH_LENGTH = 32

/** A Rust `u64` as a bigint, range-checked. */
export const U64Schema = z.bigint().min(0n, 'u64 must be >= 0').max(U64_MAX, 'u64 must be <= 2^64-1')
/** A Rust `u32` as a number, range-checked. */
export const U32Schema = z.number().int().min(0).max(U32_MAX)

/**
 * Any byte string (a Rust `Vec<u8>`). Typed as plain `Uint8Array` (any backing buffer) so Buffers and
 * subarrays pass; `z.instanceof` would narrow it to `Uint8Array<ArrayBuffer>`.
 */
export const BytesSchema = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected bytes (Uint8Array)' })

/** A byte string of exactly `n` bytes (a Rust `[u8; n]`, or a length the node relies on). */
export function fixedBytes(n: number): z.ZodType<Uint8Array> {
  return BytesSchema.refine((b) => b.length === n, { message: `must be exactly ${n} bytes` })
}

/** A 32-byte Blake3 hash (`[u8; 32]`). */
export const Hash32Schema = fixedBytes(HASH_LENGTH)

/** A transaction as the node's serde type accepts it (`Vec<u8>` fields of any length). */
export const TransactionSchema = z.object({
  sender: BytesSchema,
  recipient: BytesSchema,
  amount: U64Schema,
  nonce: U64Schema,
  signature: BytesSchema,
})
/** A Bunkercoin transaction. */
export type Transaction = z.infer<typeof TransactionSchema>

/**
 * A transaction the gateway is willing to relay: keys of 32 bytes and a 64-byte signature, the
 * lengths without which the node's `verify()` panics.
 */
export const RelayTransactionSchema = TransactionSchema.extend({
  sender: fixedBytes(PUBLIC_KEY_LENGTH),
  recipient: fixedBytes(PUBLIC_KEY_LENGTH),
  signature: fixedBytes(SIGNATURE_LENGTH),
})

/** A block header; its bincode encoding is 132 bytes when `signature` is empty. */
export const BlockHeaderSchema = z.object({
  version: U32Schema,
  prev_hash: Hash32Schema,
  merkle_root: Hash32Schema,
  timestamp: U64Schema,
  vdf_output: Hash32Schema,
  difficulty: U32Schema,
  nonce: U64Schema,
  tx_count: U32Schema,
  signature: BytesSchema,
})
/** A Bunkercoin block header. */
export type BlockHeader = z.infer<typeof BlockHeaderSchema>

/** A block: header plus its transactions (sorted by tx hash when mined by the documented rules). */
export const BlockSchema = z.object({
  header: BlockHeaderSchema,
  transactions: z.array(TransactionSchema),
})
/** A Bunkercoin block. */
export type Block = z.infer<typeof BlockSchema>

/** The six variants of the node's `P2PMessage`, in declaration order. */
export const P2P_VARIANTS = ['GetChain', 'Chain', 'GetMempool', 'Mempool', 'NewBlock', 'NewTransaction'] as const
/** Name of a `P2PMessage` variant. */
export type P2PVariant = (typeof P2P_VARIANTS)[number]

/** The node's `P2PMessage` enum as a discriminated union on `type`. */
export const P2PMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('GetChain') }),
  z.object({ type: z.literal('Chain'), blocks: z.array(BlockSchema) }),
  z.object({ type: z.literal('GetMempool') }),
  z.object({ type: z.literal('Mempool'), transactions: z.array(TransactionSchema) }),
  z.object({ type: z.literal('NewBlock'), block: BlockSchema }),
  z.object({ type: z.literal('NewTransaction'), transaction: TransactionSchema }),
])
/** A message of the node's TCP P2P protocol. */
export type P2PMessage = z.infer<typeof P2PMessageSchema>
