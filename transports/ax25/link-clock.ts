/**
 * The clock every timer of the AX.25 transport runs on. Production uses the wall clock; the
 * goodput benchmark and tests pass hardware-sim's `SimClock`, which has the same shape, so T1,
 * keepalive, duty cycle and TXBUF polling all run in simulated time.
 *
 * @packageDocumentation
 */

/** A pending timer; `cancel()` is idempotent. */
export interface LinkTimer {
  cancel(): void
}

/** Time source and timers, ms. */
export interface LinkClock {
  /** Monotonic-enough time, ms. */
  now(): number
  /** Runs `fn` once after `delayMs`. */
  setTimeout(fn: () => void, delayMs: number): LinkTimer
}

/** The wall clock. */
export const systemClock: LinkClock = {
  now: () => Date.now(),
  setTimeout(fn, delayMs) {
    const handle = setTimeout(fn, Math.max(0, delayMs))
    return { cancel: () => clearTimeout(handle) }
  },
}

/** Resolves after `delayMs` on `clock`, or rejects with `signal`'s reason. */
export function sleep(clock: LinkClock, delayMs: number, signal?: AbortSignal): Promise<void> {
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
export function withTimeout<T>(clock: LinkClock, promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
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
