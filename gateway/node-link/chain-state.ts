/**
 * The chain and mempool a gateway (or the simulated node) holds, with the node's rules for changing
 * them: a block is appended only if it validates against the tip; a chain is adopted only if it is
 * strictly longer and every new block validates; a transaction enters the mempool only if it passes the
 * relay policy. Everything is keyed by its Bunkercoin hash, so duplicates cost one map lookup.
 *
 * With a `persistence` every accepted change is committed to it before the method returns its
 * outcome (what the gateway accepted is on disk before it is acknowledged); if the write throws,
 * memory is left unchanged and the error propagates.
 *
 * @packageDocumentation
 */
import { blockHash, txHash } from '../../codecs/hashes.js'
import { fromHex, toHex } from '../../codecs/hex.js'
import type { Block, Transaction } from '../../codecs/model.js'
import { checkRelayTransaction, validateBlock, type BlockWarning } from '../../codecs/validate.js'
import type { ChainView } from '../protocol/sync.js'
import type { ChainPersistence, PersistedChain } from '../store/chain-persistence.js'

/** What happened to a block offered with {@link ChainState.addBlock}. */
export type AddBlockOutcome =
  | { status: 'added'; hash: string; warnings: BlockWarning[] }
  | { status: 'duplicate'; hash: string }
  /** Its parent is not our tip and not in our chain: we are behind (or it is on a fork we never saw). */
  | { status: 'unknown-parent'; hash: string }
  /** Its parent is in our chain but is not the tip: a fork the node's rules do not follow. */
  | { status: 'stale'; hash: string }
  | { status: 'invalid'; hash: string; reason: string; message: string }

/** What happened to a chain offered with {@link ChainState.adoptChain}. */
export type AdoptChainOutcome =
  | { status: 'adopted'; height: number; replaced: number }
  | { status: 'not-longer'; height: number }
  | { status: 'invalid'; index: number; reason: string; message: string }

/** What happened to a transaction offered with {@link ChainState.addTransaction}. */
export type AddTxOutcome =
  | { status: 'added'; hash: string }
  | { status: 'duplicate'; hash: string }
  | { status: 'invalid'; hash: string; reason: string; message: string }
  | { status: 'full'; hash: string }

/** Limits of a {@link ChainState}. */
export interface ChainStateOptions {
  /** Most transactions held in the mempool; default 5 000. */
  maxMempool?: number
  /** Durable storage: loaded at construction, written before every accepted change is reported. */
  persistence?: ChainPersistence
}

/** The current tip as the rest of the gateway sees it. */
export interface ChainTip {
  /** Number of blocks (the node's `/sync` height). */
  height: number
  /** Hex hash of the last block, or null for an empty chain. */
  hash: string | null
}

/** An in-memory chain with mempool, applying the node's documented rules. */
export class ChainState {
  private blocks: Block[] = []
  private hashes: string[] = []
  private readonly index = new Map<string, number>()
  /** Hex hash of every transaction in the chain, so a confirmed tx is never taken back into the mempool. */
  private readonly confirmed = new Set<string>()
  private readonly mempool = new Map<string, Transaction>()
  private readonly maxMempool: number
  private readonly persistence: ChainPersistence | undefined

  /** @param options - limits and durable storage */
  constructor(options: ChainStateOptions = {}) {
    this.maxMempool = options.maxMempool ?? 5_000
    this.persistence = options.persistence
    if (this.persistence !== undefined) this.restore(this.persistence.load())
  }

  /** Height and tip hash. */
  tip(): ChainTip {
    return { height: this.blocks.length, hash: this.hashes.at(-1) ?? null }
  }

  /** The last block, or null for an empty chain. */
  tipBlock(): Block | null {
    return this.blocks.at(-1) ?? null
  }

  /** A copy of the whole chain, first block first. */
  chain(): Block[] {
    return this.blocks.slice()
  }

  /** The mempool, oldest first. */
  transactions(): Transaction[] {
    return [...this.mempool.values()]
  }

  /** The block with this hex hash, if in the chain. */
  block(hash: string): Block | undefined {
    const i = this.index.get(hash)
    return i === undefined ? undefined : this.blocks[i]
  }

  /** The mempool transaction with this hex hash, if held. */
  transaction(hash: string): Transaction | undefined {
    return this.mempool.get(hash)
  }

