/**
 * Acceptance and relay: the one place a transaction or block enters the gateway. It is validated
 * (by the chain mirror's rules), and in ONE store transaction it is committed to the mirror and
 * queued for every peer that may lack it and for the node, so what the gateway acknowledges is on
 * disk together with everything it still owes, and a crash can lose neither.
 *
 * Exactly once: the mirror refuses what it already holds, the outbound queue refuses a key a peer
 * already has or had, and the node's queue entry is retired in the same commit that records the
 * hash as delivered (store.ackDelivered), so a restart never hands the node the same thing twice.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import { decodeEnvelope } from '../codecs/envelope.js'
import { blockHash, txHash } from '../codecs/hashes.js'
import { toHex } from '../codecs/hex.js'
import type { Block, Transaction } from '../codecs/model.js'
import { silentLogger, type Logger } from './log.js'
import type { AddBlockOutcome, AddTxOutcome, AdoptChainOutcome, ChainState } from './node-link/chain-state.js'
import type { NodeItem, NodeLink } from './node-link/node-link.js'
import type { Router } from './router/router.js'
import type { GatewayStore } from './store/store.js'

/** Name of the node in the outbound queue; never a valid station id, so it cannot clash with a peer. */
export const NODE_QUEUE = '~node'

/** Queue key of a transaction. */
export function txKey(hash: string): string {
  return `tx:${hash}`
}

/** Queue key of a block. */
export function blockKey(hash: string): string {
  return `block:${hash}`
}

/** Where something came from: a peer gateway by name, or the node. */
export type Origin = { peer: string } | { node: true }

/** Events of a {@link Relay}. */
export interface RelayEvents {
  accepted: [event: { kind: 'tx' | 'block'; hash: string; origin: Origin }]
  rejected: [event: { kind: 'tx' | 'block'; hash: string; origin: Origin; reason: string }]
  /** Handed to our node. */
  delivered: [event: { kind: 'tx' | 'block'; hash: string }]
}

/** Options of a {@link Relay}. */
export interface RelayOptions {
  store: GatewayStore
  state: ChainState
  router: Router
  /** Our node; absent on a relay station. */
  node?: NodeLink
  /** Peers to relay to (every peer gateway we know). */
  peers: () => string[]
  log?: Logger
}

/** Validates, stores and queues what enters the gateway. */
export class Relay extends EventEmitter<RelayEvents> {
  private readonly log: Logger
  private forwarding = false

  /** @param o - store, mirror, router, node */
  constructor(private readonly o: RelayOptions) {
    super()
    this.log = o.log ?? silentLogger()
  }

  /** A transaction the node side gave us (already in the mirror): queue it for every peer. */
  fromNode(tx: Transaction): void {
    const hash = toHex(txHash(tx))
    this.o.store.transaction(() => {
      this.o.store.delivered.add(hash)
      this.queueTx(tx, hash, undefined)
    })
    this.emit('accepted', { kind: 'tx', hash, origin: { node: true } })
  }

  /** A block the node side gave us (already in the mirror): announce it to every peer. */
  fromNodeBlock(block: Block): void {
    const hash = toHex(blockHash(block.header))
    this.o.store.transaction(() => {
      this.o.store.delivered.add(hash)
      this.queueBlock(block, hash, undefined, true)
    })
    this.emit('accepted', { kind: 'block', hash, origin: { node: true } })
  }

  /** A transaction from peer `from`: validated, committed with its queue entries, or refused. */
  acceptTx(tx: Transaction, from: string): AddTxOutcome {
    const outcome = this.o.store.transaction(() => {
      const added = this.o.state.addTransaction(tx)
      if (added.status === 'added') this.queueTx(tx, added.hash, from)
      return added
    })
    this.report('tx', outcome, from)
    return outcome
  }

  /**
   * A block from peer `from`: validated against our tip, committed with its queue entries, or refused.
   *
   * @param announce - relay it to the other peers (not for blocks a sync brings: peers behind sync too)
   */
  acceptBlock(block: Block, from: string, announce = true): AddBlockOutcome {
    const outcome = this.o.store.transaction(() => {
      const added = this.o.state.addBlock(block)
      if (added.status === 'added') this.queueBlock(block, added.hash, from, announce)
      return added
    })
    this.report('block', outcome, from)
    return outcome
  }

