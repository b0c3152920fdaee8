/**
 * What the gateway counts, as a small interface: the relay, router and links call these methods
 * and never see prom-client, so tests and the simulator can pass {@link noopMetrics}.
 *
 * Every string argument becomes a Prometheus label value, i.e. a time series of its own: pass link
 * ids from the config, message type names and stable error codes, never free text.
 *
 * @packageDocumentation
 */

/** Where a relayed item came from. */
export type RelaySource = 'node' | 'peer'

/** What was relayed or delivered. */
export type RelayKind = 'tx' | 'block'

/** The counters the gateway bumps as traffic flows. */
export interface MetricsRecorder {
  /** A frame (one fragment, as transmitted) left on `link`; `bytes` on the wire. */
  frameSent(link: string, bytes: number): void
  /** A frame arrived on `link`; `bytes` on the wire. */
  frameReceived(link: string, bytes: number): void
  /** A gateway message of `messageType` was sent on `link`; `bytes` of encoded envelope. */
  messageSent(link: string, messageType: string, bytes: number): void
  /** A whole gateway message of `messageType` arrived (reassembled) on `link`. */
  messageReceived(link: string, messageType: string): void
  /** A transaction or block was accepted for relay, from our node or from a peer gateway. */
  relayed(kind: RelayKind, from: RelaySource): void
  /** Something was refused; `reason` is a stable code (e.g. a CodecError code). */
  rejected(reason: string): void
  /** Traffic moved from one link to another. */
  failover(fromLink: string, toLink: string): void
  /** A transaction or block was handed to our node. */
  delivered(kind: RelayKind): void
}

/** A recorder that records nothing. */
export const noopMetrics: MetricsRecorder = {
  frameSent: () => undefined,
  frameReceived: () => undefined,
  messageSent: () => undefined,
  messageReceived: () => undefined,
  relayed: () => undefined,
  rejected: () => undefined,
  failover: () => undefined,
  delivered: () => undefined,
}
