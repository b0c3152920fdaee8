/**
 * Raw deflate (RFC 1951, no zlib or gzip wrapper) with a preset dictionary, as used by the envelope.
 *
 * Raw deflate because its 2-byte zlib header and 4-byte Adler-32 trailer buy nothing here: the
 * envelope header already says how the body is packed and the fragment layer has a CRC-32. A preset
 * dictionary lets even a short message refer back to byte runs every message shares.
 *
 * @packageDocumentation
 */
import { constants as bufferConstants } from 'node:buffer'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { DICTIONARY_1 } from './dictionary.js'
import { CodecError } from './errors.js'
import { err, ok } from './result.js'
import type { Result } from './result.js'

/** Dictionary id meaning "plain raw deflate, no preset dictionary". */
export const NO_DICTIONARY = 0

/** The dictionary new envelopes are compressed with. */
export const CURRENT_DICTIONARY_ID = 1

/**
 * Preset dictionaries by id (3 bits in the envelope header, 0–7). An id, once released, names the
 * same bytes forever: a new dictionary gets a new id, and old ids stay decodable.
 */
export const PRESET_DICTIONARIES: ReadonlyMap<number, Uint8Array> = new Map([
  [NO_DICTIONARY, new Uint8Array(0)],
  [1, DICTIONARY_1],
])

// Best compression: bodies are small and the link is slow, CPU is cheap by comparison.
const LEVEL = 9
const MEM_LEVEL = 9
const WINDOW_BITS = 15 // 32 KiB window, what every inflater accepts

/**
 * Raw deflate of `data` with preset dictionary `dictionaryId`.
 *
 * @throws CodecError `ERR_DECOMPRESS` for an unknown dictionary id (a bug in the caller)
 */
export function deflateWithDictionary(data: Uint8Array, dictionaryId: number): Uint8Array {
  const dictionary = PRESET_DICTIONARIES.get(dictionaryId)
  if (dictionary === undefined) throw new CodecError('ERR_DECOMPRESS', `unknown preset dictionary ${dictionaryId}`)
  return deflateRaw(data, dictionary)
}

/**
 * Raw deflate of `data` with any preset dictionary (empty: none); deflate uses at most its last
 * 32 KiB. For dictionaries both sides derive, like the chain context of the `bodies` message.
 */
export function deflateRaw(data: Uint8Array, dictionary: Uint8Array): Uint8Array {
  const out = deflateRawSync(data, {
    level: LEVEL,
    memLevel: MEM_LEVEL,
    windowBits: WINDOW_BITS,
    ...(dictionary.length > 0 ? { dictionary } : {}),
  })
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

/**
 * Inflates raw deflate data made with preset dictionary `dictionaryId`, producing at most
 * `maxOutputBytes` bytes (a decompression bomb stops there). The stream must end exactly at the end
 * of `data`. Never throws: every failure is `ERR_DECOMPRESS`.
 */
export function inflateWithDictionary(data: Uint8Array, dictionaryId: number, maxOutputBytes: number): Result<Uint8Array> {
  const dictionary = PRESET_DICTIONARIES.get(dictionaryId)
  if (dictionary === undefined) return err(new CodecError('ERR_DECOMPRESS', `unknown preset dictionary ${dictionaryId}`))
  return inflateRaw(data, dictionary, maxOutputBytes)
}

/**
 * Inflates raw deflate data made with `dictionary` (empty: none), with the bounds and checks of
 * {@link inflateWithDictionary}. Never throws: every failure is `ERR_DECOMPRESS`.
 */
export function inflateRaw(data: Uint8Array, dictionary: Uint8Array, maxOutputBytes: number): Result<Uint8Array> {
  // node accepts 1..buffer.constants.MAX_LENGTH; the check below still enforces a cap of 0
  const cap = Math.min(Math.max(1, maxOutputBytes), bufferConstants.MAX_LENGTH)
  try {
    const { buffer, engine } = inflateRawSync(data, {
      windowBits: WINDOW_BITS,
      maxOutputLength: cap,
      info: true,
      ...(dictionary.length > 0 ? { dictionary } : {}),
    }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } }
    if (buffer.byteLength > maxOutputBytes) return err(tooLarge(maxOutputBytes))
    // bytesWritten counts the input bytes zlib consumed; anything after the final block is smuggled data
    if (engine.bytesWritten !== data.length) {
      return err(new CodecError('ERR_DECOMPRESS', `${data.length - engine.bytesWritten} bytes after the end of the deflate stream`))
    }
    return ok(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength))
  } catch (e) {
    if (e instanceof RangeError && 'code' in e && e.code === 'ERR_BUFFER_TOO_LARGE') return err(tooLarge(maxOutputBytes))
    return err(new CodecError('ERR_DECOMPRESS', `inflate failed: ${e instanceof Error ? e.message : String(e)}`))
  }
}

function tooLarge(max: number): CodecError {
  return new CodecError('ERR_DECOMPRESS', `decompressed body exceeds ${max} bytes`)
}
