/**
 * A simulated JS8Call 2.2: its TCP API (newline-delimited JSON, radio.md §4) in front of a JS8
 * station on the shared RF channel. Production transport code talks to it exactly as to the real
 * program; only the port changes. It transmits one frame per TX period at the selected speed,
 * receives other simulated JS8Calls' frames (RX.ACTIVITY per frame, RX.DIRECTED once a message
 * to this station or one of its groups is complete), and can misbehave on demand.
 *
 * Matches the real program (Debian js8call 2.2.0, `tests/integration/js8call-compare.test.ts`):
 * every reply and event shape, `_ID` echo and generation, API.ERROR texts, RIG.FREQ with BAND after
 * a dial change, INBOX objects, and silence for PING, WINDOW.RAISE, STATION.SET_CALLSIGN, unknown
 * types and an empty TX.SEND_MESSAGE. STATION.SET_GRID/SET_INFO/SET_STATUS reply with the
 * *configured* value, as the real one does (the set value is only used on air).
 *
 * Deviations, on purpose:
 * - PING: real JS8Call sends its 15-s PING heartbeat only to its UDP peer, never on TCP; the
 *   simulator sends the same message to TCP clients (`pingMs: 0` turns it off) so a transport can
 *   watch liveness on one socket. Do not rely on it against the real program.
 * - MODE.SET_SPEED changes the speed here; on the real 2.2.0 it is ignored (the reply and later
 *   MODE.GET_SPEED keep the old speed; pyjs8call reports the same). Set the speed in the real
 *   program's settings (`[Common] SubMode=` in JS8Call.ini).
 * - A TX.SEND_MESSAGE that arrives while a message is still on air is dropped, as observed on the
 *   real program (it was never sent); there is no reply either way.
 * - Frames start on period boundaries only (no late start) and PTT covers exactly the signal;
 *   text and frame counts follow `js8-message.ts` (Huffman alphabet only).
 * - Every station on the channel hears every JS8 frame whatever its dial frequency.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import type { RfChannel, RfFrame, RfStation } from '../rf-channel.js'
import { createTimerGroup, type TimerGroup } from '../sim-clock.js'
import { js8Speed, Js8SpeedCodeSchema, type Js8Speed } from './js8-airtime.js'
import { freshJs8Id, requestJs8Id, type Js8ApiMessage } from './js8-api-envelope.js'
import { DEFAULT_MAX_API_LINE_BYTES, openJs8ApiServer, type Js8ApiClient, type Js8ApiServer } from './js8-api-server.js'
import { js8BandName } from './js8-bands.js'
import { JS8_ALLCALL } from './js8-directed.js'
import { decodeJs8AirFrame } from './js8-frames.js'
import { Js8Inbox } from './js8-inbox.js'
import { buildJs8Message, js8DirectedText, JS8_EOT, type Js8Directed, type Js8Outgoing } from './js8-message.js'
import { Js8Activity, Js8Assembler, JS8_API_TEXT_CHARS, type Js8Received } from './js8-receiver.js'
import { Js8Transmitter } from './js8-transmitter.js'

/** A Maidenhead locator of 4 or 6 characters. */
const GRID = /^[A-R]{2}[0-9]{2}(?:[A-X]{2})?$/

/** Options of {@link startSimJs8Call} (besides the channel). */
export const SimJs8CallOptionsSchema = z.object({
  callsign: z.string().regex(/^[A-Z0-9/]{3,12}$/).default('N0CALL'),
  grid: z.string().regex(GRID).default('FN42'),
  /** STATION.INFO value. */
  info: z.string().default(''),
  /** STATION.STATUS value (JS8Call's default template). */
  status: z.string().default('IDLE <MYIDLE> VERSION <MYVERSION>'),
  /** Groups this station is in besides @ALLCALL (RX.DIRECTED is emitted for them). */
  groups: z.array(z.string().regex(/^@[A-Z0-9/]+$/)).default([]),
  host: z.string().default('127.0.0.1'),
  /** TCP API port (JS8Call's default 2442); 0 picks a free one (tests). */
  port: z.number().int().min(0).max(65535).default(2442),
  /** SPEED code: 0 Normal, 1 Fast, 2 Turbo, 4 Slow. */
  speed: Js8SpeedCodeSchema.default(0),
  /** Rig dial frequency, Hz. */
  dialHz: z.number().int().positive().default(14_078_000),
  /** Audio offset of our signal, Hz (JS8Call clamps to 0..5000). */
  offsetHz: z.number().int().min(0).max(5000).default(1500),
  /** Station id on the channel; defaults to `js8call:<callsign>`. */
  name: z.string().min(1).optional(),
  /** PING's VERSION. */
  version: z.string().default('2.2.1-devel'),
  /** PING period on TCP, simulated ms; 0 = none (real JS8Call pings its UDP peer only). */
  pingMs: z.number().min(0).default(15_000),
  /** Clients allowed at once (JS8Call's TCPMaxConnections); 0 = unlimited. */
  maxConnections: z.number().int().min(0).default(4),
  /** Longest request line, bytes. */
  maxLineBytes: z.number().int().positive().default(DEFAULT_MAX_API_LINE_BYTES),
  /** UTC at simulated time 0, ms since the Unix epoch; defaults to the wall clock at start. */
  utcEpochMs: z.number().optional(),
})

