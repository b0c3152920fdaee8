/**
 * The information field of our AX.25 UI frames (docs/PROTOCOL.md §13): broadcast datagrams and
 * the selective-repeat ARQ's data, acknowledgement, poll and close frames.
 *
 * Byte 0 is `0xB0 | type`. Its high nibble `B` marks protocol version 1 and keeps our frames apart
 * from APRS, whose data type identifiers are printable ASCII. Sessions and sequence numbers are
 * 16-bit big-endian; the 6-bit poll number ties an acknowledgement to the poll it answers.
 *
 * ```
 * datagram  B0 | fragment (codecs/fragment.ts)
 * data      B1 | flags: pollNo<<2 | END<<1 | P | session(2) | seq(2) | payload (≥ 1 byte)
 * ack       B2 | pollNo<<2                    | session(2) | next(2) | bitmap (0–32 bytes)
 * poll      B3 | pollNo<<2                    | session(2) | next(2)
 * close     B4 | 00                           | session(2)
 * ```
 *
 * In an ack, `next` is the first sequence number not yet received and bit i of the bitmap (byte
 * i / 8, least significant bit first) says `next + 1 + i` was received. In a poll, `next` is the
 * sender's next new sequence number.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { CodecError } from '../../codecs/errors.js'
import { hexByte } from '../../codecs/hex.js'
import { err, ok, type Result } from '../../codecs/result.js'

/** High nibble of byte 0: protocol version 1. */
export const ARQ_MARKER = 0xb0
/** Sequence numbers and sessions are 16-bit. */
export const SEQ_MODULUS = 0x10000
/** Poll numbers are 6-bit. */
export const POLL_MODULUS = 64
/** Most sequence numbers an ack bitmap can describe beyond `next`. */
export const ACK_BITMAP_MAX_BITS = 256
/** Header of a data frame, bytes. */
export const DATA_HEADER_BYTES = 6

const TYPE_CODES = { datagram: 0, data: 1, ack: 2, poll: 3, close: 4 } as const
const TYPE_NAMES = ['datagram', 'data', 'ack', 'poll', 'close'] as const
const POLL_FLAG = 0x01
const END_FLAG = 0x02

const U16 = z.number().int().min(0).max(SEQ_MODULUS - 1)
const PollNo = z.number().int().min(0).max(POLL_MODULUS - 1)
const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected a Uint8Array')

/** One ARQ frame, as a discriminated union on `type`. */
export const ArqFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('datagram'), fragment: Bytes }),
  z.object({
    type: z.literal('data'),
    session: U16,
    seq: U16,
    /** The sender asks for an acknowledgement now. */
    poll: z.boolean(),
    /** Last segment of a message. */
    end: z.boolean(),
    pollNo: PollNo,
    payload: Bytes.refine((p) => p.length > 0, 'a data segment carries at least one byte'),
  }),
  z.object({
    type: z.literal('ack'),
    session: U16,
    pollNo: PollNo,
    next: U16,
    /** Sequence numbers after `next` that were received, each within 256 of it. */
    selective: z.array(U16).max(ACK_BITMAP_MAX_BITS),
  }),
  z.object({ type: z.literal('poll'), session: U16, pollNo: PollNo, next: U16 }),
  z.object({ type: z.literal('close'), session: U16 }),
])
/** One ARQ frame. */
export type ArqFrame = z.infer<typeof ArqFrameSchema>

/** `a − b` in sequence space, as a signed distance in −32768..32767. */
export function seqDiff(a: number, b: number): number {
  return (((a - b) << 16) >> 16)
}

/** `seq + n` in sequence space. */
export function seqAdd(seq: number, n: number): number {
  return (seq + n) & (SEQ_MODULUS - 1)
}

/** True when an information field starts with our marker (cheap test before decoding). */
export function isArqInfo(info: Uint8Array): boolean {
  return ((info[0] ?? 0) & 0xf0) === ARQ_MARKER
}

/**
 * Encodes a frame.
 *
 * @throws CodecError `ERR_AX25_INFO` when the frame does not match {@link ArqFrameSchema} or a
 *   selective-ack number is not within 1–256 after `next`
 */
