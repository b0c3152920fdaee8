/**
 * The gateway-to-gateway envelope: one header byte, then the CBOR body of codecs/wire-model.ts,
 * raw-deflated with a preset dictionary when that makes it smaller. Nothing is encrypted (amateur
 * radio rules); docs/PROTOCOL.md lets anyone decode it.
 *
 * Header byte, most significant bit first:
 *
 *   bits 7–4  version: 1 (0 is invalid; 15 is reserved for a longer header)
 *   bit  3    C: the body is raw deflate
 *   bits 2–0  D: preset dictionary id when C = 1 (0 = none); must be 0 when C = 0
 *
 * One byte, not two: on JS8Call at ~5 bit/s every byte is 1.6 s of airtime on every message, and
 * 16 versions and 8 dictionaries outlast this protocol; version 15 leaves a way out if they do not.
 *
 * @packageDocumentation
 */
import { CURRENT_DICTIONARY_ID, deflateWithDictionary, inflateWithDictionary } from './compress.js'
import { CodecError } from './errors.js'
import type { CodecErrorCode } from './errors.js'
import { hexNumber } from './hex.js'
import { err } from './result.js'
import type { Result } from './result.js'
import { decodeWireBody, encodeWireBody } from './wire-model.js'
import type { WireMessage } from './wire-model.js'

export { WireMessageSchema } from './wire-model.js'
export type { WireMessage } from './wire-model.js'

/** The envelope version this code writes and reads. */
export const ENVELOPE_VERSION = 1
/** Header length, bytes. */
export const ENVELOPE_HEADER_BYTES = 1
/** Default cap on a decompressed body, bytes (about 1 000 blocks of 5 transactions). */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 1024 * 1024

const COMPRESSED = 0b1000
const DICTIONARY_MASK = 0b0111

/** Options of {@link encodeEnvelope}. */
export interface EncodeEnvelopeOptions {
  /** `'auto'` (default): deflate when the frame gets smaller; `'never'`: always plain CBOR. */
  compress?: 'auto' | 'never'
}

/** Options of {@link decodeEnvelope}. */
export interface DecodeEnvelopeOptions {
  /** Largest body inflation may produce, bytes; default {@link DEFAULT_MAX_DECOMPRESSED_BYTES}. */
  maxDecompressedBytes?: number
}

/**
 * Envelope bytes of `msg`: header byte, then the CBOR body, deflated with the current preset
 * dictionary only if that is strictly smaller.
 *
 * @throws CodecError `ERR_ENVELOPE` if `msg` does not satisfy `WireMessageSchema` (a bug in the caller)
 */
export function encodeEnvelope(msg: WireMessage, opts: EncodeEnvelopeOptions = {}): Uint8Array {
  const body = encodeWireBody(msg)
  if (opts.compress !== 'never') {
    const packed = deflateWithDictionary(body, CURRENT_DICTIONARY_ID)
    if (packed.length < body.length) return frame(headerByte(true, CURRENT_DICTIONARY_ID), packed)
  }
  return frame(headerByte(false, 0), body)
}

/**
 * Decodes an envelope from an untrusted peer. Never throws; the error codes are
 * `ERR_TRUNCATED` (empty input), `ERR_ENVELOPE_VERSION` (unknown version), `ERR_DECOMPRESS`
 * (bad deflate data, unknown dictionary, or a body over `maxDecompressedBytes`) and `ERR_ENVELOPE`
 * (reserved bits, bad CBOR, unknown type, schema failure with its path, non-deterministic CBOR).
 */
export function decodeEnvelope(bytes: Uint8Array, opts: DecodeEnvelopeOptions = {}): Result<WireMessage> {
  const header = bytes[0]
  if (header === undefined) return fail('ERR_TRUNCATED', 'empty envelope')
  const version = header >> 4
  if (version !== ENVELOPE_VERSION) {
    return fail('ERR_ENVELOPE_VERSION', `envelope version ${version} is not supported (this gateway speaks version ${ENVELOPE_VERSION})`)
  }
  const payload = bytes.subarray(ENVELOPE_HEADER_BYTES)
  const dictionaryId = header & DICTIONARY_MASK
  if ((header & COMPRESSED) === 0) {
    if (dictionaryId !== 0) return fail('ERR_ENVELOPE', `header ${hexNumber(header, 2)}: dictionary bits set on an uncompressed body`)
    return decodeWireBody(payload)
  }
  const body = inflateWithDictionary(payload, dictionaryId, opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES)
  return body.ok ? decodeWireBody(body.value) : body
}

function headerByte(compressed: boolean, dictionaryId: number): number {
  return (ENVELOPE_VERSION << 4) | (compressed ? COMPRESSED | dictionaryId : 0)
}

function frame(header: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(ENVELOPE_HEADER_BYTES + body.length)
  out[0] = header
  out.set(body, ENVELOPE_HEADER_BYTES)
  return out
}

function fail(code: CodecErrorCode, message: string): Result<never> {
  return err(new CodecError(code, message))
}
