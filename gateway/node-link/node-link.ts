/**
 * The node-facing event API the rest of the gateway uses, whichever adapter (TCP P2P or HTTP) talks
 * to the node: "the node side has a new tx / block / chain", "deliver this tx / block to the node",
 * and the current tip.
 *
 * @packageDocumentation
 */
import type { EventEmitter } from 'node:events'
import type { Block, Transaction } from '../../codecs/model.js'
import type { AddBlockOutcome, AddTxOutcome, ChainTip } from './chain-state.js'

/** Where something came from: a P2P connection (`host:port`) or an HTTP node (`http://...`). */
export type NodeSource = string

/** Events every node adapter emits; each fires once per new hash, after validation. */
export interface NodeLinkEvents {
  /** A valid transaction new to us arrived from the node side. */
  transaction: [tx: Transaction, source: NodeSource]
  /** A valid block new to us, extending our tip, arrived from the node side. */
  block: [block: Block, source: NodeSource]
  /** We adopted a longer valid chain from the node side. */
  chain: [tip: ChainTip, source: NodeSource]
}

/** Something the gateway holds and hands to its node. */
export type NodeItem = { type: 'tx'; transaction: Transaction } | { type: 'block'; block: Block }

/** A node adapter: the gateway's view of its Bunkercoin node(s). */
export interface NodeLink extends EventEmitter<NodeLinkEvents> {
  /** Our mirror's tip. */
  tip(): ChainTip
  /** Validates `tx` and hands it to the node side (every connected peer / the HTTP node). */
  deliverTransaction(tx: Transaction): AddTxOutcome
  /** Validates `block` against our tip and hands it to the node side. */
  deliverBlock(block: Block): AddBlockOutcome
  /**
   * Hands `item`, already in our mirror, to the node side without changing the mirror; true when a
   * node took it (written to at least one connected P2P node, or the HTTP node answered 2xx), false
   * when no node is reachable now (the caller keeps it queued and tries again).
   */
  forward(item: NodeItem): Promise<boolean>
  /** True while a node is reachable (a P2P node connected; the HTTP node's last poll answered). */
  connected(): boolean
  /** Starts talking to the node side. */
  start(): Promise<void>
  /** Stops; idempotent. */
  stop(): Promise<void>
}
