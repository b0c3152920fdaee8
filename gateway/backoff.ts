/**
 * Exponential backoff with jitter, shared by everything that retries: outbound peers, transports
 * restarted by the supervisor, banned peers. One implementation so every retry on the air and on the
 * wire is equally polite.
 *
 * @packageDocumentation
 */
import { z } from 'zod'

/** Backoff parameters; all durations in ms. */
export const BackoffOptionsSchema = z.object({
  /** First delay before jitter, ms. */
  initialMs: z.number().positive().default(3_000),
  /** Upper bound of any delay, ms (the seed node's reconnect cycle is 30 s). */
  maxMs: z.number().positive().default(30_000),
  /** Growth per failed attempt. */
  factor: z.number().min(1).default(2),
  /**
   * Share of the delay that is randomised: 0 = none, 1 = "full jitter" (uniform in [0, delay]).
   * 0.5 keeps the delay in [delay/2, delay], so retries spread out but never hammer.
   */
  jitter: z.number().min(0).max(1).default(0.5),
})
/** Backoff parameters (input form: every field optional). */
export type BackoffOptions = z.input<typeof BackoffOptionsSchema>

/** Stateful backoff for one retrying thing: call `next()` after a failure, `reset()` after success. */
export class Backoff {
  private readonly opts: z.output<typeof BackoffOptionsSchema>
  private attempt = 0

  /**
   * @param options - delays and growth
   * @param random - uniform [0, 1) source; injected so tests are deterministic
   */
  constructor(options: BackoffOptions = {}, private readonly random: () => number = Math.random) {
    this.opts = BackoffOptionsSchema.parse(options)
  }

  /** Number of failures since the last reset. */
  get failures(): number {
    return this.attempt
  }

  /** The delay to wait before the next attempt, ms; grows with each call. */
  next(): number {
    const { initialMs, maxMs, factor, jitter } = this.opts
    const base = Math.min(maxMs, initialMs * factor ** this.attempt)
    this.attempt++
    return Math.round(base * (1 - jitter * this.random()))
  }

  /** Forgets past failures (call once a connection has proven itself). */
  reset(): void {
    this.attempt = 0
  }
}
