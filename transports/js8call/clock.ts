/**
 * The clock the JS8Call link protocol runs on: acknowledgement waits, airtime windows and JS8
 * periods are read from it, so tests can run a one-hour airtime window on a time-scaled simulated
 * clock (hardware-sim's `SimClock` has exactly this shape). API request timeouts do not use it:
 * JS8Call answers in milliseconds of wall time whatever the radio clock says.
 *
 * @packageDocumentation
 */

/** A pending timer; `cancel()` is idempotent. */
export interface LinkTimer {
  cancel(): void
}

/** Time and timers of the link, in ms. */
export interface LinkClock {
  /** Current time, ms (any epoch, never goes backwards). */
  now(): number
  /** Runs `fn` after `delayMs` ms of this clock. */
  setTimeout(fn: () => void, delayMs: number): LinkTimer
}

/** Wall time: `Date.now()` and the global timers. */
export const systemClock: LinkClock = {
  now: () => Date.now(),
  setTimeout(fn, delayMs) {
    const handle = setTimeout(fn, Math.max(0, delayMs))
    return { cancel: () => clearTimeout(handle) }
  },
}

/** Timers that are cancelled together (everything a stopped transport had pending). */
export class TimerSet {
  private readonly pending = new Set<LinkTimer>()

  /** @param clock - where the timers run */
  constructor(private readonly clock: LinkClock) {}

  /** Like {@link LinkClock.setTimeout}, remembered until it runs or is cancelled. */
  after(delayMs: number, fn: () => void): LinkTimer {
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(handle)
      fn()
    }, delayMs)
    const handle: LinkTimer = {
      cancel: () => {
        this.pending.delete(handle)
        timer.cancel()
      },
    }
    this.pending.add(handle)
    return handle
  }

  /** Cancels every pending timer. */
  cancelAll(): void {
    for (const t of [...this.pending]) t.cancel()
  }
}
