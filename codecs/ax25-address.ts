/**
 * AX.25 addresses: callsign text (`N0CALL-7`) and the 7-byte address field.
 *
 * On the wire an address is six ASCII characters (A–Z, 0–9, space padded) each shifted left one
 * bit, then an SSID byte `C/H R R S S S S X`: bit 7 is the C bit (destination/source) or the H
 * "has been repeated" bit (digipeaters), the two reserved bits are sent as 1 1, then the SSID,
 * and bit 0 is the extension bit, set only on the last address of the frame.
 *
 * The codec is strict: lower-case callsigns are rejected with a message saying so. Radio users do
 * type lower case, so config and CLI input should go through {@link parseCallsign} with
 * `{ normalise: true }`, which upper-cases and trims first.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { CodecError } from './errors.js'
import { hexByte } from './hex.js'
import { err, ok, type Result } from './result.js'

/** Bytes per address field. */
export const AX25_ADDRESS_LENGTH = 7
/** Longest callsign, characters. */
export const AX25_CALLSIGN_MAX_LENGTH = 6
/** Highest SSID. */
export const AX25_MAX_SSID = 15

/** Reserved bits 6 and 5 of the SSID byte, sent as 1 1. */
const RESERVED_BITS = 0x60
/** C bit (destination/source) or H bit (digipeater). */
const BIT7 = 0x80
/** Extension bit: set on the last address only. */
const EXTENSION_BIT = 0x01
const SPACE = 0x20

/** What is wrong with a callsign, or undefined when it is valid (1–6 characters, A–Z and 0–9). */
export function callsignProblem(callsign: string): string | undefined {
  const problems: string[] = []
  if (callsign.length === 0) problems.push('it is empty')
  if (callsign.length > AX25_CALLSIGN_MAX_LENGTH) problems.push(`more than ${AX25_CALLSIGN_MAX_LENGTH} characters (${callsign.length})`)
  if (/[a-z]/.test(callsign)) problems.push('lower-case letters (AX.25 callsigns are upper case)')
  const other = /[^A-Za-z0-9]/.exec(callsign)
  if (other) problems.push(`invalid character ${JSON.stringify(other[0])} (only A–Z and 0–9)`)
  return problems.length === 0 ? undefined : `invalid callsign ${JSON.stringify(callsign)}: ${problems.join('; ')}`
}

/** A callsign without SSID: 1–6 characters A–Z and 0–9. */
export const CallsignSchema = z.string().check((ctx) => {
  const problem = callsignProblem(ctx.value)
  if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value })
})

/** An SSID, 0–15. */
export const SsidSchema = z.number().int().min(0).max(AX25_MAX_SSID, `SSID out of range 0–${AX25_MAX_SSID}`)

/** A station address: callsign and SSID. */
export const Ax25AddressSchema = z.object({ callsign: CallsignSchema, ssid: SsidSchema })
/** A station address: callsign and SSID. */
export type Ax25Address = z.infer<typeof Ax25AddressSchema>

/** A digipeater in the path; `repeated` is the H bit (this digipeater has already sent the frame). */
export const Ax25DigipeaterSchema = Ax25AddressSchema.extend({ repeated: z.boolean() })
/** A digipeater in the path. */
export type Ax25Digipeater = z.infer<typeof Ax25DigipeaterSchema>

/** Options for {@link parseCallsign}. */
export interface ParseCallsignOptions {
  /** Trim and upper-case first: for text a person typed (config, CLI), not for frames. */
  normalise?: boolean
}

/**
 * Parses `CALL` or `CALL-SSID` (`N0CALL-7`). Errors are `ERR_CALLSIGN` naming what is wrong:
 * lower-case letters, more than 6 characters, an SSID out of range 0–15.
 */
