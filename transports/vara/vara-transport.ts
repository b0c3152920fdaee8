/**
 * The VARA HF / FM transport: our frames over VARA's ARQ sessions, through the modem's TCP host
 * interface (command port for CR-terminated lines, data port for the session bytes, radio.md §3).
 *
 * - `start()` is one attempt: connect both ports, initialise, log VERSION. It never reconnects; when
 *   the modem goes away (ports closed, no line for 2 × the IAMALIVE period, MISSING SOUNDCARD) the
 *   link goes `down` with a reason and the supervisor calls `start()` again.
 * - `send(payload, { to: callsign })` queues the frame for that peer and resolves when the modem
 *   has taken it (its TX buffer stays under a bound, so `send` waits: back-pressure). It rejects
 *   with `ERR_UNREACHABLE` when the peer cannot be connected, `ERR_NOT_UP` when the modem goes away
 *   first, `ERR_STOPPED` on stop; a rejected frame is the caller's again.
 * - A frame the modem took is ours until the peer acknowledges it (BUFFER): when the session or the
 *   modem dies first, it is queued again and re-sent in the next session, after the supervisor's
 *   next successful `start()` if need be. Nothing accepted is lost; a duplicate is possible (peers
 *   deduplicate by hash). `takeUnsent()` hands such frames to a caller that wants to reroute them.
 *
 * @packageDocumentation
 */
import type { Socket } from 'node:net'
import { silentLogger, type Logger } from '../../gateway/log.js'
import { TransportError } from '../errors.js'
import { TransportBase } from '../transport-base.js'
import type { ChannelBusy, LinkState, SendOptions, Transport, TransportCapabilities, TxBufferDepth } from '../types.js'
import { nominalBitrateOf, VARA_CALLSIGN, VaraOptionsSchema, type VaraOptions, type VaraOptionsInput } from './config.js'
import { afterPendingIo, TimerSlot, wallClock, type Clock } from '../clock.js'
import type { VaraCommandPort } from './vara-command-port.js'
import { VaraLinkError } from './vara-link-error.js'
import type { VaraMessage } from './vara-messages.js'
import { openModem, type ModemHandle } from './vara-modem.js'
import { Outbox, type OutboundFrame } from './vara-outbox.js'
import { VaraReceiver } from './vara-receiver.js'
import type { VaraLinkSample } from './vara-samples.js'
import { VaraSessions, type SessionView } from './vara-sessions.js'

/** Collaborators; every one has a production default. */
export interface VaraComponents {
  /** Parent logger; the transport logs under `{ component: 'transport', transport: id }`. */
  log?: Logger
  /** Clock of every timeout and rate (tests pass the simulator's clock). */
  clock?: Clock
  /** Uniform [0, 1), for the BUSY hold-off. */
  random?: () => number
}

/** What the modem last told us, for status pages. */
export interface VaraStatus {
  readonly state: LinkState
  /** The ARQ session: idle, or its state and peer. */
  readonly session: SessionView
  /** VERSION reply, e.g. `VARA HF v4.9.0`. */
  readonly version?: string
  /** Callsign the modem reported REGISTERED for (licensed, full speed). */
  readonly registered?: string
  /** LINK REGISTERED / UNREGISTERED of the current or last peer. */
  readonly peerRegistered?: boolean
  /** ENCRYPTED LINK (true) / UNENCRYPTED LINK (false). */
  readonly encrypted?: boolean
  /** Speed level of the last BITRATE. */
  readonly level?: number
  /** Rate of the last BITRATE, bit/s. */
  readonly bitrateBps?: number
  /** Last SN, dB. */
  readonly snrDb?: number
  /** Last BUSY ON/OFF. */
  readonly busy?: boolean
  /** Frames waiting for a session, payload bytes. */
  readonly queuedBytes: number
  /** Bytes in the modem not yet acknowledged. */
  readonly modemBytes: number
}

type Info = Omit<VaraStatus, 'state' | 'session' | 'queuedBytes' | 'modemBytes'>

interface Connection {
  readonly cmd: VaraCommandPort
  readonly data: Socket
  readonly sessions: VaraSessions
  /** Liveness deadline, re-armed by every line from the modem. */
  readonly alive: TimerSlot
  /** Lines received so far. */
  lines: number
}

