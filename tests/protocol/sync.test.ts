import { describe, expect, it } from 'vitest'
import { decodeEnvelope, encodeEnvelope } from '../../codecs/envelope.js'
import type { WireMessage } from '../../codecs/envelope.js'
import { blockHash, headerNonce, merkleRoot, ZERO_HASH } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import { U64_MAX } from '../../codecs/model.js'
import type { Block, BlockHeader, Transaction } from '../../codecs/model.js'
import { buildNextBlock } from '../../codecs/producer.js'
import { unwrap } from '../../codecs/result.js'
import type { Result } from '../../codecs/result.js'
import { encodeWireBody } from '../../codecs/wire-model.js'
import { encodeBodyCbor, MAX_BODIES, MAX_CONTEXT_BYTES } from '../../codecs/wire-sync.js'
import type { Bodies, HeaderEntry } from '../../codecs/wire-sync.js'
import type { ProtocolFailure } from '../../gateway/protocol/failure.js'
import { answerGetBodies, chainContext, packBodies, unpackBodies } from '../../gateway/protocol/bodies.js'
import { expandHeaders, linkHeaders } from '../../gateway/protocol/header-links.js'
import type { VdfOf } from '../../gateway/protocol/header-links.js'
import {
  answerGetHeaders,
  blockLocator,
  chainViewOf,
  checkHeaderChain,
  findForkPoint,
  headersAfter,
  planBodies,
  planSync,
} from '../../gateway/protocol/sync.js'
import type { ChainView } from '../../gateway/protocol/sync.js'
import { corpusTransactions } from '../../hardware-sim/corpus.js'

/** The value of a protocol result; fails the test with the failure's reason otherwise. */
function must<T>(r: Result<T, ProtocolFailure>): T {
  if (!r.ok) throw new Error(`${r.error.reason}: ${r.error.message}`)
  return r.value
}

// ---- chains -------------------------------------------------------------------------------------

