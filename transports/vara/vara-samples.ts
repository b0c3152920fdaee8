/**
 * What the VARA transport reports to the link monitor: the common {@link LinkSample} fields plus
 * the speed level, the goodput measured from BUFFER drain, and the session state; and the meter
 * that turns acknowledged bytes into goodput.
 *
 * @packageDocumentation
 */
import type { LinkSample } from '../types.js'

/** Session states as samples report them. */
export type VaraSessionState = 'connecting' | 'connected' | 'disconnecting' | 'disconnected' | 'failed' | 'lost'

/** A {@link LinkSample} with VARA's extra figures (every extra field optional). */
export interface VaraLinkSample extends LinkSample {
  /** Speed level of `BITRATE (n)`. */
  level?: number
  /** Payload the peer acknowledged per second while data was queued, bit/s. */
  goodputBps?: number
  /** Session state change. */
  session?: VaraSessionState
}

/**
 * Goodput from BUFFER drain: acknowledged bytes over the time since the modem last had nothing
 * queued. Idle time is excluded, so the figure is what the link delivers when it has work.
 */
export class GoodputMeter {
  private since: number | undefined // ms: start of the current busy period
  private bytes = 0

  /** Last measured goodput, bit/s (undefined before any acknowledgement). */
  rateBps: number | undefined

  /** Bytes were handed to the modem at `now` (ms); `heldBefore` is what it held already. */
  onWrite(heldBefore: number, now: number): void {
    if (heldBefore > 0 && this.since !== undefined) return
    this.since = now
    this.bytes = 0
  }

  /** The peer acknowledged `bytes` at `now` (ms); `heldAfter` is what the modem still holds. */
  onAck(bytes: number, heldAfter: number, now: number): void {
    if (this.since === undefined) return
    this.bytes += bytes
    if (now > this.since) this.rateBps = Math.round((this.bytes * 8000) / (now - this.since))
    if (heldAfter === 0) this.since = undefined
  }
}
