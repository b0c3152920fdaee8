/**
 * What is still waiting in the TNC's transmit queue, and when each frame went on air.
 *
 * A KISS TNC takes frames at serial speed and sends them at radio speed, so a frame written now
 * may go on air a minute later; the ARQ must start T1 only once its polling frame has actually
 * been sent. Two ways to know:
 * - **TXBUF** (Direwolf ≥ 1.5 answers `TXBUF:<bytes queued>`, radio.md §1.3): frames leave the
 *   queue in order, so a reply of `q` bytes means every frame written before the query except the
 *   newest ones summing to at least `q` bytes has left. Known, not guessed.
 * - **Estimate** (TNCs that do not answer): a frame ends on air TXDELAY after an idle TNC takes it,
 *   or right after the frame before it, plus its own airtime ({@link frameAirtimeMs}).
 * A frame waiting in TXBUF mode longer than {@link STUCK_AFTER_FACTOR} times its estimate (and at
 * least {@link STUCK_MIN_MS}) is assumed sent, so a TNC that keeps answering but never transmits
 * cannot stall the ARQ; the ARQ's retries then find the peer unreachable.
 *
 * @packageDocumentation
 */
import { frameAirtimeMs } from './airtime.js'
import type { Clock, ClockTimer } from '../clock.js'

/** Radio timing the estimates use. */
export interface TncTiming {
  bitrateBps: number
  txDelayMs: number
  txTailMs: number
}

/** A frame in TXBUF mode is assumed sent after this many times its estimated wait. */
export const STUCK_AFTER_FACTOR = 3
/** ...and not before this long, ms (a busy channel can hold a TNC for a while). */
export const STUCK_MIN_MS = 60_000

interface Entry {
  readonly serial: number // order of writing
  readonly bytes: number
  readonly airtimeMs: number
  readonly writtenAt: number // ms
  readonly estimatedEnd: number // ms
  readonly onLeft: ((endMs: number) => void) | undefined
  timer?: ClockTimer
}

/** Tracks frames handed to the TNC until they are on air. */
export class TncQueue {
  private readonly entries: Entry[] = [] // not yet known to have left, in order
  private serial = 0
  private lastEnd = Number.NEGATIVE_INFINITY // estimated end of the last frame handed over, ms
  private lastLeftEnd = Number.NEGATIVE_INFINITY // end of the last frame known to have left, ms
  private txbuf = false
  private reported: number | undefined // last TXBUF reply, bytes

  /**
   * @param timing - bitrate, TXDELAY and TXtail of the radio
   * @param clock - timers for the estimates
   * @param onStuck - told when a frame is assumed sent after waiting too long (for the log)
   */
  constructor(
    private readonly timing: TncTiming,
    private readonly clock: Clock,
    private readonly onStuck: (waitedMs: number) => void = () => undefined,
  ) {}

  /** Frames written so far (a TXBUF query sent now covers this many). */
  get written(): number {
    return this.serial
  }

  /** True while some frame is not known to have left. */
  get pending(): boolean {
    return this.entries.length > 0
  }

  /** Bytes waiting in the TNC: the last TXBUF answer, or our estimate. */
  queuedBytes(): number {
    if (this.txbuf && this.reported !== undefined) return this.reported
    return this.entries.reduce((n, e) => n + e.bytes, 0)
  }

  /**
   * When a frame handed over now would start on air, and the airtime it would cost us including
   * keyup and tail when the radio is idle, ms.
   */
  nextTransmission(frameBytes: number): { startMs: number; airtimeMs: number } {
    const now = this.clock.now()
    const airtime = frameAirtimeMs(frameBytes, this.timing.bitrateBps)
    if (this.lastEnd >= now) return { startMs: this.lastEnd, airtimeMs: airtime }
    return { startMs: now, airtimeMs: this.timing.txDelayMs + airtime + this.timing.txTailMs }
  }

  /** Records a frame just written; `onLeft` gets its (estimated) end on air once it has left the queue. */
  add(frameBytes: number, onLeft?: (endMs: number) => void): void {
    const now = this.clock.now()
    const airtimeMs = frameAirtimeMs(frameBytes, this.timing.bitrateBps)
    const start = this.lastEnd >= now ? this.lastEnd : now + this.timing.txDelayMs
    const entry: Entry = { serial: this.serial++, bytes: frameBytes, airtimeMs, writtenAt: now, estimatedEnd: start + airtimeMs, onLeft }
    this.lastEnd = entry.estimatedEnd
    this.entries.push(entry)
    if (!this.txbuf) this.scheduleEstimate(entry)
  }

  /** The TNC answered TXBUF: from now on, departures come from its replies. */
  useTxbuf(): void {
    if (this.txbuf) return
    this.txbuf = true
    for (const e of this.entries) e.timer?.cancel()
  }

  /** The TNC stopped answering TXBUF: back to estimates, from now. */
  useEstimates(): void {
    if (!this.txbuf) return
    this.txbuf = false
    this.reported = undefined
    let end = this.clock.now()
    for (const e of this.entries) {
      end = Math.max(end, e.estimatedEnd)
      this.scheduleEstimate(e, end)
    }
  }

  /**
   * A TXBUF reply of `queuedBytes` to a query sent after `writtenBefore` frames had been written.
   * Every such frame except the newest ones summing to at least `queuedBytes` has left the queue.
   */
  onTxbuf(queuedBytes: number, writtenBefore: number): void {
    this.reported = queuedBytes
    const after = this.entries.findIndex((e) => e.serial >= writtenBefore)
    let i = after < 0 ? this.entries.length : after // entries[0, i) were written before the query
    let still = 0 // bytes of the newest of them, which the reply says are still queued
    while (i > 0 && still < queuedBytes) still += (this.entries[--i] as Entry).bytes
    this.leave(i)
  }

  /** In TXBUF mode, treats frames that waited far longer than estimated as sent. */
  expireStuck(): void {
    const now = this.clock.now()
    let n = 0
    for (const e of this.entries) {
      const patience = Math.max(STUCK_MIN_MS, STUCK_AFTER_FACTOR * (e.estimatedEnd - e.writtenAt))
      if (now - e.writtenAt < patience) break
      n++
    }
    if (n === 0) return
    this.onStuck(now - (this.entries[0] as Entry).writtenAt)
    this.leave(n)
  }

  /** Cancels every timer; nothing is reported afterwards. */
  close(): void {
    for (const e of this.entries) e.timer?.cancel()
    this.entries.length = 0
  }

  /** The first `count` entries have left the queue now: they go on air, after a keyup if the radio was idle. */
  private leave(count: number): void {
    const now = this.clock.now()
    for (const e of this.entries.splice(0, count)) {
      e.timer?.cancel()
      const start = this.lastLeftEnd >= now ? this.lastLeftEnd : now + this.timing.txDelayMs
      this.lastLeftEnd = start + e.airtimeMs
      e.onLeft?.(this.lastLeftEnd)
    }
  }

  private scheduleEstimate(entry: Entry, endMs = entry.estimatedEnd): void {
    entry.timer?.cancel()
    entry.timer = this.clock.setTimeout(() => {
      const i = this.entries.indexOf(entry)
      if (i < 0) return
      this.entries.splice(i, 1)
      this.lastLeftEnd = Math.max(this.lastLeftEnd, endMs)
      entry.onLeft?.(endMs)
    }, endMs - this.clock.now())
  }
}
