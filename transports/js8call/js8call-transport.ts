/**
 * The JS8Call transport: gateway frames as directed JS8 messages through JS8Call's TCP API.
 *
 * JS8 moves 2.4–12 bit/s with no ARQ, so this link carries only what matters, in as few frames as
 * possible: frames go out as JS8-safe text (codecs/js8-text.ts) in directed messages to a peer's
 * callsign, or to our group for announcements; each payload is cut so one transmission stays short
 * (fragment-plan.ts), acked and selectively retransmitted (arq-sender.ts, arq-receiver.ts), and
 * never beyond the hourly airtime cap (airtime-budget.ts, tx-scheduler.ts). Only RX.DIRECTED
 * addressed to our callsign or group is read; everything else on the band is ignored.
 *
 * Liveness: JS8Call sends nothing on TCP when the band is quiet (its PING heartbeat goes to UDP
 * only), so the transport asks for the callsign every `livenessIntervalMs`. No answer is
 * `heartbeat-lost`, another callsign `callsign-changed`, a closed socket `device-closed`: each
 * takes the link down with that reason, and the supervisor starts it again (one attempt per
 * `start()`). The airtime ledger survives restarts.
 *
 * @packageDocumentation
 */
import { silentLogger, type Logger } from '../../gateway/log.js'
import { isTransportError, TransportError } from '../errors.js'
import { abortable, TransportBase } from '../transport-base.js'
import type { ChannelBusy, SendOptions, Transport, TxBufferDepth } from '../types.js'
import { AirtimeBudget } from './airtime-budget.js'
import { Js8ApiClient } from './api-client.js'
import { directedMessageText, parseDirected, type DirectedMessage, type Js8Message } from './api-messages.js'
import { ArqReceiver } from './arq-receiver.js'
import { ArqSender, type SendOutcome } from './arq-sender.js'
import { wallClock, type Clock } from '../clock.js'
import { CallsignSchema, GroupSchema, Js8CallTransportOptionsSchema, type Js8CallConfig, type Js8CallTransportOptions } from './config.js'
import { planFragments } from './fragment-plan.js'
import { parseLinkFrameText } from './link-frame.js'
import { JS8_SPEEDS, PTT_MARGIN_MS, speedBitrateBps, speedFromCode, headerFrames, type Js8SpeedName } from './speed.js'
import { TxScheduler } from './tx-scheduler.js'

/** What the transport runs on besides its options; all optional. */
export interface Js8CallTransportDeps {
  /** Clock of the link protocol (acks, periods, the airtime hour); a SimClock in time-scaled tests. */
  clock?: Clock
  /** Uniform [0, 1) source for retry jitter. */
  random?: () => number
  log?: Logger
}

/** Audio offsets this close are taken for the same station, Hz. */
const SAME_OFFSET_HZ = 10
/** Stations and offsets remembered; the oldest is forgotten beyond this (anyone may call us). */
const MAX_REMEMBERED = 256
/** Largest message accepted from a peer, bytes (the config's mtu limit). */
const MAX_INBOUND_MESSAGE_BYTES = 4096

/** Gateway frames over JS8Call. */
export class Js8CallTransport extends TransportBase implements Transport, ChannelBusy, TxBufferDepth {
  private readonly cfg: Js8CallConfig
  private readonly clock: Clock
  private readonly log: Logger
  private readonly budget: AirtimeBudget
  private readonly scheduler: TxScheduler
  private readonly sender: ArqSender
  private readonly receiver: ArqReceiver
  private readonly heard = new Map<string, number>() // callsign → link-clock ms last heard
  private readonly offsets = new Map<number, string>() // audio offset, Hz → callsign heard there
  private client?: Js8ApiClient
  private myCall = ''
  private speed: Js8SpeedName = 'normal'
  private lastDecodeAt = Number.NEGATIVE_INFINITY // link-clock ms
  private probeTimer?: NodeJS.Timeout

