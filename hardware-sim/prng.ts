/**
 * A small seeded pseudo-random generator for the simulators: xoshiro128** (Blackman and Vigna),
 * seeded through splitmix32 so that any 32-bit seed, including 0, gives a good state.
 *
 * Every random decision in hardware-sim (frame loss, bit errors, retry jitter) draws from one of
 * these, never from `Math.random`, so a test run is reproducible from its seed.
 *
 * @packageDocumentation
 */

/** A deterministic random stream. */
export interface Prng {
  /** Next unsigned 32-bit integer. */
  nextU32(): number
  /** Next float, uniform in [0, 1). */
  next(): number
  /** A new independent stream seeded from this one (so sub-components do not share draws). */
  fork(): Prng
}

const TWO_POW_32 = 4294967296

/** Rotates a 32-bit value left by `k` bits. */
function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}

/** splitmix32: spreads a seed into well-mixed 32-bit words for the xoshiro state. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad)
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97)
    return (z ^ (z >>> 15)) >>> 0
  }
}

/**
 * Creates a xoshiro128** generator.
 *
 * @param seed - any integer; only its low 32 bits are used
 */
export function createPrng(seed: number): Prng {
  const mix = splitmix32(seed)
  let s0 = mix()
  let s1 = mix()
  let s2 = mix()
  let s3 = mix()
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0
    const t = (s1 << 9) >>> 0
    s2 = (s2 ^ s0) >>> 0
    s3 = (s3 ^ s1) >>> 0
    s1 = (s1 ^ s2) >>> 0
    s0 = (s0 ^ s3) >>> 0
    s2 = (s2 ^ t) >>> 0
    s3 = rotl(s3, 11)
    return result
  }
  return {
    nextU32,
    next: () => nextU32() / TWO_POW_32,
    fork: () => createPrng(nextU32()),
  }
}
