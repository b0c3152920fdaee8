/**
 * What one JS8 transmission of ours carries: a link frame of a few bytes, written as JS8-safe text
 * (codecs/js8-text.ts) in the body of a directed message `TO <text>`.
 *
 * Byte 0 is the kind. Its top three bits are always `100`, which JS8's Huffman code writes as `E`:
 * every body starts with `E`, and no JS8 command does (`ACK`, `SNR?`, `?`, `>` …), so JS8Call never
 * takes our text for a command, and a future format can start with another letter.
 *
 *   0x80 data  fragment (codecs/fragment.ts: header, then payload)
 *   0x84 whole message id, then the whole payload: a message that fits in one transmission needs
 *              no fragment header and no CRC-32 (the text's CRC-16 guards it), 6 bytes less
 *   0x81 ack   message ids received complete, one byte each (1–16 of them)
 *   0x82 nack  message id, then a bitmap of missing fragment indices (bit 7 of the first byte is
 *              index 0); "send these again"
 *   0x83 poll  message id, fragment count (2 bytes, big-endian); "what are you missing?"
 *
 * The text's own CRC-16 rejects any frame JS8 mangled; the fragments' CRC-32 guards whole messages.
 *
 * @packageDocumentation
 */
import { CodecError } from '../../codecs/errors.js'
import { MAX_FRAGMENTS, MESSAGE_ID_LIMIT } from '../../codecs/fragment.js'
import { decodeJs8Text, encodeJs8Text } from '../../codecs/js8-text.js'
import { attempt, type Result } from '../../codecs/result.js'

/** A link frame. */
export type LinkFrame =
  | { readonly kind: 'data'; readonly fragment: Uint8Array }
  | { readonly kind: 'whole'; readonly messageId: number; readonly payload: Uint8Array }
  | { readonly kind: 'ack'; readonly messageIds: readonly number[] }
  | { readonly kind: 'nack'; readonly messageId: number; readonly missing: readonly number[] }
  | { readonly kind: 'poll'; readonly messageId: number; readonly count: number }

/** Kind byte of each frame. */
const KIND_BYTE = { data: 0x80, ack: 0x81, nack: 0x82, poll: 0x83, whole: 0x84 } as const
/** Most message ids in one ack. */
export const MAX_ACK_IDS = 16
/** Smallest data frame: kind byte and a 2-byte fragment header with one payload byte. */
const MIN_DATA_BYTES = 4 // bytes

/** Bytes of a link frame. Throws a CodecError for a frame that cannot be written (bad ids, indices). */
export function encodeLinkFrame(frame: LinkFrame): Uint8Array {
  switch (frame.kind) {
    case 'data':
      return Uint8Array.of(KIND_BYTE.data, ...frame.fragment)
    case 'whole':
      return Uint8Array.of(KIND_BYTE.whole, checkId(frame.messageId), ...frame.payload)
    case 'ack':
      if (frame.messageIds.length < 1 || frame.messageIds.length > MAX_ACK_IDS) bad(`an ack holds 1–${MAX_ACK_IDS} ids`)
      return Uint8Array.of(KIND_BYTE.ack, ...frame.messageIds.map(checkId))
    case 'nack':
      return Uint8Array.of(KIND_BYTE.nack, checkId(frame.messageId), ...bitmap(frame.missing))
    case 'poll':
      if (!Number.isInteger(frame.count) || frame.count < 1 || frame.count > MAX_FRAGMENTS) bad(`poll count ${frame.count}`)
      return Uint8Array.of(KIND_BYTE.poll, checkId(frame.messageId), frame.count >> 8, frame.count & 0xff)
  }
}

/** Reads a link frame; `ERR_UNKNOWN_VARIANT` for an unknown kind, `ERR_INVALID_LENGTH` for a short or long one. */
export function decodeLinkFrame(bytes: Uint8Array): Result<LinkFrame> {
  return attempt(() => decodeOrThrow(bytes))
}

/** The JS8 text of a link frame. */
export function linkFrameText(frame: LinkFrame): string {
  return encodeJs8Text(encodeLinkFrame(frame))
}

/** Decodes the body of a directed message back into a link frame. */
export function parseLinkFrameText(text: string): Result<LinkFrame> {
  const bytes = decodeJs8Text(text)
  return bytes.ok ? decodeLinkFrame(bytes.value) : bytes
}

function decodeOrThrow(bytes: Uint8Array): LinkFrame {
  const kind = bytes[0]
  const body = bytes.subarray(1)
  switch (kind) {
    case KIND_BYTE.data:
      if (bytes.length < MIN_DATA_BYTES) badLength('data', bytes.length)
      return { kind: 'data', fragment: body.slice() }
    case KIND_BYTE.whole:
      if (body.length < 1) badLength('whole', bytes.length)
      return { kind: 'whole', messageId: checkId(body[0] ?? 0), payload: body.slice(1) }
    case KIND_BYTE.ack:
      if (body.length < 1 || body.length > MAX_ACK_IDS) badLength('ack', bytes.length)
      return { kind: 'ack', messageIds: [...body].map(checkId) }
    case KIND_BYTE.nack:
      if (body.length < 2) badLength('nack', bytes.length)
      return { kind: 'nack', messageId: checkId(body[0] ?? 0), missing: indices(body.subarray(1)) }
    case KIND_BYTE.poll: {
      if (body.length !== 3) badLength('poll', bytes.length)
      const count = ((body[1] ?? 0) << 8) | (body[2] ?? 0)
      if (count < 1 || count > MAX_FRAGMENTS) bad(`poll count ${count}`)
      return { kind: 'poll', messageId: checkId(body[0] ?? 0), count }
    }
    default:
      throw new CodecError('ERR_UNKNOWN_VARIANT', `link frame kind 0x${(kind ?? 0).toString(16)} is not one of ours`)
  }
}

/** Missing indices as a bitmap, MSB-first, as short as the highest index allows. */
function bitmap(missing: readonly number[]): number[] {
  if (missing.length === 0) bad('a nack names at least one missing fragment')
  const out = new Array<number>(Math.ceil((Math.max(...missing) + 1) / 8)).fill(0)
  for (const i of missing) {
    if (!Number.isInteger(i) || i < 0 || i >= MAX_FRAGMENTS) bad(`fragment index ${i}`)
    out[i >> 3] = (out[i >> 3] ?? 0) | (0x80 >> (i & 7))
  }
  return out
}

function indices(map: Uint8Array): number[] {
  const out: number[] = []
  for (let i = 0; i < Math.min(map.length * 8, MAX_FRAGMENTS); i++) if (((map[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) out.push(i)
  if (out.length === 0) bad('a nack names at least one missing fragment')
  return out
}

function checkId(id: number): number {
  if (!Number.isInteger(id) || id < 0 || id >= MESSAGE_ID_LIMIT) bad(`message id ${id} is outside 0–${MESSAGE_ID_LIMIT - 1}`)
  return id
}

function badLength(kind: string, length: number): never {
  throw new CodecError('ERR_INVALID_LENGTH', `${kind} link frame of ${length} bytes is too short or too long`)
}

function bad(what: string): never {
  throw new CodecError('ERR_FRAGMENT', `bad link frame: ${what}`)
}
