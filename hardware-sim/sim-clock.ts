/**
 * Simulated time for hardware-sim: a discrete-event scheduler driven by ordinary timers.
 *
 * Simulated time runs `timeScale` times faster than wall time (`timeScale: 100` makes one simulated
 * second last 10 ms), so long radio scenarios finish quickly in tests. Events run in order of their
 * due time, and inside an event `now()` is exactly that due time, so chained transmissions add up
 * to exact airtimes however late the host's timers fire. Wall timers and the wall clock are looked
 * up on `globalThis` at call time, so vitest fake timers (`setTimeout`, `clearTimeout`, `Date`)
 * drive the clock as well. One wall timer is armed at a time, for the earliest event: no polling.
 *
 * @packageDocumentation
 */
import { z } from 'zod'

/** Options of {@link createSimClock}. */
export const SimClockOptionsSchema = z.object({
  /** Simulated ms per wall ms (>1 runs faster than real time). */
  timeScale: z.number().positive().default(1),
})

/** Input accepted by {@link createSimClock}. */
export type SimClockOptions = z.input<typeof SimClockOptionsSchema>

/** A scheduled event; `cancel()` is idempotent. */
export interface SimTimer {
  /** Removes the event if it has not run yet. */
  cancel(): void
}

/** The scheduler every simulated device and channel shares. */
export interface SimClock {
  /** Simulated ms per wall ms. */
  readonly timeScale: number
  /** Simulated ms since the clock was created; never goes backwards. */
  now(): number
  /** Runs `fn` after `delayMs` simulated ms (negative counts as 0). */
  setTimeout(fn: () => void, delayMs: number): SimTimer
  /** Drops every pending event and the wall timer. */
  dispose(): void
}

/** The wall-time primitives the clock needs; injectable for tests. */
export interface WallTimers {
  /** Wall ms (any epoch). */
  now(): number
  /** Schedules `fn` after `ms` wall ms. */
  setTimeout(fn: () => void, ms: number): unknown
  /** Cancels a handle returned by `setTimeout`. */
  clearTimeout(handle: unknown): void
}

/** Wall primitives resolved on `globalThis` at every call, so fake timers installed later apply. */
const globalWall: WallTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
}

interface SimEvent {
  readonly due: number // simulated ms; equal due times run in scheduling order (see insert)
  readonly fn: () => void
}

/** Events run per wall tick before yielding to I/O, so a zero-delay loop cannot starve sockets. */
const MAX_EVENTS_PER_TICK = 1000

/**
 * Creates a clock.
 *
 * @param options - time scale
 * @param wall - wall-time primitives (defaults to the global, fake-timer-aware ones)
 */
export function createSimClock(options: SimClockOptions = {}, wall: WallTimers = globalWall): SimClock {
  const { timeScale } = SimClockOptionsSchema.parse(options)
  const wallStart = wall.now()
  const queue: SimEvent[] = [] // sorted by (due, seq)
  let last = 0 // simulated ms: latest time handed out
  let current: number | undefined // simulated ms of the running event
  let armed: unknown

  const wallDerived = (): number => (wall.now() - wallStart) * timeScale
  const now = (): number => {
    if (current !== undefined) return current
    last = Math.max(last, wallDerived())
    return last
  }

  const arm = (): void => {
    if (armed !== undefined) wall.clearTimeout(armed)
    armed = undefined
    const head = queue[0]
    if (head === undefined) return
    const delay = Math.max(0, Math.ceil((head.due - wallDerived()) / timeScale)) // wall ms
    armed = wall.setTimeout(fire, delay)
  }

  const fire = (): void => {
    armed = undefined
    try {
      // One wall ms of slack: timers may fire a hair early and ceil() already rounds up.
      for (let n = 0; n < MAX_EVENTS_PER_TICK; n++) {
        const head = queue[0]
        if (head === undefined || head.due > wallDerived() + timeScale) break
        queue.shift()
        last = Math.max(last, head.due)
        current = last
        try {
          head.fn()
        } finally {
          current = undefined
        }
      }
    } finally {
      arm()
    }
  }

  const insert = (event: SimEvent): void => {
    let i = queue.length
    while (i > 0 && (queue[i - 1] as SimEvent).due > event.due) i--
    queue.splice(i, 0, event)
    if (i === 0) arm()
  }

  return {
    timeScale,
    now,
    setTimeout(fn, delayMs) {
      const event: SimEvent = { due: now() + Math.max(0, delayMs), fn }
      insert(event)
      return {
        cancel() {
          const i = queue.indexOf(event)
          if (i >= 0) queue.splice(i, 1)
        },
      }
    },
    dispose() {
      queue.length = 0
      arm()
    },
  }
}

/** A set of timers that can be cancelled together (a device's timers on a shared clock). */
export interface TimerGroup {
  /** Like {@link SimClock.setTimeout}, but remembered until it runs or is cancelled. */
  setTimeout(fn: () => void, delayMs: number): SimTimer
  /** Cancels every pending timer of this group. */
  cancelAll(): void
}

/** Creates a {@link TimerGroup} on `clock`. */
export function createTimerGroup(clock: SimClock): TimerGroup {
  const pending = new Set<SimTimer>()
  return {
    setTimeout(fn, delayMs) {
      const timer: SimTimer = clock.setTimeout(() => {
        pending.delete(timer)
        fn()
      }, delayMs)
      pending.add(timer)
      return {
        cancel() {
          pending.delete(timer)
          timer.cancel()
        },
      }
    },
    cancelAll() {
      for (const t of pending) t.cancel()
      pending.clear()
    },
  }
}
