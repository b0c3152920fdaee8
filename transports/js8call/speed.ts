/**
 * JS8 speeds and what a transmission costs on air, as data (radio.md §4.4: JS8Call 2.2
 * `lib/js8/js8{e,a,b,c}_params.f90`, `commons.h`, `varicode.cpp`).
 *
 * Every JS8 frame carries 72 payload bits and takes one TX period. A directed message costs one or
 * two header frames (`FROM: TO CMD`; a callsign that does not fit JS8's standard packing, such as
 * `N0CALL` with its four-letter suffix or a custom `@GROUP`, needs a compound frame first), then
 * the text in data frames. At Normal speed JS8Call packs each data frame with its Huffman code or
 * its dictionary coder JSC, whichever holds more, so the Huffman frame count is an upper bound. At
 * Fast, Turbo and Slow it uses JSC only, whose tables are not shipped here: the estimate scales the
 * Huffman bits by {@link JSC_COST_FACTOR} (JSC measured at 0.79–0.83 data bits per bit on our text,
 * see codecs/js8-text.ts) and the transport corrects its airtime ledger from the PTT events.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { JS8_DATA_FRAME_HEADER_BITS, JS8_FRAME_PAYLOAD_BITS, js8HuffmanFrames } from '../../codecs/js8-huffman.js'
import { js8AirBits } from '../../codecs/js8-text.js'

/** One JS8 speed. */
export interface Js8Speed {
  /** `SPEED` value of the API (MODE.GET_SPEED / MODE.SPEED). */
  readonly code: number
  readonly submode: string
  /** TX period: one frame per period, ms. */
  readonly periodMs: number
  /** Signal length of one frame, ms. */
  readonly txMs: number
}

/** Names of the speeds JS8Call 2.2 can run (Ultra is disabled in the 2.2 build). */
export const JS8_SPEED_NAMES = ['slow', 'normal', 'fast', 'turbo'] as const
/** Name of a JS8 speed. */
export const Js8SpeedNameSchema = z.enum(JS8_SPEED_NAMES)
/** Name of a JS8 speed. */
export type Js8SpeedName = z.infer<typeof Js8SpeedNameSchema>

/** The speeds (radio.md §4.4 table). */
export const JS8_SPEEDS: Readonly<Record<Js8SpeedName, Js8Speed>> = {
  slow: { code: 4, submode: 'JS8E', periodMs: 30_000, txMs: 25_280 },
  normal: { code: 0, submode: 'JS8A', periodMs: 15_000, txMs: 12_640 },
  fast: { code: 1, submode: 'JS8B', periodMs: 10_000, txMs: 7_900 },
  turbo: { code: 2, submode: 'JS8C', periodMs: 6_000, txMs: 3_950 },
}

/**
 * PTT time around each frame's signal, ms: measured 8.3 s of PTT for a 7.90 s Fast frame
 * (real-peers.md Part B); the estimate keeps a little more.
 */
export const PTT_MARGIN_MS = 500

/** On-air bits JSC spends per Huffman bit of our text, for the speeds that use JSC only (assumed bound). */
export const JSC_COST_FACTOR = 1.3

/** Payload bits of a data frame after its header bits. */
const DATA_BITS_PER_FRAME = JS8_FRAME_PAYLOAD_BITS - JS8_DATA_FRAME_HEADER_BITS // bits

/**
 * JS8's standard callsign packing: an optional prefix character, a letter or digit, a digit, and
 * up to three letters (`K1ABC`, `VE3XYZ`); anything else goes out as a compound callsign.
 */
const STANDARD_CALLSIGN = /^[A-Z0-9]?[A-Z0-9][0-9][A-Z]{0,3}$/

/** The speed with API code `code`, if JS8Call 2.2 has one. */
export function speedFromCode(code: number): Js8SpeedName | undefined {
  return JS8_SPEED_NAMES.find((name) => JS8_SPEEDS[name].code === code)
}

/** Payload bit rate at a speed: 72 bits per period, bit/s. */
export function speedBitrateBps(speed: Js8SpeedName): number {
  return (JS8_FRAME_PAYLOAD_BITS * 1000) / JS8_SPEEDS[speed].periodMs
}

/** Header frames of a directed message from `from` to `to`: 1 when both pack as standard calls. */
export function headerFrames(from: string, to: string): number {
  return STANDARD_CALLSIGN.test(from) && STANDARD_CALLSIGN.test(to) ? 1 : 2
}

/** Data frames JS8Call needs for `text` at `speed` (an upper bound at Normal, an estimate elsewhere). */
export function dataFrames(text: string, speed: Js8SpeedName): number {
  if (speed === 'normal') return js8HuffmanFrames(text)
  return Math.ceil((js8AirBits(text) * JSC_COST_FACTOR) / DATA_BITS_PER_FRAME)
}

/** Estimated cost of one directed transmission of `text`. */
export interface TransmissionEstimate {
  /** Header plus data frames. */
  frames: number
  /** PTT time, ms. */
  airtimeMs: number
}

/** Frames and PTT time of the directed message `to text` sent by `from` at `speed`. */
export function estimateTransmission(from: string, to: string, text: string, speed: Js8SpeedName): TransmissionEstimate {
  const frames = headerFrames(from, to) + dataFrames(text, speed)
  return { frames, airtimeMs: frames * (JS8_SPEEDS[speed].txMs + PTT_MARGIN_MS) }
}
