/**
 * Linked headers (docs/PROTOCOL.md §8.9): a header that follows the documented producer rules is
 * sent as `[merkle_root, tx_count]` (or with its timestamp when that is not the previous one + 30 s)
 * and the receiver recomputes the rest from the header before it: prev_hash is that header's hash,
 * version 1, difficulty 10 000, vdf_output = vdf(prev_hash, 10 000), nonce derived from prev_hash and
 * timestamp, empty signature. 36 bytes instead of 127 per header.
 *
 * Recomputing vdf_output costs one VDF per linked header (10 001 Blake3s), which validating the header
 * costs anyway; a header rebuilt this way has the right VDF by construction.
 *
 * @packageDocumentation
 */
import { blockHash, headerNonce, vdf, VDF_DIFFICULTY } from '../../codecs/hashes.js'
import { U64_MAX } from '../../codecs/model.js'
import type { BlockHeader } from '../../codecs/model.js'
import { BLOCK_INTERVAL, BLOCK_VERSION } from '../../codecs/producer.js'
import { err, ok } from '../../codecs/result.js'
import type { Result } from '../../codecs/result.js'
import { sameBytes } from '../../codecs/wire-fields.js'
import { isFullHeader } from '../../codecs/wire-sync.js'
import type { HeaderEntry, LinkedHeader } from '../../codecs/wire-sync.js'
import { failure } from './failure.js'
import type { ProtocolFailure } from './failure.js'

/** The VDF of a block with this prev_hash at the fixed difficulty (injectable so tests can memoise it). */
export type VdfOf = (prevHash: Uint8Array) => Uint8Array

const defaultVdf: VdfOf = (prevHash) => vdf(prevHash, VDF_DIFFICULTY)

/**
 * `headers` (consecutive, oldest first) as message entries: the first full, each later one linked
 * when every omitted field is what the receiver will recompute.
 *
 * Precondition: the headers come from the chain mirror, which holds only validated blocks, so their
 * vdf_output is right; it is not recomputed here (a VDF per header would make serving sync slow).
 */
export function linkHeaders(headers: readonly BlockHeader[]): HeaderEntry[] {
  return headers.map((h, i) => {
    const previous = headers[i - 1]
    return previous === undefined || !derivable(previous, h) ? h : linkOf(previous, h)
  })
}

function derivable(previous: BlockHeader, h: BlockHeader): boolean {
  return (
    h.version === BLOCK_VERSION &&
    h.difficulty === VDF_DIFFICULTY &&
    h.signature.length === 0 &&
    sameBytes(h.prev_hash, blockHash(previous)) &&
    h.nonce === headerNonce(h.prev_hash, h.timestamp)
  )
}

function linkOf(previous: BlockHeader, h: BlockHeader): LinkedHeader {
  const link: LinkedHeader = { merkle_root: h.merkle_root, tx_count: h.tx_count }
  return h.timestamp === previous.timestamp + BLOCK_INTERVAL ? link : { ...link, timestamp: h.timestamp }
}

/**
 * The full headers of a `headers` message: linked entries rebuilt from the header before them (one
 * VDF each). Fails with `out-of-range` if a derived timestamp would pass 2^64 − 1.
 *
 * @param vdfOf - the VDF at difficulty 10 000 (default: compute it)
 */
export function expandHeaders(entries: readonly HeaderEntry[], vdfOf: VdfOf = defaultVdf): Result<BlockHeader[], ProtocolFailure> {
  const out: BlockHeader[] = []
  for (const [i, entry] of entries.entries()) {
    const next = expandOne(out[i - 1], entry, i, vdfOf)
    if (!next.ok) return next
    out.push(next.value)
  }
  return ok(out)
}

/**
 * {@link expandHeaders} that yields to the event loop every `slice` headers, so rebuilding 200 VDFs
 * (seconds of CPU on a Pi) does not stall the links and timers of a running gateway; `onProgress`
 * sees the headers rebuilt so far at each yield (a sync asks for their bodies meanwhile).
 */
export async function expandHeadersAsync(
  entries: readonly HeaderEntry[],
  vdfOf: VdfOf = defaultVdf,
  slice = 4,
  onProgress?: (expanded: readonly BlockHeader[]) => void,
): Promise<Result<BlockHeader[], ProtocolFailure>> {
  const out: BlockHeader[] = []
  for (const [i, entry] of entries.entries()) {
    if (i > 0 && i % slice === 0) {
      onProgress?.(out)
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    const next = expandOne(out[i - 1], entry, i, vdfOf)
    if (!next.ok) return next
    out.push(next.value)
  }
  return ok(out)
}

function expandOne(previous: BlockHeader | undefined, entry: HeaderEntry, i: number, vdfOf: VdfOf): Result<BlockHeader, ProtocolFailure> {
  if (isFullHeader(entry)) return ok(entry)
  // the schema makes the first entry full, so a linked one always has a predecessor
  if (previous === undefined) return err(failure('broken-link', `headers[${i}] is linked but has no header before it`))
  const timestamp = entry.timestamp ?? previous.timestamp + BLOCK_INTERVAL
  if (timestamp > U64_MAX) return err(failure('out-of-range', `headers[${i}]: timestamp ${timestamp} exceeds 2^64 - 1`))
  return ok(rebuild(previous, entry, timestamp, vdfOf))
}

function rebuild(previous: BlockHeader, link: LinkedHeader, timestamp: bigint, vdfOf: VdfOf): BlockHeader {
  const prev_hash = blockHash(previous)
  return {
    version: BLOCK_VERSION,
    prev_hash,
    merkle_root: link.merkle_root,
    timestamp,
    vdf_output: vdfOf(prev_hash),
    difficulty: VDF_DIFFICULTY,
    nonce: headerNonce(prev_hash, timestamp),
    tx_count: link.tx_count,
    signature: new Uint8Array(0),
  }
}
