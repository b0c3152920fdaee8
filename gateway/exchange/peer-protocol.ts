/**
 * The gateway protocol's receiving side (docs/PROTOCOL.md §8): what this gateway does with each
 * message a peer sends. Transactions and blocks go through the {@link Relay} (validate, commit,
 * queue) and are acknowledged only after the commit; compact blocks are rebuilt from the mempool
 * with one round trip for what is missing; a peer whose `hello` shows a longer chain is synced from;
 * requests are answered from the chain mirror.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto'
import { blockHash, txHash, ZERO_HASH } from '../../codecs/hashes.js'
import { fromHex, toHex } from '../../codecs/hex.js'
import type { Block } from '../../codecs/model.js'
import type { WireMessage } from '../../codecs/envelope.js'
import type { BlockTxn, CompactBlock, GetBlockTxn } from '../../codecs/wire-compact.js'
import { FEATURE_BITS, MAX_INVENTORY, PROTOCOL_VERSION, type GetData, type Hello, type Inv, type Relay as RelayMessage } from '../../codecs/wire-gateway.js'
import type { Logger } from '../log.js'
import type { ChainState } from '../node-link/chain-state.js'
import { answerGetBlockTxn, completeBlock, makeCompactBlock, reconstructBlock, shortIdLookup, type PartialBlock } from '../protocol/compact-block.js'
import { answerGetBodies } from '../protocol/bodies.js'
import { answerGetHeadersPushing } from '../protocol/sync.js'
import { blockKey, txKey, type Relay } from '../relay.js'
import type { Inbound, Router } from '../router/router.js'
import type { MessageClass } from '../store/message-class.js'
import type { GatewayStore } from '../store/store.js'
import { SYNC_DEFAULTS, SyncSession, type SyncOptions } from './sync-session.js'

/** Compact blocks waiting for their missing transactions, at most. */
const MAX_PARTIALS = 16
/** A partial block not completed in this long is forgotten (the sender announces again), ms. */
const PARTIAL_TTL_MS = 600_000

/** Options of a {@link PeerProtocol}. */
export interface PeerProtocolOptions {
  /** Our station id. */
  station: string
  state: ChainState
  relay: Relay
  router: Router
  store: GatewayStore
  /** {@link FEATURE_BITS} we offer. */
  features: number
  /** Link kinds we have (LINK_BITS). */
  links: number
  log: Logger
  now: () => number
  sync?: SyncOptions
  /** A hello from a peer is answered with ours unless we sent it one this recently, ms. */
  helloReplyMs?: number
  /** True for peers named in the config (a sync with one of them takes over from an unknown station's). */
  isNamed?: (peer: string) => boolean
  /** Mesh forwarding of `relay` messages; without it they are dropped. */
  onRelay?: (m: Inbound & { msg: RelayMessage }) => void
}

/** What a peer told us in its last hello. */
export interface PeerHello {
  hello: Hello
  /** ms */
  at: number
}

/** Handles what peers send. */
export class PeerProtocol {
  private readonly hellos = new Map<string, PeerHello>()
  private readonly helloSent = new Map<string, number>()
  private readonly partials = new Map<string, { partial: PartialBlock; peer: string; at: number }>()
  /** Blocks announced to us that we could not place yet; acked once they are in our chain. */
  private readonly ackWhenHeld = new Map<string, Set<string>>()
  private sync?: SyncSession

  /** @param o - the gateway's parts */
  constructor(private readonly o: PeerProtocolOptions) {}

  /** Our hello as of now. */
  hello(): Hello {
    const tip = this.o.state.tip()
    return {
      type: 'hello',
      version: PROTOCOL_VERSION,
      station: this.o.station,
      height: tip.height,
      tip: tip.hash === null ? ZERO_HASH : fromHex(tip.hash),
      links: this.o.links,
      features: this.o.features,
      dictionaries: 0b11,
    }
  }

  /** Sends `peer` our hello now. */
  greet(peer: string): void {
    this.helloSent.set(peer, this.o.now())
    this.o.router.send(peer, { msg: this.hello(), cls: 'control', key: 'hello' })
  }

