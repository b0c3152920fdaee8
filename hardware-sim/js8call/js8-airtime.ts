/**
 * JS8 speeds and their timing: TX period, signal length on air and decode floor, as facts.
 *
 * Source: radio.md §4.4 (JS8Call 2.2 `commons.h` JS8*_TX_SECONDS, `lib/js8/js8{a,b,c,e}_params.f90`)
 * and the SPEED codes of the API (`varicode.h`). Every transmission is one 79-tone frame carrying
 * 72 payload bits; a TX period holds exactly one frame, and frames start on period boundaries.
 * Ultra (JS8I, code 8) is compiled out of JS8Call 2.2 (`JS8_ENABLE_JS8I 0`), so it is not offered.
 *
 * Measured on the Debian build (2.2.0): RIG.PTT stays on about 0.4–0.7 s longer than the signal
 * (8.3 s at Fast, 13.3 s at Normal), and a message queued in the first ~1.5 s of a period starts
 * at once ("late start"). The simulator keys exactly for the signal length and always waits for
 * the next boundary, so airtimes in tests are exact multiples of the period.
 *
 * @packageDocumentation
 */
import { z } from 'zod'

/** A SPEED code JS8Call 2.2 can transmit with (0 Normal, 1 Fast, 2 Turbo, 4 Slow). */
export const Js8SpeedCodeSchema = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(4)])

/** A valid SPEED code. */
export type Js8SpeedCode = z.infer<typeof Js8SpeedCodeSchema>

/** One JS8 speed. */
export interface Js8Speed {
  /** The API's SPEED code (MODE.SPEED, RX.ACTIVITY.SPEED). */
  readonly code: Js8SpeedCode
  readonly name: 'normal' | 'fast' | 'turbo' | 'slow'
  readonly submode: string
  /** TX period, ms: one frame per period. */
  readonly periodMs: number
  /** Signal length of one frame, ms. */
  readonly txDurationMs: number
  /** Weakest signal that still decodes, dB (2500 Hz bandwidth). */
  readonly minSnrDb: number
}

const SPEEDS: readonly Js8Speed[] = [
  { code: 0, name: 'normal', submode: 'JS8A', periodMs: 15_000, txDurationMs: 12_640, minSnrDb: -25 },
  { code: 1, name: 'fast', submode: 'JS8B', periodMs: 10_000, txDurationMs: 7_900, minSnrDb: -23 },
  { code: 2, name: 'turbo', submode: 'JS8C', periodMs: 6_000, txDurationMs: 3_950, minSnrDb: -20 },
  { code: 4, name: 'slow', submode: 'JS8E', periodMs: 30_000, txDurationMs: 25_280, minSnrDb: -28 },
]

/** The four speeds JS8Call 2.2 transmits, by API code. */
export const JS8_SPEEDS: ReadonlyMap<number, Js8Speed> = new Map(SPEEDS.map((s) => [s.code, s]))

/** The speed with this code; throws for a code that is not in {@link JS8_SPEEDS} (a caller bug). */
export function js8Speed(code: Js8SpeedCode): Js8Speed {
  const speed = JS8_SPEEDS.get(code)
  if (speed === undefined) throw new RangeError(`no JS8 speed with code ${code}`)
  return speed
}

/** Start of the first TX period at or after `nowMs` (periods are aligned on multiples of `periodMs`). */
export function nextPeriodStartMs(nowMs: number, periodMs: number): number {
  return Math.ceil(nowMs / periodMs) * periodMs
}

/**
 * Simulated ms from queuing a `frames`-frame message at `nowMs` until its last frame is off air:
 * the wait for the next boundary, whole periods for all but the last frame, and the last signal.
 */
export function js8MessageAirtimeMs(frames: number, speed: Js8Speed, nowMs = 0): number {
  if (frames <= 0) return 0
  const start = nextPeriodStartMs(nowMs, speed.periodMs)
  return start - nowMs + (frames - 1) * speed.periodMs + speed.txDurationMs
}
