import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  BudgetConfigSchema,
  budgetAllows,
  budgetWaitMs,
  estimateAirtimeMs,
  exceedsBudget,
  fullBudget,
  refillBudget,
  spendBudget,
} from '../../gateway/link-monitor/budget.js'

// JS8Call-like: 15 min of TX per hour
const JS8 = { airtimeMs: 900_000, windowMs: 3_600_000 }
const T0 = 1_700_000_000_000 // ms

describe('airtime budget (token bucket on fake time)', () => {
  it('starts full and refills at airtime/window per ms, capped at the capacity', () => {
    const spent = spendBudget(undefined, JS8, 900_000, T0)
    expect(spent).toEqual({ tokensMs: 0, at: T0 })
    expect(refillBudget(spent, JS8, T0 + 60_000).tokensMs).toBeCloseTo(15_000, 9) // 1 min refills 15 s
    expect(refillBudget(spent, JS8, T0 + 1_800_000).tokensMs).toBeCloseTo(450_000, 9)
    expect(refillBudget(spent, JS8, T0 + 10 * 3_600_000).tokensMs).toBe(900_000)
    expect(fullBudget(JS8, T0)).toEqual({ tokensMs: 900_000, at: T0 })
  })

  it('refuses once spent and allows again after the refill time', () => {
    let s = spendBudget(undefined, JS8, 850_000, T0)
    expect(budgetAllows(s, JS8, 60_000, 0, T0)).toBe(false)
    const wait = budgetWaitMs(s, JS8, 60_000, 0, T0)
    expect(wait).toBe(40_000) // 10 s of airtime missing at 1/4 ms per ms
    expect(budgetAllows(s, JS8, 60_000, 0, T0 + wait - 1)).toBe(false)
    expect(budgetAllows(s, JS8, 60_000, 0, T0 + wait)).toBe(true)
    s = spendBudget(s, JS8, 60_000, T0 + wait)
    expect(s.tokensMs).toBeCloseTo(0, 9)
  })

  it('keeps a reserve: sync stops at half the bucket while tx may use it all', () => {
    const s = spendBudget(undefined, JS8, 400_000, T0) // 500 s left
    expect(budgetAllows(s, JS8, 60_000, 0.5, T0)).toBe(false) // would leave 440 s < 450 s
    expect(budgetAllows(s, JS8, 50_000, 0.5, T0)).toBe(true) // leaves exactly 450 s
    expect(budgetAllows(s, JS8, 500_000, 0, T0)).toBe(true) // tx: down to zero
    expect(budgetWaitMs(s, JS8, 60_000, 0.5, T0)).toBe(40_000)
  })

  it('never lets sync starve a transaction (property)', () => {
    // whatever sequence of sync sends the bucket allows, a tx costing half the sync reserve still fits
    const tx = 0.5 * 0.5 * JS8.airtimeMs
    fc.assert(
      fc.property(fc.array(fc.record({ cost: fc.integer({ min: 1, max: 900_000 }), dt: fc.integer({ min: 0, max: 600_000 }) }), { maxLength: 40 }), (steps) => {
        let state = fullBudget(JS8, T0)
        let now = T0
        for (const { cost, dt } of steps) {
          now += dt
          if (budgetAllows(state, JS8, cost, 0.5, now)) state = spendBudget(state, JS8, cost, now)
          if (!budgetAllows(state, JS8, tx, 0, now)) return false
        }
        return true
      }),
      { seed: 42, numRuns: 200 },
    )
  })

  it('knows when a message can never pass', () => {
    expect(exceedsBudget(JS8, 900_001, 0)).toBe(true)
    expect(exceedsBudget(JS8, 900_000, 0)).toBe(false)
    expect(exceedsBudget(JS8, 500_000, 0.5)).toBe(true)
    expect(budgetWaitMs(undefined, JS8, 500_000, 0.5, T0)).toBe(Infinity)
    expect(budgetWaitMs(undefined, JS8, 1_000, 0.5, T0)).toBe(0)
  })

  it('records overspending as debt and refills nothing when the clock steps back', () => {
    const debt = spendBudget(fullBudget(JS8, T0), JS8, 1_000_000, T0)
    expect(debt.tokensMs).toBe(-100_000)
    expect(refillBudget(debt, JS8, T0 - 60_000)).toEqual(debt)
    expect(budgetWaitMs(debt, JS8, 1_000, 0, T0)).toBe(404_000)
  })

  it('estimates airtime from bits at the rate plus a fixed cost per transmission', () => {
    expect(estimateAirtimeMs(150, 1200, 1, 600)).toBe(1_600) // 1 s of bits + 0.6 s key-up
    expect(estimateAirtimeMs(168, 4.8, 3, 15_000)).toBeCloseTo(280_000 + 45_000, 6)
  })

  it('validates its config', () => {
    expect(() => BudgetConfigSchema.parse({ airtimeMs: 0, windowMs: 1 })).toThrow()
    expect(BudgetConfigSchema.parse(JS8)).toEqual(JS8)
  })
})
