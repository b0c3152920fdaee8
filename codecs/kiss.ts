/**
 * KISS framing between a host and a TNC (K3MC / KA9Q spec; Direwolf's `kiss_frame.c` for the
 * de-facto behaviour): the frame model, the encoder, command helpers and Direwolf's SetHardware
 * text queries. The streaming decoder is in `kiss-decoder.ts`.
 *
 * A frame on the wire is `FEND type data FEND`, where the type byte holds the port in its high
 * nibble and the command in its low nibble, and every FEND/FESC inside (type byte included) is
 * escaped. Data frames carry a raw AX.25 frame without FCS.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { CodecError } from './errors.js'
import { hexByte } from './hex.js'
import { err, ok, type Result } from './result.js'

/** Frame End: starts and ends every frame. */
export const FEND = 0xc0
/** Frame Escape: the next byte is TFEND or TFESC. */
export const FESC = 0xdb
/** Transposed FEND: after FESC, stands for a 0xC0 data byte. */
export const TFEND = 0xdc
/** Transposed FESC: after FESC, stands for a 0xDB data byte. */
export const TFESC = 0xdd

/**
 * KISS commands (low nibble of the type byte). Parameter units: TxDelay, SlotTime and TxTail in
 * 10 ms steps; Persistence P gives p = (P + 1) / 256; FullDuplex 0 = half, anything else = full.
 * `Return` (leave KISS mode) is the whole type byte 0xFF, not a nibble.
 */
export const KissCommand = {
  Data: 0,
  TxDelay: 1,
  Persistence: 2,
  SlotTime: 3,
  TxTail: 4,
  FullDuplex: 5,
  SetHardware: 6,
  Return: 0xff,
} as const

/** The highest KISS port (the high nibble of the type byte). */
export const KISS_MAX_PORT = 15

/**
 * Default cap on a decoded frame's data (after the type byte, unescaped), bytes: the largest AX.25
 * frame the AX.25 codec accepts (10 addresses × 7 + 2 control + 1 PID + 2048 info = 2121), so KISS
 * never refuses a frame the layer above would take. Direwolf's MAX_KISS_LEN (2048) counts escaped
 * bytes, so anything Direwolf sends or accepts fits.
 */
export const KISS_DEFAULT_MAX_FRAME_LENGTH = 2121

/**
 * One KISS frame, unescaped. `command` is 0–15, or 0xFF for Return, which only exists as the
 * whole type byte (so it needs port 15, and command 15 on port 15 is spelt 0xFF).
 */
export const KissFrameSchema = z
  .object({
    port: z.number().int().min(0).max(KISS_MAX_PORT),
    command: z.union([z.number().int().min(0).max(15), z.literal(KissCommand.Return)]),
    data: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected a Uint8Array'),
  })
  .refine((f) => (f.command === KissCommand.Return) === (f.port === 15 && f.command >= 15), {
    message: 'Return is type byte 0xFF: command 0xFF needs port 15, and port 15 command 15 is written 0xFF',
  })
/** One KISS frame, unescaped. */
export type KissFrame = z.infer<typeof KissFrameSchema>

/** Options for {@link encodeKissFrame}. */
export const KissEncodeOptionsSchema = z.object({
  /** Send the leading FEND that flushes line noise at the receiver (the spec's advice). */
  leadingFend: z.boolean().default(true),
})
/** Options for {@link encodeKissFrame}. */
export type KissEncodeOptions = z.input<typeof KissEncodeOptionsSchema>

/** The type byte for a port and command. */
function kissTypeByte(port: number, command: number): number {
  return command === KissCommand.Return ? KissCommand.Return : ((port << 4) | command) & 0xff
}

/** Splits a type byte into port and command (0xFF is Return, reported as port 15). */
export function splitKissTypeByte(type: number): { port: number; command: number } {
  return { port: type >> 4, command: type === KissCommand.Return ? KissCommand.Return : type & 0x0f }
}

/**
 * Encodes one frame: FEND, escaped type byte and data, FEND. Note the type byte itself can need
 * escaping: port 12 data is 0xC0 and port 13 command 11 is 0xDB.
 *
 * @throws CodecError `ERR_KISS_PROTOCOL` when port or command is out of range
 */
export function encodeKissFrame(frame: KissFrame, options?: KissEncodeOptions): Uint8Array {
  const checked = KissFrameSchema.safeParse(frame)
  if (!checked.success) throw new CodecError('ERR_KISS_PROTOCOL', `invalid KISS frame: ${z.prettifyError(checked.error)}`)
  const { leadingFend } = KissEncodeOptionsSchema.parse(options ?? {})
  const type = kissTypeByte(frame.port, frame.command)
  // One exact allocation: count the bytes that grow to two before writing.
  let specials = isSpecial(type) ? 1 : 0
  for (const byte of frame.data) if (isSpecial(byte)) specials++
  const out = new Uint8Array((leadingFend ? 2 : 1) + 1 + frame.data.length + specials)
  let at = 0
  if (leadingFend) out[at++] = FEND
  at = writeEscaped(out, at, type)
  for (const byte of frame.data) at = writeEscaped(out, at, byte)
  out[at] = FEND
  return out
}

