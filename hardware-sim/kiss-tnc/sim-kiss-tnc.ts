/**
 * A simulated KISS TNC (Direwolf-like) on the shared RF channel. Hosts talk to it exactly as to a
 * real one: KISS bytes over a serial line (the real `serialport` binding, e.g. on a socat pty
 * pair) and over TCP like Direwolf's KISS port 8001, both on the same core.
 *
 * What it does, and where each behaviour comes from (radio.md §1, real-peers.md Part A, Direwolf
 * 1.6 as measured by tests/integration/direwolf-compare.test.ts):
 * - obeys TXDELAY, P, SLOTTIME, TXtail and FullDuplex per port, with p-persistent CSMA
 *   (csma.ts) and one TXDELAY per keyup for every frame queued at that moment (tnc-radio.ts);
 * - answers SetHardware `TNC:` with a bare version string and `TXBUF:` with the bytes still
 *   queued, on the asking host only;
 * - drops data frames shorter than an AX.25 frame (15 bytes) or for a port with no radio;
 *   ignores KISS Return (Direwolf) or, with `returnBehaviour: 'leave-kiss'`, drops to a command
 *   prompt until `KISS ON` (a hardware TNC);
 * - answers text noise with `\r\ncmd:` or `C0 C0` (kiss-host-session.ts);
 * - receives with an FCS check (bit errors: frame dropped and counted) and sends good frames to
 *   every host as KISS data frames on the radio's port.
 * Misbehaviour on demand: unplug/replug the serial line, go silent, emit noise.
 *
 * Known deviations from Direwolf: a byte after FESC other than TFEND/TFESC is kept (the KISS
 * spec's rule, codecs/kiss-decoder.ts), Direwolf drops it; a frame over 2121 unescaped bytes is
 * dropped, Direwolf truncates it to 2048 and sends it; frames arriving in the first 10 ms after
 * keyup wait for the next keyup (Direwolf still bundles them); bit stuffing is not in the airtime.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { AX25_MIN_FRAME_LENGTH } from '../../codecs/ax25.js'
import { encodeKissFrame, KissCommand, parseSetHardware, type KissFrame } from '../../codecs/kiss.js'
import { createPrng, type Prng } from '../prng.js'
import type { RfChannel } from '../rf-channel.js'
import { createTimerGroup, type TimerGroup } from '../sim-clock.js'
import { KissHostSession, type HostSessionCounters, type KissHostLink } from './kiss-host-session.js'
import { openKissSerialLink, type KissSerialLink } from './kiss-serial-link.js'
import { openKissTcpServer, type KissTcpServer } from './kiss-tcp-server.js'
import { applyParameter, isParameterCommand, KissTncParamsSchema, type KissTncParams } from './kiss-tnc-params.js'
import { TncRadio, type TncRadioCounters } from './tnc-radio.js'

export type { KissHostLink } from './kiss-host-session.js'
export type { KissTncParams } from './kiss-tnc-params.js'

const KissPortSchema = z.number().int().min(0).max(15)

/** One radio besides the main one (Direwolf's multi-channel setup). */
export const ExtraRadioSchema = z.object({
  port: KissPortSchema,
  channel: z.custom<RfChannel>((v) => typeof v === 'object' && v !== null && 'attach' in v, 'expected an RfChannel'),
  /** bit/s; defaults to the channel profile's. */
  bitrateBps: z.number().positive().optional(),
})

/** Options of {@link startSimKissTnc} (besides the main channel). */
export const SimKissTncOptionsSchema = z.object({
  /** Station id prefix on the channel; the id is `<name>:<port>`. */
  name: z.string().min(1).optional(),
  /** KISS port of the main radio. */
  port: KissPortSchema.default(0),
  /** Modulation rate of the main radio, bit/s; defaults to the channel profile's. */
  bitrateBps: z.number().positive().optional(),
  extraRadios: z.array(ExtraRadioSchema).default([]),
  /** Initial parameters of every radio (KISS units); Direwolf's defaults otherwise. */
  params: KissTncParamsSchema.partial().default({}),
  /** Seed of the CSMA draws. */
  seed: z.number().int().default(1),
  /** Answer to SetHardware `TNC:` (Direwolf sends `DIREWOLF <major>.<minor>`, no prefix). */
  version: z.string().regex(/^[\x20-\x7e]{1,64}$/).default('SIMTNC 1.0'),
  /** Frames per keyup at most (Direwolf: 256). */
  maxBundle: z.number().int().min(1).default(256),
  /** Busy time before a queued frame is discarded, ms (Direwolf: one minute). */
  clearChannelTimeoutMs: z.number().positive().default(60_000),
  /** KISS Return: ignored (Direwolf) or leaves KISS mode (hardware TNCs). */
  returnBehaviour: z.enum(['ignore', 'leave-kiss']).default('ignore'),
  /** KISS over TCP. */
  tcp: z
    .object({
      host: z.string().default('127.0.0.1'),
      /** 0 picks a free port (tests); Direwolf's default is 8001. */
      port: z.number().int().min(0).max(65535).default(8001),
      /** Clients served at once (Direwolf: 3). */
      maxClients: z.number().int().min(1).default(3),
    })
    .optional(),
  /** KISS over a serial line: the TNC's end. */
  serial: z
    .object({
      path: z.string().min(1),
      /** bit/s (a pty ignores it); 9600 is the common KISS rate (radio.md §1.5). */
      baudRate: z.number().int().positive().default(9600),
    })
    .optional(),
})

