/**
 * One radio port of a simulated KISS TNC: its station on the RF channel, the transmit queue, the
 * keyup that bundles queued frames, and the receiver's FCS check.
 *
 * On air a frame is HDLC: the AX.25 bytes, the FCS (codecs/fcs.ts, carried in the payload so the
 * receiver checks the bits that actually arrived) and an opening and closing flag (counted as
 * `extraBytes`). One keyup sends every frame queued at that moment (up to `maxBundle`, Direwolf's
 * 256) behind a single TXDELAY and ends with a single TXTAIL, so its airtime is
 * `TXDELAY + Σ (n + 4)·8 / bitrate + TXTAIL`, the cost model of radio.md §2.5. Frames the host
 * sends while the radio is keyed wait for the next keyup, which contends for the channel again, as
 * Direwolf does. HDLC bit stuffing is not counted (Direwolf counts it: up to 1/5 more bits for
 * runs of ones, a few per mille for text).
 *
 * The TXTAIL goes on air as its own carrier-only transmission (an empty payload): a receiver
 * decodes a frame at its closing flag, not when the sender unkeys (real-peers.md A.2: latency is
 * TXDELAY + frame bits, the tail does not count), while the tail still holds the channel busy and
 * still collides. Receivers ignore empty payloads; the channel's counters include them.
 *
 * @packageDocumentation
 */
import { appendFcs, checkFcs, FCS_LENGTH } from '../../codecs/fcs.js'
import type { Prng } from '../prng.js'
import type { RfChannel, RfFrame, RfStation } from '../rf-channel.js'
import type { TimerGroup } from '../sim-clock.js'
import { CsmaContender } from './csma.js'
import { KISS_TIME_UNIT_MS, type KissTncParams } from './kiss-tnc-params.js'

/** HDLC opening and closing flag of every frame (0x7E each), bytes. */
export const HDLC_FLAG_BYTES = 2

/** Counters a radio adds to (shared with its TNC). */
export interface TncRadioCounters {
  /** Transmissions (one TXDELAY each). */
  keyups: number
  /** Frames put on air. */
  framesSent: number
  /** Frames that passed the FCS and went to the host. */
  framesReceived: number
  /** Received frames dropped for a bad FCS (bit errors on the way). */
  fcsErrors: number
  /** Frames discarded after waiting too long for a clear channel. */
  discardedBusy: number
}

/** What a radio needs from its TNC. */
export interface TncRadioDeps {
  readonly channel: RfChannel
  readonly stationId: string
  /** Modulation tag: only stations of the same mode decode each other. */
  readonly mode: string
  /** bit/s. */
  readonly bitrateBps: number
  readonly timers: TimerGroup
  readonly prng: Prng
  readonly params: KissTncParams
  readonly maxBundle: number
  /** ms. */
  readonly clearChannelTimeoutMs: number
  readonly counters: TncRadioCounters
  /** A received frame that passed the FCS (AX.25 bytes, FCS removed). */
  readonly onReceive: (frame: Uint8Array) => void
}

/** One radio port. */
export class TncRadio {
  /** Current KISS parameters; replaced as a whole when the host changes one. */
  params: KissTncParams
  readonly #deps: TncRadioDeps
  readonly #station: RfStation
  readonly #csma: CsmaContender
  readonly #queue: Uint8Array[] = []
  #queuedBytes = 0 // bytes of AX.25 frames not yet keyed up (what TXBUF reports)
  #keyed = false

  constructor(deps: TncRadioDeps) {
    this.#deps = deps
    this.params = deps.params
    this.#csma = new CsmaContender({
      timers: deps.timers,
      now: () => deps.channel.clock.now(),
      prng: deps.prng,
      isBusy: () => this.#station.isBusy(),
      params: () => this.params,
      clearChannelTimeoutMs: deps.clearChannelTimeoutMs,
      keyUp: () => this.#keyUp(),
      giveUp: () => this.#giveUp(),
    })
    this.#station = deps.channel.attach({
      id: deps.stationId,
      mode: deps.mode,
      onFrame: (rf) => this.#receive(rf),
      onBusyChange: (busy) => this.#csma.busyChanged(busy),
    })
  }

  /** Bytes queued and not yet on air, as Direwolf's `TXBUF:` counts them (AX.25 frames, no FCS). */
  get queuedBytes(): number {
    return this.#queuedBytes
  }

  /** Queues an AX.25 frame (no FCS) for transmission. */
  enqueue(frame: Uint8Array): void {
    this.#queue.push(frame.slice())
    this.#queuedBytes += frame.length
    if (!this.#keyed) this.#csma.start()
  }

  /** Leaves the channel and drops the queue. */
  close(): void {
    this.#csma.cancel()
    this.#station.detach()
    this.#queue.length = 0
    this.#queuedBytes = 0
  }

  #keyUp(): void {
    const frames = this.#queue.splice(0, this.#deps.maxBundle)
    if (frames.length === 0) return
    for (const f of frames) this.#queuedBytes -= f.length
    this.#keyed = true
    this.#deps.counters.keyups++
    const tailMs = this.params.txTail * KISS_TIME_UNIT_MS
    const unkey = { onEnd: () => this.#unkey() }
    frames.forEach((frame, i) => {
      this.#deps.counters.framesSent++
      // Frames of one keyup go back to back: the channel queues each behind our previous one.
      this.#station.transmit(appendFcs(frame), {
        bitrateBps: this.#deps.bitrateBps,
        txDelayMs: i === 0 ? this.params.txDelay * KISS_TIME_UNIT_MS : 0,
        txTailMs: 0,
        extraBytes: HDLC_FLAG_BYTES,
        ...(i === frames.length - 1 && tailMs === 0 ? unkey : {}),
      })
    })
    if (tailMs > 0) this.#station.transmit(new Uint8Array(0), { durationMs: tailMs, txDelayMs: 0, txTailMs: 0, ...unkey })
  }

  #unkey(): void {
    this.#keyed = false
    if (this.#queue.length > 0) this.#csma.start()
  }

  #giveUp(): void {
    const dropped = this.#queue.shift()
    if (dropped === undefined) return
    this.#queuedBytes -= dropped.length
    this.#deps.counters.discardedBusy++
    if (this.#queue.length > 0) this.#csma.start()
  }

  #receive(rf: RfFrame): void {
    if (rf.payload.length === 0) return // carrier only: a TXTAIL
    if (!checkFcs(rf.payload)) {
      this.#deps.counters.fcsErrors++
      return
    }
    this.#deps.counters.framesReceived++
    this.#deps.onReceive(rf.payload.subarray(0, rf.payload.length - FCS_LENGTH))
  }
}
