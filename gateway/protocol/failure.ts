/**
 * Why a peer's protocol answer was refused. The pure protocol functions return these instead of
 * throwing; the router logs the message and decides what happens next (ask again, ask another peer,
 * fall back to the full block).
 *
 * @packageDocumentation
 */

/** Stable reasons, see {@link ProtocolFailure}. */
export const PROTOCOL_FAILURE_REASONS = [
  'unknown-parent', // headers that do not start from a block we have (or from nothing)
  'broken-link', // a header whose prev_hash is not the hash of the one before it
  'out-of-range', // a derived timestamp past 2^64 - 1
  'context-unavailable', // bodies deflated against blocks we do not hold (yet)
  'bad-payload', // a bodies payload that does not inflate or decode
  'wrong-batch', // bodies for other blocks than the ones asked for
  'merkle-mismatch', // bodies that do not hash to their header's merkle_root
] as const
/** A stable failure reason. */
export type ProtocolFailureReason = (typeof PROTOCOL_FAILURE_REASONS)[number]

/** A refused answer: the stable reason and a message naming what was wrong. */
export interface ProtocolFailure {
  reason: ProtocolFailureReason
  message: string
}

/** A failure value. */
export function failure(reason: ProtocolFailureReason, message: string): ProtocolFailure {
  return { reason, message }
}
