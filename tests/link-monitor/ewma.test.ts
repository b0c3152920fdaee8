import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MIN_ALPHA, decayAlpha, holdEwma, updateEwma } from '../../gateway/link-monitor/ewma.js'

const TAU = 10_000 // ms

describe('decayAlpha', () => {
  it('is 1 − exp(−Δt/τ)', () => {
    expect(decayAlpha(TAU, TAU)).toBeCloseTo(1 - Math.exp(-1), 12)
    expect(decayAlpha(2 * TAU, TAU)).toBeCloseTo(1 - Math.exp(-2), 12)
    expect(decayAlpha(TAU / 10, TAU)).toBeCloseTo(1 - Math.exp(-0.1), 12)
  })

  it('is 0 when no time has passed or time ran backwards', () => {
    expect(decayAlpha(0, TAU)).toBe(0)
    expect(decayAlpha(-5_000, TAU)).toBe(0)
  })

  it('approaches 1 after many time constants', () => {
    expect(decayAlpha(50 * TAU, TAU)).toBeCloseTo(1, 12)
  })
})

describe('updateEwma', () => {
  it('takes the first sample as is', () => {
    expect(updateEwma(undefined, 42, 1_000, TAU)).toEqual({ value: 42, at: 1_000 })
  })

  it('moves 1 − 1/e of the way after one time constant', () => {
    const next = updateEwma({ value: 0, at: 0 }, 100, TAU, TAU)
    expect(next.value).toBeCloseTo(100 * (1 - Math.exp(-1)), 9)
    expect(next.at).toBe(TAU)
  })

  it('weighs a sample more the longer the gap before it', () => {
    const soon = updateEwma({ value: 0, at: 0 }, 100, 2_000, TAU).value
    const late = updateEwma({ value: 0, at: 0 }, 100, 20_000, TAU).value
    expect(soon).toBeCloseTo(100 * (1 - Math.exp(-0.2)), 9)
    expect(late).toBeGreaterThan(soon)
  })

  it('lets a burst at one instant move the average by MIN_ALPHA per sample', () => {
    let avg = { value: 0, at: 5_000 }
    for (let i = 0; i < 10; i++) avg = updateEwma(avg, 1, 5_000, TAU)
    expect(avg.value).toBeCloseTo(1 - (1 - MIN_ALPHA) ** 10, 9)
    expect(avg.at).toBe(5_000)
  })

  it('does not rewind time for a late sample', () => {
    const next = updateEwma({ value: 10, at: 9_000 }, 20, 1_000, TAU)
    expect(next.at).toBe(9_000)
    expect(next.value).toBeCloseTo(10 + MIN_ALPHA * 10, 9)
  })

  it('stays between the smallest and largest input (property)', () => {
    const step = fc.record({ value: fc.double({ min: -1e6, max: 1e6, noNaN: true }), dt: fc.integer({ min: -1_000, max: 100_000 }) })
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 50 }), (steps) => {
        let at = 0
        let avg: ReturnType<typeof updateEwma> | undefined
        for (const s of steps) {
          at += s.dt
          avg = updateEwma(avg, s.value, at, TAU)
        }
        const values = steps.map((s) => s.value)
        const slack = 1e-6 * Math.max(1, ...values.map(Math.abs))
        return avg !== undefined && avg.value >= Math.min(...values) - slack && avg.value <= Math.max(...values) + slack
      }),
      { seed: 42, numRuns: 300 },
    )
  })
})

describe('holdEwma', () => {
  it('decays towards a held level with the time constant', () => {
    expect(holdEwma({ value: 0, at: 0 }, 1, TAU, TAU)).toBeCloseTo(1 - Math.exp(-1), 12)
    expect(holdEwma({ value: 1, at: 0 }, 0, 3 * TAU, TAU)).toBeCloseTo(Math.exp(-3), 12)
    expect(holdEwma({ value: 0.3, at: 0 }, 0.3, 99 * TAU, TAU)).toBeCloseTo(0.3, 12)
  })

  it('is the same whether the held interval is split or not (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 10 * TAU }), fc.integer({ min: 0, max: 10 * TAU }), (start, a, b) => {
        const once = holdEwma({ value: start, at: 0 }, 1, a + b, TAU)
        const split = holdEwma({ value: holdEwma({ value: start, at: 0 }, 1, a, TAU), at: a }, 1, a + b, TAU)
        return Math.abs(once - split) < 1e-9
      }),
      { seed: 42, numRuns: 300 },
    )
  })
})