/** Input accepted by {@link startSimKissTnc}. */
export type SimKissTncOptions = z.input<typeof SimKissTncOptionsSchema> & { readonly channel: RfChannel }

/** Counters since start. */
export interface SimKissTncStats extends TncRadioCounters, HostSessionCounters {
  /** Data frames accepted from hosts for transmission. */
  hostFrames: number
  /** Data frames refused (too short, or no radio on that port). */
  rejectedFrames: number
  /** Commands without effect (Return, unknown command or SetHardware text, empty parameter). */
  ignoredCommands: number
}

/** A running simulated TNC. */
export interface SimKissTnc {
  /** Bound KISS TCP port, when TCP is on. */
  readonly tcpPort: number | undefined
  /** Serial device path, when serial is on. */
  readonly serialPath: string | undefined
  /** Station ids on the channel(s), one per radio. */
  readonly stationIds: readonly string[]
  /** Current parameters of a radio port. */
  params(port?: number): KissTncParams
  /** Bytes queued and not yet keyed up on a port (what `TXBUF:` answers). */
  queuedBytes(port?: number): number
  stats(): SimKissTncStats
  /** TCP clients being served. */
  tcpClientCount(): number
  /** An in-process host connection speaking the same KISS; `send` receives the TNC's bytes. */
  connectHost(send: (bytes: Uint8Array) => void): KissHostLink
  /** Misbehaviour: a hung TNC ignores all host input and sends nothing (the radio goes on). */
  setSilent(on: boolean): void
  /** Misbehaviour: writes raw bytes (a banner, line noise) to every host. */
  emitNoise(bytes: Uint8Array | string): void
  /** Misbehaviour: closes the TNC's end of the serial line (device unplugged). */
  unplugSerial(): Promise<void>
  /** Opens the TNC's end again (after an unplug or a restarted pty pair). */
  replugSerial(): Promise<void>
  /** Stops TCP, closes serial, leaves the channel(s). */
  close(): Promise<void>
}

let instances = 0

class Tnc implements SimKissTnc {
  tcpPort: number | undefined
  serialPath: string | undefined
  readonly stationIds: string[] = []
  private readonly radios = new Map<number, TncRadio>()
  private readonly sessions = new Set<KissHostSession>()
  private readonly timers: TimerGroup[] = []
  private readonly counters: SimKissTncStats = {
    keyups: 0, framesSent: 0, framesReceived: 0, fcsErrors: 0, discardedBusy: 0,
    hostNoiseBytes: 0, hostErrors: 0, hostFrames: 0, rejectedFrames: 0, ignoredCommands: 0,
  }
  private tcp: KissTcpServer | undefined
  private serial: KissSerialLink | undefined
  private silent = false
  private kissMode = true

  constructor(private readonly opts: z.infer<typeof SimKissTncOptionsSchema>, channel: RfChannel) {
    const name = opts.name ?? `kiss-tnc-${++instances}`
    const prng = createPrng(opts.seed)
    const radios = [{ port: opts.port, channel, bitrateBps: opts.bitrateBps }, ...opts.extraRadios]
    for (const r of radios) {
      if (this.radios.has(r.port)) throw new Error(`two radios on KISS port ${r.port}`)
      this.addRadio(`${name}:${r.port}`, r.port, r.channel, r.bitrateBps ?? r.channel.profile.bitrateBps, prng.fork())
    }
  }

  private addRadio(stationId: string, port: number, channel: RfChannel, bitrateBps: number, prng: Prng): void {
    const timers = createTimerGroup(channel.clock)
    this.timers.push(timers)
    this.stationIds.push(stationId)
    this.radios.set(port, new TncRadio({
      channel, stationId, bitrateBps, timers, prng,
      mode: `ax25-${bitrateBps}`,
      params: KissTncParamsSchema.parse(this.opts.params),
      maxBundle: this.opts.maxBundle,
      clearChannelTimeoutMs: this.opts.clearChannelTimeoutMs,
      counters: this.counters,
      onReceive: (frame) => {
        if (this.kissMode) this.toHosts(encodeKissFrame({ port, command: KissCommand.Data, data: frame }))
      },
    }))
  }

