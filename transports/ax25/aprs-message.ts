/**
 * APRS messages and status reports (APRS 1.0.1 ch. 14 and 16; reference/radio.md §2.6).
 *
 * A message is `:` + addressee (exactly 9 characters, space padded) + `:` + text, optionally
 * followed by `{` and a message number of 1–5 letters or digits. The text is printable ASCII, at
 * most 67 characters, without `|`, `~` or `{`. Acknowledgements are `:ADDRESSEE:ackNN` and
 * rejections `:ADDRESSEE:rejNN`. The "reply-ack" extension writes the number as `{MM}AA`, where
 * `AA` acknowledges the other side's message `AA`; we read it and answer with `ackMM`.
 * A status report is `>` + text (at most 62 characters without a timestamp).
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { CodecError } from '../../codecs/errors.js'
import { hexNumber } from '../../codecs/hex.js'
import { err, ok, type Result } from '../../codecs/result.js'

/** Width of the addressee field. */
export const APRS_ADDRESSEE_LENGTH = 9
/** Longest message text. */
export const APRS_MESSAGE_TEXT_MAX = 67
/** Longest status text without a timestamp. */
export const APRS_STATUS_TEXT_MAX = 62

const MESSAGE_ID = /^[A-Za-z0-9]{1,5}$/
const PRINTABLE = /^[\x20-\x7e]*$/

/** A message to send. */
export const AprsMessageSchema = z.object({
  /** Station or group, 1–9 printable characters without spaces (e.g. `N0CALL-7`). */
  addressee: z.string().regex(/^[\x21-\x7e]{1,9}$/, 'addressee: 1–9 printable characters, no spaces'),
  text: z
    .string()
    .max(APRS_MESSAGE_TEXT_MAX)
    .regex(PRINTABLE, 'printable ASCII only')
    .refine((t) => !/[|~{]/.test(t), 'message text must not contain |, ~ or {'),
  /** Message number; present when the sender wants an acknowledgement. */
  id: z.string().regex(MESSAGE_ID, 'message number: 1–5 letters or digits').optional(),
})
/** A message to send. */
export type AprsMessage = z.infer<typeof AprsMessageSchema>

/** A received message, acknowledgement or rejection. */
export type ParsedAprsMessage =
  | { kind: 'message'; addressee: string; text: string; id?: string; replyAck?: string }
  | { kind: 'ack' | 'rej'; addressee: string; id: string }

/**
 * Encodes a message information field.
 *
 * @throws CodecError `ERR_AX25_INFO` when the message does not match {@link AprsMessageSchema}
 */
export function encodeAprsMessage(message: AprsMessage): Uint8Array {
  const checked = AprsMessageSchema.safeParse(message)
  if (!checked.success) throw new CodecError('ERR_AX25_INFO', `invalid APRS message: ${z.prettifyError(checked.error)}`)
  return ascii(`${addresseeField(message.addressee)}${message.text}${message.id === undefined ? '' : `{${message.id}`}`)
}

/** Encodes `ackNN` or `rejNN` to `addressee`. */
export function encodeAprsAck(addressee: string, id: string, kind: 'ack' | 'rej' = 'ack'): Uint8Array {
  return encodeAprsMessage({ addressee, text: `${kind}${id}` })
}

/**
 * Encodes a status report.
 *
 * @throws CodecError `ERR_AX25_INFO` for text over 62 characters, not printable ASCII, or with `|` or `~`
 */
export function encodeAprsStatus(text: string): Uint8Array {
  if (text.length > APRS_STATUS_TEXT_MAX || !PRINTABLE.test(text) || /[|~]/.test(text)) {
    throw new CodecError('ERR_AX25_INFO', `APRS status must be ≤ ${APRS_STATUS_TEXT_MAX} printable characters without | or ~: ${JSON.stringify(text)}`)
  }
  return ascii(`>${text}`)
}

/** True when an information field is an APRS message (data type `:`). */
export function isAprsMessage(info: Uint8Array): boolean {
  return info[0] === 0x3a
}

/**
 * Parses a message information field from an untrusted station. Never throws; errors are
 * `ERR_AX25_INFO`. Text is accepted up to 200 characters (Direwolf accepts more than 67).
 */
export function parseAprsMessage(info: Uint8Array): Result<ParsedAprsMessage> {
  if (info.length > 1 + APRS_ADDRESSEE_LENGTH + 1 + 200) return fail(`APRS message of ${info.length} bytes is too long`)
  let text = ''
  for (const byte of info) {
    if (byte < 0x20 || byte > 0x7e) return fail(`APRS message has non-printable byte ${hexNumber(byte, 2)}`)
    text += String.fromCharCode(byte)
  }
  if (text[0] !== ':' || text[1 + APRS_ADDRESSEE_LENGTH] !== ':') return fail('not an APRS message: expected :ADDRESSEE: with a 9-character addressee')
  const addressee = text.slice(1, 1 + APRS_ADDRESSEE_LENGTH).trimEnd()
  if (addressee.length === 0) return fail('APRS message with an empty addressee')
  const body = text.slice(2 + APRS_ADDRESSEE_LENGTH)
  const reply = /^(ack|rej)([A-Za-z0-9]{1,5})(?:\}.*)?$/.exec(body)
  if (reply !== null) return ok({ kind: reply[1] as 'ack' | 'rej', addressee, id: reply[2] as string })
  const brace = body.lastIndexOf('{')
  if (brace < 0) return ok({ kind: 'message', addressee, text: body })
  const [id, replyAck] = body.slice(brace + 1).split('}', 2)
  if (id === undefined || !MESSAGE_ID.test(id)) return fail(`APRS message number ${JSON.stringify(body.slice(brace + 1))} is not 1–5 letters or digits`)
  const message: ParsedAprsMessage = { kind: 'message', addressee, text: body.slice(0, brace), id }
  if (replyAck !== undefined && MESSAGE_ID.test(replyAck)) message.replyAck = replyAck
  return ok(message)
}

function addresseeField(addressee: string): string {
  return `:${addressee.padEnd(APRS_ADDRESSEE_LENGTH, ' ')}:`
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0))
}

function fail(message: string): Result<never> {
  return err(new CodecError('ERR_AX25_INFO', message))
}
