/**
 * Typed errors of the durable store. They mean the state directory cannot be used as it is (a newer
 * schema, an unreadable row, a file SQLite will not put in WAL mode) or a caller broke an invariant
 * (a chain with a gap): never bad input from the network, which the codecs reject first.
 *
 * @packageDocumentation
 */
import { CodedError } from '../../codecs/coded-error.js'

/** Every stable error code of the store. */
export const STORE_ERROR_CODES = [
  /** The database file could not be opened in WAL mode. */
  'ERR_STORE_OPEN',
  /** The file was written by a newer gateway (a schema version this code does not know). */
  'ERR_STORE_SCHEMA',
  /** A stored row does not decode (disk corruption or a foreign writer). */
  'ERR_STORE_CORRUPT',
  /** A chain write would leave a gap between the stored blocks and the new ones. */
  'ERR_STORE_GAP',
] as const

/** A stable machine-readable store error code. */
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number]

/**
 * The one error type the store throws on purpose; `code` is stable (see {@link STORE_ERROR_CODES}),
 * `message` is human text saying what was wrong and where (file, table, height).
 */
export class StoreError extends CodedError<StoreErrorCode> {
  override readonly name = 'StoreError'
}
