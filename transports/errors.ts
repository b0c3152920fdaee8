/**
 * Typed transport errors with stable codes. Transports never emit `'error'` events: failures are
 * rejections of `start`/`send`, or a `state` event carrying one of these.
 *
 * @packageDocumentation
 */
import { CodedError } from '../codecs/coded-error.js'

/** Every stable transport error code. */
export const TRANSPORT_ERROR_CODES = [
  'ERR_NOT_UP', // send before start or after the link went down
  'ERR_MTU_EXCEEDED', // payload larger than capabilities.mtu
  'ERR_QUEUE_FULL', // more queued than the transport's bound
  'ERR_ABORTED', // the caller's AbortSignal fired
  'ERR_STOPPED', // stop() was called
  'ERR_DEVICE', // the device (serial port, modem, JS8Call) failed or vanished
  'ERR_TIMEOUT', // the device or peer did not answer in time
  'ERR_CONFIG', // options the device refused (e.g. callsign rejected)
  'ERR_UNREACHABLE', // the named peer could not be reached
] as const

/** A stable transport error code. */
export type TransportErrorCode = (typeof TRANSPORT_ERROR_CODES)[number]

/** The one error type of `transports/`; `code` is stable (see {@link TRANSPORT_ERROR_CODES}), `message` says what failed. */
export class TransportError extends CodedError<TransportErrorCode> {
  override readonly name = 'TransportError'
}

/** True when `e` is a {@link TransportError}, optionally with the given code. */
export function isTransportError(e: unknown, code?: TransportErrorCode): e is TransportError {
  return e instanceof TransportError && (code === undefined || e.code === code)
}