/** Seeded bytes (mulberry32), so the synthetic chains are the same on every run. */
function seededBytes(seed: number): (n: number) => Uint8Array {
  let a = seed >>> 0
  return (n) =>
    Uint8Array.from({ length: n }, () => {
      a = (a + 0x6d2b79f5) >>> 0
      let t = Math.imul(a ^ (a >>> 15), a | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return (t ^ (t >>> 14)) & 0xff
    })
}

const T0 = 1704067200n // s

/**
 * A chain that links and has right merkle roots and derived nonces, but a random (not computed)
 * vdf_output: cheap to build, for everything that does not check VDFs. Transactions are unsigned, from
 * eight wallets, so their keys repeat as real ones do.
 */
function syntheticChain(length: number, txsPerBlock: number, seed = 1, gaps: Record<number, bigint> = {}): Block[] {
  const random = seededBytes(seed)
  const wallets = Array.from({ length: 8 }, () => random(32))
  const blocks: Block[] = []
  for (let i = 0; i < length; i++) {
    const transactions: Transaction[] = Array.from({ length: txsPerBlock }, (_, k) => ({
      sender: wallets[(i + k) % 8] as Uint8Array,
      recipient: wallets[(i + k + 3) % 8] as Uint8Array,
      amount: BigInt(1000 + i * 7 + k),
      nonce: BigInt(i),
      signature: random(64),
    }))
    const previous = blocks.at(-1)
    const prev_hash = previous === undefined ? ZERO_HASH.slice() : blockHash(previous.header)
    const timestamp = previous === undefined ? T0 : previous.header.timestamp + (gaps[i] ?? 30n)
    const header: BlockHeader = {
      version: 1,
      prev_hash,
      merkle_root: merkleRoot(transactions),
      timestamp,
      vdf_output: random(32),
      difficulty: 10_000,
      nonce: headerNonce(prev_hash, timestamp),
      tx_count: transactions.length,
      signature: new Uint8Array(0),
    }
    blocks.push({ header, transactions })
  }
  return blocks
}

/** The VDF a synthetic chain pretends to have: looked up by prev_hash. */
function vdfOracle(blocks: readonly Block[]): VdfOf {
  const byPrev = new Map(blocks.map((b) => [toHex(b.header.prev_hash), b.header.vdf_output]))
  return (prevHash) => byPrev.get(toHex(prevHash)) ?? new Uint8Array(32)
}

/** A view of `length` blocks whose hash is the block index, for locator arithmetic on huge chains. */
function indexView(length: number): Pick<ChainView, 'length' | 'hashAt'> {
  return {
    length,
    hashAt: (i) => {
      const h = new Uint8Array(32)
      new DataView(h.buffer).setUint32(0, i)
      return h
    },
  }
}
const indexOfHash = (h: Uint8Array) => new DataView(h.buffer, h.byteOffset).getUint32(0)

function overTheWire<M extends WireMessage>(msg: M): M {
  return unwrap(decodeEnvelope(encodeEnvelope(msg))) as M
}

// ---- tests --------------------------------------------------------------------------------------

describe('block locator and fork point', () => {
  it('lists the last 10 blocks, then doubling steps back, then the first block', () => {
    const locate = (n: number) => blockLocator(indexView(n)).map(indexOfHash)
    expect(locate(0)).toEqual([])
    expect(locate(1)).toEqual([0])
    expect(locate(5)).toEqual([4, 3, 2, 1, 0])
    expect(locate(12)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 0])
    expect(locate(100)).toEqual([99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 88, 84, 76, 60, 28, 0])
    const huge = blockLocator(indexView(2 ** 32 - 1))
    expect(huge).toHaveLength(41)
    expect(encodeWireBody({ type: 'getheaders', locator: huge, max: 1 }).length).toBeGreaterThan(41 * 32) // within MAX_LOCATOR
  })

  it('finds the newest block both chains share, or −1', () => {
    const ours = syntheticChain(30, 1)
    const theirs = [...ours.slice(0, 20), ...syntheticChain(10, 1, 99)] // 30 blocks, diverging after block 19
    // the newest shared block *in the locator* (29..20, then 18, 14, 6, 0): the headers then repeat block 19, harmlessly
    expect(findForkPoint(blockLocator(chainViewOf(theirs)), chainViewOf(ours))).toBe(18)
    const late = [...ours.slice(0, 25), ...syntheticChain(5, 1, 98)] // a fork among the last 10: found exactly
    expect(findForkPoint(blockLocator(chainViewOf(late)), chainViewOf(ours))).toBe(24)
    expect(findForkPoint(blockLocator(chainViewOf(ours)), chainViewOf(ours))).toBe(29)
    expect(findForkPoint(blockLocator(chainViewOf(syntheticChain(5, 1, 7))), chainViewOf(ours))).toBe(-1)
    expect(findForkPoint([], chainViewOf(ours))).toBe(-1)
  })

  it('gives the headers after the fork, up to max or the stop hash', () => {
    const chain = syntheticChain(10, 0)
    const view = chainViewOf(chain)
    expect(headersAfter(view, 3, 4)).toEqual(chain.slice(4, 8).map((b) => b.header))
    expect(headersAfter(view, -1, 100)).toHaveLength(10)
    expect(headersAfter(view, 3, 100, view.hashAt(5))).toEqual(chain.slice(4, 6).map((b) => b.header))
    expect(headersAfter(view, 9, 5)).toEqual([])
  })
})

