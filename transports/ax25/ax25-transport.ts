/**
 * AX.25 over a KISS TNC (serial port or KISS over TCP): broadcast UI frames to a group address for
 * announcements every gateway in range should hear, and reliable unicast to a named peer through a
 * selective-repeat ARQ over UI frames (docs/PROTOCOL.md §13 says why not connected mode).
 *
 * - `send(payload)` or `send(payload, { to: group })` broadcasts: the payload is cut into
 *   CRC-checked fragments (codecs/fragment.ts) sent as UI frames to the group; it resolves once the
 *   TNC has them. Nothing is retransmitted: broadcasts are best effort.
 * - `send(payload, { to: 'N0CALL-7' })` resolves when the peer has acknowledged the whole payload
 *   and rejects with `ERR_UNREACHABLE` when it does not answer after the configured retries.
 * - Every frame carries our callsign as source; received frames report the sender's callsign.
 * - The link goes `down` with a reason when the port closes (unplugged, Direwolf restarted) or a
 *   write stalls; the supervisor restarts it. `start()` is one attempt.
 * - Samples: round trips, delivery outcomes, TNC queue depth, and per-peer counters
 *   ({@link Ax25LinkSample}).
 * - With `aprs.enabled`, the link beacons the chain tip and answers APRS messages (aprs-gateway.ts).
 *
 * @packageDocumentation
 */
import { formatCallsign, parseCallsign, type Ax25Address } from '../../codecs/ax25-address.js'
import { AX25_PID_NO_LAYER_3, type Ax25Frame } from '../../codecs/ax25.js'
import { fragmentMessage, MESSAGE_ID_LIMIT, Reassembler } from '../../codecs/fragment.js'
import { silentLogger, type Logger } from '../../gateway/log.js'
import { TransportError } from '../errors.js'
import { abortable, TransportBase } from '../transport-base.js'
import type { LinkSample, SendOptions, Transport, TxBufferDepth } from '../types.js'
import { AprsGateway, type AprsInfoProvider } from './aprs-gateway.js'
import { isAprsMessage } from './aprs-message.js'
import { decodeArqFrame, encodeArqFrame, isArqInfo } from './arq-frames.js'
import { ArqPeer, type ArqPeerCounters } from './arq-peer.js'
import { Ax25TransportOptionsSchema, type Ax25Config, type Ax25TransportOptions } from './config.js'
import type { KissPortOpener } from './kiss-port.js'
import { wallClock, type Clock } from '../clock.js'
import { serialKissPortOpener } from './serial-kiss-port.js'
import { tcpKissPortOpener } from './tcp-kiss-port.js'
import { TncLink, type TncLinkStats } from './tnc-link.js'

/** A link sample with the per-peer ARQ counters (a {@link LinkSample} to consumers that do not know them). */
export interface Ax25LinkSample extends LinkSample, Partial<ArqPeerCounters> {}

/** Collaborators, all optional: tests and the benchmark inject simulated ones. */
export interface Ax25TransportComponents {
  /** Opens the TNC's byte stream; defaults to the serial or TCP opener the config names. */
  openPort?: KissPortOpener
  /** Timers of the ARQ, duty cycle and TXBUF polling (hardware-sim's SimClock fits). */
  clock?: Clock
  /** Uniform [0, 1) for ARQ session ids. */
  random?: () => number
  log?: Logger
  /** Chain tip and transaction status for APRS answers (required when `aprs.enabled`). */
  aprsInfo?: AprsInfoProvider
}

/** Counters of the whole link. */
export interface Ax25LinkStats extends TncLinkStats {
  /** The TNC answers Direwolf's `TXBUF:` (queue depth known, not estimated). */
  tncAnswersTxbuf: boolean
  /** Broadcast payloads sent and received. */
  broadcastsSent: number
  broadcastsReceived: number
  /** ARQ counters per peer callsign. */
  peers: Record<string, ArqPeerCounters>
}

