/**
 * The fragment format shared by the fragmenter (fragment.ts) and the reassembler
 * (fragment-reassembler.ts): the header and the CRC-32 that ends every message.
 *
 * The sender appends CRC-32(message) (4 bytes, big-endian) and cuts `message ‖ crc` into fragments.
 * Every fragment but the last carries the same number of payload bytes; the last carries 1 to that
 * many. Fragment header, most significant bit first:
 *
 *   short form (≤ 16 fragments), 2 bytes:  0 iiiiiii | xxxx yyyy
 *   long form (≤ 4096 fragments), 4 bytes: 1 iiiiiii | xxxxxxxx xxxxyyyy yyyyyyyy
 *
 * where i = message id (0–127), x = fragment index, y = index of the last fragment (count − 1).
 * Short form whenever the message fits in 16 fragments: JS8Call links carry ~30 bytes per frame.
 *
 * CRC-32 rather than truncated Blake3: it is the zlib/PNG/Ethernet CRC every language has, it
 * detects every burst of up to 32 bits, and the check is against accidents (mixed or damaged
 * fragments), not forgery: nothing on radio is authenticated, the Bunkercoin contents carry their
 * own signatures and hashes. It is node:zlib's (Node ≥ 20.15; package.json asks for ≥ 20.19).
 *
 * @packageDocumentation
 */
import { crc32 as zlibCrc32 } from 'node:zlib'
import { CodecError } from './errors.js'
import { err, ok, type Result } from './result.js'

/** Most fragments of one message (12-bit index). */
export const MAX_FRAGMENTS = 4096
/** Message ids are 7 bits: a sender counts them modulo 128. */
export const MESSAGE_ID_LIMIT = 128
/** Length of the CRC-32 appended to every message, bytes. */
export const CHECK_BYTES = 4
/** Length of a short-form header, bytes. */
export const SHORT_HEADER_BYTES = 2
/** Length of a long-form header, bytes. */
export const LONG_HEADER_BYTES = 4
/** Most fragments a short-form header can count (4-bit index). */
export const SHORT_MAX_FRAGMENTS = 16

const LONG_FLAG = 0x80

/**
 * CRC-32 as in zlib, PNG and Ethernet (CRC-32/ISO-HDLC): polynomial 0x04C11DB7 reflected
 * (0xEDB88320), initial value and final XOR 0xFFFFFFFF; `crc32("123456789") = 0xCBF43926`.
 * One argument only, so it can be handed to `map` (zlib's second argument is a running CRC).
 */
export function crc32(bytes: Uint8Array): number {
  return zlibCrc32(bytes)
}

/** What a fragment header says. */
export interface FragmentHeader {
  /** Message id, 0–127. */
  messageId: number
  /** Position of this fragment, 0 to `count − 1`. */
  index: number
  /** Fragments in the message, 1–4096. */
  count: number
  /** Header length, bytes (2 or 4). */
  headerBytes: number
}

/** Writes a header; the caller keeps the fields in range (`headerBytes` 2 only for ≤ 16 fragments). */
export function encodeFragmentHeader(h: FragmentHeader): Uint8Array {
  const last = h.count - 1
  if (h.headerBytes === SHORT_HEADER_BYTES) return Uint8Array.of(h.messageId, (h.index << 4) | last)
  return Uint8Array.of(LONG_FLAG | h.messageId, h.index >> 4, ((h.index & 0x0f) << 4) | (last >> 8), last & 0xff)
}

/** Reads a fragment header; `ERR_FRAGMENT` if it is cut short, has no payload, or its index is past the last. */
export function parseFragmentHeader(fragment: Uint8Array): Result<FragmentHeader> {
  const b0 = fragment[0] ?? 0
  const headerBytes = b0 & LONG_FLAG ? LONG_HEADER_BYTES : SHORT_HEADER_BYTES
  if (fragment.length <= headerBytes) {
    return err(new CodecError('ERR_FRAGMENT', `fragment of ${fragment.length} bytes has no payload after its ${headerBytes}-byte header`))
  }
  const [b1, b2, b3] = [fragment[1] ?? 0, fragment[2] ?? 0, fragment[3] ?? 0]
  const index = headerBytes === SHORT_HEADER_BYTES ? b1 >> 4 : (b1 << 4) | (b2 >> 4)
  const last = headerBytes === SHORT_HEADER_BYTES ? b1 & 0x0f : ((b2 & 0x0f) << 8) | b3
  if (index > last) return err(new CodecError('ERR_FRAGMENT', `fragment index ${index} is past the last index ${last}`))
  return ok({ messageId: b0 & ~LONG_FLAG, index, count: last + 1, headerBytes })
}
