/**
 * The APRS side of a gateway (the seed's "bridge to APRS networks"): a status beacon under our
 * callsign carrying the chain tip, and answers to APRS messages addressed to us.
 *
 * Queries (case-insensitive, an optional leading `?`):
 * - `TIP` (or `HEIGHT`, `STATUS`): the chain tip, `tip <height> <first 16 hex of the hash>`;
 * - `TX <hash>` (8–64 hex digits, a prefix is enough for the provider to decide): the status of a
 *   transaction, `tx <hash8> confirmed <height>` / `pending` / `unknown`;
 * - `HELP` or a lone `?`: the list of queries.
 * A message with a number is acknowledged (`ackNN`) when understood and rejected (`rejNN`) when
 * not; an unnumbered message we do not understand is ignored rather than answered, so two
 * automatic stations cannot talk to each other forever. A repeated message (the sender missed our
 * ack) is acknowledged again but answered once. Answers go out unnumbered, at most one per station
 * per `replyIntervalMs`; duty cycle and airtime are spent on behalf of strangers, so they are capped.
 *
 * Frames go to an experimental destination (APZ…) over the configured digipeater path.
 *
 * @packageDocumentation
 */
import { formatCallsign, type Ax25Address } from '../../codecs/ax25-address.js'
import { AX25_PID_NO_LAYER_3, type Ax25Frame } from '../../codecs/ax25.js'
import type { Logger } from '../../gateway/log.js'
import { encodeAprsAck, encodeAprsMessage, encodeAprsStatus, parseAprsMessage, APRS_MESSAGE_TEXT_MAX } from './aprs-message.js'
import type { AprsOptions } from './config.js'
import type { Clock, ClockTimer } from '../clock.js'

/** The head of our chain as the gateway core knows it. */
export interface ChainTip {
  height: number | bigint
  /** Block hash, hex. */
  hash: string
}

/** What the gateway knows about a transaction. */
export type TxStatus = { state: 'confirmed'; height: number | bigint } | { state: 'pending' } | { state: 'unknown' }

/** Where the answers come from (the gateway core; injected, may be async). */
export interface AprsInfoProvider {
  chainTip(): ChainTip | undefined | Promise<ChainTip | undefined>
  txStatus?(hashHex: string): TxStatus | Promise<TxStatus>
}

/** What the gateway needs from the transport. */
export interface AprsGatewayHost {
  readonly station: Ax25Address
  readonly options: AprsOptions
  readonly provider: AprsInfoProvider
  readonly clock: Clock
  readonly log: Logger
  /** Sends a UI frame; resolves once the TNC has it. */
  send(frame: Ax25Frame): Promise<void>
}

/** Numbered messages remembered to recognise repeats, ms. */
const DUPLICATE_MEMORY_MS = 30 * 60_000
/** Most numbered messages remembered. */
const DUPLICATE_MEMORY_SIZE = 256

const HELP = 'queries: ?TIP  ?TX <hash>'

/** Status beacon and message answering. */
export class AprsGateway {
  private beaconTimer: ClockTimer | undefined
  private readonly seen = new Map<string, number>() // `${from} ${id}` -> ms
  private readonly lastAnswer = new Map<string, number>() // station -> ms
  private readonly me: string

  /** @param host - station, options, provider, clock, log and the frame sender */
  constructor(private readonly host: AprsGatewayHost) {
    this.me = formatCallsign(host.station)
  }

  /** Sends a beacon now and every `beaconIntervalMs`. */
  start(): void {
    this.stop()
    const tick = (): void => {
      this.beaconTimer = this.host.clock.setTimeout(tick, this.host.options.beaconIntervalMs)
      void this.beacon().catch((e: unknown) => this.host.log.warn({ err: (e as Error).message }, 'APRS beacon not sent; next one at the usual interval'))
    }
    tick()
  }