  /** A longer chain from peer `from` (a fork sync, or the seed's whole-chain answer). */
  adoptChain(blocks: readonly Block[], from: string): AdoptChainOutcome {
    const before = new Set(this.o.state.chain().map((b) => toHex(blockHash(b.header))))
    const outcome = this.o.store.transaction(() => {
      const adopted = this.o.state.adoptChain(blocks)
      if (adopted.status !== 'adopted') return adopted
      for (const b of blocks) {
        const hash = toHex(blockHash(b.header))
        if (!before.has(hash)) this.queueForNode({ type: 'block', block: b }, blockKey(hash), hash)
      }
      return adopted
    })
    if (outcome.status === 'invalid') this.log.warn({ peer: from, index: outcome.index, reason: outcome.reason }, 'peer sent an invalid chain; kept ours')
    return outcome
  }

  /** Hands what the node is owed to it, oldest first, until it refuses; retried by the caller's timer. */
  async forwardToNode(): Promise<void> {
    const node = this.o.node
    if (node === undefined || this.forwarding) return
    this.forwarding = true
    try {
      for (;;) {
        const batch = this.o.store.queue.next(NODE_QUEUE, { limit: 16 })
        if (batch.length === 0) return
        for (const entry of batch) {
          const item = nodeItemOf(entry.payload)
          if (item !== undefined && !(await node.forward(item))) return
          const hash = entry.key.slice(entry.key.indexOf(':') + 1)
          this.o.store.ackDelivered(NODE_QUEUE, entry.key, hash)
          if (item !== undefined) this.emit('delivered', { kind: item.type, hash })
        }
      }
    } finally {
      this.forwarding = false
    }
  }

  private queueTx(tx: Transaction, hash: string, from: string | undefined): void {
    for (const peer of this.o.peers()) if (peer !== from) this.o.router.enqueue(peer, txKey(hash), 'tx', { type: 'tx', transaction: tx })
    if (from !== undefined) this.queueForNode({ type: 'tx', transaction: tx }, txKey(hash), hash)
  }

  private queueBlock(block: Block, hash: string, from: string | undefined, announce: boolean): void {
    if (announce) for (const peer of this.o.peers()) if (peer !== from) this.o.router.enqueue(peer, blockKey(hash), 'block-announce', { type: 'block', block })
    if (from !== undefined) this.queueForNode({ type: 'block', block }, blockKey(hash), hash)
  }

  private queueForNode(item: NodeItem, key: string, hash: string): void {
    if (this.o.node === undefined || this.o.store.delivered.has(hash)) return
    const msg = item.type === 'tx' ? { type: 'tx' as const, transaction: item.transaction } : { type: 'block' as const, block: item.block }
    this.o.router.enqueue(NODE_QUEUE, key, item.type === 'tx' ? 'tx' : 'block-body', msg)
    setImmediate(() => void this.forwardToNode()) // after the commit this runs in
  }

  private report(kind: 'tx' | 'block', outcome: AddTxOutcome | AddBlockOutcome, from: string): void {
    if (outcome.status === 'added') this.emit('accepted', { kind, hash: outcome.hash, origin: { peer: from } })
    if (outcome.status === 'invalid') {
      this.log.warn({ peer: from, [kind]: outcome.hash, reason: outcome.reason, detail: outcome.message }, `rejected ${kind} from peer; not relayed`)
      this.emit('rejected', { kind, hash: outcome.hash, origin: { peer: from }, reason: outcome.reason })
    }
  }
}

function nodeItemOf(payload: Uint8Array): NodeItem | undefined {
  const decoded = decodeEnvelope(payload)
  const msg = decoded.ok ? decoded.value : undefined
  if (msg?.type === 'tx') return { type: 'tx', transaction: msg.transaction }
  if (msg?.type === 'block') return { type: 'block', block: msg.block }
  return undefined
}