/** The capabilities of a VARA link with these options. */
export function varaCapabilities(o: VaraOptions): TransportCapabilities {
  return { kind: 'vara', mtu: o.mtu, nominalBitrateBps: nominalBitrateOf(o), broadcast: false, reliable: true, halfDuplex: true, publicMedium: true }
}

/** VARA HF / FM over the modem's TCP host interface. */
export class VaraTransport extends TransportBase implements Transport, ChannelBusy, TxBufferDepth {
  /** Parsed options. */
  readonly options: VaraOptions
  private readonly log: Logger
  private readonly clock: Clock
  private readonly random: () => number
  private readonly outbox: Outbox
  private conn: Connection | undefined
  private starting: Promise<void> | undefined
  private startAbort: AbortController | undefined
  private stopping = false
  private info: Info = {}
  private pttSince: number | undefined // clock ms of PTT ON
  private soundcardMissing = false

  /**
   * @param options - see {@link VaraOptionsSchema}
   * @param components - logger, clock, random source
   */
  constructor(options: VaraOptionsInput, components: VaraComponents = {}) {
    const o = VaraOptionsSchema.parse(options)
    super(o.id, varaCapabilities(o))
    this.options = o
    this.log = (components.log ?? silentLogger()).child({ component: 'transport', transport: o.id })
    this.clock = components.clock ?? wallClock
    this.random = components.random ?? Math.random
    this.outbox = new Outbox(o.maxQueueBytes)
  }

