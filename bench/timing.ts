/**
 * Timing on one core, as a ratio against a reference timed in the same run: the machines are shared
 * and noisy, so absolute rates drift while the ratio of two things timed turn about stays put.
 *
 * @packageDocumentation
 */

/** A subject's rate, its reference's, and their ratio. */
export interface RateComparison {
  /** Median over the rounds, operations/s. */
  opsPerSec: number
  referenceOpsPerSec: number
  /** Median of the per-round ratios subject ÷ reference. */
  ratio: number
}

/** Options of {@link compareRates}. */
export interface CompareOptions {
  /** Length of each timing window, ms. */
  windowMs: number
  /** Rounds, each timing reference then subject. */
  rounds: number
}

let sink: unknown // results go here so no call is optimised away

/** Operations per second of `fn` over about `windowMs` (at least one call). */
export function opsPerSecond(fn: () => unknown, windowMs: number): number {
  let ops = 0
  let batch = 1
  const started = performance.now()
  let elapsed = 0 // ms
  do {
    for (let i = 0; i < batch; i++) sink = fn()
    ops += batch
    elapsed = performance.now() - started
    if (elapsed < windowMs / 10) batch *= 2 // fewer clock reads for fast functions
  } while (elapsed < windowMs)
  return (1000 * ops) / elapsed
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** Times `subject` and `reference` in alternating windows, after one warm-up window each. */
export function compareRates(subject: () => unknown, reference: () => unknown, o: CompareOptions): RateComparison {
  opsPerSecond(reference, o.windowMs)
  opsPerSecond(subject, o.windowMs)
  const subjects: number[] = []
  const references: number[] = []
  for (let round = 0; round < o.rounds; round++) {
    references.push(opsPerSecond(reference, o.windowMs))
    subjects.push(opsPerSecond(subject, o.windowMs))
  }
  return { opsPerSec: median(subjects), referenceOpsPerSec: median(references), ratio: median(subjects.map((s, i) => s / (references[i] as number))) }
}