/** AX.25 over a KISS TNC. */
export class Ax25Transport extends TransportBase implements Transport, TxBufferDepth {
  /** Our station, formatted (`N0CALL-7`). */
  readonly station: string
  private readonly cfg: Ax25Config
  private readonly clock: Clock
  private readonly random: () => number
  private readonly log: Logger
  private readonly openPort: KissPortOpener
  private readonly aprsInfo: AprsInfoProvider | undefined
  private link: TncLink | undefined
  private aprs: AprsGateway | undefined
  private readonly peers = new Map<string, ArqPeer>()
  private readonly reassembler: Reassembler
  private datagramId = 0
  private broadcastBytes = 0 // bytes of broadcasts not yet written
  private broadcastsSent = 0
  private broadcastsReceived = 0
  private lastLinkStats: TncLinkStats = { framesIn: 0, framesOut: 0, noiseBytes: 0, kissErrors: 0, badFrames: 0 }

  /**
   * @param options - see {@link Ax25TransportOptionsSchema} (throws a ZodError naming the bad field)
   * @param components - injected port opener, clock, randomness, logger, APRS provider
   */
  constructor(options: Ax25TransportOptions, components: Ax25TransportComponents = {}) {
    const cfg = Ax25TransportOptionsSchema.parse(options)
    super(cfg.id, {
      kind: 'ax25', mtu: cfg.mtu, nominalBitrateBps: cfg.bitrateBps, broadcast: true, reliable: true,
      halfDuplex: !cfg.kiss.fullDuplex, publicMedium: true,
    })
    if (cfg.aprs.enabled && components.aprsInfo === undefined) {
      throw new TransportError('ERR_CONFIG', `${cfg.id}: aprs.enabled needs an aprsInfo provider (chain tip, transaction status)`)
    }
    this.cfg = cfg
    this.station = formatCallsign(cfg.callsign)
    this.clock = components.clock ?? wallClock
    this.random = components.random ?? Math.random
    this.log = (components.log ?? silentLogger()).child({ transport: cfg.id, station: this.station })
    this.aprsInfo = components.aprsInfo
    this.openPort = components.openPort ?? (cfg.tnc.type === 'serial' ? serialKissPortOpener(cfg.tnc, this.clock) : tcpKissPortOpener(cfg.tnc))
    this.reassembler = new Reassembler({ maxMessageBytes: cfg.mtu, maxTotalBytes: Math.max(1 << 20, cfg.mtu * 2) }, () => this.clock.now())
  }