describe('headers', () => {
  it('send real producer-made headers linked, and rebuild them exactly with the real VDF', () => {
    const chain: Block[] = []
    for (const txs of [corpusTransactions(2), [], corpusTransactions(1, 2)]) {
      chain.push(buildNextBlock(chain.at(-1) ?? null, txs, { timestamp: T0 + 30n * BigInt(chain.length) }))
    }
    const answer = overTheWire(answerGetHeaders(chainViewOf(chain), { type: 'getheaders', locator: [], max: 10 }))
    expect(answer.headers.map((e) => Object.keys(e).length)).toEqual([9, 2, 2])
    expect(must(expandHeaders(answer.headers))).toEqual(chain.map((b) => b.header))
  })

  it('keep a header full when a field is not derivable, and send an unusual timestamp', () => {
    const chain = syntheticChain(5, 1, 3, { 2: 95n })
    const odd = { ...(chain[4] as Block).header, nonce: 1n } // not the derived nonce
    const headers = [...chain.slice(0, 4).map((b) => b.header), odd]
    const entries = linkHeaders(headers)
    expect(entries.map((e) => Object.keys(e).length)).toEqual([9, 2, 3, 2, 9])
    expect((entries[2] as HeaderEntry & { timestamp?: bigint }).timestamp).toBe(T0 + 30n + 95n)
    expect(must(expandHeaders(overTheWire({ type: 'headers', headers: entries }).headers, vdfOracle(chain)))).toEqual(headers)
  })

  it('refuse a derived timestamp past 2^64 − 1', () => {
    const [first] = syntheticChain(1, 0)
    const late = { ...(first as Block).header, timestamp: U64_MAX - 10n }
    const r = expandHeaders([late, { merkle_root: late.merkle_root, tx_count: 0 }], vdfOracle([]))
    expect(!r.ok && r.error.reason).toBe('out-of-range')
  })

  it('check that received headers start from a block we have and link up', () => {
    const chain = syntheticChain(8, 0)
    const headers = chain.map((b) => b.header)
    const ours = chainViewOf(chain.slice(0, 3))
    expect(must(checkHeaderChain(chainViewOf([]), headers))).toEqual({ fork: -1, hashes: chain.map((b) => blockHash(b.header)) })
    expect(must(checkHeaderChain(ours, headers.slice(3))).fork).toBe(2)
    expect(must(checkHeaderChain(ours, []))).toEqual({ fork: 2, hashes: [] })
    const unknown = checkHeaderChain(ours, headers.slice(5))
    expect(!unknown.ok && unknown.error.reason).toBe('unknown-parent')
    const broken = checkHeaderChain(ours, [headers[3], headers[5]] as BlockHeader[])
    expect(!broken.ok && broken.error).toEqual({ reason: 'broken-link', message: 'headers[1] does not follow headers[0]' })
  })
})

describe('sync planner', () => {
  const chain = syntheticChain(12, 0)
  const view = chainViewOf(chain)
  const tip = (n: number) => ({ height: n, tip: view.hashAt(n - 1) as Uint8Array })

  it('asks a longer peer for headers from our locator, no more than it has', () => {
    const ours = chainViewOf(chain.slice(0, 4))
    expect(planSync(chainViewOf([]), tip(12))).toEqual({ type: 'getheaders', locator: [], max: 12 })
    expect(planSync(ours, tip(12), { maxHeaders: 5 })).toEqual({ type: 'getheaders', locator: blockLocator(ours), max: 5 })
  })

  it('asks nothing of a peer that is not longer or whose tip we have', () => {
    expect(planSync(view, tip(12))).toBeUndefined()
    expect(planSync(chainViewOf(chain.slice(0, 4)), tip(4))).toBeUndefined()
    expect(planSync(chainViewOf(chain.slice(0, 4)), { height: 3, tip: new Uint8Array(32) })).toBeUndefined()
  })

  it('continues after the newest pending header, and stops once it is the peer tip', () => {
    const pending = chain.slice(0, 6).map((b) => blockHash(b.header))
    const next = planSync(chainViewOf([]), tip(12), { pending, maxHeaders: 6 })
    expect(next?.locator).toEqual([pending[5]])
    expect(planSync(chainViewOf([]), tip(6), { pending })).toBeUndefined()
  })

  it('cuts bodies into batches of about N payload bytes, at least one block each', () => {
    const headers = [0, 5, 5, 30, 0, 1].map((n) => ({ ...(chain[0] as Block).header, tx_count: n }))
    const hashes = headers.map((_, i) => Uint8Array.of(i))
    const batches = planBodies(headers, hashes, 1500) // ~140 bytes per transaction
    expect(batches.map((b) => [b.last[0], b.count])).toEqual([[2, 3], [3, 1], [5, 2]]) // 3+703+703, 4203 alone, 3+143
    const many = Array.from({ length: MAX_BODIES + 100 }, () => headers[0] as BlockHeader)
    expect(planBodies(many, many.map(() => new Uint8Array(32)), 1e9).map((b) => b.count)).toEqual([MAX_BODIES, 100])
  })
})

