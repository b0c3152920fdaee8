/**
 * Lowercase hex, the form hashes take in logs, map keys, the HTTP API's `latest_hash` and the vectors.
 * Also the one way error messages write single bytes and numbers in hex.
 *
 * @packageDocumentation
 */

/** Bytes to lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** Lowercase or uppercase hex to bytes; the caller checks the length it needs. */
export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

/**
 * One byte for an error message, `0x` and two uppercase digits (`0xC0`), the way the KISS and
 * AX.25 specifications write bytes.
 */
export function hexByte(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`
}

/** A number for an error message, `0x` and at least `digits` lowercase digits (`0x0000beef`). */
export function hexNumber(n: number, digits: number): string {
  return `0x${n.toString(16).padStart(digits, '0')}`
}