/** Input accepted by {@link startSimJs8Call}. */
export type SimJs8CallOptions = z.input<typeof SimJs8CallOptionsSchema> & { readonly channel: RfChannel }

/** A running simulated JS8Call. */
export interface SimJs8Call {
  /** Bound TCP API port. */
  readonly port: number
  /** Station id on the channel. */
  readonly stationId: string
  readonly callsign: string
  /** Current speed. */
  speed(): Js8Speed
  /** A message is on air or waiting for its next frame. */
  isTransmitting(): boolean
  /** UTC now as the station reports it, ms since the Unix epoch. */
  utcMs(): number
  /** Misbehaviour: a hung JS8Call: no replies, no PING, no events (frames already keyed still go out). */
  freeze(on: boolean): void
  /** Misbehaviour: frame `index` (from 0) of the message on air or the next one decodes nowhere. */
  dropFrame(index: number): void
  /** Misbehaviour: drop every API client and listen again on the same port. */
  restartApi(): Promise<void>
  /** Stops the API, cancels timers and leaves the channel. */
  close(): Promise<void>
}

/** The RF channel's mode tag for JS8 (stations of other modes do not decode it). */
export const JS8_RF_MODE = 'js8'

type Options = z.infer<typeof SimJs8CallOptionsSchema>
type Handler = (request: Js8ApiMessage, id: number, client: Js8ApiClient) => void

/** A number or numeric string as an integer (JS8Call reads params with QVariant::toInt). */
function intParam(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v) ? Number(v) : Number.NaN
  return Number.isFinite(n) ? Math.round(n) : undefined
}

class Station implements SimJs8Call {
  port = 0
  readonly stationId: string
  readonly callsign: string
  private readonly timers: TimerGroup
  private readonly rf: RfStation
  private readonly tx: Js8Transmitter
  private readonly assembler = new Js8Assembler()
  private readonly activity = new Js8Activity()
  private readonly inbox = new Js8Inbox()
  private readonly utcOffset: number // ms: UTC minus simulated time
  private readonly handlers: ReadonlyMap<string, Handler>
  private server: Js8ApiServer | undefined
  private currentSpeed: Js8Speed
  private dial: number
  private offset: number
  private grid: string // as set over the API: used on air
  private txText = ''
  private frozen = false

  constructor(
    private readonly o: Options,
    private readonly channel: RfChannel,
  ) {
    this.callsign = o.callsign
    this.stationId = o.name ?? `js8call:${o.callsign}`
    this.currentSpeed = js8Speed(o.speed)
    this.dial = o.dialHz
    this.offset = o.offsetHz
    this.grid = o.grid
    this.utcOffset = o.utcEpochMs ?? Date.now() - channel.clock.now()
    this.timers = createTimerGroup(channel.clock)
    this.rf = channel.attach({ id: this.stationId, mode: JS8_RF_MODE, onFrame: (f) => this.onRf(f) })
    this.tx = new Js8Transmitter({
      station: this.rf,
      timers: this.timers,
      now: () => channel.clock.now(),
      settings: () => ({ speed: this.currentSpeed, offset: this.offset, grid: this.grid }),
      onPtt: (on) => this.event('RIG.PTT', on ? 'on' : 'off', { PTT: on, UTC: this.utcMs() }),
      onTones: (tones) => this.event('TX.FRAME', '', { TONES: tones }),
      onMessageDone: () => (this.txText = ''),
    })
    this.handlers = this.requestHandlers()
  }

  async listen(port: number): Promise<void> {
    this.server = await openJs8ApiServer({
      host: this.o.host,
      port,
      maxLineBytes: this.o.maxLineBytes,
      maxConnections: this.o.maxConnections,
      onRequest: (m, c) => this.onRequest(m, c),
      onError: (value, c) => {
        if (!this.frozen) c.send(this.created('API.ERROR', value, {}))
      },
    })
    this.port = this.server.port
  }

