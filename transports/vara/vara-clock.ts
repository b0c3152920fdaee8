/**
 * The clock the VARA transport keeps its timeouts and rates on. Production uses wall time; tests
 * inject the simulator's clock (hardware-sim/sim-clock.ts has the same shape), so the real
 * timeouts (120 s liveness, 60 s idle) run in simulated time and only the config stays realistic.
 *
 * @packageDocumentation
 */

/** A pending timer; `cancel()` is idempotent. */
export interface ClockTimer {
  cancel(): void
}

/** Time and timers, in ms. */
export interface Clock {
  /** Monotonic ms (any epoch). */
  now(): number
  /** Runs `fn` after `delayMs` ms. */
  setTimeout(fn: () => void, delayMs: number): ClockTimer
}

/** Wall time: `performance.now()` and global timers (looked up per call, so fake timers apply). */
export const wallClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, delayMs) {
    const handle = globalThis.setTimeout(fn, Math.max(0, delayMs))
    return { cancel: () => globalThis.clearTimeout(handle) }
  },
}

/**
 * Runs `fn` after the I/O already waiting has been read (the next check phase of the event loop).
 * A deadline that fires right after the process stalled must not condemn a modem whose answer sits
 * unread in the socket; in production the delay is well under a millisecond.
 */
export function afterPendingIo(fn: () => void): void {
  setImmediate(fn)
}

/** One optional timer slot: setting it cancels the previous one. */
export class TimerSlot {
  private timer: ClockTimer | undefined

  /** @param clock - where timers run */
  constructor(private readonly clock: Clock) {}

  /** Replaces the pending timer with one running `fn` after `delayMs`. */
  set(fn: () => void, delayMs: number): void {
    this.cancel()
    this.timer = this.clock.setTimeout(fn, delayMs)
  }

  /** Cancels the pending timer, if any. */
  cancel(): void {
    this.timer?.cancel()
    this.timer = undefined
  }
}
