/**
 * Airtime of AX.25 frames, and the duty-cycle cap on our own transmissions.
 *
 * Airtime follows Direwolf's cost model (reference/radio.md §2.5): a frame occupies
 * `(frame bytes + HDLC bytes) · 8 / bitrate`, where the HDLC bytes are the two flags and the
 * two-byte FCS the TNC adds; a transmission that keys the radio up also pays TXDELAY and TXtail.
 *
 * @packageDocumentation
 */
import type { DutyCycle, KissParams } from './config.js'

/** Bytes the TNC adds on air around each AX.25 frame: opening flag, FCS (2), closing flag. */
export const HDLC_OVERHEAD_BYTES = 4

/**
 * Three times the expected p-persistent CSMA wait (a free slot is taken with probability
 * (P + 1) / 256), ms; 0 in full duplex, which transmits at once.
 */
export function channelAccessSlackMs(kiss: Pick<KissParams, 'slotTimeMs' | 'persistence' | 'fullDuplex'>): number {
  return kiss.fullDuplex ? 0 : (3 * kiss.slotTimeMs * 256) / (kiss.persistence + 1)
}

/** On-air time of one frame of `frameBytes` (AX.25 addresses to info, no FCS) at `bitrateBps`, ms. */
export function frameAirtimeMs(frameBytes: number, bitrateBps: number): number {
  return ((frameBytes + HDLC_OVERHEAD_BYTES) * 8 * 1000) / bitrateBps
}

interface Transmission {
  readonly start: number // ms
  readonly end: number // ms
}

/**
 * Keeps our transmit airtime within `maxFraction` of any `windowMs` that ends when a transmission
 * ends: before a frame is handed to the TNC, {@link DutyCycleLimiter.delayFor} says how long to wait
 * so that the airtime in the window ending with it, the frame included, stays within the budget.
 * A single transmission longer than the budget waits until the window is empty, then goes.
 *
 * We log hand-over times; the TNC's random channel-access wait then shifts each transmission a
 * little. Only the transmission cut by the window's left edge can bring more airtime into a window
 * that way, by at most the difference of two waits, so the budget keeps `accessSlackMs` in reserve.
 */
export class DutyCycleLimiter {
  private readonly log: Transmission[] = []

  /**
   * @param cap - fraction and window
   * @param accessSlackMs - reserve for the TNC's channel-access wait, ms
   */
  constructor(
    private readonly cap: DutyCycle,
    private readonly accessSlackMs = 0,
  ) {}

  /** Airtime spent in the window ending at `atMs`, ms. */
  usedMs(atMs: number): number {
    const from = atMs - this.cap.windowMs
    let used = 0
    for (const t of this.log) used += Math.max(0, Math.min(t.end, atMs) - Math.max(t.start, from))
    return used
  }

  /**
   * How long a transmission of `airtimeMs` that could start at `startMs` (after what is already
   * queued) must wait to fit, ms; 0 when it fits. Exact to 1 ms.
   */
  delayFor(airtimeMs: number, startMs: number): number {
    if (this.cap.maxFraction >= 1) return 0
    const budget = Math.max(this.cap.maxFraction * this.cap.windowMs - this.accessSlackMs, 0)
    // Our own transmissions never overlap (one radio), so only the window before `s` matters.
    const fits = (s: number): boolean => this.usedMs(s + airtimeMs) + Math.min(airtimeMs, budget) <= budget
    if (fits(startMs)) return 0
    // Past the end of every logged transmission the used airtime only falls: search there.
    let lo = Math.max(startMs, ...this.log.map((t) => t.end))
    let hi = lo + this.cap.windowMs
    if (fits(lo)) return lo - startMs
    while (hi - lo > 1) {
      const mid = (lo + hi) / 2
      if (fits(mid)) hi = mid
      else lo = mid
    }
    return Math.ceil(hi - startMs)
  }

  /** Records a transmission from `startMs` lasting `airtimeMs`, and forgets what left the window. */
  record(startMs: number, airtimeMs: number): void {
    this.log.push({ start: startMs, end: startMs + airtimeMs })
    const horizon = startMs - this.cap.windowMs
    while ((this.log[0]?.end ?? Infinity) < horizon) this.log.shift()
  }
}
