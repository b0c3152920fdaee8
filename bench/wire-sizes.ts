/**
 * Bytes on air for the fixed corpus: the seed's NDJSON, plain CBOR (cbor-x `encode` with its
 * defaults, of the same objects the NDJSON carries: maps with field names, no tricks) and our wire
 * format as the gateway actually sends it, each as a share of NDJSON, beside the targets.
 * Sizes are exact counts, not timings, so one run is enough.
 *
 * What "our wire format" counts, per item:
 * - one transaction: the `tx` envelope;
 * - an empty block: the `block` envelope;
 * - a block of 30 transactions announced to a peer that has them all: the `cmpctblock` envelope;
 * - a chain synced from scratch: every message of the headers-first sync both ways (bench/sync-exchange.ts).
 *
 * @packageDocumentation
 */
import { encode as plainCbor } from 'cbor-x'
import { encodeEnvelope } from '../codecs/envelope.js'
import { U64_MAX, type Block, type BlockHeader, type P2PMessage, type Transaction } from '../codecs/model.js'
import { encodeP2PMessage } from '../codecs/ndjson.js'
import { toHex } from '../codecs/hex.js'
import { makeCompactBlock } from '../gateway/protocol/compact-block.js'
import { CORPUS_COMPACT_SALT } from '../hardware-sim/corpus.js'
import type { BenchContext, BenchCorpus } from './bench-context.js'
import { grouped, percent } from './format.js'
import type { WireSizeRow } from './results-model.js'
import type { Measurement } from './section.js'
import { SYNC_BATCH_BYTES, syncFromScratch, type SyncExchange } from './sync-exchange.js'

/** Issue #10's targets, as shares of the NDJSON size. */
export const SIZE_TARGETS = { tx: 0.2, compactBlock: 0.03, sync: 0.15 } as const

/** Bytes a key costs in our envelope (2-byte bstr header + 32) and as a short key reference (docs/PROTOCOL.md §10 sketch). */
const KEY_WIRE_BYTES = 34 // bytes
const SHORT_KEY_REF_BYTES = 6 // bytes
/** A public key or a merkle root, bytes. */
const HASH_BYTES = 32

/** The seed's line for `msg`, with its newline, bytes. */
function ndjsonBytes(msg: P2PMessage): number {
  return Buffer.byteLength(encodeP2PMessage(msg)) + 1
}

/** A transaction as serde names it (the object the NDJSON line holds). */
function serdeTx(t: Transaction): Record<string, unknown> {
  return { sender: t.sender, recipient: t.recipient, amount: t.amount, nonce: t.nonce, signature: t.signature }
}

function serdeHeader(h: BlockHeader): Record<string, unknown> {
  const { version, prev_hash, merkle_root, timestamp, vdf_output, difficulty, nonce, tx_count, signature } = h
  return { version, prev_hash, merkle_root, timestamp, vdf_output, difficulty, nonce, tx_count, signature }
}

function serdeBlock(b: Block): Record<string, unknown> {
  return { header: serdeHeader(b.header), transactions: b.transactions.map(serdeTx) }
}

/** cbor-x `encode` of `value` with its defaults, bytes. */
function cborBytes(value: unknown): number {
  return plainCbor(value).length
}

/**
 * Random bytes the receiver does not hold and no encoding can shorten: every signature, each distinct
 * key once, and the merkle root of each block with transactions (a header's other fields are derivable
 * or constant). A compact block's floor is its merkle root alone: the peer holds the transactions.
 */
function incompressibleBytes(txs: readonly Transaction[], blocksWithTxs: number): number {
  const keys = new Set(txs.flatMap((t) => [toHex(t.sender), toHex(t.recipient)]))
  return txs.reduce((n, t) => n + t.signature.length, 0) + HASH_BYTES * (keys.size + blocksWithTxs)
}

function row(item: string, ndjson: number, cbor: number, wire: number, wireForm: string, target: number | null, floor: number): WireSizeRow {
  const wireShare = wire / ndjson
  const floorShare = floor / ndjson
  const verdict = target === null ? 'no target' : wireShare <= target ? 'met' : floorShare > target ? 'unreachable' : 'missed'
  return { item, ndjson, cbor, wire, wireForm, wireShare, target, floorShare, verdict }
}

