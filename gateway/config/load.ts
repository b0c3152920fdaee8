/**
 * Loads the gateway's configuration: a TOML file (smol-toml), the environment overrides of
 * {@link ENV_OVERRIDES}, then {@link GatewayConfigSchema} for types, ranges and defaults. Nothing is
 * thrown for a bad file: the result lists every problem as `path: reason`, including unknown keys
 * (every section is strict, so a misspelt option is an error rather than a silent default).
 *
 * @packageDocumentation
 */
import { readFile, stat } from 'node:fs/promises'
import type { z } from 'zod'
import { err, ok, type Result } from '../../codecs/result.js'
import { ConfigError, formatPath, issueReason, type ConfigProblem } from './config-error.js'
import { applyEnvOverrides, type AppliedOverride } from './env-overrides.js'
import { GatewayConfigSchema, type GatewayConfig } from './schema.js'
import { parseTomlDocument } from './toml-document.js'

export { ENV_OVERRIDES, type AppliedOverride } from './env-overrides.js'
export { ConfigError, formatPath, formatProblem, type ConfigProblem } from './config-error.js'

/** Largest configuration file read, bytes: a real one is a few kB; this bounds memory and parse time. */
export const MAX_CONFIG_BYTES = 1024 * 1024

/** A configuration that passed validation. */
export interface LoadedConfig {
  /** After defaults. */
  readonly config: GatewayConfig
  /** Environment variables that replaced values of the file. */
  readonly overrides: readonly AppliedOverride[]
}

/** One problem per zod issue, and one per unknown key; `sources` names keys set by the environment. */
function issueProblems(issue: z.core.$ZodIssue, sources: ReadonlyMap<string, string>): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), reason: 'unknown key' }))
  }
  const path = formatPath(issue.path)
  const reason = issueReason(issue.message)
  const variable = sources.get(path)
  return [{ path, reason: variable === undefined ? reason : `${reason} (set by ${variable})` }]
}

/**
 * Validates configuration text. `env` supplies the overrides (pass `{}` for none); `source` names
 * the text in the error message.
 */
export function parseConfig(text: string, env: Readonly<Record<string, string | undefined>>, source = 'config'): Result<LoadedConfig, ConfigError> {
  const parsed = parseTomlDocument(text)
  const problems: ConfigProblem[] = [...parsed.problems]
  let config: GatewayConfig | undefined
  let overrides: AppliedOverride[] = []
  if (parsed.document !== undefined) {
    overrides = applyEnvOverrides(parsed.document, env)
    const sources = new Map(overrides.map((o) => [o.key, o.variable]))
    const result = GatewayConfigSchema.safeParse(parsed.document)
    if (result.success) config = result.data
    else problems.push(...result.error.issues.flatMap((issue) => issueProblems(issue, sources)))
  }
  if (problems.length > 0 || config === undefined) return err(new ConfigError('ERR_CONFIG_INVALID', source, problems))
  return ok({ config, overrides })
}

/** Reads and validates the configuration file `file`; see {@link parseConfig}. */
export async function loadConfig(file: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<Result<LoadedConfig, ConfigError>> {
  let text: string
  try {
    const info = await stat(file)
    if (!info.isFile()) return err(new ConfigError('ERR_CONFIG_READ', file, [{ path: file, reason: 'not a regular file' }]))
    if (info.size > MAX_CONFIG_BYTES) return err(new ConfigError('ERR_CONFIG_READ', file, [{ path: file, reason: `larger than ${MAX_CONFIG_BYTES} bytes` }]))
    text = await readFile(file, 'utf8')
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot be read (${(e as Error).message})`
    return err(new ConfigError('ERR_CONFIG_READ', file, [{ path: file, reason }], { cause: e }))
  }
  return parseConfig(text, env, file)
}
