/**
 * The node's TCP P2P protocol, complete: what each of the six messages means, validation before
 * anything is accepted, and relay to the other peers exactly once (dedupe by hash, never back to the
 * sender). Implements {@link NodeLink} for the rest of the gateway.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import type { Block, P2PMessage, Transaction } from '../../codecs/model.js'
import { encodeP2PMessage } from '../../codecs/ndjson.js'
import type { BlockRejectionReason, TxRejectionReason } from '../../codecs/validate.js'
import type { Logger } from '../log.js'
import type { AddBlockOutcome, AddTxOutcome, ChainState, ChainTip } from './chain-state.js'
import { GATEWAY_ACCEPT_LINE, GATEWAY_OFFER_LINE, isMarker } from './handshake.js'
import { HandoverLog } from './handover.js'
import type { NodeItem, NodeLink, NodeLinkEvents } from './node-link.js'
import type { P2PConnection } from './p2p-connection.js'
import { P2PPeers, type P2PPeersOptions } from './p2p-peers.js'

/**
 * Rejections that cost the sender no strike: the relay policy's extras (zero amount, short recipient)
 * pass the node's own `verify()`, and the VDF budget is ours, so an honest node may send either. Every
 * other rejection is content an honest node never relays (its `verify()` / `validate_block()` refuse it).
 */
export const BLAMELESS_REJECTIONS: ReadonlySet<string> = new Set<TxRejectionReason | BlockRejectionReason>(['BAD_RECIPIENT_LENGTH', 'ZERO_AMOUNT', 'VDF_TOO_EXPENSIVE'])

/** What we know about the other end of a connection. */
export type PeerKind = 'unknown' | 'gateway'

/** Options of a {@link P2PService}: the connection options, plus who we are. */
export interface P2PServiceOptions extends P2PPeersOptions {
  /**
   * `gateway` (default) offers and accepts the gateway handshake (see handshake.ts); `node` speaks the
   * plain seed protocol only, as a Bunkercoin node does (the simulated node uses this).
   */
  role?: 'gateway' | 'node'
}

/** The seed protocol over TCP, as a {@link NodeLink}. */
export class P2PService extends EventEmitter<NodeLinkEvents> implements NodeLink {
  /** The connections underneath (for status and tests). */
  readonly peers: P2PPeers
  private readonly kinds = new WeakMap<P2PConnection, PeerKind>()
  private readonly role: 'gateway' | 'node'
  /** What we handed to nodes, to hand again what a restarted node lost. */
  private readonly handover: HandoverLog

  /**
   * @param state - the chain mirror and mempool, shared with the rest of the gateway
   * @param options - listen address, outbound peers, limits
   * @param log - component logger
   */
  constructor(
    private readonly state: ChainState,
    options: P2PServiceOptions,
    private readonly log: Logger,
  ) {
    super()
    this.role = options.role ?? 'gateway'
    this.handover = new HandoverLog((hash) => state.transaction(hash) !== undefined)
    this.peers = new P2PPeers(options, log)
    this.peers.on('connection', (conn) => this.attach(conn))
  }

  /** @inheritDoc */
  tip(): ChainTip {
    return this.state.tip()
  }

  /** What we learned about a connection's far end. */
  kindOf(conn: P2PConnection): PeerKind {
    return this.kinds.get(conn) ?? 'unknown'
  }

  /** @inheritDoc */
  async start(): Promise<void> {
    await this.peers.start()
  }

  /** @inheritDoc */
  async stop(): Promise<void> {
    await this.peers.stop()
  }

  /** @inheritDoc */
  deliverTransaction(tx: Transaction): AddTxOutcome {
    const outcome = this.state.addTransaction(tx)
    if (outcome.status === 'added') this.broadcast({ type: 'NewTransaction', transaction: tx })
    return outcome
  }

  /** @inheritDoc */
  deliverBlock(block: Block): AddBlockOutcome {
    const outcome = this.state.addBlock(block)
    if (outcome.status === 'added') this.broadcast({ type: 'NewBlock', block })
    return outcome
  }

  /** @inheritDoc */
  connected(): boolean {
    return this.peers.connections().length > 0
  }

  /** @inheritDoc */
  forward(item: NodeItem): Promise<boolean> {
    const msg: P2PMessage = item.type === 'tx' ? { type: 'NewTransaction', transaction: item.transaction } : { type: 'NewBlock', block: item.block }
    const sent = this.broadcast(msg) > 0
    if (sent && item.type === 'tx') this.handover.handed(item.transaction)
    return Promise.resolve(sent)
  }

  private attach(conn: P2PConnection): void {
    conn.on('message', (msg, line) => this.onMessage(conn, msg, line))
    if (conn.direction === 'outbound') {
      this.handover.opened(conn)
      // The seed's connect_to_peer sends GetChain; we also ask for the mempool, and offer the
      // gateway protocol in a form a plain node reads as GetChain.
      if (this.role === 'gateway') conn.sendLine(GATEWAY_OFFER_LINE)
      else conn.send({ type: 'GetChain' })
      conn.send({ type: 'GetMempool' })
    }
  }

