/**
 * A small Result type: decoders return one instead of throwing, so hostile input can never escape as
 * an unexpected exception.
 *
 * @packageDocumentation
 */
import { CodecError } from './errors.js'

/** Success or a typed {@link CodecError}. */
export type Result<T, E = CodecError> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E }

/** Wraps a value as a success. */
export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value }
}

/** Wraps an error as a failure. */
export function err<E>(error: E): Result<never, E> {
  return { ok: false, error }
}

/**
 * Runs `fn`, turning a thrown {@link CodecError} into a failure. Anything else is a bug and is
 * rethrown, so tests see it.
 */
export function attempt<T>(fn: () => T): Result<T> {
  try {
    return ok(fn())
  } catch (e) {
    if (e instanceof CodecError) return err(e)
    throw e
  }
}

/** Returns the value or throws the error: for call sites where failure is already impossible. */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value
  throw r.error
}
