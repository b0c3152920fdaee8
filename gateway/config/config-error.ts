/**
 * Typed errors of the configuration loader. One error carries every problem found, each named by
 * where it is (a key path such as `links.vhf-packet.tnc.path`, or a line and column for TOML syntax)
 * and why, so an operator fixes the whole file in one pass.
 *
 * @packageDocumentation
 */
import { CodedError } from '../../codecs/coded-error.js'

/** Every stable error code of the configuration loader. */
export const CONFIG_ERROR_CODES = [
  /** The file could not be read (missing, a directory, unreadable, too large). */
  'ERR_CONFIG_READ',
  /** The file was read but is not a valid configuration (TOML syntax or schema problems). */
  'ERR_CONFIG_INVALID',
] as const

/** A stable machine-readable configuration error code. */
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number]

/** One thing wrong with a configuration. */
export interface ConfigProblem {
  /** Where: a dotted key path (`station.id`, `peers[0].name`), or `line L, column C` for TOML syntax. */
  readonly path: string
  /** What is wrong, in words an operator can act on. */
  readonly reason: string
}

/** The one error type of the configuration loader; `code` is stable, `problems` lists everything found. */
export class ConfigError extends CodedError<ConfigErrorCode> {
  override readonly name = 'ConfigError'
  /** Every problem: TOML syntax errors first (by line), then the rest in the schema's key order. */
  readonly problems: readonly ConfigProblem[]

  /**
   * @param code - stable code
   * @param source - the file (or other source) the problems are in, for the message
   * @param problems - at least one problem
   * @param options - optional `cause`
   */
  constructor(code: ConfigErrorCode, source: string, problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
    super(code, `${source}: ${count}: ${problems.map(formatProblem).join('; ')}`, options)
    this.problems = problems
  }
}

/** `path: reason`, the form `check-config` prints. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.path}: ${problem.reason}`
}

/** A key path as an operator writes it: `links.vhf-packet.tnc`, `peers[0].name`, `links."a b"`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else {
      const name = String(key)
      out += (out === '' ? '' : '.') + (/^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name))
    }
  }
  return out === '' ? '(top level)' : out
}

/** A zod issue message without its generic "Invalid input: " prefix: `expected number, received string`. */
export function issueReason(message: string): string {
  return message.replace(/^Invalid (input|option): /, '')
}