  /** One attempt to reach and initialise the modem; rejects with a TransportError (the reason is in the `down` state). */
  start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.state === 'up') return Promise.resolve()
    this.starting ??= this.attempt(options.signal).finally(() => (this.starting = undefined))
    return this.starting
  }

  /** Queues `payload` for the peer `options.to` (a callsign); resolves when the modem has taken it. */
  send(payload: Uint8Array, options: SendOptions = {}): Promise<void> {
    try {
      this.checkSend(payload, options)
      const sent = this.outbox.add(this.peerOf(options.to), payload, options.signal)
      this.conn?.sessions.kick()
      return sent
    } catch (e) {
      return Promise.reject(e)
    }
  }

  /** Ends the session gracefully (drain, DISCONNECT), LISTEN OFF, closes the ports; idempotent. */
  async stop(): Promise<void> {
    this.stopping = true
    try {
      this.startAbort?.abort(new TransportError('ERR_STOPPED', `${this.id}: stopped`))
      await this.starting?.catch(() => undefined)
      const conn = this.conn
      if (conn !== undefined) await this.closeGracefully(conn)
      this.outbox.rejectWaiting(new TransportError('ERR_STOPPED', `${this.id}: stopped before the modem took the frame`))
      this.setState('stopped', 'stopped')
    } finally {
      this.stopping = false
    }
  }

  /** ChannelBusy: the modem's last BUSY report (undefined before the first). */
  isBusy(): boolean | undefined {
    return this.info.busy
  }

  /** TxBufferDepth: bytes queued here plus bytes in the modem not yet acknowledged. */
  txQueueBytes(): number {
    return this.outbox.bytes + (this.conn?.sessions.modemBytes ?? 0)
  }

  /** Removes and returns the frames this transport accepted but could not deliver yet (to reroute them). */
  takeUnsent(): OutboundFrame[] {
    return this.outbox.takeAccepted()
  }

  /** What the modem last reported. */
  status(): VaraStatus {
    const session = this.conn?.sessions.view ?? { state: 'idle' }
    return { ...this.info, state: this.state, session, queuedBytes: this.outbox.bytes, modemBytes: this.conn?.sessions.modemBytes ?? 0 }
  }

  private async attempt(signal: AbortSignal | undefined): Promise<void> {
    this.setState('starting', 'start')
    const ac = new AbortController()
    const forward = (): void => ac.abort(signal?.reason)
    if (signal?.aborted === true) forward()
    signal?.addEventListener('abort', forward, { once: true })
    this.startAbort = ac
    this.soundcardMissing = false
    try {
      const handle = await openModem(this.options, { clock: this.clock, log: this.log, signal: ac.signal, onMessage: (m) => this.onMessage(m) })
      const refusal = this.refusal(handle)
      if (refusal !== undefined) {
        handle.cmd.close()
        handle.data.destroy()
        throw refusal
      }
      this.conn = this.connect(handle)
      this.info = { ...this.info, ...(handle.version === undefined ? {} : { version: handle.version }) }
      this.setState('up', 'started')
      this.conn.sessions.kick() // frames left from before the last failure go out now
    } catch (e) {
      const error = e instanceof VaraLinkError ? e : new VaraLinkError('start-failed', 'ERR_DEVICE', String(e), { cause: e })
      if (!this.stopping) this.setState('down', error.reason, error)
      throw error
    } finally {
      signal?.removeEventListener('abort', forward)
      this.startAbort = undefined
    }
  }

  /** Why an initialised modem still cannot be used: the sound card died or the data port closed meanwhile. */
  private refusal(handle: ModemHandle): VaraLinkError | undefined {
    if (this.soundcardMissing) return new VaraLinkError('missing-soundcard', 'ERR_DEVICE', 'VARA reports MISSING SOUNDCARD')
    if (handle.data.destroyed) return new VaraLinkError('device-closed', 'ERR_DEVICE', 'VARA closed the data port during initialisation')
    return undefined
  }

  private connect(handle: ModemHandle): Connection {
    const { cmd, data } = handle
    const receiver = new VaraReceiver({
      clock: this.clock,
      log: this.log,
      maxFrameBytes: this.options.mtu,
      trailingDataMs: this.options.trailingDataMs,
      onFrame: (payload, from) => this.onFrame(payload, from),
      onBadFraming: () => this.conn?.sessions.endForBadFraming(),
    })
    const sessions = new VaraSessions({
      options: this.options,
      clock: this.clock,
      log: this.log,
      random: this.random,
      outbox: this.outbox,
      receiver,
      busy: this.info.busy,
      command: (line) => cmd.send(line),
      write: (bytes) => void data.write(bytes),
      sample: (s) => this.emitSample(s),
    })
    const conn: Connection = { cmd, data, sessions, alive: new TimerSlot(this.clock), lines: 0 }
    cmd.on('close', (error) => this.fail(conn, error))
    data.on('data', (chunk: Buffer) => {
      receiver.push(chunk)
      sessions.onData()
    })
    data.on('close', () => this.fail(conn, new VaraLinkError('device-closed', 'ERR_DEVICE', 'VARA closed the data port (modem exited or restarted)')))
    this.keepAlive(conn)
    return conn
  }

  /** No line for `aliveTimeoutMs` (IAMALIVE comes every 60 s) means the modem is hung or gone. */
  private keepAlive(conn: Connection): void {
    const ms = this.options.aliveTimeoutMs
    const seen = conn.lines
    const lost = (): void => {
      if (conn.lines === seen) this.fail(conn, new VaraLinkError('heartbeat-lost', 'ERR_TIMEOUT', `no line from VARA for ${ms} ms (IAMALIVE is due every 60 s)`))
    }
    conn.alive.set(() => afterPendingIo(lost), ms)
  }

  private fail(conn: Connection, error: VaraLinkError): void {
    if (this.conn !== conn) return
    this.conn = undefined
    this.release(conn)
    if (this.stopping) return
    this.outbox.rejectWaiting(new TransportError('ERR_NOT_UP', `${this.id}: the link went down (${error.reason}) before the modem took the frame`, { cause: error }))
    this.log.warn({ reason: error.reason, err: error.message, keptBytes: this.outbox.bytes }, 'VARA link down; frames not acknowledged are kept for the next start')
    this.setState('down', error.reason, error)
  }

  private release(conn: Connection): void {
    conn.alive.cancel()
    conn.sessions.dispose()
    conn.cmd.close()
    conn.data.destroy()
  }

  private async closeGracefully(conn: Connection): Promise<void> {
    await conn.sessions.close(this.options.stopTimeoutMs)
    if (this.options.listen && this.conn === conn) await conn.cmd.send('LISTEN OFF').catch(() => undefined) // nobody reads sessions while we are gone
    if (this.conn === conn) this.conn = undefined
    this.release(conn)
  }

  private peerOf(to: string | undefined): string {
    const peer = to?.trim().toUpperCase() ?? ''
    if (!VARA_CALLSIGN.test(peer)) throw new TransportError('ERR_UNREACHABLE', `${this.id}: VARA needs a peer callsign in \`to\`, got ${JSON.stringify(to)}`)
    if (peer === this.options.callsign || this.options.extraCallsigns.includes(peer)) {
      throw new TransportError('ERR_UNREACHABLE', `${this.id}: ${peer} is this station`)
    }
    return peer
  }

  private onFrame(payload: Uint8Array, from: string | undefined): void {
    this.emitFrame({ payload, receivedAt: Date.now(), ...(from === undefined ? {} : { from }), ...(this.info.snrDb === undefined ? {} : { snrDb: this.info.snrDb }) })
  }

  private onMessage(m: VaraMessage): void {
    const conn = this.conn
    if (conn !== undefined) {
      conn.lines++
      this.keepAlive(conn)
      conn.sessions.onMessage(m)
    }
    this.observe(m)
  }

  /** Bookkeeping, samples and logs for the messages that are not session control. */
  private observe(m: VaraMessage): void {
    const peer = this.conn?.sessions.view.peer
    const about = peer === undefined ? {} : { peer }
    switch (m.kind) {
      case 'ptt':
        return this.onPtt(m.on)
      case 'busy':
        this.info = { ...this.info, busy: m.on }
        return this.sample({ channelBusy: m.on })
      case 'sn':
        this.info = { ...this.info, snrDb: m.snrDb }
        return this.sample({ ...about, snrDb: m.snrDb })
      case 'bitrate':
        return this.onBitrate(m.bps, m.level, about)
      case 'registered':
        this.info = { ...this.info, registered: m.callsign }
        return void this.log.info({ callsign: m.callsign }, 'VARA is registered (full speed)')
      case 'link-registered':
        this.info = { ...this.info, peerRegistered: m.registered }
        return void this.log.info({ ...about, registered: m.registered }, 'VARA peer licence state')
      case 'encrypted':
        this.info = { ...this.info, encrypted: m.on }
        if (m.on) this.log.warn({ ...about }, 'VARA reports an ENCRYPTED link: amateur rules forbid obscured content on air; check the modem settings')
        return
      case 'version':
        this.info = { ...this.info, version: m.text }
        return
      case 'missing-soundcard':
        return this.soundcardAlarm()
      case 'pending':
      case 'cancelpending':
      case 'cqframe':
      case 'encryption':
        return void this.log.debug({ message: m }, 'VARA notice')
    }
  }

  private onBitrate(bps: number, level: number | undefined, about: { peer?: string }): void {
    const withLevel = level === undefined ? {} : { level }
    if (bps !== this.info.bitrateBps || level !== this.info.level) this.log.info({ ...about, level, bps }, 'VARA speed level')
    this.info = { ...this.info, bitrateBps: bps, ...withLevel }
    this.sample({ ...about, bitrateBps: bps, ...withLevel })
  }

  private onPtt(on: boolean): void {
    if (on) this.pttSince = this.clock.now()
    else if (this.pttSince !== undefined) {
      this.sample({ txAirtimeMs: this.clock.now() - this.pttSince })
      this.pttSince = undefined
    }
  }

  private soundcardAlarm(): void {
    this.soundcardMissing = true
    this.log.error(
      { transport: this.id },
      'VARA reports MISSING SOUNDCARD: its audio device failed (typically RF getting into USB). Only restarting the PC that runs VARA recovers it; this link stays down until then',
    )
    if (this.conn !== undefined) this.fail(this.conn, new VaraLinkError('missing-soundcard', 'ERR_DEVICE', 'VARA reports MISSING SOUNDCARD; restart the PC that runs VARA'))
  }

  private sample(s: Omit<VaraLinkSample, 'at'>): void {
    this.emitSample(s)
  }
}

/** Creates a VARA transport (compile-time check that it satisfies the contract). */
export const createVaraTransport = (options: VaraOptionsInput, components?: VaraComponents): VaraTransport =>
  new VaraTransport(options, components) satisfies Transport