export function parseCallsign(text: string, options: ParseCallsignOptions = {}): Result<Ax25Address> {
  const input = options.normalise === true ? text.trim().toUpperCase() : text
  const dash = input.indexOf('-')
  const callsign = dash < 0 ? input : input.slice(0, dash)
  const problem = callsignProblem(callsign)
  if (problem !== undefined) return err(new CodecError('ERR_CALLSIGN', `${problem} in ${JSON.stringify(text)}`))
  if (dash < 0) return ok({ callsign, ssid: 0 })
  const ssidText = input.slice(dash + 1)
  if (!/^\d{1,2}$/.test(ssidText)) {
    return err(new CodecError('ERR_CALLSIGN', `SSID ${JSON.stringify(ssidText)} in ${JSON.stringify(text)} is not a number 0–${AX25_MAX_SSID}`))
  }
  const ssid = Number(ssidText)
  if (ssid > AX25_MAX_SSID) {
    return err(new CodecError('ERR_CALLSIGN', `SSID ${ssid} out of range 0–${AX25_MAX_SSID} in ${JSON.stringify(text)}`))
  }
  return ok({ callsign, ssid })
}

/** Formats an address as `CALL-SSID`, or just `CALL` for SSID 0 (the usual convention). */
export function formatCallsign(address: Ax25Address): string {
  return address.ssid === 0 ? address.callsign : `${address.callsign}-${address.ssid}`
}

/**
 * Writes a 7-byte address field at `at`. The address must already be valid (the frame encoder
 * checks it with the schema first).
 *
 * @param bit7 - C bit for destination/source, H bit for a digipeater
 * @param last - set the extension bit: this is the last address of the frame
 */
export function writeAddress(out: Uint8Array, at: number, address: Ax25Address, bit7: boolean, last: boolean): void {
  for (let i = 0; i < AX25_CALLSIGN_MAX_LENGTH; i++) {
    out[at + i] = (i < address.callsign.length ? address.callsign.charCodeAt(i) : SPACE) << 1
  }
  out[at + AX25_CALLSIGN_MAX_LENGTH] = (bit7 ? BIT7 : 0) | RESERVED_BITS | (address.ssid << 1) | (last ? EXTENSION_BIT : 0)
}

/** An address field as read from a frame. */
export interface DecodedAddress {
  /** Callsign and SSID. */
  address: Ax25Address
  /** C bit (destination/source) or H bit (digipeater). */
  bit7: boolean
  /** Extension bit: the last address of the frame. */
  last: boolean
}

/**
 * Reads the 7-byte address field at `at` (the caller checked 7 bytes are there). The reserved bits
 * are ignored, as every implementation does. Errors are `ERR_AX25_FRAME`.
 *
 * @param which - name for messages, e.g. `source` or `digipeater 2`
 */
export function readAddress(bytes: Uint8Array, at: number, which: string): Result<DecodedAddress> {
  let callsign = ''
  let padded = false
  for (let i = 0; i < AX25_CALLSIGN_MAX_LENGTH; i++) {
    const byte = bytes[at + i] ?? 0
    const problem = callsignByteProblem(byte, padded)
    if (problem !== undefined) return err(new CodecError('ERR_AX25_FRAME', `${which} address, byte ${i}: ${problem}`))
    if (byte >> 1 === SPACE) padded = true
    else callsign += String.fromCharCode(byte >> 1)
  }
  if (callsign.length === 0) return err(new CodecError('ERR_AX25_FRAME', `${which} address: callsign is all spaces`))
  const ssidByte = bytes[at + AX25_CALLSIGN_MAX_LENGTH] ?? 0
  return ok({
    address: { callsign, ssid: (ssidByte >> 1) & 0x0f },
    bit7: (ssidByte & BIT7) !== 0,
    last: (ssidByte & EXTENSION_BIT) !== 0,
  })
}

function callsignByteProblem(byte: number, padded: boolean): string | undefined {
  const hex = hexByte(byte)
  if ((byte & 1) !== 0) return `${hex} has its low bit set (callsign bytes are ASCII shifted left one bit)`
  const char = byte >> 1
  if (char === SPACE) return undefined
  if (padded) return `${hex} after the space padding`
  const isAlnum = (char >= 0x41 && char <= 0x5a) || (char >= 0x30 && char <= 0x39)
  return isAlnum ? undefined : `${hex} is ${JSON.stringify(String.fromCharCode(char))}, not A–Z or 0–9`
}