  private onMessage(conn: P2PConnection, msg: P2PMessage, line: Uint8Array): void {
    switch (msg.type) {
      case 'GetChain':
        return this.onGetChain(conn, line)
      case 'GetMempool':
        if (this.role === 'gateway' && isMarker(line, GATEWAY_ACCEPT_LINE)) this.kinds.set(conn, 'gateway')
        conn.answer({ type: 'Mempool', transactions: this.state.transactions() })
        return
      case 'NewTransaction':
        return this.onTransaction(conn, msg.transaction)
      case 'Mempool':
        for (const tx of msg.transactions) this.onTransaction(conn, tx)
        return this.handAgain(conn, msg.transactions)
      case 'NewBlock':
        return this.onBlock(conn, msg.block)
      case 'Chain':
        return this.onChain(conn, msg.blocks)
    }
  }

  /** The node's mempool, answering our `GetMempool`: what it lost of what we handed it goes again. */
  private handAgain(conn: P2PConnection, theirs: readonly Transaction[]): void {
    const lost = this.handover.lost(conn, this.state.transactions(), theirs)
    if (lost.length === 0) return
    this.log.info({ peer: conn.remote, transactions: lost.length }, 'node lacks transactions we handed it before it reconnected (restarted, or the line died with the old socket); handing them again')
    for (const tx of lost) conn.send({ type: 'NewTransaction', transaction: tx })
  }

  private onGetChain(conn: P2PConnection, line: Uint8Array): void {
    if (this.role === 'gateway' && isMarker(line, GATEWAY_OFFER_LINE) && this.kindOf(conn) !== 'gateway') {
      this.kinds.set(conn, 'gateway')
      conn.sendLine(GATEWAY_ACCEPT_LINE)
    }
    conn.answer({ type: 'Chain', blocks: this.state.chain() })
  }

  private onTransaction(conn: P2PConnection, tx: Transaction): void {
    const outcome = this.state.addTransaction(tx)
    if (outcome.status === 'added') {
      this.emit('transaction', tx, conn.remote)
      this.broadcast({ type: 'NewTransaction', transaction: tx }, conn)
    } else if (outcome.status === 'invalid') {
      this.log.warn({ peer: conn.remote, tx: outcome.hash, reason: outcome.reason, detail: outcome.message }, 'rejected transaction from peer; not relayed')
      this.blame(conn, outcome.reason)
    } else if (outcome.status === 'full') {
      this.log.warn({ peer: conn.remote, tx: outcome.hash }, 'mempool full; transaction dropped')
    }
  }

  private onBlock(conn: P2PConnection, block: Block): void {
    const outcome = this.state.addBlock(block)
    switch (outcome.status) {
      case 'added':
        this.emit('block', block, conn.remote)
        this.broadcast({ type: 'NewBlock', block }, conn)
        return
      case 'unknown-parent':
        // We are behind this peer: fetch its chain (adopted only if longer and valid).
        this.log.info({ peer: conn.remote, block: outcome.hash }, 'block does not link to our tip; asking peer for its chain')
        conn.send({ type: 'GetChain' })
        return
      case 'invalid':
        this.log.warn({ peer: conn.remote, block: outcome.hash, reason: outcome.reason, detail: outcome.message }, 'rejected block from peer; not relayed')
        this.blame(conn, outcome.reason)
        return
      default:
        return
    }
  }

  private onChain(conn: P2PConnection, blocks: Block[]): void {
    const outcome = this.state.adoptChain(blocks)
    if (outcome.status === 'invalid') {
      this.log.warn({ peer: conn.remote, index: outcome.index, reason: outcome.reason, detail: outcome.message }, 'rejected chain from peer; kept ours')
      this.blame(conn, outcome.reason)
      return
    }
    if (outcome.status !== 'adopted') return
    const tip = this.state.tip()
    this.log.info({ peer: conn.remote, height: tip.height, replaced: outcome.replaced }, 'adopted longer chain from peer')
    this.emit('chain', tip, conn.remote)
    const last = this.state.tipBlock()
    if (last !== null) this.broadcast({ type: 'NewBlock', block: last }, conn)
  }

  /** Strikes `conn` for invalid content, unless an honest node could have sent it. */
  private blame(conn: P2PConnection, reason: string): void {
    if (!BLAMELESS_REJECTIONS.has(reason)) conn.strike(`invalid content: ${reason}`)
  }

  /** Sends `msg` to every open connection except `except`; returns to how many. */
  private broadcast(msg: P2PMessage, except?: P2PConnection): number {
    const line = encodeP2PMessage(msg)
    let sent = 0
    for (const conn of this.peers.connections()) {
      if (conn === except) continue
      conn.sendLine(line)
      sent++
    }
    return sent
  }
}
