/**
 * Length-prefixed frames on a byte stream (TCP between gateways, the VARA data port): each frame is
 * its length as an unsigned LEB128 varint, then the bytes. One byte of overhead for frames under
 * 128 bytes matters at 50 bit/s; three bytes cover 2 MiB.
 *
 * A stream cannot resynchronise after a bad length, so an error here is fatal for the stream: the
 * caller closes the connection.
 *
 * @packageDocumentation
 */
import { CodecError } from './errors.js'

/** Most bytes a varint length may take (2^21 - 1 = 2 MiB - 1). */
const MAX_VARINT_BYTES = 3

/** Largest frame a 3-byte varint can state, bytes. */
export const MAX_LENGTH_PREFIXED_FRAME = 2 ** (7 * MAX_VARINT_BYTES) - 1

/** The varint prefix of `length`. */
function varint(length: number): number[] {
  const out: number[] = []
  let v = length
  do {
    const low = v & 0x7f
    v >>>= 7
    out.push(v > 0 ? low | 0x80 : low)
  } while (v > 0)
  return out
}

/** `payload` with its length prefix. */
export function encodeLengthPrefixed(payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_LENGTH_PREFIXED_FRAME) {
    throw new CodecError('ERR_FRAME_TOO_LONG', `frame of ${payload.length} bytes exceeds ${MAX_LENGTH_PREFIXED_FRAME}`)
  }
  const prefix = varint(payload.length)
  const out = new Uint8Array(prefix.length + payload.length)
  out.set(prefix)
  out.set(payload, prefix.length)
  return out
}

/** What {@link LengthPrefixDecoder.push} yields. */
export type LengthPrefixEvent = { frame: Uint8Array } | { error: CodecError }

/** Streaming decoder with a carry-over buffer and a frame-size cap. */
export class LengthPrefixDecoder {
  private buffer: Uint8Array = new Uint8Array(0)
  /** Chunks that arrived while a frame was incomplete, joined once enough bytes are in. */
  private pending: Uint8Array[] = []
  private pendingBytes = 0
  /** Bytes the buffer must hold before the next frame completes (0: unknown yet). */
  private need = 0
  private failed = false

  /** @param maxFrameBytes - largest frame accepted; a bigger stated length is a fatal error */
  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffer.length + this.pendingBytes
  }

  /** Feeds a chunk; returns the complete frames, or one error after which the decoder stays failed. */
  push(chunk: Uint8Array): LengthPrefixEvent[] {
    if (this.failed) return []
    // Waiting for the rest of a known-length frame: keep the chunk, copy nothing yet.
    if (this.need > 0 && this.buffer.length + this.pendingBytes + chunk.length < this.need) {
      this.pending.push(chunk)
      this.pendingBytes += chunk.length
      return []
    }
    this.buffer = concat([this.buffer, ...this.pending, chunk])
    this.pending = []
    this.pendingBytes = 0
    this.need = 0
    const events: LengthPrefixEvent[] = []
    let at = 0
    for (;;) {
      const header = readVarint(this.buffer, at)
      if (header === undefined) break
      if ('error' in header || header.length > this.maxFrameBytes) {
        this.failed = true
        this.buffer = new Uint8Array(0)
        const error = 'error' in header ? header.error : new CodecError('ERR_FRAME_TOO_LONG', `stated frame length ${header.length} exceeds the ${this.maxFrameBytes}-byte limit`)
        return [...events, { error }]
      }
      const end = header.next + header.length
      if (end > this.buffer.length) {
        this.need = end - at
        break
      }
      events.push({ frame: this.buffer.slice(header.next, end) })
      at = end
    }
    this.buffer = this.buffer.subarray(at)
    return events
  }
}

/** Reads a varint at `at`: undefined when incomplete. */
function readVarint(buf: Uint8Array, at: number): { length: number; next: number } | { error: CodecError } | undefined {
  let length = 0
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const byte = buf[at + i]
    if (byte === undefined) return undefined
    length |= (byte & 0x7f) << (7 * i)
    if ((byte & 0x80) === 0) {
      if (i > 0 && byte === 0) return { error: new CodecError('ERR_FRAME_TOO_LONG', 'non-minimal length prefix') }
      return { length, next: at + i + 1 }
    }
  }
  return { error: new CodecError('ERR_FRAME_TOO_LONG', `length prefix longer than ${MAX_VARINT_BYTES} bytes`) }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const nonEmpty = parts.filter((p) => p.length > 0)
  if (nonEmpty.length === 1) return nonEmpty[0] as Uint8Array
  return Buffer.concat(nonEmpty)
}