  /** Features `peer` announced in its last hello. */
  featuresOf(peer: string): number | undefined {
    return this.hellos.get(peer)?.hello.features
  }

  /** The last hello of `peer`. */
  peerHello(peer: string): PeerHello | undefined {
    return this.hellos.get(peer)
  }

  /** The running sync, if any. */
  syncing(): { peer: string; done: number; total: number } | undefined {
    return this.sync === undefined ? undefined : { peer: this.sync.peer, ...this.sync.progress() }
  }

  /** Timeouts: sync requests, stale partial blocks. */
  tick(): void {
    this.sync?.tick()
    const now = this.o.now()
    for (const [hash, p] of this.partials) if (now - p.at > PARTIAL_TTL_MS) this.partials.delete(hash)
  }

  /** Turns a queued message into what goes to `peer`, best first (the router's shaper). */
  shape(peer: string, msg: WireMessage, cls: MessageClass): WireMessage[] {
    if (msg.type !== 'block' || cls !== 'block-announce') return [msg]
    const inv: Inv = { type: 'inv', tx: [], block: [blockHash(msg.block.header)] }
    const compact = ((this.hellos.get(peer)?.hello.features ?? FEATURE_BITS.compactBlocks) & FEATURE_BITS.compactBlocks) !== 0
    return compact ? [makeCompactBlock(msg.block, randomBytes(8)), inv] : [msg, inv]
  }

  /** True when `a` is a configured peer and `b` is not. */
  private outranks(a: string, b: string): boolean {
    const named = this.o.isNamed ?? (() => false)
    return named(a) && !named(b)
  }

  /** Handles one message from a peer. */
  handle(m: Inbound): void {
    const { peer, msg } = m
    switch (msg.type) {
      case 'hello':
        return this.onHello(m, msg)
      case 'tx':
        return this.onTx(peer, msg.transaction)
      case 'block':
        return this.onBlock(peer, msg.block)
      case 'blocks':
        return void this.o.relay.adoptChain(msg.blocks, peer)
      case 'cmpctblock':
        return this.onCompact(peer, msg)
      case 'getblocktxn':
        return this.onGetBlockTxn(peer, msg)
      case 'blocktxn':
        return this.onBlockTxn(peer, msg)
      case 'inv':
        return this.onInv(peer, msg)
      case 'getdata':
        return this.onGetData(peer, msg)
      case 'notfound':
        return this.sync?.peer === peer ? this.sync.onNotFound(msg) : undefined
      case 'ack':
        return this.o.router.acked(peer, [...msg.tx.map((h) => txKey(toHex(h))), ...msg.block.map((h) => blockKey(toHex(h)))])
      case 'getheaders':
        return answerGetHeadersPushing(this.o.state.view(), msg, this.o.sync?.pushBytes ?? SYNC_DEFAULTS.pushBytes).forEach((a) => this.reply(peer, a, 'sync'))
      case 'headers':
        return void (this.sync?.peer === peer ? this.sync.onHeaders(msg) : undefined)
      case 'getbodies':
        return this.reply(peer, answerGetBodies(this.o.state.view(), msg), 'sync')
      case 'bodies':
        return this.sync?.peer === peer ? this.sync.onBodies(msg) : undefined
      case 'relay':
        return this.o.onRelay?.({ ...m, msg })
    }
  }

  // ---- hello and sync ------------------------------------------------------------------------

  private onHello(m: Inbound, hello: Hello): void {
    const { peer } = m
    this.hellos.set(peer, { hello, at: m.receivedAt })
    const tip = toHex(hello.tip)
    this.o.store.peers.heard(peer, m.link, hello.height > 0 ? { tip: { height: hello.height, hash: tip }, protocolVersion: hello.version } : { protocolVersion: hello.version })
    if (this.o.now() - (this.helloSent.get(peer) ?? -Infinity) > (this.o.helloReplyMs ?? 60_000)) this.greet(peer)
    this.maybeSync(peer)
  }

