/**
 * The transport contract: the one small interface every link (TCP, AX.25 over KISS, VARA, JS8Call)
 * implements, and everything the router and the link monitor may rely on. Capabilities are data;
 * optional abilities are tiny mix-in interfaces with type guards. A transport makes one attempt per
 * `start()` and never reconnects on its own: the supervisor does that.
 *
 * @packageDocumentation
 */
import type { EventEmitter } from 'node:events'
import { z } from 'zod'
import type { TransportError } from './errors.js'

/** Kinds of link. */
export const TRANSPORT_KINDS = ['tcp', 'ax25', 'vara', 'js8call'] as const
/** A kind of link. */
export type TransportKind = (typeof TRANSPORT_KINDS)[number]

/** What a transport can do, as data the router reads. */
export const TransportCapabilitiesSchema = z.object({
  kind: z.enum(TRANSPORT_KINDS),
  /** Largest payload one `send()` accepts, bytes (after the transport's own framing is removed). */
  mtu: z.number().int().positive(),
  /** Static rate guess for airtime budgeting, bit/s; the link monitor refines it from samples. */
  nominalBitrateBps: z.number().positive(),
  /** One transmission may reach several peers (AX.25 UI to a group, JS8 @GROUP). */
  broadcast: z.boolean(),
  /** The link has its own ARQ (TCP, VARA, AX.25 connected mode): no application-level ack needed. */
  reliable: z.boolean(),
  /** RF: one direction at a time; batch rather than ping-pong. */
  halfDuplex: z.boolean(),
  /** Traffic on this link is heard by anyone (radio): nothing secret, station ID required. */
  publicMedium: z.boolean(),
})
/** What a transport can do. */
export type TransportCapabilities = z.infer<typeof TransportCapabilitiesSchema>

/** Life cycle of a link. */
export type LinkState = 'stopped' | 'starting' | 'up' | 'down'

/** A frame received from a peer. */
export interface InboundFrame {
  /** Payload as the remote transport was given it. */
  payload: Uint8Array
  /** Who sent it: a callsign (radio) or `host:port` (TCP), when the link tells. */
  from?: string
  /** Local receive time, ms since the epoch. */
  receivedAt: number
  /** Signal-to-noise ratio of the frame, dB, when the device reports it. */
  snrDb?: number
}

/** One measurement pushed to the link monitor. Every field is optional: a link reports what it knows. */
export interface LinkSample {
  /** When measured, ms since the epoch. */
  at: number
  /** Remote peer the sample is about, if any. */
  peer?: string
  snrDb?: number
  rttMs?: number
  /** Bytes waiting in the device or our queue. */
  txQueueBytes?: number
  channelBusy?: boolean
  /** Current modem rate, bit/s (e.g. VARA BITRATE). */
  bitrateBps?: number
  /** Outcome of a send that the link could confirm. */
  sendOk?: boolean
  /** Our own transmit airtime just spent, ms. */
  txAirtimeMs?: number
}

/** A state change with a machine-readable reason. */
export interface StateChange {
  from: LinkState
  to: LinkState
  /** Short stable reason, e.g. `started`, `device-closed`, `heartbeat-lost`, `stopped`. */
  reason: string
  error?: TransportError
}

/** Events of every transport. */
export interface TransportEvents {
  frame: [frame: InboundFrame]
  state: [change: StateChange]
  sample: [sample: LinkSample]
}

/** Options of {@link Transport.send}. */
export interface SendOptions {
  /** Destination peer (callsign or `host:port`); omitted for a broadcast on a broadcast link. */
  to?: string
  signal?: AbortSignal
}

/** A link to other gateways. */
export interface Transport extends EventEmitter<TransportEvents> {
  /** Config name, e.g. `vhf-packet`. */
  readonly id: string
  readonly capabilities: TransportCapabilities
  readonly state: LinkState
  /** One attempt to bring the link up; rejects with a TransportError. */
  start(options?: { signal?: AbortSignal }): Promise<void>
  /**
   * Sends one payload; resolves when the device has accepted it. Rejects with `ERR_MTU_EXCEEDED`,
   * `ERR_NOT_UP`, `ERR_QUEUE_FULL`, `ERR_ABORTED` or `ERR_STOPPED`.
   */
  send(payload: Uint8Array, options?: SendOptions): Promise<void>
  /** Stops; idempotent; resolves when resources are released. */
  stop(): Promise<void>
}

/** Mix-in: the link can sense a busy channel. */
export interface ChannelBusy {
  isBusy(): boolean | undefined
}

/** Mix-in: the link reports how much is waiting to be transmitted. */
export interface TxBufferDepth {
  txQueueBytes(): number
}

/** True when `t` implements {@link ChannelBusy}. */
export function hasChannelBusy(t: object): t is ChannelBusy {
  return typeof (t as Partial<ChannelBusy>).isBusy === 'function'
}

/** True when `t` implements {@link TxBufferDepth}. */
export function hasTxBufferDepth(t: object): t is TxBufferDepth {
  return typeof (t as Partial<TxBufferDepth>).txQueueBytes === 'function'
}
