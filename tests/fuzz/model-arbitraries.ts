/**
 * Bunkercoin objects for the fuzzers: fast-check arbitraries of valid values (for round trips) and
 * the real ones of the golden vectors (seeds for mutation), decoded once through our bincode
 * decoder, which tests/unit checks against the vectors' own fields.
 *
 * @packageDocumentation
 */
import fc from 'fast-check'
import { decodeHeaderBincode, decodeTransactionsBincode } from '../../codecs/bincode.js'
import { decodeTransactionJson } from '../../codecs/ndjson.js'
import { HASH_LENGTH, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, U32_MAX, U64_MAX } from '../../codecs/model.js'
import type { Block, BlockHeader, P2PMessage, Transaction } from '../../codecs/model.js'
import { unwrap } from '../../codecs/result.js'
import { fromHex, vectors } from '../helpers/vectors.js'

/** A u64 biased to the edges (0, 2^32, 2^53 ± 1, 2^64 - 1) that break lossy decoders. */
export const u64Arb: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: 0n, max: U64_MAX }),
  fc.constantFrom(0n, 1n, 1n << 32n, (1n << 53n) - 1n, (1n << 53n) + 1n, U64_MAX),
)

/** A u32. */
export const u32Arb: fc.Arbitrary<number> = fc.nat(U32_MAX)

/** Exactly `n` bytes. */
export const fixedBytesArb = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n })

/** A 32-byte hash. */
export const hashArb: fc.Arbitrary<Uint8Array> = fixedBytesArb(HASH_LENGTH)

/** Any transaction the node's serde type accepts (byte fields of any length, mostly the usual ones). */
export const transactionArb: fc.Arbitrary<Transaction> = fc.record({
  sender: fc.oneof(fixedBytesArb(PUBLIC_KEY_LENGTH), fc.uint8Array({ maxLength: 40 })),
  recipient: fc.oneof(fixedBytesArb(PUBLIC_KEY_LENGTH), fc.uint8Array({ maxLength: 40 })),
  amount: u64Arb,
  nonce: u64Arb,
  signature: fc.oneof(fixedBytesArb(SIGNATURE_LENGTH), fc.uint8Array({ maxLength: 70 })),
})

/** Any block header. */
export const headerArb: fc.Arbitrary<BlockHeader> = fc.record({
  version: u32Arb,
  prev_hash: hashArb,
  merkle_root: hashArb,
  timestamp: u64Arb,
  vdf_output: hashArb,
  difficulty: u32Arb,
  nonce: u64Arb,
  tx_count: u32Arb,
  signature: fc.uint8Array({ maxLength: 70 }),
})

/** Any block (up to 4 transactions). */
export const blockArb: fc.Arbitrary<Block> = fc.record({ header: headerArb, transactions: fc.array(transactionArb, { maxLength: 4 }) })

/** Any P2P message. */
export const p2pMessageArb: fc.Arbitrary<P2PMessage> = fc.oneof(
  fc.constant({ type: 'GetChain' as const }),
  fc.constant({ type: 'GetMempool' as const }),
  fc.array(blockArb, { maxLength: 3 }).map((blocks) => ({ type: 'Chain' as const, blocks })),
  fc.array(transactionArb, { maxLength: 4 }).map((transactions) => ({ type: 'Mempool' as const, transactions })),
  blockArb.map((block) => ({ type: 'NewBlock' as const, block })),
  transactionArb.map((transaction) => ({ type: 'NewTransaction' as const, transaction })),
)

/** The vectors' valid chain (6 blocks). */
export const vectorChain: readonly Block[] = vectors.blocks.map((v) => ({
  header: unwrap(decodeHeaderBincode(fromHex(v.header_bincode))),
  transactions: unwrap(decodeTransactionsBincode(fromHex(v.transactions_bincode))),
}))

/** The vectors' signed transactions, chain and mempool. */
export const vectorTransactions: readonly Transaction[] = [
  ...vectors.transactions.map((v) => unwrap(decodeTransactionJson(v.json))),
  ...vectors.mempool.map((v) => unwrap(decodeTransactionJson(v.json))),
]

/** Every JSON text of the vectors: messages (accepted and rejected), objects, invalid objects, /sync. */
export const vectorJsonTexts: readonly string[] = [
  ...vectors.messages.encode.map((m) => m.line),
  ...vectors.messages.decode.map((m) => m.line),
  ...vectors.transactions.map((t) => t.json),
  ...vectors.blocks.map((b) => b.json),
  ...vectors.mempool.map((m) => m.json),
  ...vectors.invalid.map((i) => i.json),
  vectors.sync.json,
  vectors.sync.empty_chain_json,
]