  /** @inheritDoc */
  async start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.state === 'up' || this.state === 'starting') return
    this.setState('starting', 'opening the TNC')
    const opening = this.openPort(options.signal)
    let link: TncLink | undefined
    try {
      const port = await abortable(opening, options.signal, `${this.id}: open TNC`)
      link = new TncLink(port, this.cfg, this.clock, this.log)
      this.link = link
      link.on('frame', (f) => this.received(f))
      link.on('queue', (bytes) => this.emitSample({ txQueueBytes: bytes }))
      link.on('down', (reason, error) => this.linkDown(link as TncLink, reason, error))
      await link.configure()
      this.log.info({ tnc: port.description, kiss: this.cfg.kiss }, 'KISS TNC ready')
      this.setState('up', `KISS TNC ready on ${port.description}`)
      this.startAprs()
    } catch (e) {
      const error = e instanceof TransportError ? e : new TransportError('ERR_DEVICE', `${this.id}: cannot open the TNC: ${(e as Error).message}`, { cause: e })
      if (link === undefined) opening.then((port) => port.close(), () => undefined) // aborted while opening
      await link?.close()
      if (this.link === link) this.link = undefined
      this.setState('down', 'open-failed', error)
      throw error
    }
  }

  /** @inheritDoc */
  async send(payload: Uint8Array, options: SendOptions = {}): Promise<void> {
    this.checkSend(payload, options)
    const to = options.to
    if (to === undefined || this.isGroup(to)) return this.broadcast(payload, options.signal)
    const peer = parseCallsign(to, { normalise: true })
    if (!peer.ok) throw new TransportError('ERR_UNREACHABLE', `${this.id}: '${to}' is not a callsign: ${peer.error.message}`)
    if (this.sameStation(peer.value, this.cfg.callsign)) throw new TransportError('ERR_UNREACHABLE', `${this.id}: '${to}' is this station`)
    this.checkQueue(payload.length)
    return this.peer(peer.value).send(payload, options.signal)
  }

  /** @inheritDoc */
  async stop(): Promise<void> {
    this.aprs?.stop()
    this.aprs = undefined
    this.closePeers(new TransportError('ERR_STOPPED', `${this.id}: stopped`))
    const link = this.link
    this.link = undefined
    if (link !== undefined) {
      this.lastLinkStats = link.stats()
      await link.close()
    }
    this.setState('stopped', 'stop requested')
  }

  /** @inheritDoc */
  txQueueBytes(): number {
    return (this.link?.queuedBytes() ?? 0) + this.pendingBytes()
  }

  /** Counters of the link and of every peer session. */
  stats(): Ax25LinkStats {
    const peers: Record<string, ArqPeerCounters> = {}
    for (const [name, p] of this.peers) peers[name] = p.counters()
    return {
      ...(this.link?.stats() ?? this.lastLinkStats),
      tncAnswersTxbuf: this.link?.answersTxbuf ?? false,
      broadcastsSent: this.broadcastsSent,
      broadcastsReceived: this.broadcastsReceived,
      peers,
    }
  }

  // ---- sending --------------------------------------------------------------------------------

  private async broadcast(payload: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
    this.checkQueue(payload.length)
    const id = this.datagramId
    this.datagramId = (this.datagramId + 1) % MESSAGE_ID_LIMIT
    const fragments = fragmentMessage(payload, this.cfg.arq.paclen - 1, id)
    if (!fragments.ok) throw new TransportError('ERR_MTU_EXCEEDED', `${this.id}: ${fragments.error.message}`)
    const link = this.requireLink()
    this.broadcastBytes += payload.length
    try {
      const written = fragments.value.map((fragment) => link.send(this.uiFrame(this.cfg.group, encodeArqFrame({ type: 'datagram', fragment }))))
      await abortable(Promise.all(written), signal, `${this.id}: broadcast`)
      this.broadcastsSent++
    } finally {
      this.broadcastBytes -= payload.length
    }
  }

  private checkQueue(bytes: number): void {
    const pending = this.pendingBytes()
    if (pending + bytes > this.cfg.maxQueueBytes) {
      throw new TransportError('ERR_QUEUE_FULL', `${this.id}: ${pending} bytes already waiting; ${bytes} more exceed maxQueueBytes ${this.cfg.maxQueueBytes}`)
    }
  }

  private pendingBytes(): number {
    let n = this.broadcastBytes
    for (const p of this.peers.values()) n += p.pendingBytes()
    return n
  }

  /** The session with `address`, created on first use; the idlest idle session is dropped when full. */
  private peer(address: Ax25Address): ArqPeer {
    const name = formatCallsign(address)
    const known = this.peers.get(name)
    if (known !== undefined) return known
    if (this.peers.size >= this.cfg.arq.maxPeers) this.evictIdlest()
    const peer = new ArqPeer(name, this.cfg.arq, this.cfg.mtu, {
      clock: this.clock,
      // While the link is down the session is being closed; a failed write takes the link down.
      transmit: (info, onLeft) => void this.link?.send(this.uiFrame(address, info), onLeft).catch(() => undefined),
      deliver: (message) => this.emitFrame({ payload: message, from: name, receivedAt: Date.now() }),
      report: (event) => this.peerReport(name, event),
    }, this.random)
    this.peers.set(name, peer)
    return peer
  }

  private evictIdlest(): void {
    let idlest: ArqPeer | undefined
    for (const p of this.peers.values()) if (!p.busy() && (idlest === undefined || p.lastHeard() < idlest.lastHeard())) idlest = p
    if (idlest === undefined) return // every session is busy: allow one more rather than fail a transfer
    idlest.close(new TransportError('ERR_UNREACHABLE', `${this.id}: session with ${idlest.callsign} dropped to make room`))
    this.peers.delete(idlest.callsign)
  }

  private uiFrame(destination: Ax25Address, info: Uint8Array): Ax25Frame {
    return {
      kind: 'UI', destination, source: this.cfg.callsign, digipeaters: [], commandResponse: 'command',
      pf: false, pid: AX25_PID_NO_LAYER_3, info,
    }
  }

  private peerReport(name: string, event: { rttMs?: number; sendOk?: boolean; reason?: string }): void {
    if (event.reason !== undefined) this.log.warn({ peer: name, reason: event.reason }, event.sendOk === false ? 'peer unreachable; its messages failed' : 'bad data from peer dropped')
    if (event.rttMs === undefined && event.sendOk === undefined) return
    const sample: Ax25LinkSample = {
      at: Date.now(), peer: name, txQueueBytes: this.txQueueBytes(), ...this.peers.get(name)?.counters(),
      ...(event.rttMs === undefined ? {} : { rttMs: event.rttMs }),
      ...(event.sendOk === undefined ? {} : { sendOk: event.sendOk }),
    }
    this.emit('sample', sample)
  }

  // ---- receiving ------------------------------------------------------------------------------

  private received(frame: Ax25Frame): void {
    if (frame.kind !== 'UI' || this.sameStation(frame.source, this.cfg.callsign)) return
    const from = formatCallsign(frame.source)
    if (isArqInfo(frame.info)) return this.receivedArq(frame, from)
    if (this.aprs !== undefined && isAprsMessage(frame.info)) {
      this.aprs.onFrame(frame).catch((e: unknown) => this.log.warn({ from, err: (e as Error).message }, 'APRS answer not sent'))
    }
  }

  private receivedArq(frame: Extract<Ax25Frame, { kind: 'UI' }>, from: string): void {
    const decoded = decodeArqFrame(frame.info)
    if (!decoded.ok) {
      this.log.debug({ from, err: decoded.error.message }, 'malformed ARQ frame dropped')
      return
    }
    const f = decoded.value
    const toUs = this.sameStation(frame.destination, this.cfg.callsign)
    if (f.type === 'datagram') {
      if (toUs || this.sameStation(frame.destination, this.cfg.group)) this.receivedFragment(f.fragment, from)
    } else if (toUs) {
      this.peer(frame.source).onFrame(f)
    }
  }

  private receivedFragment(fragment: Uint8Array, from: string): void {
    const outcome = this.reassembler.push(fragment, from)
    if (!outcome.ok) {
      this.log.debug({ from, err: outcome.error.message }, 'broadcast fragment dropped')
      return
    }
    if (outcome.value.status !== 'complete') return
    this.broadcastsReceived++
    this.emitFrame({ payload: outcome.value.message, from, receivedAt: Date.now() })
  }

  // ---- life cycle -----------------------------------------------------------------------------

  private startAprs(): void {
    if (!this.cfg.aprs.enabled || this.aprsInfo === undefined) return
    this.aprs = new AprsGateway({
      station: this.cfg.callsign, options: this.cfg.aprs, provider: this.aprsInfo, clock: this.clock, log: this.log,
      send: (frame) => this.requireLink().send(frame),
    })
    this.aprs.start()
  }

  private linkDown(link: TncLink, reason: string, error: TransportError): void {
    if (this.link !== link) return
    this.lastLinkStats = link.stats()
    this.link = undefined
    this.aprs?.stop()
    this.aprs = undefined
    this.closePeers(new TransportError('ERR_NOT_UP', `${this.id}: link went down (${reason}) before delivery`, { cause: error }))
    this.log.warn({ reason, err: error.message }, 'AX.25 link down; the supervisor will restart it')
    this.setState('down', reason, error)
  }

  private closePeers(error: TransportError): void {
    for (const p of this.peers.values()) p.close(error)
    this.peers.clear()
  }

  private requireLink(): TncLink {
    if (this.link === undefined) throw new TransportError('ERR_NOT_UP', `${this.id}: link is ${this.state}`)
    return this.link
  }

  private isGroup(to: string): boolean {
    const parsed = parseCallsign(to, { normalise: true })
    return parsed.ok && this.sameStation(parsed.value, this.cfg.group)
  }

  private sameStation(a: Ax25Address, b: Ax25Address): boolean {
    return a.callsign === b.callsign && a.ssid === b.ssid
  }
}

/** Builds an AX.25 transport (compile-time check that it satisfies the contract). */
export const createAx25Transport = (options: Ax25TransportOptions, components?: Ax25TransportComponents): Transport =>
  new Ax25Transport(options, components) satisfies Transport