/** The size rows of the corpus, and the sync exchange behind the last one. */
export function measureWireSizes(corpus: BenchCorpus, chainBlocks: number): { rows: WireSizeRow[]; sync: SyncExchange } {
  const { transaction: tx, emptyBlock, fullBlock } = corpus
  const chain = corpus.chain.slice(0, chainBlocks)
  const sync = syncFromScratch(chain)
  const chainTxs = chain.flatMap((b) => b.transactions)
  const rows = [
    row('one transaction', ndjsonBytes({ type: 'NewTransaction', transaction: tx }), cborBytes({ NewTransaction: serdeTx(tx) }),
      encodeEnvelope({ type: 'tx', transaction: tx }).length, 'tx', SIZE_TARGETS.tx, incompressibleBytes([tx], 0)),
    row('an empty block', ndjsonBytes({ type: 'NewBlock', block: emptyBlock }), cborBytes({ NewBlock: serdeBlock(emptyBlock) }),
      encodeEnvelope({ type: 'block', block: emptyBlock }).length, 'block', null, 0),
    row('a block of 30 txs, peer has them', ndjsonBytes({ type: 'NewBlock', block: fullBlock }), cborBytes({ NewBlock: serdeBlock(fullBlock) }),
      encodeEnvelope(makeCompactBlock(fullBlock, CORPUS_COMPACT_SALT)).length, 'cmpctblock', SIZE_TARGETS.compactBlock, HASH_BYTES),
    row(`a chain of ${chain.length} blocks of 5 txs, synced from scratch`, ndjsonBytes({ type: 'Chain', blocks: chain }), cborBytes({ Chain: chain.map(serdeBlock) }),
      sync.totalBytes, 'getheaders, headers, getbodies, bodies, ack', SIZE_TARGETS.sync, incompressibleBytes(chainTxs, chain.filter((b) => b.transactions.length > 0).length)),
  ]
  return { rows, sync }
}

/**
 * NDJSON bytes of the longest line a transaction with 32-byte keys and a 64-byte signature can
 * have: every byte three digits, amount and nonce 2^64 − 1.
 */
export function longestTxLine(): number {
  const widest = (n: number): Uint8Array => new Uint8Array(n).fill(255)
  const transaction = { sender: widest(32), recipient: widest(32), amount: U64_MAX, nonce: U64_MAX, signature: widest(64) }
  return ndjsonBytes({ type: 'NewTransaction', transaction })
}

/** Why a lone transaction cannot meet its target, with the arithmetic (empty when it can). */
export function loneTxNote(r: WireSizeRow): string {
  if (r.verdict !== 'unreachable' || r.target === null) return ''
  const floor = Math.round(r.floorShare * r.ndjson)
  const longest = longestTxLine()
  const shortKeys = r.wire - 2 * (KEY_WIRE_BYTES - SHORT_KEY_REF_BYTES)
  return (
    `${r.item}: sender 32 + recipient 32 + signature 64 = ${floor} random bytes that no encoding can shorten; ` +
    `${floor} / ${grouped(r.ndjson)} = ${percent(r.floorShare)} > ${percent(r.target, 0)}, so the target is physically unreachable ` +
    `for a self-contained transaction (${percent(r.target, 0)} of ${grouped(r.ndjson)} is ${grouped(r.target * r.ndjson)} B). ` +
    `No valid transaction can meet it: the longest line one can have (every key and signature byte ≥ 100, amount and nonce 2^64 − 1) ` +
    `is ${longest} B, and ${floor} / ${longest} = ${percent(floor / longest)}. ` +
    `Ours is ${r.wire} B: the ${floor} plus ${r.wire - floor} B of envelope header, array header, type, length prefixes, amount and nonce. ` +
    `Only a receiver that already knows both keys could take less: short key references (docs/PROTOCOL.md §10, not implemented) ` +
    `would make it ${shortKeys} B = ${percent(shortKeys / r.ndjson)}.`
  )
}

function table(rows: readonly WireSizeRow[]): Measurement['table'] {
  return {
    columns: ['corpus item', 'NDJSON B', 'plain CBOR B', 'wire B', 'wire sends', 'wire / NDJSON', 'target', 'verdict'],
    rows: rows.map((r) => [
      r.item, grouped(r.ndjson), grouped(r.cbor), grouped(r.wire), r.wireForm, percent(r.wireShare, 2),
      r.target === null ? '—' : `≤ ${percent(r.target, 0)}`, r.verdict === 'unreachable' ? `unreachable (floor ${percent(r.floorShare, 2)})` : r.verdict,
    ]),
  }
}

/** The `bytes-on-air` section. */
export async function bytesOnAir(ctx: BenchContext): Promise<Measurement> {
  const { rows, sync } = measureWireSizes(ctx.corpus(), ctx.settings.sizeChainBlocks)
  const perType = Object.entries(sync.bytes).map(([type, bytes]) => `${type} ${grouped(bytes)} B in ${sync.messages[type] ?? 0}`)
  const notes = [
    'NDJSON: the seed\'s line with its newline. Plain CBOR: cbor-x `encode` with its defaults of the same objects (maps with the Rust field names, byte fields as tagged byte strings, u64 as 9-byte integers). Wire: our envelopes as sent, compression auto (docs/PROTOCOL.md).',
    'The seed has no compact blocks and no incremental sync: its NDJSON and plain CBOR carry the whole block, and the `Chain` answer (the 11-byte "GetChain" request is not counted); our sync counts every message both ways.',
    `Sync messages: ${perType.join(', ')} (runs of ${grouped(SYNC_BATCH_BYTES)} payload bytes, as planBodies cuts them; one ack per run).`,
    'Floor: random bytes the receiver does not hold (signatures, each distinct key once, merkle roots), as a share of NDJSON; no self-contained encoding goes below it.',
    ...rows.map(loneTxNote).filter((n) => n !== ''),
  ]
  return { rows, table: table(rows), notes }
}