  startPing(): void {
    if (this.o.pingMs <= 0) return
    this.timers.setTimeout(() => {
      this.broadcast(this.created('PING', '', { NAME: 'JS8Call', UTC: this.utcMs(), VERSION: this.o.version }))
      this.startPing()
    }, this.o.pingMs)
  }

  speed(): Js8Speed {
    return this.currentSpeed
  }

  isTransmitting(): boolean {
    return this.tx.busy
  }

  utcMs(): number {
    return this.utcOffset + this.channel.clock.now()
  }

  freeze(on: boolean): void {
    this.frozen = on
  }

  dropFrame(index: number): void {
    this.tx.dropFrame(index)
  }

  async restartApi(): Promise<void> {
    await this.server?.close()
    await this.listen(this.port)
  }

  async close(): Promise<void> {
    this.timers.cancelAll()
    this.rf.detach()
    await this.server?.close()
    this.server = undefined
  }

  /** A message JS8Call creates on its own: a fresh id as a string. */
  private created(type: string, value: string, params: Record<string, unknown>): Js8ApiMessage {
    return { type, value, params: { ...params, _ID: freshJs8Id(this.utcMs()) } }
  }

  /** An unsolicited event (`_ID: -1`) to every client. */
  private event(type: string, value: string, params: Record<string, unknown>): void {
    this.broadcast({ type, value, params: { ...params, _ID: -1 } })
  }

  private broadcast(message: Js8ApiMessage): void {
    if (!this.frozen) this.server?.broadcast(message)
  }

  /** A reply to `client`; ids ≤ 0 go to everyone, as in JS8Call's routing rule. */
  private reply(client: Js8ApiClient, id: number, type: string, value: string, params: Record<string, unknown> = {}): void {
    const message = { type, value, params: { ...params, _ID: id } }
    if (id <= 0) this.broadcast(message)
    else if (!this.frozen) client.send(message)
  }

  private onRequest(request: Js8ApiMessage, client: Js8ApiClient): void {
    if (this.frozen) return
    this.handlers.get(request.type)?.(request, requestJs8Id(request.params, this.utcMs()), client)
  }

  private freqParams(): Record<string, number> {
    return { DIAL: this.dial, FREQ: this.dial + this.offset, OFFSET: this.offset }
  }

  private requestHandlers(): Map<string, Handler> {
    const o = this.o
    const get = (type: string, value: () => string): Handler => (_r, id, c) => this.reply(c, id, type, value())
    return new Map<string, Handler>([
      ['STATION.GET_CALLSIGN', get('STATION.CALLSIGN', () => o.callsign)],
      ['STATION.GET_GRID', get('STATION.GRID', () => o.grid)],
      ['STATION.GET_INFO', get('STATION.INFO', () => o.info)],
      ['STATION.GET_STATUS', get('STATION.STATUS', () => o.status)],
      ['STATION.SET_GRID', (r, id, c) => {
        if (GRID.test(r.value)) this.grid = r.value
        this.reply(c, id, 'STATION.GRID', o.grid)
      }],
      ['STATION.SET_INFO', get('STATION.INFO', () => o.info)],
      ['STATION.SET_STATUS', get('STATION.STATUS', () => o.status)],
      ['RIG.GET_FREQ', (_r, id, c) => this.reply(c, id, 'RIG.FREQ', '', this.freqParams())],
      ['RIG.SET_FREQ', (r) => this.setFreq(r.params)],
      ['MODE.GET_SPEED', (_r, id, c) => this.reply(c, id, 'MODE.SPEED', '', { SPEED: this.currentSpeed.code })],
      ['MODE.SET_SPEED', (r, id, c) => this.setSpeed(r.params, id, c)],
      ['RX.GET_CALL_ACTIVITY', (_r, id, c) => this.reply(c, id, 'RX.CALL_ACTIVITY', '', this.activity.callActivity())],
      ['RX.GET_CALL_SELECTED', get('RX.CALL_SELECTED', () => '')],
      ['RX.GET_BAND_ACTIVITY', (_r, id, c) => this.reply(c, id, 'RX.BAND_ACTIVITY', '', this.activity.bandActivity())],
      ['RX.GET_TEXT', get('RX.TEXT', () => this.activity.text())],
      ['TX.GET_TEXT', get('TX.TEXT', () => this.txText.slice(-JS8_API_TEXT_CHARS))],
      ['TX.SET_TEXT', (r, id, c) => {
        this.txText = r.value
        this.reply(c, id, 'TX.TEXT', this.txText.slice(-JS8_API_TEXT_CHARS))
      }],
      ['TX.SEND_MESSAGE', (r) => this.sendMessage(r.value)],
      ['INBOX.GET_MESSAGES', (r, id, c) => {
        const messages = this.inbox.messages(typeof r.params.CALLSIGN === 'string' ? r.params.CALLSIGN : undefined)
        this.reply(c, id, 'INBOX.MESSAGES', '', { MESSAGES: messages })
      }],
      ['INBOX.STORE_MESSAGE', (r, id, c) => {
        const { CALLSIGN: to, TEXT: text } = r.params
        if (typeof to !== 'string' || typeof text !== 'string' || to === '' || text === '') return
        const stored = this.inbox.store({ from: o.callsign, to, text, speed: this.currentSpeed.code, utcMs: this.utcMs() })
        this.reply(c, id, 'INBOX.MESSAGE', '', { ID: stored })
      }],
    ])
  }

