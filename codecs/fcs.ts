/**
 * The HDLC / AX.25 frame check sequence: CRC-16/X-25 (ISO 3309; the same CRC as PPP's FCS-16).
 *
 * Polynomial x^16 + x^12 + x^5 + 1 (0x1021) processed LSB first, so the table uses its reflection
 * 0x8408; register starts at 0xFFFF and the result is inverted. On air the FCS follows the frame
 * low byte first. KISS data frames carry no FCS (the TNC adds it), so this is for the simulated RF
 * channel and for anyone reading raw HDLC captures.
 *
 * @packageDocumentation
 */

/** Reflected CRC-CCITT polynomial used by HDLC (0x1021 bit-reversed). */
const POLY_REFLECTED = 0x8408
/** Initial register value and final xor mask. */
const ALL_ONES = 0xffff
/** Length of the FCS on the wire, bytes. */
export const FCS_LENGTH = 2

/** One entry per byte value: the register change for shifting that byte through eight times. */
const TABLE = buildTable()

function buildTable(): Uint16Array {
  const table = new Uint16Array(256)
  for (let n = 0; n < 256; n++) {
    let crc = n
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLY_REFLECTED : crc >>> 1
    table[n] = crc
  }
  return table
}

/** The FCS of `bytes` as a 16-bit number (0x906E for ASCII "123456789"). */
export function fcs16(bytes: Uint8Array): number {
  let crc = ALL_ONES
  for (const byte of bytes) crc = (crc >>> 8) ^ (TABLE[(crc ^ byte) & 0xff] ?? 0)
  return (crc ^ ALL_ONES) & 0xffff
}

/** A new array holding `frame` followed by its FCS, low byte first as HDLC sends it. */
export function appendFcs(frame: Uint8Array): Uint8Array {
  const fcs = fcs16(frame)
  const out = new Uint8Array(frame.length + FCS_LENGTH)
  out.set(frame)
  out[frame.length] = fcs & 0xff
  out[frame.length + 1] = fcs >>> 8
  return out
}

/** True when the last two bytes of `frameWithFcs` are the FCS of the bytes before them. */
export function checkFcs(frameWithFcs: Uint8Array): boolean {
  const bodyLength = frameWithFcs.length - FCS_LENGTH
  if (bodyLength < 0) return false
  const fcs = fcs16(frameWithFcs.subarray(0, bodyLength))
  return frameWithFcs[bodyLength] === (fcs & 0xff) && frameWithFcs[bodyLength + 1] === fcs >>> 8
}
