/**
 * Lowercase hex, the form hashes take in logs, map keys, the HTTP API's `latest_hash` and the vectors.
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