  /** The chain as the sync protocol reads it; live (it follows later changes). */
  view(): ChainView {
    const blocks = (): Block[] => this.blocks // adoptChain replaces the array: read it on every call
    return {
      get length() {
        return blocks().length
      },
      hashAt: (i) => (this.hashes[i] === undefined ? undefined : fromHex(this.hashes[i] as string)),
      indexOf: (hash) => this.index.get(toHex(hash)),
      headerAt: (i) => this.blocks[i]?.header,
      transactionsAt: (i) => this.blocks[i]?.transactions,
    }
  }

  /** True when a block with this hex hash is in the chain. */
  hasBlock(hash: string): boolean {
    return this.index.has(hash)
  }

  /** True when a transaction with this hex hash is in the mempool or in a block of the chain. */
  hasTransaction(hash: string): boolean {
    return this.mempool.has(hash) || this.confirmed.has(hash)
  }

  /** Appends `block` if it validates against the tip (the node's `NewBlock` rule). */
  addBlock(block: Block): AddBlockOutcome {
    const hash = toHex(blockHash(block.header))
    if (this.index.has(hash)) return { status: 'duplicate', hash }
    const parent = toHex(block.header.prev_hash)
    const tip = this.tipBlock()
    const extendsTip = tip === null ? parent === '0'.repeat(64) : parent === this.hashes.at(-1)
    if (!extendsTip) return { status: this.index.has(parent) ? 'stale' : 'unknown-parent', hash }
    const verdict = validateBlock(tip, block)
    if (!verdict.ok) return { status: 'invalid', hash, reason: verdict.reason, message: verdict.message }
    this.persistence?.replaceFrom(this.blocks.length, [block])
    this.append(block, hash)
    return { status: 'added', hash, warnings: verdict.warnings }
  }

  /**
   * Replaces the chain with `blocks` if it is strictly longer and every block validates. Blocks shared
   * with our own chain (same hash at the same height) are not validated again.
   */
  adoptChain(blocks: readonly Block[]): AdoptChainOutcome {
    if (blocks.length <= this.blocks.length) return { status: 'not-longer', height: this.blocks.length }
    const hashes = blocks.map((b) => toHex(blockHash(b.header)))
    const shared = this.sharedPrefix(hashes)
    for (let i = shared; i < blocks.length; i++) {
      const verdict = validateBlock(i === 0 ? null : (blocks[i - 1] ?? null), blocks[i] as Block)
      if (!verdict.ok) return { status: 'invalid', index: i, reason: verdict.reason, message: verdict.message }
    }
    this.persistence?.replaceFrom(shared, blocks.slice(shared))
    const replaced = this.blocks.length - shared
    for (const h of this.hashes.slice(shared)) this.index.delete(h)
    for (const b of this.blocks.slice(shared)) for (const tx of b.transactions) this.confirmed.delete(toHex(txHash(tx)))
    this.blocks = this.blocks.slice(0, shared)
    this.hashes = this.hashes.slice(0, shared)
    blocks.slice(shared).forEach((b, i) => this.append(b, hashes[shared + i] as string))
    return { status: 'adopted', height: this.blocks.length, replaced }
  }

  /** Adds `tx` to the mempool if it passes the relay policy and is not already known. */
  addTransaction(tx: Transaction): AddTxOutcome {
    const hash = toHex(txHash(tx))
    if (this.hasTransaction(hash)) return { status: 'duplicate', hash }
    const verdict = checkRelayTransaction(tx)
    if (!verdict.ok) return { status: 'invalid', hash, reason: verdict.reason, message: verdict.message }
    if (this.mempool.size >= this.maxMempool) return { status: 'full', hash }
    this.persistence?.addTx(tx)
    this.mempool.set(hash, tx)
    return { status: 'added', hash }
  }

  /** Takes in what was committed earlier: validated when it was accepted, so not validated again. */
  private restore(saved: PersistedChain): void {
    for (const block of saved.blocks) this.append(block, toHex(blockHash(block.header)))
    for (const tx of saved.mempool) {
      const hash = toHex(txHash(tx))
      if (!this.hasTransaction(hash) && this.mempool.size < this.maxMempool) this.mempool.set(hash, tx)
    }
  }

  /** Number of leading blocks whose hashes equal ours. */
  private sharedPrefix(hashes: readonly string[]): number {
    let i = 0
    while (i < this.hashes.length && hashes[i] === this.hashes[i]) i++
    return i
  }

  /** Appends a validated block and drops its transactions from the mempool. */
  private append(block: Block, hash: string): void {
    this.index.set(hash, this.blocks.length)
    this.blocks.push(block)
    this.hashes.push(hash)
    for (const tx of block.transactions) {
      const txId = toHex(txHash(tx))
      this.mempool.delete(txId)
      this.confirmed.add(txId)
    }
  }
}