describe('bodies', () => {
  const chain = syntheticChain(60, 5)
  const server = chainViewOf(chain)

  it('take the chain context from the bodies before the run: empty at the start, at most 32 KiB', () => {
    expect(must(chainContext(server, 0))).toHaveLength(0)
    const encoded = chain.slice(0, 3).map((b) => encodeBodyCbor(b.transactions))
    expect(must(chainContext(server, 3))).toEqual(Uint8Array.from(encoded.flatMap((e) => [...e])))
    expect(must(chainContext(server, 60)).length).toBe(MAX_CONTEXT_BYTES)
    const holes: Pick<ChainView, 'transactionsAt'> = { transactionsAt: (i) => (i === 1 ? undefined : chain[i]?.transactions) }
    expect(chainContext(holes, 3)).toMatchObject({ ok: false, error: { reason: 'context-unavailable' } })
  })

  it('sync in batches that each decode against the blocks applied before them', () => {
    const headers = chain.map((b) => b.header)
    const hashes = chain.map((b) => blockHash(b.header))
    let local: Block[] = []
    for (const request of planBodies(headers, hashes, 8192).map(overTheWire)) {
      const answer = overTheWire(answerGetBodies(server, request))
      expect(answer.type).toBe('bodies')
      if (answer.type !== 'bodies') return
      const run = headers.slice(local.length, local.length + request.count)
      local = [...local, ...must(unpackBodies(answer, run, must(chainContext(chainViewOf(local), local.length))))]
    }
    expect(local).toEqual(chain)
  })

  it('get smaller with the chain context, where wallets pay again', () => {
    const bodies = [(chain[30] as Block).transactions]
    const withContext = packBodies(server.hashAt(30) as Uint8Array, bodies, must(chainContext(server, 30)))
    const without = packBodies(server.hashAt(30) as Uint8Array, bodies, new Uint8Array(0))
    expect(withContext.payload.length).toBeLessThan(0.8 * without.payload.length)
  })

  it('answer notfound for a run this chain does not have', () => {
    const notFound = (last: Uint8Array) => ({ type: 'notfound', tx: [], block: [last] })
    expect(answerGetBodies(server, { type: 'getbodies', last: new Uint8Array(32), count: 1 })).toEqual(notFound(new Uint8Array(32)))
    const third = server.hashAt(2) as Uint8Array
    expect(answerGetBodies(server, { type: 'getbodies', last: third, count: 4 })).toEqual(notFound(third))
  })

  it('refuse bodies for other blocks, without their context, garbled, or not matching the merkle roots', () => {
    const headers = chain.slice(10, 14).map((b) => b.header)
    const context = must(chainContext(server, 10))
    const answer = answerGetBodies(server, { type: 'getbodies', last: server.hashAt(13) as Uint8Array, count: 4 }) as Bodies
    const reason = (r: ReturnType<typeof unpackBodies>) => !r.ok && r.error.reason
    expect(must(unpackBodies(answer, headers, context))).toEqual(chain.slice(10, 14))
    expect(reason(unpackBodies(answer, headers.slice(0, 3), context))).toBe('wrong-batch')
    expect(reason(unpackBodies(answer, headers.slice(1), context))).toBe('wrong-batch') // right last block, 3 headers for 4 bodies
    expect(reason(unpackBodies(answer, headers, context.subarray(0, 100)))).toBe('context-unavailable')
    expect(reason(unpackBodies({ ...answer, payload: Uint8Array.of(1, 2, 3) }, headers, context))).toBe('bad-payload')
    const others = packBodies(answer.last, chain.slice(20, 24).map((b) => b.transactions), context)
    expect(reason(unpackBodies(others, headers, context))).toBe('merkle-mismatch')
  })
})