  /** Stops beaconing. */
  stop(): void {
    this.beaconTimer?.cancel()
    this.beaconTimer = undefined
  }

  /** Sends one status beacon with the chain tip. */
  async beacon(): Promise<void> {
    const tip = await this.host.provider.chainTip()
    const text = tip === undefined ? 'Bunkercoin gateway, chain tip unknown' : `Bunkercoin gateway tip ${tip.height} ${tip.hash.slice(0, 16)}`
    await this.host.send(this.frame(encodeAprsStatus(text)))
  }

  /** Handles a received APRS message frame; anything not addressed to us is ignored. */
  async onFrame(frame: Ax25Frame): Promise<void> {
    if (frame.kind !== 'UI') return
    const parsed = parseAprsMessage(frame.info)
    if (!parsed.ok || parsed.value.kind !== 'message' || parsed.value.addressee.toUpperCase() !== this.me) return
    const { text, id } = parsed.value
    const from = formatCallsign(frame.source)
    const answer = await this.answer(text).catch((e: unknown) => {
      this.host.log.warn({ from, text, err: (e as Error).message }, 'APRS query failed in the gateway; rejecting it')
      return undefined
    })
    if (id !== undefined) {
      const repeat = this.remember(`${from} ${id}`)
      await this.host.send(this.frame(encodeAprsAck(from, id, answer === undefined ? 'rej' : 'ack')))
      if (repeat) return
    }
    if (answer === undefined) return
    const now = this.host.clock.now()
    if (now - (this.lastAnswer.get(from) ?? -Infinity) < this.host.options.replyIntervalMs) {
      this.host.log.info({ from, text }, 'APRS query acknowledged but not answered: this station asked too recently')
      return
    }
    this.lastAnswer.delete(from) // re-insert: the map stays ordered oldest answer first
    this.lastAnswer.set(from, now)
    if (this.lastAnswer.size > DUPLICATE_MEMORY_SIZE) this.lastAnswer.delete(this.lastAnswer.keys().next().value as string)
    await this.host.send(this.frame(encodeAprsMessage({ addressee: from, text: answer.slice(0, APRS_MESSAGE_TEXT_MAX) })))
  }

  /** The answer to a query, or undefined when it is not one we know. */
  private async answer(text: string): Promise<string | undefined> {
    const query = text.trim().replace(/^\?/, '').trim().toUpperCase()
    if (query === '' || query === 'HELP') return HELP
    if (query === 'TIP' || query === 'HEIGHT' || query === 'STATUS') {
      const tip = await this.host.provider.chainTip()
      return tip === undefined ? 'tip unknown' : `tip ${tip.height} ${tip.hash.slice(0, 16)}`
    }
    const tx = /^TX\s+([0-9A-F]{8,64})$/.exec(query)
    if (tx === null || this.host.provider.txStatus === undefined) return undefined
    const hash = (tx[1] as string).toLowerCase()
    const status = await this.host.provider.txStatus(hash)
    const detail = status.state === 'confirmed' ? `confirmed ${status.height}` : status.state
    return `tx ${hash.slice(0, 8)} ${detail}`
  }

  /** Records a numbered message; true if it was seen recently (a repeat). */
  private remember(key: string): boolean {
    const now = this.host.clock.now()
    for (const [k, at] of this.seen) if (now - at > DUPLICATE_MEMORY_MS || this.seen.size > DUPLICATE_MEMORY_SIZE) this.seen.delete(k)
    const repeat = this.seen.has(key)
    this.seen.set(key, now)
    return repeat
  }

  private frame(info: Uint8Array): Ax25Frame {
    return {
      kind: 'UI',
      destination: { callsign: this.host.options.tocall, ssid: 0 },
      source: this.host.station,
      digipeaters: this.host.options.path.map((d) => ({ ...d, repeated: false })),
      commandResponse: 'command',
      pf: false,
      pid: AX25_PID_NO_LAYER_3,
      info,
    }
  }
}
