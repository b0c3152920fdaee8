/**
 * What `ChainState` needs from durable storage. Every call is synchronous and commits before it
 * returns, so a change the gateway acknowledges is already on disk.
 *
 * @packageDocumentation
 */
import type { Block, Transaction } from '../../codecs/model.js'

/** What a {@link ChainPersistence} holds, as `ChainState` loads it at start. */
export interface PersistedChain {
  /** The chain, first block first. */
  blocks: Block[]
  /** The mempool, oldest first. */
  mempool: Transaction[]
}

/** Durable storage behind a `ChainState` (the store's `ChainStore` implements it). */
export interface ChainPersistence {
  /** The whole chain and mempool as last committed. */
  load(): PersistedChain
  /**
   * Atomically replaces every block from `height` (0-based position) on with `blocks`, and drops
   * from the mempool every transaction those blocks contain. `height` equal to the stored block count
   * appends.
   */
  replaceFrom(height: number, blocks: readonly Block[]): void
  /** Adds an accepted transaction to the mempool (no-op if it is already there). */
  addTx(tx: Transaction): void
}
