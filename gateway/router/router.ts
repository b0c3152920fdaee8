/**
 * The router: everything this gateway owes each peer goes out here, one message at a time per peer,
 * highest priority first, on the link the policy chooses for that message now.
 *
 * - Durable entries (transactions, block announcements) live in the store's outbound queue until the
 *   peer's `ack` says it has committed them; transient ones (control, answers) in a {@link ControlQueue}.
 * - A message is shaped for its peer (a block becomes a compact block for a peer that reconstructs
 *   them), encoded, compressed if the link's rule says so, and cut to the link's fragment size.
 * - A send that fails, a link that goes down, a peer the link reports lost, or an ack that does not
 *   come in time puts the entry back in the queue at once; the failed (link, peer) is set aside for a
 *   while, so the next decision fails over to the next usable link (well within 2 s). Traffic moves
 *   back only when the policy's dwell time has passed on the better link (hysteresis).
 * - On links without broadcast, a peer that is stale or set aside is probed with our `hello` now
 *   and then, so a link that came back is noticed without sending payload into the void.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import { decodeEnvelope, encodeEnvelope, type WireMessage } from '../../codecs/envelope.js'
import { encodeWireBody } from '../../codecs/wire-model.js'
import type { TransportKind, Transport, InboundFrame, LinkSample, StateChange } from '../../transports/types.js'
import type { ReassemblerStats } from '../../codecs/fragment.js'
import type { LinkFraming } from '../link-framing.js'
import { spendBudget, type BudgetState } from '../link-monitor/budget.js'
import type { LinkMonitor, MonitorSnapshot } from '../link-monitor/monitor.js'
import { selectLink, type HysteresisState, type LinkChoice, type SendReason } from '../link-monitor/policy.js'
import { resolveLinkRule, type PolicyConfig } from '../link-monitor/policy-config.js'
import { silentLogger, type Logger } from '../log.js'
import type { PeerDirectory } from '../peer-directory.js'
import { classPriority, type MessageClass } from '../store/message-class.js'
import type { EnqueueOutcome, QueueEntry } from '../store/queue.js'
import type { GatewayStore } from '../store/store.js'
import { StationBans, type Ban, type StationBansOptions } from './bans.js'
import { ControlQueue, type ControlItem } from './control-queue.js'
import { InFlight } from './in-flight.js'
import { peerSnapshot, SetAside } from './set-aside.js'
import { Inbox } from './inbox.js'

/** How long an unacknowledged durable entry waits before it is sent again, per kind of link, ms. */
export const DEFAULT_ACK_TIMEOUT_MS: Readonly<Record<TransportKind, number>> = {
  tcp: 15_000,
  vara: 180_000, // several ARQ turn-arounds on a slow HF level
  ax25: 300_000, // a shared 1200 bit/s channel with a window of retries
  js8call: 3_600_000, // one JS8 message can take many minutes of air
}

/**
 * How often a stale or set-aside peer is probed with `hello` on a link without broadcast, ms
 * (broadcast links have beacons; `0` never probes).
 */
export const DEFAULT_PROBE_INTERVAL_MS: Readonly<Record<TransportKind, number>> = { tcp: 10_000, vara: 600_000, ax25: 0, js8call: 0 }

/** Candidates looked at per peer and pump: the head of each queue, so a held class does not block the rest. */
const LOOKAHEAD = 8
/** Retry of a held message when the policy gives no time, ms. */
const HOLD_RETRY_MS = 5_000
/** Period of the ack-timeout and probe sweep, ms. */
const SWEEP_MS = 500

/** What a message looks like for one peer, best first (e.g. compact block, then the announcement alone). */
export type Shaper = (peer: string, msg: WireMessage, cls: MessageClass) => WireMessage[]

/** A decoded message from a peer. */
export interface Inbound {
  peer: string
  link: string
  /** The sender's address on the link (callsign, `host:port`). */
  from: string
  msg: WireMessage
  /** Envelope bytes. */
  bytes: number
  receivedAt: number
}

