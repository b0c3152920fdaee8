/**
 * A failure of the connection to the modem, with the short reason the `state` event carries
 * (`connect-refused`, `connect-timeout`, `device-closed`, `command-timeout`, `init-refused`, …).
 *
 * @packageDocumentation
 */
import { TransportError, type TransportErrorCode } from '../errors.js'

/** A {@link TransportError} with the reason for the `down` state it causes. */
export class VaraLinkError extends TransportError {
  /**
   * @param reason - short stable reason for the `state` event
   * @param code - stable error code
   * @param message - what failed, for people
   * @param options - optional `cause`
   */
  constructor(
    readonly reason: string,
    code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options)
  }
}