function isSpecial(byte: number): boolean {
  return byte === FEND || byte === FESC
}

function writeEscaped(out: Uint8Array, at: number, byte: number): number {
  if (byte === FEND || byte === FESC) {
    out[at] = FESC
    out[at + 1] = byte === FEND ? TFEND : TFESC
    return at + 2
  }
  out[at] = byte
  return at + 1
}

/** The one-byte parameter commands. */
export type KissParameterCommand =
  | typeof KissCommand.TxDelay
  | typeof KissCommand.Persistence
  | typeof KissCommand.SlotTime
  | typeof KissCommand.TxTail
  | typeof KissCommand.FullDuplex

/**
 * Encodes a parameter command, e.g. `kissCommand(0, KissCommand.TxDelay, 30)` for 300 ms.
 *
 * @param value - 0–255 in the command's unit (see {@link KissCommand})
 * @throws CodecError `ERR_KISS_PROTOCOL` when port, command or value is out of range
 */
export function kissCommand(port: number, command: KissParameterCommand, value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new CodecError('ERR_KISS_PROTOCOL', `KISS command ${command} value ${value} out of range 0–255`)
  }
  return encodeKissFrame({ port, command, data: Uint8Array.of(value) })
}

/** Encodes the Return command (`C0 FF C0`): the TNC leaves KISS mode. */
export function kissReturn(): Uint8Array {
  return encodeKissFrame({ port: 15, command: KissCommand.Return, data: new Uint8Array(0) })
}

/** A SetHardware text: `NAME:value`, or a bare reply with no name (Direwolf answers `TNC:` that way). */
export interface SetHardwareText {
  /** Upper-case name before the colon, e.g. `TXBUF`; undefined when the text has no colon. */
  name: string | undefined
  /** Text after the colon (empty for a query). */
  value: string
}

/** SetHardware texts are short printable ASCII; anything longer is not a reply we understand. */
const SET_HARDWARE_MAX_LENGTH = 256 // bytes

/**
 * Encodes a Direwolf-style SetHardware text frame. `encodeSetHardware(0, 'TXBUF')` is the query
 * `TXBUF:`; the TNC answers on the same port with `TXBUF:<bytes queued>`.
 *
 * @throws CodecError `ERR_KISS_PROTOCOL` for a name or value that is not printable ASCII
 */
export function encodeSetHardware(port: number, name: string, value = ''): Uint8Array {
  const text = `${name}:${value}`
  if (!/^[A-Z][A-Z0-9_]*:[\x20-\x7e]*$/.test(text) || text.length > SET_HARDWARE_MAX_LENGTH) {
    throw new CodecError('ERR_KISS_PROTOCOL', `SetHardware text ${JSON.stringify(text)} must be NAME:value in printable ASCII`)
  }
  return encodeKissFrame({ port, command: KissCommand.SetHardware, data: asciiBytes(text) })
}

/** Parses the data of a SetHardware frame from the TNC. */
export function parseSetHardware(data: Uint8Array): Result<SetHardwareText> {
  if (data.length > SET_HARDWARE_MAX_LENGTH) {
    return err(new CodecError('ERR_KISS_PROTOCOL', `SetHardware text of ${data.length} bytes exceeds ${SET_HARDWARE_MAX_LENGTH}`))
  }
  let text = ''
  for (const byte of data) {
    if (byte < 0x20 || byte > 0x7e) {
      return err(new CodecError('ERR_KISS_PROTOCOL', `SetHardware text has non-printable byte ${hexByte(byte)}`))
    }
    text += String.fromCharCode(byte)
  }
  const colon = text.indexOf(':')
  if (colon < 0) return ok({ name: undefined, value: text })
  return ok({ name: text.slice(0, colon).toUpperCase(), value: text.slice(colon + 1) })
}

/** Parses a `TXBUF:<n>` reply: the bytes (not frames) the TNC still has queued for transmit. */
export function parseTxBufReply(data: Uint8Array): Result<number> {
  const parsed = parseSetHardware(data)
  if (!parsed.ok) return parsed
  const { name, value } = parsed.value
  if (name !== 'TXBUF' || !/^\d{1,9}$/.test(value)) {
    return err(new CodecError('ERR_KISS_PROTOCOL', `expected TXBUF:<bytes>, got ${JSON.stringify(`${name ?? ''}:${value}`)}`))
  }
  return ok(Number(value))
}

function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i)
  return out
}
