/**
 * Airtime budgets: a token bucket per link, counted in ms of our own transmit time, as pure
 * functions over plain state (the caller keeps the state and passes the time).
 *
 * A radio channel is shared: JS8Call nets expect a station to leave room for others, and a VHF
 * packet channel carries everyone's traffic. The bucket holds at most `airtimeMs` and refills
 * evenly over `windowMs`, so a station may burst up to its budget and then averages
 * `airtimeMs / windowMs` of the channel (its duty cycle).
 *
 * Classes: a message may only take tokens down to its class's reserve (a share of the capacity
 * that must remain afterwards). Bulk sync with a large reserve thus stops early and leaves the
 * rest for transactions, whose reserve is 0.
 *
 * @packageDocumentation
 */
import { z } from 'zod'

/** One link's airtime budget. */
export const BudgetConfigSchema = z.strictObject({
  /** Capacity of the bucket: most transmit time that may be spent in a burst, ms. */
  airtimeMs: z.number().positive(),
  /** Time over which an empty bucket refills completely, ms. */
  windowMs: z.number().positive(),
})
/** One link's airtime budget. */
export type BudgetConfig = z.infer<typeof BudgetConfigSchema>

/** State of one bucket. Plain data: persist or copy it freely. */
export interface BudgetState {
  /** Airtime left at `at`, ms; negative after an overspend (reported airtime above the estimate). */
  readonly tokensMs: number
  /** When `tokensMs` was computed, ms since the epoch. */
  readonly at: number
}

/** A full bucket at `now`. */
export function fullBudget(config: BudgetConfig, now: number): BudgetState {
  return { tokensMs: config.airtimeMs, at: now }
}

/** `state` (a full bucket when undefined) refilled up to `now`. */
export function refillBudget(state: BudgetState | undefined, config: BudgetConfig, now: number): BudgetState {
  if (state === undefined) return fullBudget(config, now)
  const elapsed = Math.max(0, now - state.at) // ms; a clock step backwards refills nothing
  const tokensMs = Math.min(config.airtimeMs, state.tokensMs + (elapsed * config.airtimeMs) / config.windowMs)
  return { tokensMs, at: Math.max(state.at, now) }
}

/** Tokens a message of `reserve` (share of capacity, 0–1) must leave in the bucket, ms. */
function floorMs(config: BudgetConfig, reserve: number): number {
  return reserve * config.airtimeMs
}

/** True when a message costing `costMs` could never pass, even from a full bucket. */
export function exceedsBudget(config: BudgetConfig, costMs: number, reserve: number): boolean {
  return costMs + floorMs(config, reserve) > config.airtimeMs
}

/** True when `costMs` of airtime may be spent now by a class with `reserve`. */
export function budgetAllows(state: BudgetState | undefined, config: BudgetConfig, costMs: number, reserve: number, now: number): boolean {
  return refillBudget(state, config, now).tokensMs - costMs >= floorMs(config, reserve)
}

/** Time until {@link budgetAllows} turns true, ms: 0 if now, `Infinity` if never. */
export function budgetWaitMs(state: BudgetState | undefined, config: BudgetConfig, costMs: number, reserve: number, now: number): number {
  if (exceedsBudget(config, costMs, reserve)) return Infinity
  const missing = costMs + floorMs(config, reserve) - refillBudget(state, config, now).tokensMs // ms of airtime
  return missing <= 0 ? 0 : Math.ceil((missing * config.windowMs) / config.airtimeMs)
}

/**
 * Takes `costMs` from the bucket. Never refuses: call it with what was actually transmitted (the
 * estimate, or the link's `txAirtimeMs` report), which may drive the bucket below zero.
 */
export function spendBudget(state: BudgetState | undefined, config: BudgetConfig, costMs: number, now: number): BudgetState {
  const refilled = refillBudget(state, config, now)
  return { tokensMs: refilled.tokensMs - costMs, at: refilled.at }
}

/**
 * Estimated airtime of a message, ms: its bits at `bitrateBps`, plus `overheadMs` for every one of
 * `transmissions` (key-up, preamble, sync frames, turn-around).
 */
export function estimateAirtimeMs(bytes: number, bitrateBps: number, transmissions: number, overheadMs: number): number {
  return (bytes * 8 * 1000) / bitrateBps + transmissions * overheadMs
}
