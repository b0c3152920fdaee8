/**
 * Typed errors of the demo: the story waits for things the gateways should do, and says which one
 * did not happen in time instead of hanging.
 *
 * @packageDocumentation
 */
import { CodedError } from '../../codecs/coded-error.js'

/** Every stable error code of the demo. */
export const DEMO_ERROR_CODES = [
  /** Something the story waits for (a delivery, a failover, a link coming up) did not happen in time. */
  'ERR_DEMO_STALLED',
  /** Something happened that must not (e.g. a transaction arrived twice). */
  'ERR_DEMO_WRONG',
  /** The user stopped the demo (Ctrl-C) before the story was told. */
  'ERR_DEMO_INTERRUPTED',
] as const

/** A stable machine-readable demo error code. */
export type DemoErrorCode = (typeof DEMO_ERROR_CODES)[number]

/** The one error type the demo throws on purpose; `message` says what was expected. */
export class DemoError extends CodedError<DemoErrorCode> {
  override readonly name = 'DemoError'
}

/**
 * Polls `check` every 20 ms until it is true; throws `ERR_DEMO_STALLED` naming `what` after
 * `timeoutMs` (ms), or `ERR_DEMO_INTERRUPTED` once `signal` is aborted.
 */
export async function waitFor(what: string, check: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (signal?.aborted === true) throw new DemoError('ERR_DEMO_INTERRUPTED', `stopped while waiting for ${what}`)
    if (Date.now() > deadline) throw new DemoError('ERR_DEMO_STALLED', `${what} did not happen within ${timeoutMs / 1000} s`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** True when `e` is a {@link DemoError}. */
export function isDemoError(e: unknown): e is DemoError {
  return e instanceof DemoError
}