  /**
   * @param options - link options (see {@link Js8CallTransportOptionsSchema}; throws a ZodError if invalid)
   * @param deps - clock, randomness and logger
   */
  constructor(options: Js8CallTransportOptions = {}, deps: Js8CallTransportDeps = {}) {
    const cfg = Js8CallTransportOptionsSchema.parse(options)
    super(cfg.id, {
      kind: 'js8call',
      mtu: cfg.mtu,
      nominalBitrateBps: speedBitrateBps(cfg.speed ?? 'normal'),
      broadcast: true,
      reliable: true, // directed messages are acked and retransmitted here
      halfDuplex: true,
      publicMedium: true,
    })
    this.cfg = cfg
    this.clock = deps.clock ?? wallClock
    this.log = (deps.log ?? silentLogger()).child({ transport: cfg.id })
    this.budget = new AirtimeBudget(cfg.maxAirtimeMsPerHour, () => this.clock.now())
    this.scheduler = new TxScheduler({
      clock: this.clock,
      budget: this.budget,
      speed: () => this.speed,
      myCall: () => this.myCall,
      write: (to, text) => this.transmit(to, text),
      channelBusy: () => this.isBusy(),
      gapSlackMs: cfg.txGapSlackMs,
    })
    this.sender = new ArqSender(
      {
        clock: this.clock,
        scheduler: this.scheduler,
        random: deps.random ?? Math.random,
        plan: (payload, id) => planFragments(payload, id, cfg.maxFramesPerTransmission, this.speed),
        periodMs: () => JS8_SPEEDS[this.speed].periodMs,
        heardAt: (call) => this.heard.get(call) ?? Number.NEGATIVE_INFINITY,
        isGroup: (to) => to.startsWith('@'),
        onOutcome: (o) => this.outcome(o),
      },
      cfg,
    )
    this.receiver = new ArqReceiver(this.clock, {
      retainMs: cfg.retainSentMs,
      reassembly: { maxMessageBytes: MAX_INBOUND_MESSAGE_BYTES, maxTotalBytes: 64 * 1024 },
    })
  }

  /** Our callsign as JS8Call reported it (empty before the first start). */
  get callsign(): string {
    return this.myCall
  }

  /** JS8 speed JS8Call runs at. */
  get js8Speed(): Js8SpeedName {
    return this.speed
  }

  /** When `callsign` was last heard addressing us or our group, link-clock ms. */
  lastHeard(callsign: string): number | undefined {
    return this.heard.get(callsign.toUpperCase())
  }

  /** Our airtime in the current hour, ms (reservations included). */
  airtimeUsedMs(): number {
    return this.budget.usedMs()
  }

  /** @inheritDoc */
  isBusy(): boolean {
    return this.clock.now() - this.lastDecodeAt < this.cfg.quietPeriods * JS8_SPEEDS[this.speed].periodMs
  }

  /** @inheritDoc */
  txQueueBytes(): number {
    return this.sender.queuedBytes()
  }

