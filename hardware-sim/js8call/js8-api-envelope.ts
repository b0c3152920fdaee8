/**
 * The JSON envelope of JS8Call's API, read and written the way JS8Call 2.2 (Qt 5) does.
 *
 * Facts (JS8Call `Message.cpp` / `MessageServer.cpp`, checked against the real program, see
 * `tests/integration/js8call-compare.test.ts`):
 * - Every message is `{"params":{…},"type":"…","value":"…"}`, compact, **keys sorted** (Qt's
 *   QJsonObject keeps them in order), one per line.
 * - A line is trimmed; an empty one is ignored. Text that is not JSON, or JSON whose top level is not
 *   an object or array, gives `API.ERROR` "Invalid JSON (unparsable)"; an array gives
 *   "Invalid JSON (not an object)". A non-string `type`/`value` reads as "", a non-object `params`
 *   as {}.
 * - `_ID`: a request's id is `params._ID` converted to a 64-bit integer (numbers rounded, numeric
 *   strings parsed, anything else 0); 0 means "none" and JS8Call makes one up: ms since
 *   2017-07-06T00:00Z. Replies carry the id as a number. Messages JS8Call creates without an id
 *   (API.ERROR, PING, STATION.STATUS, stored inbox messages) get a fresh one as a **string**;
 *   unsolicited events carry the number -1.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { CodecError } from '../../codecs/errors.js'
import { err, ok, type Result } from '../../codecs/result.js'

/** An API message. */
export const Js8ApiMessageSchema = z.object({
  type: z.string(),
  value: z.string(),
  params: z.record(z.string(), z.unknown()),
})

/** An API message. */
export type Js8ApiMessage = z.infer<typeof Js8ApiMessageSchema>

/** JS8Call's id epoch: 2017-07-06T00:00:00Z, ms since the Unix epoch. */
export const JS8_ID_EPOCH_MS = 1_499_299_200_000

/** The `value` of API.ERROR for text that is not JSON. */
export const API_ERROR_UNPARSABLE = 'Invalid JSON (unparsable)'
/** The `value` of API.ERROR for JSON that is not an object. */
export const API_ERROR_NOT_OBJECT = 'Invalid JSON (not an object)'

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Parses one received line (already split, delimiter removed). Returns undefined for a blank line,
 * an `ERR_JSON_SYNTAX` error for unparsable text, `ERR_INVALID_TYPE` for a JSON array.
 */
export function parseJs8ApiLine(line: Uint8Array): Result<Js8ApiMessage> | undefined {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(line).trim()
  } catch {
    return err(new CodecError('ERR_JSON_SYNTAX', 'API line is not UTF-8'))
  }
  if (text === '') return undefined
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return err(new CodecError('ERR_JSON_SYNTAX', 'API line is not JSON'))
  }
  if (Array.isArray(json)) return err(new CodecError('ERR_INVALID_TYPE', 'API line is a JSON array'))
  if (!isObject(json)) return err(new CodecError('ERR_JSON_SYNTAX', 'API line is a bare JSON value (Qt 5 rejects those)'))
  return ok({
    type: typeof json.type === 'string' ? json.type : '',
    value: typeof json.value === 'string' ? json.value : '',
    params: isObject(json.params) ? json.params : {},
  })
}

/** `value` converted as Qt's QVariant::toLongLong does for JSON values (0 when not convertible). */
function toLongLong(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.sign(value) * Math.round(Math.abs(value))
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string' && /^[+-]?\d{1,18}$/.test(value)) return Number(value)
  return 0
}

/** A fresh id as JS8Call makes one: ms since {@link JS8_ID_EPOCH_MS}, as a string. */
export function freshJs8Id(utcMs: number): string {
  return String(Math.floor(utcMs) - JS8_ID_EPOCH_MS)
}

/** The id a request is answered with: its own (as a number) or a fresh one (see the module comment). */
export function requestJs8Id(params: Record<string, unknown>, utcMs: number): number {
  return toLongLong(params._ID) || Number(freshJs8Id(utcMs))
}

/** Copies `value` with every object's keys in sorted order (Qt's output order). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (!isObject(value)) return value
  // fromEntries defines each key: assigning `out["__proto__"]` would set the prototype and drop the key
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]))
}

/** Serialises a message as JS8Call writes it (compact, keys sorted), without the newline. */
export function formatJs8ApiMessage(message: Js8ApiMessage): string {
  return JSON.stringify(sortKeys(message))
}
