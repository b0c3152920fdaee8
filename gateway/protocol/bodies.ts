/**
 * Block bodies for sync (docs/PROTOCOL.md §8.11–§8.12): after `headers`, the requester asks for runs of
 * blocks with `getbodies` and gets only their transactions back (the headers are not sent twice),
 * deflated with the chain both sides already share as the preset dictionary.
 *
 * The chain context of a run starting at block s: the body encodings (`encodeBodyCbor`) of blocks
 * s−64 … s−1 (fewer near the first block), concatenated oldest first, of which the last 32 KiB.
 * Wallets that paid before pay again, and their 32-byte keys then cost a 3-byte back-reference instead
 * of 32 bytes, even in a small batch. The receiver holds those blocks because it applies batches in
 * order; a batch that arrives early waits for the one before it.
 *
 * @packageDocumentation
 */
import { blockHash, merkleRoot } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import { deflateRaw, inflateRaw } from '../../codecs/compress.js'
import type { Block, BlockHeader, Transaction } from '../../codecs/model.js'
import { err, ok } from '../../codecs/result.js'
import type { Result } from '../../codecs/result.js'
import { sameBytes } from '../../codecs/wire-fields.js'
import type { NotFound } from '../../codecs/wire-gateway.js'
import { decodeBodiesPayload, encodeBodiesPayload, encodeBodyCbor, MAX_BODIES_PAYLOAD_BYTES, MAX_CONTEXT_BYTES } from '../../codecs/wire-sync.js'
import type { Bodies, GetBodies } from '../../codecs/wire-sync.js'
import { failure } from './failure.js'
import type { ProtocolFailure } from './failure.js'
import type { ChainView } from './sync.js'

/** Most blocks before a run whose bodies make its chain context. */
export const MAX_CONTEXT_BLOCKS = 64

/**
 * The chain context of a run of blocks that starts at index `first` (see the file comment), or
 * `context-unavailable` when a body it needs is not held.
 */
export function chainContext(chain: Pick<ChainView, 'transactionsAt'>, first: number): Result<Uint8Array, ProtocolFailure> {
  const parts: Uint8Array[] = []
  let bytes = 0
  // newest first, and only until 32 KiB are collected: older bodies would fall out of the tail anyway
  for (let i = first - 1; i >= Math.max(0, first - MAX_CONTEXT_BLOCKS) && bytes < MAX_CONTEXT_BYTES; i--) {
    const body = chain.transactionsAt(i)
    if (body === undefined) return err(failure('context-unavailable', `the body of block ${i} is not held`))
    const encoded = encodeBodyCbor(body)
    parts.unshift(encoded)
    bytes += encoded.length
  }
  const all = new Uint8Array(bytes)
  let at = 0
  for (const p of parts) {
    all.set(p, at)
    at += p.length
  }
  return ok(all.subarray(Math.max(0, bytes - MAX_CONTEXT_BYTES)))
}

/** The `bodies` message for the run ending with block `last`, deflated against `context` (all of it). */
export function packBodies(last: Uint8Array, bodies: readonly (readonly Transaction[])[], context: Uint8Array): Bodies {
  return { type: 'bodies', last: Uint8Array.from(last), context: context.length, payload: deflateRaw(encodeBodiesPayload(bodies), context) }
}

/**
 * The answer to a `getbodies` from `chain`: the bodies of the `count` blocks ending with `last`, or
 * `notfound` for `last` when this chain does not have it (or not that many blocks before it).
 */
export function answerGetBodies(chain: ChainView, request: GetBodies): Bodies | NotFound {
  const notFound: NotFound = { type: 'notfound', tx: [], block: [Uint8Array.from(request.last)] }
  const end = chain.indexOf(request.last)
  const first = end === undefined ? -1 : end - request.count + 1
  if (end === undefined || first < 0) return notFound
  const bodies: (readonly Transaction[])[] = []
  for (let i = first; i <= end; i++) {
    const body = chain.transactionsAt(i)
    if (body === undefined) return notFound
    bodies.push(body)
  }
  const context = chainContext(chain, first)
  return context.ok ? packBodies(request.last, bodies, context.value) : notFound
}

/**
 * The blocks of a `bodies` answer, given the headers of the run it answers (oldest first, the last
 * one's hash `msg.last`) and the receiver's chain context for the run (`chainContext`). Each body
 * must hash to its header's merkle root; the caller still validates every block before storing it.
 */
export function unpackBodies(msg: Bodies, headers: readonly BlockHeader[], context: Uint8Array): Result<Block[], ProtocolFailure> {
  const lastHeader = headers.at(-1)
  if (lastHeader === undefined || !sameBytes(blockHash(lastHeader), msg.last)) {
    return err(failure('wrong-batch', `bodies for ${toHex(msg.last)}, which is not the last of the ${headers.length} headers given`))
  }
  if (context.length < msg.context) {
    return err(failure('context-unavailable', `the sender used ${msg.context} bytes of chain context, ${context.length} are held`))
  }
  const plain = inflateRaw(msg.payload, context.subarray(context.length - msg.context), MAX_BODIES_PAYLOAD_BYTES)
  const bodies = plain.ok ? decodeBodiesPayload(plain.value) : plain
  if (!bodies.ok) return err(failure('bad-payload', bodies.error.message))
  if (bodies.value.length !== headers.length) {
    return err(failure('wrong-batch', `${bodies.value.length} bodies for ${headers.length} headers`))
  }
  const blocks = headers.map((header, i): Block => ({ header, transactions: bodies.value[i] ?? [] }))
  const bad = blocks.find((b) => !sameBytes(merkleRoot(b.transactions), b.header.merkle_root))
  if (bad !== undefined) return err(failure('merkle-mismatch', `the body of block ${toHex(blockHash(bad.header))} does not hash to its merkle_root`))
  return ok(blocks)
}
