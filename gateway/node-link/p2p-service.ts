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
import type { Logger } from '../log.js'
import type { AddBlockOutcome, AddTxOutcome, ChainState, ChainTip } from './chain-state.js'
import { GATEWAY_ACCEPT_LINE, GATEWAY_OFFER_LINE, isMarker } from './handshake.js'
import type { NodeLink, NodeLinkEvents } from './node-link.js'
import type { P2PConnection } from './p2p-connection.js'
import { P2PPeers, type P2PPeersOptions } from './p2p-peers.js'

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

  private attach(conn: P2PConnection): void {
    conn.on('message', (msg, line) => this.onMessage(conn, msg, line))
    if (conn.direction === 'outbound') {
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
        conn.send({ type: 'Mempool', transactions: this.state.transactions() })
        return
      case 'NewTransaction':
        return this.onTransaction(conn, msg.transaction)
      case 'Mempool':
        for (const tx of msg.transactions) this.onTransaction(conn, tx)
        return
      case 'NewBlock':
        return this.onBlock(conn, msg.block)
      case 'Chain':
        return this.onChain(conn, msg.blocks)
    }
  }

  private onGetChain(conn: P2PConnection, line: Uint8Array): void {
    if (this.role === 'gateway' && isMarker(line, GATEWAY_OFFER_LINE) && this.kindOf(conn) !== 'gateway') {
      this.kinds.set(conn, 'gateway')
      conn.sendLine(GATEWAY_ACCEPT_LINE)
    }
    conn.send({ type: 'Chain', blocks: this.state.chain() })
  }

  private onTransaction(conn: P2PConnection, tx: Transaction): void {
    const outcome = this.state.addTransaction(tx)
    if (outcome.status === 'added') {
      this.emit('transaction', tx, conn.remote)
      this.broadcast({ type: 'NewTransaction', transaction: tx }, conn)
    } else if (outcome.status === 'invalid') {
      this.log.warn({ peer: conn.remote, tx: outcome.hash, reason: outcome.reason, detail: outcome.message }, 'rejected transaction from peer; not relayed')
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
        return
      default:
        return
    }
  }

  private onChain(conn: P2PConnection, blocks: Block[]): void {
    const outcome = this.state.adoptChain(blocks)
    if (outcome.status === 'invalid') {
      this.log.warn({ peer: conn.remote, index: outcome.index, reason: outcome.reason, detail: outcome.message }, 'rejected chain from peer; kept ours')
      return
    }
    if (outcome.status !== 'adopted') return
    const tip = this.state.tip()
    this.log.info({ peer: conn.remote, height: tip.height, replaced: outcome.replaced }, 'adopted longer chain from peer')
    this.emit('chain', tip, conn.remote)
    const last = this.state.tipBlock()
    if (last !== null) this.broadcast({ type: 'NewBlock', block: last }, conn)
  }

  /** Sends `msg` to every open connection except `except`. */
  private broadcast(msg: P2PMessage, except?: P2PConnection): void {
    const line = encodeP2PMessage(msg)
    for (const conn of this.peers.connections()) if (conn !== except) conn.sendLine(line)
  }
}
