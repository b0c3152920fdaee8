/**
 * Incremental chain sync as pure functions over a chain view (docs/PROTOCOL.md §8.8–§8.12): block
 * locators, the fork point, the headers to answer with, the check of a received header chain, and the
 * planner that turns a peer's tip into "request headers, then bodies in batches of N bytes".
 *
 * Heights here are 0-based block indexes; a chain of `length` blocks has its tip at `length - 1`, and
 * fork point −1 means "no block in common" (sync from the first block).
 *
 * @packageDocumentation
 */
import { blockHash, ZERO_HASH } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Block, BlockHeader, Transaction } from '../../codecs/model.js'
import { err, ok } from '../../codecs/result.js'
import type { Result } from '../../codecs/result.js'
import { sameBytes } from '../../codecs/wire-fields.js'
import { MAX_BODIES, MAX_HEADERS } from '../../codecs/wire-sync.js'
import type { Bodies, GetBodies, GetHeaders, Headers } from '../../codecs/wire-sync.js'
import { answerGetBodies } from './bodies.js'
import { failure } from './failure.js'
import type { ProtocolFailure } from './failure.js'
import { linkHeaders } from './header-links.js'

/** What the sync functions read of a chain (the chain mirror implements it over its store). */
export interface ChainView {
  /** Number of blocks. */
  readonly length: number
  /** Hash of the block at `index`, or undefined past the end. */
  hashAt(index: number): Uint8Array | undefined
  /** Index of the block with this hash in this chain, or undefined. */
  indexOf(hash: Uint8Array): number | undefined
  /** Header of the block at `index`. */
  headerAt(index: number): BlockHeader | undefined
  /** Transactions of the block at `index`, or undefined when not held. */
  transactionsAt(index: number): readonly Transaction[] | undefined
}

/** A peer's tip as its `hello` (or an `inv`) announced it. */
export interface PeerTip {
  /** Number of blocks in the peer's chain. */
  height: number
  /** Hash of its last block. */
  tip: Uint8Array
}

/** Locator entries before the steps start doubling (as Bitcoin). */
const DENSE_ENTRIES = 10
/** Headers asked for per `getheaders` unless configured: about 7 KB of linked headers, 200 VDFs to rebuild. */
export const DEFAULT_HEADERS_PER_REQUEST = 200
/** Estimated payload bytes of a block body: its array header. */
const BODY_OVERHEAD_BYTES = 3
/** Estimated payload bytes per packed transaction: 128 bytes of keys and signature, amount, nonce, headers. */
const PACKED_TX_BYTES = 140

/** An in-memory {@link ChainView} of `blocks` (tests, and small chains held in memory). */
export function chainViewOf(blocks: readonly Block[]): ChainView {
  const hashes = blocks.map((b) => blockHash(b.header))
  const index = new Map(hashes.map((h, i) => [toHex(h), i]))
  return {
    length: blocks.length,
    hashAt: (i) => hashes[i],
    indexOf: (hash) => index.get(toHex(hash)),
    headerAt: (i) => blocks[i]?.header,
    transactionsAt: (i) => blocks[i]?.transactions,
  }
}

/**
 * The block locator of a chain, newest first: the last 10 block hashes, then steps back that double
 * each time (2, 4, 8, ...), and always the first block: 29 hashes for a million blocks, 41 for 2^32.
 */
export function blockLocator(chain: Pick<ChainView, 'length' | 'hashAt'>): Uint8Array[] {
  const indexes: number[] = []
  let step = 1
  for (let i = chain.length - 1; i > 0; i -= step) {
    indexes.push(i)
    if (indexes.length >= DENSE_ENTRIES) step *= 2
  }
  if (chain.length > 0) indexes.push(0)
  return indexes.map((i) => chain.hashAt(i)).filter((h): h is Uint8Array => h !== undefined)
}

/** Index of the newest locator hash in `chain`, or −1 when none is (start from the first block). */
export function findForkPoint(locator: readonly Uint8Array[], chain: Pick<ChainView, 'indexOf'>): number {
  for (const hash of locator) {
    const index = chain.indexOf(hash)
    if (index !== undefined) return index
  }
  return -1
}

/** Up to `max` headers after block `fork`, stopping after the one whose hash is `stop`. */
export function headersAfter(chain: ChainView, fork: number, max: number, stop?: Uint8Array): BlockHeader[] {
  const out: BlockHeader[] = []
  for (let i = fork + 1; i < chain.length && out.length < max; i++) {
    const header = chain.headerAt(i)
    if (header === undefined) break
    out.push(header)
    if (stop !== undefined && sameBytes(chain.hashAt(i) ?? ZERO_HASH, stop)) break
  }
  return out
}

/** The `headers` answer to a `getheaders`: from the fork point, linked where derivable. */
export function answerGetHeaders(chain: ChainView, request: GetHeaders): Headers {
  return { type: 'headers', headers: linkHeaders(headersAsked(chain, request)) }
}