  /** @inheritDoc */
  async start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.state === 'up' || this.state === 'starting') return
    this.setState('starting', 'start requested')
    let client: Js8ApiClient | undefined
    try {
      const { host, port, connectTimeoutMs: timeoutMs } = this.cfg
      client = await Js8ApiClient.connect({ host, port, timeoutMs, ...(options.signal ? { signal: options.signal } : {}) })
      await abortable(this.identify(client), options.signal, `${this.id}: start`)
      if (!this.isStarting()) throw new TransportError('ERR_STOPPED', `${this.id}: stopped while starting`)
    } catch (e) {
      client?.close()
      const error = isTransportError(e) ? e : new TransportError('ERR_DEVICE', String(e), { cause: e })
      if (this.isStarting()) this.setState('down', startFailure(error), error)
      throw error
    }
    this.attach(client)
    this.setState('up', `JS8Call ${this.myCall} at ${this.speed} speed`)
    this.emitSample({ bitrateBps: speedBitrateBps(this.speed) })
  }

  /** @inheritDoc */
  async send(payload: Uint8Array, options: SendOptions = {}): Promise<void> {
    this.checkSend(payload, options)
    const to = destination(options.to ?? this.cfg.group)
    if (to === undefined) throw new TransportError('ERR_UNREACHABLE', `${this.id}: '${options.to}' is neither a callsign nor a @GROUP`)
    const sent = this.sender.send(payload, to, options.signal)
    this.emitSample({ txQueueBytes: this.sender.queuedBytes() })
    await sent
  }

  /** @inheritDoc */
  async stop(): Promise<void> {
    this.release(new TransportError('ERR_STOPPED', `${this.id}: stopped`))
    this.setState('stopped', 'stop requested')
  }

  /** A method, so the compiler does not narrow `state` across the awaits of `start`. */
  private isStarting(): boolean {
    return this.state === 'starting'
  }

  /** Reads and checks JS8Call's callsign, grid and speed. */
  private async identify(client: Js8ApiClient): Promise<void> {
    const ask = (type: string, reply: string): Promise<Js8Message> => client.request(type, { reply, timeoutMs: this.cfg.requestTimeoutMs })
    const call = (await ask('STATION.GET_CALLSIGN', 'STATION.CALLSIGN')).value.trim().toUpperCase()
    if (call === '') throw new TransportError('ERR_CONFIG', 'JS8Call has no callsign set (Settings > General > Station)')
    if (this.cfg.callsign !== undefined && call !== this.cfg.callsign) {
      throw new TransportError('ERR_CONFIG', `JS8Call's callsign is ${call} but the gateway is configured for ${this.cfg.callsign}`)
    }
    const grid = (await ask('STATION.GET_GRID', 'STATION.GRID')).value.trim().toUpperCase()
    const want = this.cfg.grid
    if (want !== undefined && !(grid.startsWith(want) || (grid !== '' && want.startsWith(grid)))) {
      throw new TransportError('ERR_CONFIG', `JS8Call's grid is '${grid}' but the gateway is configured for ${want}`)
    }
    const code = (await ask('MODE.GET_SPEED', 'MODE.SPEED')).params['SPEED']
    const speed = typeof code === 'number' ? speedFromCode(code) : undefined
    if (speed === undefined) throw new TransportError('ERR_DEVICE', `JS8Call reports an unknown speed ${JSON.stringify(code)}`)
    if (this.cfg.speed !== undefined && speed !== this.cfg.speed) {
      throw new TransportError('ERR_CONFIG', `JS8Call runs at ${speed} speed but the gateway is configured for ${this.cfg.speed} (change it in JS8Call)`)
    }
    this.checkCap(call, speed)
    this.myCall = call
    this.speed = speed
  }

  /** The longest transmission must fit in the hourly cap, or nothing would ever be sent. */
  private checkCap(call: string, speed: Js8SpeedName): void {
    const frames = this.cfg.maxFramesPerTransmission + headerFrames(call, this.cfg.group)
    const longest = frames * (JS8_SPEEDS[speed].txMs + PTT_MARGIN_MS)
    if (longest > this.cfg.maxAirtimeMsPerHour) {
      throw new TransportError('ERR_CONFIG', `maxAirtimeMsPerHour ${this.cfg.maxAirtimeMsPerHour} is below one ${frames}-frame transmission at ${speed} speed (${longest} ms)`)
    }
  }

  private attach(client: Js8ApiClient): void {
    this.client = client
    client.on('message', (m) => this.onMessage(m))
    client.on('invalid', (line, reason) => this.log.debug({ line: line.slice(0, 200), reason }, 'skipped a line JS8Call sent'))
    client.on('close', (reason) => this.lost('device-closed', new TransportError('ERR_DEVICE', reason)))
    this.scheduleProbe()
  }

  /** Drops the connection and everything queued; `error` goes to waiting senders. */
  private release(error: TransportError): void {
    clearTimeout(this.probeTimer)
    const client = this.client
    this.client = undefined
    client?.removeAllListeners()
    client?.close()
    this.sender.stop(error)
    this.scheduler.clear(error)
  }

  /** JS8Call is gone, hung or someone else: down with `reason`; the supervisor restarts us. */
  private lost(reason: string, error: TransportError): void {
    if (this.state !== 'up') return
    this.log.warn({ reason, err: error.message }, 'JS8Call link lost; the supervisor will reconnect')
    this.release(new TransportError('ERR_NOT_UP', `${this.id}: link went down (${reason})`, { cause: error }))
    this.setState('down', reason, error)
  }

  private scheduleProbe(): void {
    this.probeTimer = setTimeout(() => void this.probe(), this.cfg.livenessIntervalMs)
  }

  /** Liveness and identity: JS8Call must answer STATION.GET_CALLSIGN, with the same callsign. */
  private async probe(): Promise<void> {
    const client = this.client
    if (client === undefined) return
    try {
      const reply = await client.request('STATION.GET_CALLSIGN', { reply: 'STATION.CALLSIGN', timeoutMs: this.cfg.requestTimeoutMs })
      if (client !== this.client) return
      const call = reply.value.trim().toUpperCase()
      if (call !== this.myCall) {
        return this.lost('callsign-changed', new TransportError('ERR_CONFIG', `JS8Call's callsign changed from ${this.myCall} to '${call}'`))
      }
      this.scheduleProbe()
    } catch (e) {
      if (client !== this.client) return
      const error = isTransportError(e) ? e : new TransportError('ERR_DEVICE', String(e), { cause: e })
      this.lost(error.code === 'ERR_TIMEOUT' ? 'heartbeat-lost' : 'device-closed', error)
    }
  }

  private onMessage(m: Js8Message): void {
    switch (m.type) {
      case 'RX.DIRECTED':
        return this.onDirected(m)
      case 'RX.ACTIVITY':
        return this.onActivity(m)
      case 'RIG.PTT': {
        const utc = m.params['UTC']
        const airtimeMs = this.scheduler.ptt(m.params['PTT'] === true || m.value === 'on', typeof utc === 'number' ? utc : undefined)
        if (airtimeMs !== undefined) this.emitSample({ txAirtimeMs: airtimeMs })
        return
      }
      case 'STATION.STATUS':
        return this.onStatus(m)
      case 'API.ERROR':
        this.log.warn({ error: m.value }, 'JS8Call reported an API error')
        return
      default:
        return // PING, RIG.FREQ, TX.FRAME, RX.SPOT …: nothing to do
    }
  }

  /** A decode: the channel is in use; from a peer's offset, an SNR sample for that peer. */
  private onActivity(m: Js8Message): void {
    this.lastDecodeAt = this.clock.now()
    const peer = this.peerAt(m.params['OFFSET'])
    const snrDb = m.params['SNR']
    if (peer !== undefined && typeof snrDb === 'number') this.emitSample({ peer, snrDb })
  }

  private onStatus(m: Js8Message): void {
    const code = m.params['SPEED']
    const speed = typeof code === 'number' ? speedFromCode(code) : undefined
    if (speed === undefined || speed === this.speed) return
    this.log.info({ from: this.speed, to: speed }, 'JS8Call changed speed')
    this.speed = speed
    this.emitSample({ bitrateBps: speedBitrateBps(speed) })
  }

  private onDirected(m: Js8Message): void {
    this.lastDecodeAt = this.clock.now()
    const d = parseDirected(m)
    if (d === undefined || d.from === this.myCall) return
    const directed = d.to === this.myCall
    if (!directed && d.to !== this.cfg.group) return // someone else's traffic
    const offset = m.params['OFFSET']
    const known = this.peerAt(offset) === d.from // its frames' SNR already came with RX.ACTIVITY
    remember(this.heard, d.from, this.clock.now())
    if (typeof offset === 'number') remember(this.offsets, offset, d.from)
    const frame = parseLinkFrameText(d.body)
    if (!frame.ok) {
      this.log.debug({ from: d.from, to: d.to, text: d.body.slice(0, 80), reason: frame.error.message }, 'directed text that is not ours')
      return
    }
    if (d.snrDb !== undefined && !known) this.emitSample({ peer: d.from, snrDb: d.snrDb })
    if (directed) this.sender.onHeard(d.from)
    if (frame.value.kind === 'ack' && directed) return this.sender.onAck(d.from, frame.value.messageIds)
    if (frame.value.kind === 'nack' && directed) return this.sender.onNack(d.from, frame.value.messageId, frame.value.missing)
    this.deliver(d, directed, this.receiver.receive(d.from, directed, frame.value))
  }

  private deliver(d: DirectedMessage, directed: boolean, out: ReturnType<ArqReceiver['receive']>): void {
    if (out.error !== undefined) this.log.debug({ from: d.from, err: out.error.message }, 'refused a fragment')
    if (out.reply !== undefined) this.scheduler.submit({ to: d.from, frame: out.reply, priority: 'reply' })
    if (out.deliver === undefined) return
    const snr = d.snrDb === undefined ? {} : { snrDb: d.snrDb }
    this.emitFrame({ payload: out.deliver.payload, from: d.from, receivedAt: Date.now(), ...snr })
    this.log.debug({ from: d.from, bytes: out.deliver.payload.length, directed }, 'received a message')
  }

  /** The peer last heard at this audio offset (±10 Hz), if any. */
  private peerAt(offset: unknown): string | undefined {
    if (typeof offset !== 'number') return undefined
    for (const [at, call] of this.offsets) if (Math.abs(at - offset) <= SAME_OFFSET_HZ) return call
    return undefined
  }

  /** Hands one transmission to JS8Call. */
  private transmit(to: string, text: string): void {
    const client = this.client
    if (client === undefined) throw new TransportError('ERR_NOT_UP', `${this.id}: JS8Call is not connected`)
    client.notify('TX.SEND_MESSAGE', directedMessageText(to, text))
  }

  private outcome(o: SendOutcome): void {
    if (o.to.startsWith('@')) return // announcements are not acked: nothing confirmed
    const rtt = o.rttMs === undefined ? {} : { rttMs: o.rttMs }
    this.emitSample({ peer: o.to, sendOk: o.ok, ...rtt })
    if (!o.ok) this.log.warn({ to: o.to, messageId: o.messageId, rounds: o.rounds }, 'no ack from the peer; message given up')
  }
}

/** Sets `key` as the newest entry of `map`, forgetting the oldest beyond {@link MAX_REMEMBERED}. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key)
  map.set(key, value)
  for (const oldest of map.keys()) {
    if (map.size <= MAX_REMEMBERED) return
    map.delete(oldest)
  }
}

/** The reason a failed start reports. */
function startFailure(error: TransportError): string {
  if (error.code === 'ERR_CONFIG') return 'identity-mismatch'
  if (error.code === 'ERR_TIMEOUT') return 'no-reply'
  return error.code === 'ERR_ABORTED' || error.code === 'ERR_STOPPED' ? 'aborted' : 'connect-failed'
}

/** `to` as JS8 writes it (upper case), if it is a callsign or a group. */
function destination(to: string): string | undefined {
  const parsed = to.trim().startsWith('@') ? GroupSchema.safeParse(to) : CallsignSchema.safeParse(to)
  return parsed.success ? parsed.data : undefined
}

/** Creates a JS8Call transport (compile-time check that it satisfies the contract). */
export const createJs8CallTransport = (options?: Js8CallTransportOptions, deps?: Js8CallTransportDeps): Transport =>
  new Js8CallTransport(options, deps) satisfies Transport
