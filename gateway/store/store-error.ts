/**
 * Typed errors of the durable store. They mean the state directory cannot be used as it is (a newer
 * schema, an unreadable row, a file SQLite will not put in WAL mode) or a caller broke an invariant
 * (a chain with a gap): never bad input from the network, which the codecs reject first.
 *
 * @packageDocumentation
 */

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

/** The one error type the store throws on purpose; `code` is stable, `message` is human text. */
export class StoreError extends Error {
  override readonly name = 'StoreError'
  /** Stable code, see {@link STORE_ERROR_CODES}. */
  readonly code: StoreErrorCode

  /**
   * @param code - stable code
   * @param message - what was wrong and where (file, table, height)
   * @param options - optional `cause`
   */
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
