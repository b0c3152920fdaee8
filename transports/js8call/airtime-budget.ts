/**
 * The hard cap on our transmit time: at most `capMs` of airtime in any window of `windowMs`
 * (an hour by default), so the gateway stays a good neighbour on a shared frequency.
 *
 * Airtime is reserved before a transmission is handed to the radio (the estimate, ending at the
 * latest time it can end) and measured afterwards from PTT. Measured airtime is set against open
 * reservations, oldest first; airtime no reservation covers (an underestimate, a heartbeat JS8Call
 * sent on its own) is booked as it happens. Every entry counts in full while its end lies in the
 * window, which can only overstate the use: so checking the one window that ends with the new
 * transmission is enough for every window to hold. Pure: time comes from `now` (ms).
 *
 * @packageDocumentation
 */

/** The default window: one hour, ms. */
export const HOUR_MS = 3_600_000

interface Entry {
  /** Latest time the airtime ends, ms. */
  readonly end: number
  /** Airtime, ms. */
  readonly durationMs: number
  /** Part of a reservation not yet matched by measured airtime, ms. */
  open: number
}

/** A sliding-window airtime ledger. */
export class AirtimeBudget {
  private entries: Entry[] = [] // in order of booking

  /**
   * @param capMs - most airtime in any window, ms
   * @param now - clock, ms
   * @param windowMs - window length, ms
   */
  constructor(
    readonly capMs: number,
    private readonly now: () => number,
    readonly windowMs: number = HOUR_MS,
  ) {}

  /** Airtime booked in the window ending now, ms (reservations count in full). */
  usedMs(): number {
    this.prune()
    return this.entries.reduce((sum, e) => sum + e.durationMs, 0)
  }

  /** ms until a transmission of `durationMs` may start; `Infinity` if it exceeds the cap by itself. */
  waitMs(durationMs: number): number {
    if (durationMs > this.capMs) return Number.POSITIVE_INFINITY
    const now = this.now()
    const byEnd = this.entries.filter((e) => e.end > now + durationMs - this.windowMs).sort((a, b) => a.end - b.end)
    let used = byEnd.reduce((sum, e) => sum + e.durationMs, 0)
    let start = now
    for (const e of byEnd) {
      if (used + durationMs <= this.capMs) break
      used -= e.durationMs
      start = Math.max(start, e.end + this.windowMs - durationMs) // e has left the window by then
    }
    return start - now
  }

  /** Books a transmission handed to the radio now that will end by `latestEndMs`. */
  reserve(durationMs: number, latestEndMs: number): void {
    this.entries.push({ end: latestEndMs, durationMs, open: durationMs })
  }

  /** Sets measured airtime (one PTT cycle, just ended) against open reservations; books any excess. */
  spend(measuredMs: number): void {
    const now = this.now()
    let left = measuredMs
    for (const e of this.entries) {
      if (left <= 0) break
      if (e.open <= 0 || e.end < now) continue // a reservation past its latest end cannot own this PTT
      const take = Math.min(e.open, left)
      e.open -= take
      left -= take
    }
    if (left > 0) this.entries.push({ end: now, durationMs: left, open: 0 })
  }

  private prune(): void {
    const cutoff = this.now() - this.windowMs
    this.entries = this.entries.filter((e) => e.end > cutoff)
  }
}
