/**
 * A tiny in-memory {@link Transport} for router tests: records every send (and every refused one),
 * can be told to refuse sends, and emits the frames, state changes and samples a test hands it.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import type { WireMessage } from '../../codecs/envelope.js'
import { LinkFraming } from '../../gateway/link-framing.js'
import { TransportError } from '../../transports/errors.js'
import type { LinkSample, LinkState, SendOptions, Transport, TransportCapabilities, TransportEvents } from '../../transports/types.js'

/** A TCP link as the router sees it: no station id on frames, so a hello goes first. */
export const TCP_CAPS: TransportCapabilities = { kind: 'tcp', mtu: 60_000, nominalBitrateBps: 10_000_000, broadcast: false, reliable: true, halfDuplex: false, publicMedium: false }

/** One call of {@link FakeTransport.send}. */
export interface SendAttempt {
  payload: Uint8Array
  to?: string
  ok: boolean
  /** performance.now() of the call, ms. */
  at: number
}

/** An in-memory transport that records sends and fails on demand. */
export class FakeTransport extends EventEmitter<TransportEvents> implements Transport {
  state: LinkState = 'up'
  /** Every send, refused ones included, in call order. */
  readonly attempts: SendAttempt[] = []
  /** While true every send rejects with `ERR_UNREACHABLE`. */
  failing = false

  /**
   * @param id - config name of the link
   * @param capabilities - what the router reads of it
   */
  constructor(
    readonly id: string,
    readonly capabilities: TransportCapabilities = TCP_CAPS,
  ) {
    super()
  }

  /** Brings the link up. */
  async start(): Promise<void> {
    this.setState('up', 'started')
  }

  /** Records `payload`; rejects while {@link failing} or not up. */
  async send(payload: Uint8Array, options: SendOptions = {}): Promise<void> {
    const ok = !this.failing && this.state === 'up'
    this.attempts.push({ payload: payload.slice(), ...(options.to === undefined ? {} : { to: options.to }), ok, at: performance.now() })
    if (!ok) throw new TransportError(this.failing ? 'ERR_UNREACHABLE' : 'ERR_NOT_UP', `${this.id}: send refused`)
  }

  /** Stops the link. */
  async stop(): Promise<void> {
    this.setState('stopped', 'stopped')
  }

  /** Changes state and tells the listeners. */
  setState(to: LinkState, reason: string): void {
    const from = this.state
    this.state = to
    this.emit('state', { from, to, reason })
  }

  /** Emits a received frame. */
  receive(payload: Uint8Array, from?: string): void {
    this.emit('frame', { payload, ...(from === undefined ? {} : { from }), receivedAt: Date.now() })
  }

  /** Emits a link sample. */
  sample(s: LinkSample): void {
    this.emit('sample', s)
  }

  /** The sends that went through, as the wire messages they carry (each a single fragment). */
  messages(): WireMessage[] {
    return this.attempts.filter((a) => a.ok).map((a) => decodeSingle(a.payload, this.id))
  }
}

/** Encodes `msg` as the one fragment a peer's link would carry (no compression). */
export function frameOf(framing: LinkFraming, msg: WireMessage, link: string): Uint8Array {
  const [only, ...rest] = framing.outbound(msg, link, 'us', TCP_CAPS.mtu, false)
  if (only === undefined || rest.length > 0) throw new Error('expected exactly one fragment')
  return only
}

function decodeSingle(payload: Uint8Array, link: string): WireMessage {
  const r = new LinkFraming().inbound(payload, link, 'decoder')
  if (!('message' in r)) throw new Error(`sent payload does not decode alone: ${JSON.stringify(r)}`)
  return r.message
}
