/**
 * The shape every typed error of the project shares: an `Error` with a stable machine-readable
 * `code`. Each folder extends it once with its own code list (`CodecError`, `TransportError`,
 * `StoreError`), so `instanceof` still tells the folders apart while the shape is written once.
 *
 * @packageDocumentation
 */

/**
 * An error with a stable `code` (the contract: callers branch on it, tests assert it); `message` is
 * human text and may change.
 *
 * @typeParam Code - the folder's code union
 */
export abstract class CodedError<Code extends string> extends Error {
  /** Stable code, one of the subclass's code list. */
  readonly code: Code

  /**
   * @param code - stable code
   * @param message - what was wrong, specific enough to act on (offsets, lengths, files, heights)
   * @param options - optional `cause`
   */
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