  /** RIG.SET_FREQ: no reply; a dial change is announced with RIG.FREQ (and BAND). */
  private setFreq(params: Record<string, unknown>): void {
    const offset = intParam(params.OFFSET)
    if (offset !== undefined) this.offset = Math.min(5000, Math.max(0, offset))
    const dial = intParam(params.DIAL)
    if (dial === undefined || dial <= 0) return
    this.dial = dial
    this.event('RIG.FREQ', '', { BAND: js8BandName(dial), ...this.freqParams() })
  }

  private setSpeed(params: Record<string, unknown>, id: number, client: Js8ApiClient): void {
    const code = Js8SpeedCodeSchema.safeParse(intParam(params.SPEED))
    if (code.success && code.data !== this.currentSpeed.code) {
      this.currentSpeed = js8Speed(code.data)
      this.broadcast(this.created('STATION.STATUS', '', { ...this.freqParams(), SELECTED: '', SPEED: code.data }))
    }
    this.reply(client, id, 'MODE.SPEED', '', { SPEED: this.currentSpeed.code })
  }

  private sendMessage(value: string): void {
    if (value === '') return
    const message = buildJs8Message(this.callsign, value)
    if (!this.tx.send(message)) return
    const shown = displayText(message)
    this.txText = shown.slice(0, -` ${JS8_EOT} `.length)
    this.activity.appendRxText(this.utcMs(), this.offset, shown)
  }

  private onRf(rf: RfFrame): void {
    if (rf.bitErrors > 0) return // LDPC/CRC would reject it
    const decoded = decodeJs8AirFrame(rf.payload)
    if (!decoded.ok) return
    const frame = decoded.value
    const snr = Math.round(rf.snrDb)
    const utc = this.utcMs()
    this.activity.heard(frame, snr, utc, this.dial)
    this.event('RX.ACTIVITY', frame.text, { ...this.rxParams(frame.offset, snr, frame.speed), UTC: utc })
    const message = this.assembler.push(frame, snr, utc)
    if (message?.directed !== undefined && this.isForMe(message.directed.to)) this.directed(message, message.directed)
  }

  private rxParams(offset: number, snr: number, speed: number): Record<string, number> {
    return { DIAL: this.dial, FREQ: this.dial + offset, OFFSET: offset, SNR: snr, SPEED: speed, TDRIFT: 0 }
  }

  private isForMe(to: string): boolean {
    return to === this.callsign || to === JS8_ALLCALL || this.o.groups.includes(to)
  }

  private directed(m: Js8Received, d: Js8Directed): void {
    const text = js8DirectedText(m.from, d, m.body)
    this.activity.appendRxText(m.utcMs, m.offset, text)
    this.event('RX.DIRECTED', text, {
      ...this.rxParams(m.offset, m.snrDb, m.speed),
      CMD: d.cmd, EXTRA: '', FROM: m.from, GRID: m.grid === '' ? '' : ` ${m.grid}`, TEXT: text, TO: d.to, UTC: m.utcMs,
    })
  }
}

/** What JS8Call shows for our own message in the RX text: `FROM: … ♢ `. */
function displayText(m: Js8Outgoing): string {
  return m.directed === undefined ? `${m.from}: ${m.body} ${JS8_EOT} ` : js8DirectedText(m.from, m.directed, m.body)
}

/**
 * Starts a simulated JS8Call on `options.channel`.
 *
 * @returns once the API listens; read the bound port from the result
 */
export async function startSimJs8Call(options: SimJs8CallOptions): Promise<SimJs8Call> {
  const { channel, ...rest } = options
  const parsed = SimJs8CallOptionsSchema.parse(rest)
  const station = new Station(parsed, channel)
  try {
    await station.listen(parsed.port)
  } catch (e) {
    await station.close() // leave the channel when the port is taken
    throw e
  }
  station.startPing()
  return station
}
