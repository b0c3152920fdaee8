/** Shared test data for the store tests: the golden 6-block chain, its mempool, forks and a fake clock. */
import { decodeBlockJson, decodeTransactionJson } from '../../codecs/ndjson.js'
import type { Block, Transaction } from '../../codecs/model.js'
import { buildNextBlock } from '../../codecs/producer.js'
import { unwrap } from '../../codecs/result.js'
import { StoreError, type StoreErrorCode } from '../../gateway/store/store-error.js'
import { vectors } from '../helpers/vectors.js'

/** The golden vectors' valid 6-block chain (0, 1, 3, 7, 0 and 2 transactions). */
export function vectorChain(): Block[] {
  return vectors.blocks.map((b) => unwrap(decodeBlockJson(b.json)))
}

/** The golden vectors' 3 signed transactions that are not in the chain. */
export function vectorMempool(): Transaction[] {
  return vectors.mempool.map((m) => unwrap(decodeTransactionJson(m.json)))
}

/**
 * `chain[0..forkAt)` followed by `length` new empty blocks whose timestamps are 1 s off the usual
 * schedule, so every new block differs from `chain[forkAt..]`. One VDF per new block.
 */
export function forkOf(chain: readonly Block[], forkAt: number, length: number): Block[] {
  const out = chain.slice(0, forkAt)
  for (let i = 0; i < length; i++) {
    const tip = out.at(-1) ?? null
    out.push(buildNextBlock(tip, [], { timestamp: (tip?.header.timestamp ?? 1_704_067_200n) + 31n }))
  }
  return out
}

/** A clock the test moves by hand, ms. */
export interface FakeClock {
  now: () => number
  advance(ms: number): void
}

/** A {@link FakeClock} starting at `start` ms. */
export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let t = start
  return { now: () => t, advance: (ms) => void (t += ms) }
}

/** The code of the StoreError `fn` throws; fails the test if it returns or throws something else. */
export function storeErrorCode(fn: () => unknown): StoreErrorCode {
  try {
    fn()
  } catch (e) {
    if (e instanceof StoreError) return e.code
    throw e
  }
  throw new Error('expected a StoreError, nothing was thrown')
}

/** Peers crash-writer.ts queues every key for; `node` is the node-side queue its deliver phase drains. */
export const CRASH_PEERS = ['node', 'N0CALL', 'K1ABC'] as const
