/**
 * The clock every transport keeps its timers on: acknowledgement waits, T1, keepalives, airtime
 * windows, TXBUF polling, liveness and idle timeouts. Production uses {@link wallClock}; tests and
 * benchmarks inject hardware-sim's `SimClock` (same shape), so the real timeouts run in simulated
 * time and only the config stays realistic. Transports never import hardware-sim: the shape is the
 * contract.
 *
 * @packageDocumentation
 */

/** A pending timer; `cancel()` is idempotent. */
export interface ClockTimer {
  cancel(): void
}

/** Time and timers, in ms. */
export interface Clock {
  /** Current time, ms (any epoch, never goes backwards). */
  now(): number
  /** Runs `fn` once after `delayMs` ms of this clock (negative counts as 0). */
  setTimeout(fn: () => void, delayMs: number): ClockTimer
}

/**
 * Wall time: `performance.now()` (monotonic, unlike `Date.now()`, which NTP may step back) and the
 * global timers, looked up per call so fake timers installed later apply.
 */
export const wallClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, delayMs) {
    const handle = globalThis.setTimeout(fn, Math.max(0, delayMs))
    return { cancel: () => globalThis.clearTimeout(handle) }
  },
}

/** Resolves after `delayMs` on `clock`, or rejects with `signal`'s reason. */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason)
    const onAbort = (): void => {
      timer.cancel()
      reject(signal?.reason)
    }
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, delayMs)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Settles like `promise`, or rejects with `onTimeout()` after `timeoutMs` on `clock`; the timer is
 * cancelled either way.
 */
export function withTimeout<T>(clock: Clock, promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(onTimeout()), timeoutMs)
    promise.then(
      (v) => {
        timer.cancel()
        resolve(v)
      },
      (e: unknown) => {
        timer.cancel()
        reject(e)
      },
    )
  })
}

/**
 * Runs `fn` after the I/O already waiting has been read (the next check phase of the event loop).
 * A deadline that fires right after the process stalled must not condemn a device whose answer sits
 * unread in the socket; in production the delay is well under a millisecond.
 */
export function afterPendingIo(fn: () => void): void {
  setImmediate(fn)
}

/** Timers that are cancelled together (everything a stopped transport had pending). */
export class TimerSet {
  private readonly pending = new Set<ClockTimer>()

  /** @param clock - where the timers run */
  constructor(private readonly clock: Clock) {}

  /** Like {@link Clock.setTimeout}, remembered until it runs or is cancelled. */
  after(delayMs: number, fn: () => void): ClockTimer {
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(handle)
      fn()
    }, delayMs)
    const handle: ClockTimer = {
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