/** Options of a {@link Router}. */
export interface RouterOptions {
  store: GatewayStore
  monitor: LinkMonitor
  policy: PolicyConfig
  directory: PeerDirectory
  transports: ReadonlyMap<string, Transport>
  framing: LinkFraming
  /** Our `hello`, fresh for each probe. */
  hello: () => WireMessage
  shape?: Shaper
  now?: () => number
  log?: Logger
  ackTimeoutMs?: Partial<Record<TransportKind, number>>
  probeIntervalMs?: Partial<Record<TransportKind, number>>
  /** How long a (link, peer) that failed is set aside before it may be tried again, ms. */
  setAsideMs?: number
  /** Strikes and bans of stations that send invalid content (bans.ts); peers named in config are never banned. */
  bans?: StationBansOptions
  /** Hands a message for a peer with no link of its own to the mesh; false if no neighbour takes it. */
  viaMesh?: (peer: string, msg: WireMessage, cls: MessageClass) => boolean
}

/** The in-flight "link" of messages sent through the mesh. */
export const MESH_LINK = '~mesh'
/** How long a message sent through the mesh waits for its ack, ms (several radio hops each way). */
const MESH_ACK_TIMEOUT_MS = 900_000

/** Something that went out. */
export interface SentEvent {
  peer: string
  link: string
  type: WireMessage['type']
  /** Bytes on the link: every fragment. */
  bytes: number
  fragments: number
  /** Size of each fragment as transmitted, bytes. */
  fragmentBytes: number[]
  reason: SendReason | 'probe' | 'broadcast'
}

/** Events of a {@link Router}. */
export interface RouterEvents {
  message: [message: Inbound]
  sent: [event: SentEvent]
  received: [event: { link: string; bytes: number }]
  failover: [event: { peer: string; from: string; to: string }]
  dropped: [event: { link: string; from?: string; reason: string }]
  /** A station sent invalid content once too often: its frames are dropped until the ban ends. */
  banned: [ban: Ban]
}

interface Candidate {
  cls: MessageClass
  priority: number
  msg: WireMessage
  control?: ControlItem
  durable?: QueueEntry
}

/** Sends what is owed to each peer on the best link, and takes in what peers send. */
export class Router extends EventEmitter<RouterEvents> {
  private readonly now: () => number
  private readonly log: Logger
  private readonly control = new ControlQueue()
  private readonly inFlight = new InFlight()
  private readonly setAside: SetAside
  private readonly busy = new Set<string>()
  private readonly hysteresis = new Map<string, HysteresisState>()
  private readonly budgets = new Map<string, BudgetState>()
  private readonly lastProbe = new Map<string, number>()
  /** Strikes and bans by station. */
  readonly bans: StationBans
  private readonly inbox: Inbox
  /** (link, peer) pairs that have had our hello on the current connection. */
  private readonly introduced = new Set<string>()
  private readonly detach: (() => void)[] = []
  private pumpScheduled = false
  private holdTimer?: NodeJS.Timeout
  private sweepTimer?: NodeJS.Timeout
  private running = false

  /** @param o - the parts the router works with */
  constructor(private readonly o: RouterOptions) {
    super()
    this.now = o.now ?? Date.now
    this.log = o.log ?? silentLogger()
    this.setAside = new SetAside(o.setAsideMs ?? 5_000, this.now)
    this.bans = new StationBans(o.bans, this.now, (station) => o.directory.isNamed(station))
    this.inbox = new Inbox(o.framing, o.directory, this.bans, this.now)
  }

