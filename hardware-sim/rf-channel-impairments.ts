/**
 * Pure helpers of the RF channel model: SNR scripts, loss probability and bit errors.
 *
 * @packageDocumentation
 */
import type { Prng } from './prng.js'
import type { SnrPoint } from './profiles.js'

/**
 * SNR at time `t` from a piecewise-linear script: constant before the first point and after the
 * last; with `periodMs` the script repeats. Two points at the same time make a step.
 *
 * @param script - points in ascending `atMs` order
 * @param t - simulated ms
 * @param periodMs - optional repeat period, simulated ms
 */
export function snrFromScript(script: readonly SnrPoint[], t: number, periodMs?: number): number {
  const at = periodMs === undefined ? t : t % periodMs
  let before = script[0]
  if (before === undefined) return 0
  for (const point of script) {
    if (point.atMs > at) {
      if (at < before.atMs) return before.snrDb
      const span = point.atMs - before.atMs
      return before.snrDb + ((point.snrDb - before.snrDb) * (at - before.atMs)) / span
    }
    before = point
  }
  return before.snrDb
}

/**
 * Probability that a frame is lost: the base loss combined (independently) with an SNR term that
 * rises linearly from 0 at `minSnrDb` to 1 at `minSnrDb − fadeDb`.
 */
export function frameLossProbability(baseLoss: number, snrDb: number, minSnrDb: number, fadeDb: number): number {
  const snrLoss = Math.min(1, Math.max(0, (minSnrDb - snrDb) / fadeDb))
  return 1 - (1 - baseLoss) * (1 - snrLoss)
}

/**
 * Flips bits of `bytes` in place, each with probability `ber`, and returns how many were flipped.
 * Draws the gap to the next error from a geometric distribution, so the cost is one draw per error
 * rather than one per bit.
 */
export function flipBits(bytes: Uint8Array, ber: number, prng: Prng): number {
  const totalBits = bytes.length * 8
  if (ber <= 0 || totalBits === 0) return 0
  const logKeep = Math.log1p(-Math.min(ber, 1 - Number.EPSILON))
  let flipped = 0
  let bit = -1
  for (;;) {
    const gap = Math.floor(Math.log1p(-prng.next()) / logKeep) // error-free bits before the next error
    bit += gap + 1
    if (bit >= totalBits) return flipped
    const index = bit >>> 3
    bytes[index] = (bytes[index] ?? 0) ^ (0x80 >>> (bit & 7))
    flipped++
  }
}