export function encodeArqFrame(frame: ArqFrame): Uint8Array {
  const checked = ArqFrameSchema.safeParse(frame)
  if (!checked.success) throw new CodecError('ERR_AX25_INFO', `invalid ARQ frame: ${z.prettifyError(checked.error)}`)
  const type = ARQ_MARKER | TYPE_CODES[frame.type]
  switch (frame.type) {
    case 'datagram':
      return concat([type], frame.fragment)
    case 'data': {
      const flags = (frame.pollNo << 2) | (frame.end ? END_FLAG : 0) | (frame.poll ? POLL_FLAG : 0)
      return concat([type, flags, ...u16(frame.session), ...u16(frame.seq)], frame.payload)
    }
    case 'ack':
      return concat([type, frame.pollNo << 2, ...u16(frame.session), ...u16(frame.next)], ackBitmap(frame.next, frame.selective))
    case 'poll':
      return Uint8Array.from([type, frame.pollNo << 2, ...u16(frame.session), ...u16(frame.next)])
    case 'close':
      return Uint8Array.from([type, 0, ...u16(frame.session)])
  }
}

/**
 * Decodes an information field from an untrusted peer. Never throws; every error is
 * `ERR_AX25_INFO` saying what is wrong.
 */
export function decodeArqFrame(info: Uint8Array): Result<ArqFrame> {
  const b0 = info[0]
  if (b0 === undefined || (b0 & 0xf0) !== ARQ_MARKER) return fail(`not an ARQ frame: byte 0 is ${b0 === undefined ? 'missing' : hexByte(b0)}, expected 0xB0–0xB4`)
  const type = TYPE_NAMES[b0 & 0x0f]
  if (type === undefined) return fail(`unknown ARQ frame type ${b0 & 0x0f}`)
  if (type === 'datagram') {
    return info.length > 1 ? ok({ type, fragment: info.slice(1) }) : fail('datagram without a fragment')
  }
  const need = type === 'close' ? 4 : DATA_HEADER_BYTES
  if (info.length < need) return fail(`${type} frame of ${info.length} bytes is shorter than its ${need}-byte header`)
  const flags = info[1] ?? 0
  const pollNo = flags >> 2
  const session = readU16(info, 2)
  if (type === 'close') return exact(info, 4, { type, session })
  const second = readU16(info, 4)
  if (type === 'poll') return exact(info, 6, { type, session, pollNo, next: second })
  if (type === 'ack') return decodeAck(info, session, pollNo, second)
  if (info.length === DATA_HEADER_BYTES) return fail('data frame without payload')
  const payload = info.slice(DATA_HEADER_BYTES)
  return ok({ type, session, seq: second, poll: (flags & POLL_FLAG) !== 0, end: (flags & END_FLAG) !== 0, pollNo, payload })
}

function decodeAck(info: Uint8Array, session: number, pollNo: number, next: number): Result<ArqFrame> {
  const bitmap = info.subarray(DATA_HEADER_BYTES)
  if (bitmap.length > ACK_BITMAP_MAX_BITS / 8) return fail(`ack bitmap of ${bitmap.length} bytes exceeds ${ACK_BITMAP_MAX_BITS / 8}`)
  const selective: number[] = []
  bitmap.forEach((byte, i) => {
    for (let bit = 0; bit < 8; bit++) if ((byte >> bit) & 1) selective.push(seqAdd(next, 1 + i * 8 + bit))
  })
  return ok({ type: 'ack', session, pollNo, next, selective })
}

/** Bitmap of `selective` relative to `next`, trimmed after the last set byte. */
function ackBitmap(next: number, selective: readonly number[]): Uint8Array {
  const bits = new Uint8Array(ACK_BITMAP_MAX_BITS / 8)
  let used = 0
  for (const seq of selective) {
    const offset = seqDiff(seq, next) - 1
    if (offset < 0 || offset >= ACK_BITMAP_MAX_BITS) {
      throw new CodecError('ERR_AX25_INFO', `selective ack ${seq} is not within 1–${ACK_BITMAP_MAX_BITS} after next ${next}`)
    }
    bits[offset >> 3] = (bits[offset >> 3] ?? 0) | (1 << (offset & 7))
    used = Math.max(used, (offset >> 3) + 1)
  }
  return bits.slice(0, used)
}

function exact(info: Uint8Array, length: number, frame: ArqFrame): Result<ArqFrame> {
  return info.length === length ? ok(frame) : fail(`${frame.type} frame is ${info.length} bytes, expected ${length}`)
}

function u16(n: number): [number, number] {
  return [n >> 8, n & 0xff]
}

function readU16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0)
}

function concat(head: readonly number[], tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + tail.length)
  out.set(head)
  out.set(tail, head.length)
  return out
}

function fail(message: string): Result<never> {
  return err(new CodecError('ERR_AX25_INFO', message))
}
