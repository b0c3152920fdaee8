/**
 * Parses the TOML text of a configuration, and keeps going after a syntax error: the offending line
 * is left out and the rest parsed again, so one run of `check-config` names every broken line and
 * still checks the keys of the others.
 *
 * @packageDocumentation
 */
import { parse, TomlError } from 'smol-toml'
import type { ConfigProblem } from './config-error.js'

/** Syntax errors reported before giving up on the file (each costs one more parse of ≤ 1 MiB). */
const MAX_SYNTAX_ERRORS = 10

/** What {@link parseTomlDocument} found. */
export interface TomlDocument {
  /** The parsed tables, with broken lines left out; undefined when no parse succeeded. */
  readonly document: Record<string, unknown> | undefined
  /** One problem per syntax error, `line L, column C: reason`. */
  readonly problems: readonly ConfigProblem[]
}

/** The parser's message without its code excerpt and generic prefix. */
function syntaxReason(error: TomlError): string {
  const first = error.message.split('\n', 1)[0] ?? error.message
  return first.replace(/^Invalid TOML document:\s*/, '')
}

/** Parses `text`, blanking each line with a syntax error (line numbers stay right) and parsing again. */
export function parseTomlDocument(text: string): TomlDocument {
  const lines = text.split('\n')
  const blanked = new Set<number>()
  const problems: ConfigProblem[] = []
  while (problems.length < MAX_SYNTAX_ERRORS) {
    try {
      return { document: parse(lines.join('\n')), problems }
    } catch (e) {
      if (!(e instanceof TomlError)) throw e
      problems.push({ path: `line ${e.line}, column ${e.column}`, reason: syntaxReason(e) })
      // A line already blanked (or past the end) cannot be the cause: the rest is not recoverable.
      if (blanked.has(e.line) || e.line < 1 || e.line > lines.length) break
      blanked.add(e.line)
      lines[e.line - 1] = ''
    }
  }
  return { document: undefined, problems }
}