  async start(): Promise<void> {
    const connect = (send: (bytes: Uint8Array) => void): KissHostLink => this.connectHost(send)
    const { tcp, serial } = this.opts
    if (tcp !== undefined) {
      this.tcp = await openKissTcpServer({ ...tcp, connect })
      this.tcpPort = this.tcp.port
    }
    if (serial !== undefined) {
      try {
        this.serial = await openKissSerialLink({ ...serial, connect })
      } catch (e) {
        await this.close() // do not leak the TCP port when the serial device cannot be opened
        throw e
      }
      this.serialPath = serial.path
    }
  }

  params(port = this.opts.port): KissTncParams {
    return { ...this.radio(port).params }
  }

  queuedBytes(port = this.opts.port): number {
    return this.radio(port).queuedBytes
  }

  stats(): SimKissTncStats {
    return { ...this.counters }
  }

  tcpClientCount(): number {
    return this.tcp?.clientCount() ?? 0
  }

  connectHost(send: (bytes: Uint8Array) => void): KissHostLink {
    const session = new KissHostSession(send, {
      silent: () => this.silent,
      inKissMode: () => this.kissMode,
      enterKissMode: () => void (this.kissMode = true),
      onFrame: (frame, reply) => this.onHostFrame(frame, reply),
      counters: this.counters,
    })
    this.sessions.add(session)
    return { write: (bytes) => session.push(bytes), close: () => void this.sessions.delete(session) }
  }

  setSilent(on: boolean): void {
    this.silent = on
  }

  emitNoise(bytes: Uint8Array | string): void {
    this.toHosts(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes)
  }

  async unplugSerial(): Promise<void> {
    await this.serial?.close()
  }

  async replugSerial(): Promise<void> {
    await this.serial?.reopen()
  }

  async close(): Promise<void> {
    for (const t of this.timers) t.cancelAll()
    for (const r of this.radios.values()) r.close()
    this.sessions.clear()
    await Promise.all([this.tcp?.close(), this.serial?.close()])
    this.tcp = undefined
    this.serial = undefined
  }

  private radio(port: number): TncRadio {
    const radio = this.radios.get(port)
    if (radio === undefined) throw new Error(`no radio on KISS port ${port}`)
    return radio
  }

  private toHosts(bytes: Uint8Array): void {
    if (this.silent) return
    for (const s of this.sessions) s.send(bytes)
  }

  private onHostFrame(frame: KissFrame, reply: (bytes: Uint8Array) => void): void {
    const radio = this.radios.get(frame.port)
    const { command, data } = frame
    if (command === KissCommand.Data) {
      if (radio === undefined || data.length < AX25_MIN_FRAME_LENGTH) return void this.counters.rejectedFrames++
      this.counters.hostFrames++
      return radio.enqueue(data)
    }
    if (isParameterCommand(command) && radio !== undefined && data.length > 0) {
      radio.params = applyParameter(radio.params, command, data[0] ?? 0)
      return
    }
    if (command === KissCommand.SetHardware && this.setHardware(frame, radio, reply)) return
    if (command === KissCommand.Return && this.opts.returnBehaviour === 'leave-kiss') this.kissMode = false
    this.counters.ignoredCommands++
  }

  /** Answers Direwolf's SetHardware queries; false when the text is not one of them. */
  private setHardware(frame: KissFrame, radio: TncRadio | undefined, reply: (bytes: Uint8Array) => void): boolean {
    const text = parseSetHardware(frame.data)
    if (!text.ok) return false
    const answer = (t: string): void =>
      reply(encodeKissFrame({ port: frame.port, command: KissCommand.SetHardware, data: Buffer.from(t, 'latin1') }))
    if (text.value.name === 'TNC') answer(this.opts.version)
    else if (text.value.name === 'TXBUF') answer(`TXBUF:${radio?.queuedBytes ?? 0}`)
    else return false
    return true
  }
}

/**
 * Starts a simulated KISS TNC on `options.channel`.
 *
 * @returns once TCP listens and the serial line is open; read the bound port from the result
 */
export async function startSimKissTnc(options: SimKissTncOptions): Promise<SimKissTnc> {
  const { channel, ...rest } = options
  const tnc = new Tnc(SimKissTncOptionsSchema.parse(rest), channel)
  await tnc.start()
  return tnc
}
