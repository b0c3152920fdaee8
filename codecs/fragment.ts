/**
 * Fragmentation of a message into pieces of at most `mtu` bytes. The format (header, CRC-32) is in
 * fragment-header.ts, reassembly in fragment-reassembler.ts; this module re-exports both, so
 * callers import everything about fragments from here.
 *
 * @packageDocumentation
 */
import { CodecError } from './errors.js'
import {
  CHECK_BYTES, crc32, encodeFragmentHeader, LONG_HEADER_BYTES, MAX_FRAGMENTS, MESSAGE_ID_LIMIT, SHORT_HEADER_BYTES,
  SHORT_MAX_FRAGMENTS,
} from './fragment-header.js'
import { err, ok, type Result } from './result.js'

export { CHECK_BYTES, crc32, MAX_FRAGMENTS, MESSAGE_ID_LIMIT, parseFragmentHeader, type FragmentHeader } from './fragment-header.js'
export {
  Reassembler, ReassemblerOptionsSchema, type ReassemblerOptions, type ReassemblerStats, type ReassemblyOutcome,
} from './fragment-reassembler.js'

/** Smallest MTU accepted, bytes: a long-form fragment then carries at least 4 payload bytes. */
export const MIN_FRAGMENT_MTU = 8

/**
 * Cuts `message` into fragments of at most `mtu` bytes (header included). `ERR_FRAGMENT` for an mtu
 * below {@link MIN_FRAGMENT_MTU}, a message id outside 0–127, or a message that needs more than
 * {@link MAX_FRAGMENTS} fragments at this mtu.
 */
export function fragmentMessage(message: Uint8Array, mtu: number, messageId: number): Result<Uint8Array[]> {
  if (!Number.isInteger(mtu) || mtu < MIN_FRAGMENT_MTU) {
    return fail(`mtu ${mtu} is below ${MIN_FRAGMENT_MTU} bytes`)
  }
  if (!Number.isInteger(messageId) || messageId < 0 || messageId >= MESSAGE_ID_LIMIT) {
    return fail(`message id ${messageId} is outside 0–${MESSAGE_ID_LIMIT - 1}`)
  }
  const stream = withCheck(message)
  const short = Math.ceil(stream.length / (mtu - SHORT_HEADER_BYTES)) <= SHORT_MAX_FRAGMENTS
  const headerBytes = short ? SHORT_HEADER_BYTES : LONG_HEADER_BYTES
  const size = mtu - headerBytes // payload bytes per fragment
  const count = Math.ceil(stream.length / size)
  if (count > MAX_FRAGMENTS) {
    return fail(`${message.length} bytes need ${count} fragments at mtu ${mtu}; the limit is ${MAX_FRAGMENTS}`)
  }
  return ok(
    Array.from({ length: count }, (_, index) => {
      const header = encodeFragmentHeader({ messageId, index, count, headerBytes })
      const payload = stream.subarray(index * size, (index + 1) * size)
      const out = new Uint8Array(header.length + payload.length)
      out.set(header)
      out.set(payload, header.length)
      return out
    }),
  )
}

function withCheck(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(message.length + CHECK_BYTES)
  out.set(message)
  new DataView(out.buffer).setUint32(message.length, crc32(message)) // big-endian
  return out
}

function fail(message: string): Result<never> {
  return err(new CodecError('ERR_FRAGMENT', message))
}
