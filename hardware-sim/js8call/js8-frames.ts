/**
 * On-air frames exchanged by simulated JS8Calls over the RF channel, and the TX.FRAME tones.
 *
 * A real JS8 frame is 79 8-FSK tones carrying 72 payload bits (LDPC-coded); the simulator does not
 * reproduce that coding. Its frame carries what a receiving JS8Call would know after decoding one:
 * the text, whether it is the last frame of the message (JS8's Last flag), the sender's speed and
 * audio offset, and, on the first frame of a directed message, the destination and command. The
 * sender's message number and frame index let the receiver notice a lost frame, which real JS8Call
 * cannot: it just never completes the message (no ARQ). Airtime comes from the speed, not from the
 * size of this encoding.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { CodecError } from '../../codecs/errors.js'
import { err, ok, type Result } from '../../codecs/result.js'
import { Js8SpeedCodeSchema, type Js8SpeedCode } from './js8-airtime.js'

/** Longest encoded frame accepted, bytes (a frame holds at most ~36 characters plus a header). */
const MAX_FRAME_BYTES = 1024
/** Most frames one message may have (a 64 KiB body at 2 bits per character is ~2 300). */
const MAX_FRAME_INDEX = 100_000

const CallSchema = z.string().regex(/^@?[A-Z0-9/]{1,16}$/)

/** One decoded air frame. */
export const Js8AirFrameSchema = z.object({
  /** The sender's message counter: frames of one message share it. */
  msg: z.number().int().min(0),
  /** Position in the message, from 0. */
  index: z.number().int().min(0).max(MAX_FRAME_INDEX),
  /** JS8's Last flag: the message is complete after this frame. */
  last: z.boolean(),
  /** Header frames carry callsigns; data frames carry the body. */
  kind: z.enum(['header', 'data']),
  from: CallSchema,
  /** Sender's grid, sent in a compound header frame ('' otherwise). */
  grid: z.string().max(8),
  speed: Js8SpeedCodeSchema,
  /** Sender's audio offset, Hz. */
  offset: z.number().int().min(0).max(6000),
  /** The frame's text as RX.ACTIVITY shows it. */
  text: z.string().max(128),
  /** On the first frame of a directed message. */
  directed: z.object({ to: CallSchema, cmd: z.string().max(16) }).optional(),
})

/** One decoded air frame. */
export type Js8AirFrame = z.infer<typeof Js8AirFrameSchema>

/** Encodes a frame for the channel. */
export function encodeJs8AirFrame(frame: Js8AirFrame): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(frame))
}

/** Decodes a frame heard on the channel; anything malformed is an error, never a throw. */
export function decodeJs8AirFrame(bytes: Uint8Array): Result<Js8AirFrame> {
  if (bytes.length === 0 || bytes.length > MAX_FRAME_BYTES) {
    return err(new CodecError('ERR_INVALID_LENGTH', `JS8 air frame of ${bytes.length} bytes (1..${MAX_FRAME_BYTES})`))
  }
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return err(new CodecError('ERR_JSON_SYNTAX', 'JS8 air frame is not JSON text'))
  }
  const parsed = Js8AirFrameSchema.safeParse(json)
  if (!parsed.success) return err(new CodecError('ERR_INVALID_TYPE', `bad JS8 air frame: ${parsed.error.message}`))
  return ok(parsed.data)
}

/**
 * The three 7-tone Costas arrays at tones 0, 36 and 72, as TX.FRAME showed them on JS8Call 2.2.0:
 * Normal (JS8A) repeats the original array; Fast (JS8B) used three different ones, which the
 * simulator assumes for Turbo and Slow as well (not observed).
 */
const COSTAS: Readonly<Record<'normal' | 'other', readonly (readonly number[])[]>> = {
  normal: [[4, 2, 5, 6, 1, 3, 0], [4, 2, 5, 6, 1, 3, 0], [4, 2, 5, 6, 1, 3, 0]],
  other: [[0, 6, 2, 3, 5, 4, 1], [1, 5, 0, 2, 3, 6, 4], [2, 5, 0, 6, 4, 1, 3]],
}

/** Data tones between two sync blocks (79 tones = 3 × 7 sync + 2 × 29 data). */
const DATA_BLOCK = 29

/**
 * TX.FRAME's `TONES` for a frame: the speed's Costas arrays around 58 data tones (0–7). The data
 * tones are a deterministic scramble of `payload`, not JS8's LDPC code: only the shape is real.
 */
export function js8FrameTones(payload: Uint8Array, speed: Js8SpeedCode): number[] {
  const [a = [], b = [], c = []] = speed === 0 ? COSTAS.normal : COSTAS.other
  let h = 0x811c9dc5 // FNV-1a over the payload, then one LCG step per tone
  for (const byte of payload) h = Math.imul(h ^ byte, 0x01000193) >>> 0
  const data = (): number[] =>
    Array.from({ length: DATA_BLOCK }, () => {
      h = (Math.imul(h, 1664525) + 1013904223) >>> 0
      return h >>> 29
    })
  return [...a, ...data(), ...b, ...data(), ...c]
}
