/**
 * Typed errors of the status server: a refused bind, missing page files, a status report that does
 * not match the schema. The message says what to change; callers branch on `code`.
 *
 * @packageDocumentation
 */
import { CodedError } from '../../codecs/coded-error.js'

/** Every stable error code of the status server. */
export const STATUS_ERROR_CODES = [
  /** Asked to listen on a host that is not loopback without `allowRemote: true`. */
  'ERR_STATUS_REMOTE_BIND',
  /** The status page files (page.html, page.css, page.js) could not be read. */
  'ERR_STATUS_ASSETS',
  /** The status source returned a report that does not match `GatewayStatusSchema`. */
  'ERR_STATUS_INVALID',
] as const

/** A stable machine-readable status-server error code. */
export type StatusErrorCode = (typeof STATUS_ERROR_CODES)[number]

/** The one error type the status server throws on purpose; `code` is stable, `message` is human text. */
export class StatusError extends CodedError<StatusErrorCode> {
  override readonly name = 'StatusError'
}