  /** Follows the transports and starts sending; entries left `sent` by a previous run are queued again. */
  start(): void {
    if (this.running) return
    this.running = true
    this.o.store.queue.requeueExpired(0)
    for (const t of this.o.transports.values()) this.follow(t)
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS)
    this.sweepTimer.unref()
    this.schedule()
  }

  /** Stops sending; queued entries stay in the store. */
  stop(): void {
    this.running = false
    for (const d of this.detach.splice(0)) d()
    clearInterval(this.sweepTimer)
    clearTimeout(this.holdTimer)
  }

  /** Queues `msg` durably for `peer` under `key` (call inside the store transaction that accepted it). */
  enqueue(peer: string, key: string, cls: MessageClass, msg: WireMessage): EnqueueOutcome {
    const outcome = this.o.store.queue.enqueue({ peer, key, class: cls, payload: encodeEnvelope(msg, { compress: 'never' }) })
    if (outcome.status === 'queued') this.schedule()
    return outcome
  }

  /** Queues a transient message for `peer`. */
  send(peer: string, item: ControlItem): void {
    if (!this.control.push(peer, item)) this.log.warn({ peer, type: item.msg.type }, 'control queue full: message dropped; the peer asks again')
    this.schedule()
  }

  /** The transient message for `peer` with `key`, if still waiting (to merge acks into it). */
  pending(peer: string, key: string): ControlItem | undefined {
    return this.control.find(peer, key)
  }

  /** The peer confirmed these durable keys: done with them. */
  acked(peer: string, keys: readonly string[]): void {
    for (const key of keys) {
      if (!this.o.store.queue.ack(peer, key)) continue
      const e = this.inFlight.take(peer, key)
      if (e !== undefined && e.link !== MESH_LINK) this.o.monitor.recordDelivery(e.link, peer, e.bytes, this.now() - e.sentAt, true)
    }
    this.schedule()
  }

  /** Sends `msg` to everyone in range on broadcast link `linkId` if its rule and budget allow; true if sent. */
  async broadcast(linkId: string, msg: WireMessage, cls: MessageClass = 'beacon'): Promise<boolean> {
    const t = this.o.transports.get(linkId)
    if (t === undefined || t.state !== 'up' || !t.capabilities.broadcast) return false
    const choice = selectLink(this.decisionBase(peerSnapshot(this.o.monitor.snapshot(), [linkId]), msg, cls))
    if (choice.type !== 'send') return false
    return this.transmit(t, '*', msg, choice, 'broadcast', undefined)
  }

  /** Counts invalid content from `peer` (rejection `reason`) against it; at the limit it is banned. */
  strike(peer: string, reason: string): void {
    const ban = this.bans.strike(peer, reason)
    if (ban === undefined) return
    this.log.warn({ peer, reason, banMs: ban.durationMs }, 'station banned for sending invalid content; its frames are dropped until the ban ends')
    this.emit('banned', ban)
  }

  /** Partial messages held for reassembly, per link (bounded by the reassembler's limits). */
  reassembly(): Record<string, ReassemblerStats> {
    return this.o.framing.stats()
  }

  /** The link traffic to `peer` uses now, if one was chosen. */
  currentLink(peer: string): string | undefined {
    return this.hysteresis.get(peer)?.current?.transportId
  }

  /** Queue counts of `peer`: transient waiting, durable waiting, in flight. */
  counts(peer: string): { control: number; inFlight: number } {
    return { control: this.control.size(peer), inFlight: this.inFlight.count(peer) }
  }

  /** Budget left on `linkId`, 0–1, or undefined when it has none. */
  budgetLeft(linkId: string): number | undefined {
    const t = this.o.transports.get(linkId)
    if (t === undefined) return undefined
    const rule = resolveLinkRule(this.o.policy, linkId, t.capabilities.kind)
    if (rule.budget === null) return undefined
    const state = this.budgets.get(linkId)
    const tokens = state === undefined ? rule.budget.airtimeMs : Math.min(rule.budget.airtimeMs, state.tokensMs + ((this.now() - state.at) * rule.budget.airtimeMs) / rule.budget.windowMs)
    return Math.max(0, tokens / rule.budget.airtimeMs)
  }

  /** True while a send is under way or transient messages wait (a shutdown waits for them). */
  sending(): boolean {
    return this.busy.size > 0 || this.control.peers().some((p) => this.o.directory.has(p))
  }

  /** Runs the send loop soon (coalesced). */
  schedule(): void {
    if (this.pumpScheduled || !this.running) return
    this.pumpScheduled = true
    setImmediate(() => {
      this.pumpScheduled = false
      this.pump()
    })
  }

  // ---- sending -------------------------------------------------------------------------------

  private pump(): void {
    if (!this.running) return
    let retryMs = Infinity
    const peers = new Set([...this.control.peers(), ...this.o.store.queue.peers()])
    for (const peer of peers) if (this.o.directory.has(peer) && !this.busy.has(peer)) retryMs = Math.min(retryMs, this.pumpPeer(peer))
    clearTimeout(this.holdTimer)
    if (Number.isFinite(retryMs)) {
      this.holdTimer = setTimeout(() => this.schedule(), Math.max(50, retryMs))
      this.holdTimer.unref()
    }
  }

  /** Sends the first candidate of `peer` some link will carry now; returns when to retry if none, ms. */
  private pumpPeer(peer: string): number {
    if (this.o.viaMesh !== undefined && this.o.directory.farOnly(peer)) return this.pumpFar(peer, this.o.viaMesh)
    let retryMs = Infinity
    for (const c of this.candidates(peer)) {
      // a message pinned to a link (a probe) waits out that link's set-aside like any other: two
      // VARA modems that called each other at once would otherwise collide again at once
      const wanted = c.control?.link === undefined ? this.addressedLinks(peer) : [c.control.link]
      const links = wanted.filter((id) => !this.setAside.has(id, peer))
      for (const msg of this.shapes(peer, c)) {
        const decision = selectLink({ ...this.decisionBase(peerSnapshot(this.o.monitor.snapshot(), links, peer, this.setAside), msg, c.cls), peer, hysteresis: this.hysteresis.get(peer) })
        if (c.control?.link === undefined) this.noteDecision(peer, decision.hysteresis, decision.type === 'send' ? decision.reason : undefined)
        if (decision.type === 'hold') {
          this.log.debug({ peer, type: msg.type, reason: decision.reason, rejected: decision.rejected, retryInMs: decision.retryInMs }, 'message held: no link takes it now')
          retryMs = Math.min(retryMs, this.setAside.releaseInMs(wanted, peer), Number.isFinite(decision.retryInMs) ? (decision.retryInMs as number) : HOLD_RETRY_MS)
          continue
        }
        void this.dispatch(peer, c, msg, decision)
        return Infinity
      }
    }
    return retryMs
  }

  /** Hands what is owed to far `peer` to the mesh; returns when to retry if no neighbour took it, ms. */
  private pumpFar(peer: string, viaMesh: NonNullable<RouterOptions['viaMesh']>): number {
    for (const c of this.candidates(peer)) {
      const msg = this.shapes(peer, c).at(-1) ?? c.msg // the smallest form: it crosses several links
      if (!viaMesh(peer, msg, c.cls)) return HOLD_RETRY_MS
      if (c.control !== undefined) this.control.remove(peer, c.control)
      if (c.durable === undefined) continue
      this.o.store.queue.markSent(peer, [c.durable.key])
      this.inFlight.add({ peer, key: c.durable.key, link: MESH_LINK, sentAt: this.now(), bytes: c.durable.payload.length })
    }
    this.schedule()
    return Infinity
  }

  private candidates(peer: string): Candidate[] {
    const control = this.control.peek(peer, LOOKAHEAD).map((item): Candidate => ({ cls: item.cls, priority: classPriority(item.cls), msg: item.msg, control: item }))
    const durable = this.o.store.queue.next(peer, { limit: LOOKAHEAD }).flatMap((entry): Candidate[] => {
      const decoded = decodeEnvelope(entry.payload)
      if (decoded.ok) return [{ cls: entry.class, priority: entry.priority, msg: decoded.value, durable: entry }]
      this.log.error({ peer, key: entry.key, err: decoded.error.message }, 'queued entry does not decode; dropped')
      this.o.store.queue.ack(peer, entry.key)
      return []
    })
    return [...control, ...durable].sort((a, b) => a.priority - b.priority)
  }

  private shapes(peer: string, c: Candidate): WireMessage[] {
    return this.o.shape?.(peer, c.msg, c.cls) ?? [c.msg]
  }

  /** Links with an address for `peer` that are not set aside for it. */
  private usableLinks(peer: string): string[] {
    return this.addressedLinks(peer).filter((id) => !this.setAside.has(id, peer))
  }

  /** Our links on which `peer` has an address. */
  private addressedLinks(peer: string): string[] {
    return this.o.directory
      .linksOf(peer)
      .map((l) => l.transportId)
      .filter((id) => this.o.transports.has(id))
  }

  private decisionBase(snapshot: MonitorSnapshot, msg: WireMessage, cls: MessageClass) {
    return {
      snapshot,
      messageClass: cls,
      bytes: encodeWireBody(msg).length + 1, // the envelope's header byte
      config: this.o.policy,
      budgets: Object.fromEntries(this.budgets),
      now: this.now(),
    }
  }

  private noteDecision(peer: string, next: HysteresisState, reason: SendReason | undefined): void {
    const before = this.hysteresis.get(peer)?.current?.transportId
    this.hysteresis.set(peer, next)
    const after = next.current?.transportId
    if (before !== undefined && after !== undefined && before !== after) {
      this.log.info({ peer, from: before, to: after, reason }, reason === 'return-after-dwell' ? 'back to the better link after its dwell time' : 'link changed; traffic for this peer now goes here')
      this.emit('failover', { peer, from: before, to: after })
    }
  }

  private async dispatch(peer: string, c: Candidate, msg: WireMessage, choice: LinkChoice & { reason: SendReason }): Promise<void> {
    const t = this.o.transports.get(choice.transportId)
    const address = this.o.directory.address(peer, choice.transportId)
    if (t === undefined || address === undefined) return
    this.log.debug({ peer, link: t.id, type: msg.type, reason: choice.reason }, 'sending')
    this.busy.add(peer)
    // taken off its queue now, so an ack merged into a waiting message is never lost in one being sent
    if (c.control !== undefined) this.control.remove(peer, c.control)
    if (c.durable !== undefined) {
      // in flight from now: an ack that overtakes the end of the send still retires it
      this.o.store.queue.markSent(peer, [c.durable.key])
      this.inFlight.add({ peer, key: c.durable.key, link: t.id, sentAt: this.now(), bytes: c.durable.payload.length })
    }
    const ok = (await this.introduce(t, peer, msg, choice, address)) && (await this.transmit(t, peer, msg, choice, c.control?.link === undefined ? choice.reason : 'probe', address))
    // a newer message with the same key (hello, merged acks) supersedes the one that failed
    const superseded = c.control?.key !== undefined && this.control.find(peer, c.control.key) !== undefined
    if (c.control !== undefined && !ok && c.control.link === undefined && !superseded) this.control.push(peer, c.control)
    if (c.durable !== undefined && !ok && this.inFlight.take(peer, c.durable.key) !== undefined) this.o.store.queue.requeue(peer, [c.durable.key])
    this.busy.delete(peer)
    this.schedule()
  }

  /**
   * On a link whose frames do not name their sender (TCP: a dialled connection speaks from an
   * ephemeral port), sends our hello first on every new connection, so the peer knows who the
   * next frames are from. True when the peer is introduced (or needs no introduction).
   */
  private async introduce(t: Transport, peer: string, msg: WireMessage, choice: LinkChoice, to: string): Promise<boolean> {
    const key = `${t.id}\u0000${peer}`
    if (t.capabilities.publicMedium || msg.type === 'hello' || this.introduced.has(key)) {
      if (msg.type === 'hello') this.introduced.add(key)
      return true
    }
    const ok = await this.transmit(t, peer, this.o.hello(), choice, 'probe', to)
    if (ok) this.introduced.add(key)
    return ok
  }

  /** Encodes, fragments and sends `msg`; false (and the link set aside for the peer) on failure. */
  private async transmit(t: Transport, peer: string, msg: WireMessage, choice: LinkChoice, reason: SentEvent['reason'], to: string | undefined): Promise<boolean> {
    const fragments = this.o.framing.outbound(msg, t.id, peer, choice.fragmentMtu, choice.compress)
    let bytes = 0
    try {
      for (const f of fragments) {
        await t.send(f, to === undefined ? {} : { to })
        bytes += f.length
      }
    } catch (e) {
      this.log.warn({ peer, link: t.id, type: msg.type, err: (e as Error).message }, 'send failed; the message stays queued and the next usable link takes it')
      if (to !== undefined) {
        this.setAside.add(t.id, peer)
        this.introduced.delete(`${t.id}\u0000${peer}`)
      }
      return false
    }
    this.charge(t, choice.airtimeMs)
    this.emit('sent', { peer, link: t.id, type: msg.type, bytes, fragments: fragments.length, fragmentBytes: fragments.map((f) => f.length), reason })
    return true
  }

  private charge(t: Transport, airtimeMs: number): void {
    const rule = resolveLinkRule(this.o.policy, t.id, t.capabilities.kind)
    if (rule.budget !== null) this.budgets.set(t.id, spendBudget(this.budgets.get(t.id), rule.budget, airtimeMs, this.now()))
  }

  // ---- what the links tell -------------------------------------------------------------------

  private follow(t: Transport): void {
    const onFrame = (f: InboundFrame): void => this.onFrame(t, f)
    const onState = (s: StateChange): void => this.onState(t, s)
    const onSample = (s: LinkSample): void => this.onSample(t, s)
    t.on('frame', onFrame).on('state', onState).on('sample', onSample)
    this.detach.push(this.o.monitor.attach(t, { peerOf: (from) => this.o.directory.identify(t.id, from) }))
    this.detach.push(() => t.off('frame', onFrame).off('state', onState).off('sample', onSample))
  }

  private onFrame(t: Transport, f: InboundFrame): void {
    this.emit('received', { link: t.id, bytes: f.payload.length })
    const intake = this.inbox.take(t, f)
    if ('dropped' in intake) return void this.emit('dropped', { link: t.id, from: f.from ?? '', reason: intake.dropped })
    if ('messages' in intake) for (const m of intake.messages) this.deliver(m)
  }

  private deliver(m: Inbound): void {
    this.o.monitor.recordHeard(m.link, m.peer, this.now())
    this.setAside.clear(m.link, m.peer)
    this.emit('message', m)
  }

  private onState(t: Transport, s: StateChange): void {
    for (const k of [...this.introduced]) if (k.startsWith(`${t.id}\u0000`)) this.introduced.delete(k)
    if (s.to !== 'up') this.lost(t.id, undefined, `link ${s.to}: ${s.reason}`)
    this.schedule()
  }

  private onSample(t: Transport, s: LinkSample): void {
    if (s.peer === undefined || s.sendOk !== false) return
    const peer = this.o.directory.identify(t.id, s.peer) ?? s.peer
    this.introduced.delete(`${t.id}\u0000${peer}`)
    this.setAside.add(t.id, peer)
    this.lost(t.id, peer, 'the link reports the peer lost')
  }

  /** Requeues what went out on `link` (to `peer`, or to everyone) and was not acknowledged. */
  private lost(link: string, peer: string | undefined, why: string): void {
    const back = this.inFlight.takeWhere((e) => e.link === link && (peer === undefined || e.peer === peer))
    for (const e of back) {
      this.o.store.queue.requeue(e.peer, [e.key])
      this.o.monitor.recordDelivery(link, e.peer, e.bytes, this.now() - e.sentAt, false)
    }
    if (back.length > 0) this.log.info({ link, peer, requeued: back.length, why }, 'unacknowledged messages queued again for the next usable link')
    this.schedule()
  }

  // ---- timers --------------------------------------------------------------------------------

  private sweep(): void {
    const now = this.now()
    const expired = this.inFlight.takeWhere((e) => now - e.sentAt > this.ackTimeout(e.link))
    for (const e of expired) {
      this.o.store.queue.requeue(e.peer, [e.key])
      if (e.link !== MESH_LINK) this.o.monitor.recordDelivery(e.link, e.peer, e.bytes, now - e.sentAt, false)
      this.log.info({ peer: e.peer, key: e.key, link: e.link }, 'no ack in time; message queued again')
    }
    this.probe(now)
    this.trackGoodLinks(now)
    if (expired.length > 0) this.schedule()
  }

  /**
   * Keeps each peer's "good since" times current while no traffic flows, so the dwell before moving
   * back to a better link counts from when it became good, not from the next message. The link in
   * use changes only when a message is sent.
   */
  private trackGoodLinks(now: number): void {
    for (const [peer, h] of this.hysteresis) {
      if (!this.o.directory.has(peer) || this.busy.has(peer)) continue
      const snapshot = peerSnapshot(this.o.monitor.snapshot(now), this.usableLinks(peer), peer, this.setAside)
      const d = selectLink({ snapshot, messageClass: 'control', bytes: 64, peer, config: this.o.policy, budgets: Object.fromEntries(this.budgets), hysteresis: h, now })
      this.hysteresis.set(peer, { ...h, goodSince: d.hysteresis.goodSince })
    }
  }

  private ackTimeout(link: string): number {
    if (link === MESH_LINK) return MESH_ACK_TIMEOUT_MS
    const kind = this.o.transports.get(link)?.capabilities.kind ?? 'tcp'
    return this.o.ackTimeoutMs?.[kind] ?? DEFAULT_ACK_TIMEOUT_MS[kind]
  }

  /** Sends our hello on non-broadcast links where a peer is stale or set aside, at the kind's interval. */
  private probe(now: number): void {
    const snapshot = this.o.monitor.snapshot(now)
    for (const peer of this.o.directory.peers()) {
      for (const { transportId } of this.o.directory.linksOf(peer)) {
        const t = this.o.transports.get(transportId)
        const interval = t === undefined ? 0 : (this.o.probeIntervalMs?.[t.capabilities.kind] ?? DEFAULT_PROBE_INTERVAL_MS[t.capabilities.kind])
        if (t === undefined || interval === 0 || t.state !== 'up') continue
        const fresh = snapshot.links[transportId]?.peers[peer]?.stale === false
        const key = `${transportId}\u0000${peer}`
        if ((fresh && !this.setAside.suspect(transportId, peer)) || now - (this.lastProbe.get(key) ?? -Infinity) < interval) continue
        this.lastProbe.set(key, now)
        this.send(peer, { msg: this.o.hello(), cls: 'control', key: `probe:${transportId}`, link: transportId })
      }
    }
  }
}