  private maybeSync(peer: string): void {
    const h = this.hellos.get(peer)?.hello
    if (h === undefined || h.height <= this.o.state.tip().height || this.o.state.hasBlock(toHex(h.tip))) return
    if (this.sync !== undefined && this.sync.running) {
      if (this.sync.peer === peer) this.sync.start({ height: h.height, tip: h.tip })
      if (this.sync.peer === peer || !this.outranks(peer, this.sync.peer)) return
      // a station anyone could be must not hold up catching up from one we trust
      this.o.log.warn({ from: this.sync.peer, to: peer }, 'sync moves to a configured peer; the station it ran with is not one')
      this.sync.abandon()
    }
    this.sync = new SyncSession(peer, this.syncHost(peer), this.o.sync)
    this.o.log.info({ peer, ours: this.o.state.tip().height, theirs: h.height }, 'peer has a longer chain; syncing from it')
    if (!this.sync.start({ height: h.height, tip: h.tip })) this.sync = undefined
  }

  private syncHost(peer: string) {
    return {
      view: () => this.o.state.view(),
      chain: () => this.o.state.chain(),
      send: (msg: WireMessage, cls: MessageClass) => this.o.router.send(peer, { msg, cls }),
      extend: (blocks: readonly Block[]) => blocks.every((b) => this.acceptBlock(peer, b, false) !== 'refused'),
      adopt: (blocks: readonly Block[]) => this.o.relay.adoptChain(blocks, peer).status === 'adopted',
      finished: (outcome: 'caught-up' | 'failed', detail: string) => this.syncFinished(peer, outcome, detail),
      now: this.o.now,
      log: this.o.log,
    }
  }

  private syncFinished(peer: string, outcome: 'caught-up' | 'failed', detail: string): void {
    this.o.log.info({ peer, outcome, detail, tip: this.o.state.tip() }, outcome === 'caught-up' ? 'sync finished; telling peers our new tip' : 'sync stopped')
    this.sync = undefined
    this.flushHeldAcks()
    for (const p of this.hellos.keys()) if (p !== peer) this.greet(p)
    // a peer whose sync failed is tried again at its next hello, not on the one that failed (a fake tip would loop)
    for (const p of this.hellos.keys()) if (outcome === 'caught-up' || p !== peer) this.maybeSync(p)
  }

  // ---- transactions and blocks ---------------------------------------------------------------

  private onTx(peer: string, tx: Block['transactions'][number]): void {
    const outcome = this.o.relay.acceptTx(tx, peer)
    if (outcome.status === 'added' || outcome.status === 'duplicate') this.ack(peer, 'tx', outcome.hash)
  }

  private onBlock(peer: string, block: Block): void {
    this.acceptBlock(peer, block, true)
  }

  /** Accepts a block and acks it, or notes that we are behind; `refused` when invalid. */
  private acceptBlock(peer: string, block: Block, announce: boolean): 'held' | 'behind' | 'refused' {
    const outcome = this.o.relay.acceptBlock(block, peer, announce)
    switch (outcome.status) {
      case 'added':
      case 'duplicate':
        this.ack(peer, 'block', outcome.hash)
        return 'held'
      case 'unknown-parent':
      case 'stale':
        this.holdAck(peer, outcome.hash)
        this.maybeSync(peer)
        return 'behind'
      default:
        return 'refused'
    }
  }

  private onCompact(peer: string, cmpct: CompactBlock): void {
    const hash = toHex(blockHash(cmpct.header))
    if (this.o.state.hasBlock(hash)) return this.ack(peer, 'block', hash)
    const mempool = this.o.state.transactions().map((transaction) => ({ hash: txHash(transaction), transaction }))
    const r = reconstructBlock(cmpct, shortIdLookup(cmpct, mempool))
    if (r.status === 'complete') return void this.acceptBlock(peer, r.block, true)
    if (r.status === 'mismatch') return this.reply(peer, { type: 'getdata', tx: [], block: [r.hash], compact: [] }, 'control')
    if (this.partials.size >= MAX_PARTIALS) this.partials.delete(this.partials.keys().next().value as string)
    this.partials.set(hash, { partial: r.partial, peer, at: this.o.now() })
    this.reply(peer, r.request, 'control')
  }

  private onGetBlockTxn(peer: string, req: GetBlockTxn): void {
    const block = this.o.state.block(toHex(req.block))
    const answer = block === undefined ? undefined : answerGetBlockTxn(block, req)
    if (answer !== undefined) this.reply(peer, answer, 'block-body')
    else this.reply(peer, { type: 'notfound', tx: [], block: [req.block] }, 'control')
  }