/** The headers a `getheaders` asks for, full: from the fork point, up to `max` or `stop`. */
function headersAsked(chain: ChainView, request: GetHeaders): BlockHeader[] {
  return headersAfter(chain, findForkPoint(request.locator, chain), request.max, request.stop)
}

/**
 * The `headers` answer with the bodies of its first run of about `pushBytes` (payload before
 * compression) pushed right behind it (§8.9 `pushed`): the requester would ask for those next, and on
 * a half-duplex link the request costs a turn each way. Just the `headers` when there are none or the
 * bodies cannot be packed.
 */
export function answerGetHeadersPushing(chain: ChainView, request: GetHeaders, pushBytes: number): [Headers] | [Headers, Bodies] {
  const headers = headersAsked(chain, request)
  const answer: Headers = { type: 'headers', headers: linkHeaders(headers) }
  const first = planBodies(headers, headers.map(blockHash), pushBytes)[0]
  const bodies = first === undefined ? undefined : answerGetBodies(chain, first)
  if (first === undefined || bodies?.type !== 'bodies') return [answer]
  return [{ ...answer, pushed: first.count }, bodies]
}

/** A received header chain: the index of our block it starts from (−1: the first block) and its hashes. */
export interface HeaderChain {
  fork: number
  hashes: Uint8Array[]
}

/**
 * Checks received headers (expanded, oldest first): the first must follow a block of `chain` (or be a
 * first block, prev_hash zero) and each must link to the one before it. VDFs are not checked here:
 * linked headers have theirs by construction, and block validation checks every one.
 */
export function checkHeaderChain(chain: Pick<ChainView, 'indexOf' | 'length'>, headers: readonly BlockHeader[]): Result<HeaderChain, ProtocolFailure> {
  const first = headers[0]
  if (first === undefined) return ok({ fork: chain.length - 1, hashes: [] })
  const fork = sameBytes(first.prev_hash, ZERO_HASH) ? -1 : chain.indexOf(first.prev_hash)
  if (fork === undefined) return err(failure('unknown-parent', `headers start after ${toHex(first.prev_hash)}, a block we do not have`))
  const hashes = headers.map(blockHash)
  for (let i = 1; i < headers.length; i++) {
    if (!sameBytes(headers[i]?.prev_hash ?? ZERO_HASH, hashes[i - 1] ?? ZERO_HASH)) {
      return err(failure('broken-link', `headers[${i}] does not follow headers[${i - 1}]`))
    }
  }
  return ok({ fork, hashes })
}

/** Options of {@link planSync}. */
export interface PlanSyncOptions {
  /** Headers per request, at most {@link MAX_HEADERS}; default {@link DEFAULT_HEADERS_PER_REQUEST}. */
  maxHeaders?: number
  /** Hashes of headers already received from this peer whose blocks are not in `chain` yet, oldest first. */
  pending?: readonly Uint8Array[]
}

/**
 * The next `getheaders` to send a peer, or undefined when there is nothing to fetch: its chain is not
 * longer than ours (the node adopts only longer chains), or we already have (or are fetching) its tip.
 */
export function planSync(chain: Pick<ChainView, 'length' | 'hashAt' | 'indexOf'>, peer: PeerTip, opts: PlanSyncOptions = {}): GetHeaders | undefined {
  const pending = opts.pending ?? []
  const have = chain.indexOf(peer.tip) !== undefined || pending.some((h) => sameBytes(h, peer.tip))
  if (have || peer.height <= chain.length) return undefined
  // the newest pending header first: the peer sent it, so the next headers follow it
  const newest = pending.at(-1)
  const locator = blockLocator(chain)
  const max = Math.min(opts.maxHeaders ?? DEFAULT_HEADERS_PER_REQUEST, MAX_HEADERS, peer.height)
  return { type: 'getheaders', locator: newest === undefined ? locator : [newest, ...locator], max }
}

/**
 * The `getbodies` requests for a run of headers (oldest first, with their hashes), each batch about
 * `maxBatchBytes` of payload before compression (at least one block, at most {@link MAX_BODIES}).
 */
export function planBodies(headers: readonly BlockHeader[], hashes: readonly Uint8Array[], maxBatchBytes: number): GetBodies[] {
  const batches: GetBodies[] = []
  let count = 0
  let bytes = 0
  headers.forEach((h, i) => {
    const size = BODY_OVERHEAD_BYTES + h.tx_count * PACKED_TX_BYTES
    if (count > 0 && (bytes + size > maxBatchBytes || count === MAX_BODIES)) {
      batches.push({ type: 'getbodies', last: hashes[i - 1] ?? ZERO_HASH, count })
      count = 0
      bytes = 0
    }
    count++
    bytes += size
  })
  if (count > 0) batches.push({ type: 'getbodies', last: hashes[headers.length - 1] ?? ZERO_HASH, count })
  return batches
}
