/**
 * Typed errors for every byte format in `codecs/`.
 *
 * The `code` is the contract (callers branch on it, tests assert it); the message is for people and
 * may change. One class for the whole folder keeps `instanceof CodecError` the single test a caller
 * needs to tell "bad input" from a bug.
 *
 * @packageDocumentation
 */
import { CodedError } from './coded-error.js'

/** Every stable error code a codec can produce. */
export const CODEC_ERROR_CODES = [
  // NDJSON / JSON text
  'ERR_LINE_TOO_LONG',
  'ERR_JSON_SYNTAX',
  'ERR_JSON_DEPTH',
  'ERR_TRAILING_CHARACTERS',
  'ERR_EMPTY_LINE',
  // serde-level shape checks
  'ERR_UNKNOWN_VARIANT',
  'ERR_INVALID_TYPE',
  'ERR_MISSING_FIELD',
  'ERR_DUPLICATE_FIELD',
  'ERR_INVALID_LENGTH',
  'ERR_NUMBER_RANGE',
  // model checks beyond serde (relay policy)
  'ERR_BYTE_LENGTH',
  // binary formats
  'ERR_TRUNCATED',
  'ERR_FRAME_TOO_LONG',
  'ERR_KISS_PROTOCOL',
  'ERR_AX25_FRAME',
  'ERR_CALLSIGN',
  'ERR_ENVELOPE',
  'ERR_ENVELOPE_VERSION',
  'ERR_DECOMPRESS',
  'ERR_FRAGMENT',
  'ERR_REASSEMBLY_LIMIT',
  'ERR_CHECKSUM',
  'ERR_JS8_TEXT',
  'ERR_AX25_INFO', // an AX.25 information field we parse is malformed: ARQ frame (docs/PROTOCOL.md §13), APRS message
] as const

/** A stable machine-readable codec error code. */
export type CodecErrorCode = (typeof CODEC_ERROR_CODES)[number]

/**
 * The one error type thrown or returned by codecs; `code` is stable (see {@link CODEC_ERROR_CODES}),
 * `message` is human text, specific enough to act on (offsets, lengths, field paths).
 */
export class CodecError extends CodedError<CodecErrorCode> {
  override readonly name = 'CodecError'
}

/** True when `e` is a {@link CodecError}, optionally with the given code. */
export function isCodecError(e: unknown, code?: CodecErrorCode): e is CodecError {
  return e instanceof CodecError && (code === undefined || e.code === code)
}
