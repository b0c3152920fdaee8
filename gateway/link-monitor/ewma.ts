/**
 * Time-decayed exponentially weighted moving averages for irregularly spaced samples.
 *
 * A radio link reports when it can (a VARA `SN` line, a JS8Call SNR every few minutes, an ack),
 * so a fixed per-sample weight would let a burst of reports swamp an hour of history. Instead the
 * weight of a sample grows with the time since the previous one: `alpha = 1 − exp(−Δt/τ)` (the
 * form libp2p's moving average uses), so after τ the old value counts for 1/e.
 *
 * Two kinds of input:
 * - events (an RTT, a send outcome): {@link updateEwma}, with a floor on alpha so that samples
 *   arriving at the same instant (ten fragments acknowledged together) still move the average;
 * - levels held between changes (link up/down, channel busy): {@link holdEwma} integrates the
 *   held level exactly over the elapsed time.
 *
 * @packageDocumentation
 */

/** A moving average and when it was last updated. Plain data: safe to copy and to snapshot. */
export interface Ewma {
  /** Current average, in the unit of the samples. */
  readonly value: number
  /** Time of the last update, ms since the epoch. */
  readonly at: number
}

/**
 * Least weight of one event sample (0–1). With it, ten samples at the same instant move the
 * average about two thirds of the way (1 − 0.9¹⁰ ≈ 0.65) instead of not at all.
 */
export const MIN_ALPHA = 0.1

/** Weight of a sample taken `dtMs` after the previous one, for time constant `tauMs` (both ms). */
export function decayAlpha(dtMs: number, tauMs: number): number {
  if (!(dtMs > 0)) return 0 // out of order or same instant: no time has passed
  return 1 - Math.exp(-dtMs / tauMs)
}

/**
 * Folds event `sample` taken at `at` (ms) into `prev`. The first sample is taken as is. Time never
 * runs backwards: a late sample is weighted {@link MIN_ALPHA} and keeps `prev.at`.
 */
export function updateEwma(prev: Ewma | undefined, sample: number, at: number, tauMs: number): Ewma {
  if (prev === undefined) return { value: sample, at }
  const alpha = Math.max(MIN_ALPHA, decayAlpha(at - prev.at, tauMs))
  return { value: prev.value + alpha * (sample - prev.value), at: Math.max(prev.at, at) }
}

/**
 * Value at `now` of an average whose input has been `level` ever since `prev.at`: the exact
 * continuous-time EWMA of a piecewise-constant signal. Does not change `prev`.
 */
export function holdEwma(prev: Ewma, level: number, now: number, tauMs: number): number {
  return prev.value + decayAlpha(now - prev.at, tauMs) * (level - prev.value)
}