  private onBlockTxn(peer: string, answer: BlockTxn): void {
    const hash = toHex(answer.block)
    const waiting = this.partials.get(hash)
    if (waiting === undefined) return
    const done = completeBlock(waiting.partial, answer)
    if (done.status === 'invalid') return this.o.log.warn({ peer, block: hash, detail: done.message }, 'bad blocktxn dropped; the block is asked for again when announced')
    this.partials.delete(hash)
    if (done.status === 'complete') this.acceptBlock(peer, done.block, true)
    else this.reply(peer, { type: 'getdata', tx: [], block: [done.hash], compact: [] }, 'control')
  }

  // ---- inventory -----------------------------------------------------------------------------

  private onInv(peer: string, inv: Inv): void {
    const tx = inv.tx.filter((h) => !this.o.state.hasTransaction(toHex(h)))
    const blocks = inv.block.filter((h) => !this.o.state.hasBlock(toHex(h)))
    // what we already hold is acknowledged, so an announcement the sender queued durably is done
    for (const h of inv.tx) if (!tx.includes(h)) this.ack(peer, 'tx', toHex(h))
    for (const h of inv.block) if (!blocks.includes(h)) this.ack(peer, 'block', toHex(h))
    const compact = ((this.hellos.get(peer)?.hello.features ?? 0) & FEATURE_BITS.compactBlocks) !== 0
    if (tx.length + blocks.length === 0) return
    this.reply(peer, { type: 'getdata', tx, block: compact ? [] : blocks, compact: compact ? blocks : [] }, 'control')
  }

  private onGetData(peer: string, req: GetData): void {
    const missing = { tx: [] as Uint8Array[], block: [] as Uint8Array[] }
    for (const h of req.tx) {
      const tx = this.o.state.transaction(toHex(h))
      if (tx === undefined) missing.tx.push(h)
      else this.reply(peer, { type: 'tx', transaction: tx }, 'tx')
    }
    for (const [h, asCompact] of [...req.block.map((b) => [b, false] as const), ...req.compact.map((b) => [b, true] as const)]) {
      const block = this.o.state.block(toHex(h))
      if (block === undefined) missing.block.push(h)
      else this.reply(peer, asCompact ? makeCompactBlock(block, randomBytes(8)) : { type: 'block', block }, 'block-body')
    }
    if (missing.tx.length + missing.block.length > 0) this.reply(peer, { type: 'notfound', ...missing }, 'control')
  }

  // ---- acknowledgements ----------------------------------------------------------------------

  /** Acknowledges a committed tx or block; acks to one peer merge into one message while it waits. */
  private ack(peer: string, kind: 'tx' | 'block', hash: string): void {
    const waiting = this.o.router.pending(peer, 'ack')
    if (waiting?.msg.type === 'ack' && waiting.msg[kind].length < MAX_INVENTORY) {
      if (!waiting.msg[kind].some((h) => toHex(h) === hash)) waiting.msg[kind].push(fromHex(hash))
      return
    }
    this.o.router.send(peer, { msg: { type: 'ack', tx: kind === 'tx' ? [fromHex(hash)] : [], block: kind === 'block' ? [fromHex(hash)] : [] }, cls: 'control', key: 'ack' })
  }

  private holdAck(peer: string, hash: string): void {
    const set = this.ackWhenHeld.get(peer) ?? new Set<string>()
    if (set.size < MAX_INVENTORY) set.add(hash)
    this.ackWhenHeld.set(peer, set)
  }

  private flushHeldAcks(): void {
    for (const [peer, hashes] of this.ackWhenHeld) {
      for (const hash of hashes) {
        if (!this.o.state.hasBlock(hash)) continue
        this.ack(peer, 'block', hash)
        hashes.delete(hash)
      }
      if (hashes.size === 0) this.ackWhenHeld.delete(peer)
    }
  }

  private reply(peer: string, msg: WireMessage, cls: MessageClass): void {
    this.o.router.send(peer, { msg, cls })
  }
}
