/**
 * JS8Call's API messages (radio.md §4.1–4.3): one compact JSON object per line,
 * `{"type": str, "value": str, "params": {…}}`. Requests carry a numeric `params._ID` that JS8Call
 * echoes in its reply (a string `_ID` is not echoed); events carry `_ID: -1` or an id of JS8Call's
 * own. Everything read here is untrusted: parsing returns a Result and never throws.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { CodecError } from '../../codecs/errors.js'
import { err, ok, type Result } from '../../codecs/result.js'

/** One API message. */
export const Js8MessageSchema = z.object({
  type: z.string().min(1),
  value: z.string().default(''),
  params: z.record(z.string(), z.unknown()).default({}),
})
/** One API message. */
export type Js8Message = z.infer<typeof Js8MessageSchema>

/** The parameters of RX.DIRECTED we use (JS8Call sends more: FREQ, DIAL, OFFSET, TDRIFT, UTC …). */
export const RxDirectedParamsSchema = z.object({
  FROM: z.string(),
  TO: z.string(),
  CMD: z.string().default(''),
  TEXT: z.string().default(''),
  SNR: z.number().optional(),
  SPEED: z.number().optional(),
})

/** A directed message as we read it: upper-case callsigns, the body without addressing or EOT. */
export interface DirectedMessage {
  from: string
  to: string
  /** JS8 command (`' '` for free text), trimmed. */
  cmd: string
  body: string
  snrDb?: number
}

/** JS8Call's end-of-message marker (U+2662) and anything after it. */
const EOT = /\s*\u2662[\s\S]*$/

/** Parses one line; `ERR_JSON_SYNTAX` when it is not JSON, `ERR_INVALID_TYPE` when not an API message. */
export function parseJs8Line(line: string): Result<Js8Message> {
  let json: unknown
  try {
    json = JSON.parse(line)
  } catch (e) {
    return err(new CodecError('ERR_JSON_SYNTAX', `JS8Call sent a line that is not JSON: ${(e as Error).message}`))
  }
  const parsed = Js8MessageSchema.safeParse(json)
  if (!parsed.success) return err(new CodecError('ERR_INVALID_TYPE', `not a JS8Call API message: ${parsed.error.issues[0]?.message ?? ''}`))
  return ok(parsed.data)
}

/** The line (with its newline) that sends `type` to JS8Call. */
export function formatJs8Line(type: string, value: string, params: Record<string, unknown>): string {
  return `${JSON.stringify({ type, value, params })}\n`
}

/** The numeric `_ID` of a message, if it has one (JS8Call sends some ids as strings: those are its own). */
export function messageIdOf(message: Js8Message): number | undefined {
  const id = message.params['_ID']
  return typeof id === 'number' && Number.isInteger(id) ? id : undefined
}

/**
 * Reads an RX.DIRECTED event. The body is the text after `FROM: TO` and the command, e.g. from
 * TEXT `N1CALL: N0CALL  HI FROM B ♢ ` (real JS8Call 2.2) the body `HI FROM B`.
 */
export function parseDirected(message: Js8Message): DirectedMessage | undefined {
  const p = RxDirectedParamsSchema.safeParse(message.params)
  if (!p.success) return undefined
  const from = p.data.FROM.trim().toUpperCase()
  const to = p.data.TO.trim().toUpperCase()
  const cmd = p.data.CMD.trim()
  let body = (p.data.TEXT === '' ? message.value : p.data.TEXT).replace(EOT, '').trim()
  body = stripWord(stripWord(body, `${from}:`), to)
  if (cmd !== '') body = stripWord(body, cmd)
  return { from, to, cmd, body, ...(p.data.SNR === undefined ? {} : { snrDb: p.data.SNR }) }
}

/** `text` without `word` at its start (case-insensitive), trimmed. */
function stripWord(text: string, word: string): string {
  return text.toUpperCase().startsWith(word.toUpperCase()) ? text.slice(word.length).trim() : text
}

/** What we hand TX.SEND_MESSAGE for a directed message: `TO TEXT`, no colon (JS8Call adds `FROM:`). */
export function directedMessageText(to: string, body: string): string {
  return `${to} ${body}`
}
