/**
 * Environment overrides: the few configuration values that differ from machine to machine, so one
 * `gateway.toml` can be shared between stations (or kept in a package) and each machine sets its own.
 *
 * | variable                       | key              | example                 |
 * |--------------------------------|------------------|-------------------------|
 * | `BUNKER_GATEWAY_STATION`       | `station.id`     | `N0CALL-10`             |
 * | `BUNKER_GATEWAY_STATE_DIR`     | `station.stateDir` | `/var/lib/bunker-gateway` |
 * | `BUNKER_GATEWAY_LOG_LEVEL`     | `log.level`      | `debug`                 |
 * | `BUNKER_GATEWAY_STATUS_PORT`   | `status.port`    | `8471`                  |
 *
 * An empty variable counts as unset (systemd's `Environment=NAME=` clears a value that way). The
 * values go through the same schema as the file, so a bad one is reported like a bad key, naming
 * the variable it came from.
 *
 * @packageDocumentation
 */

/** One environment variable and the config key it overrides. */
export interface EnvOverrideRule {
  readonly variable: string
  /** Key path inside the configuration document. */
  readonly path: readonly [string, string]
  /** Turns the text into what the schema expects (numbers for ports). */
  readonly convert: (text: string) => unknown
}

/** An override that was applied: for logs and the `check-config` summary. */
export interface AppliedOverride {
  readonly variable: string
  /** Dotted key path, e.g. `station.id`. */
  readonly key: string
}

const asText = (text: string): unknown => text
/** Digits become a number; anything else stays text, so the schema names it as the wrong type. */
const asInteger = (text: string): unknown => (/^\d{1,6}$/.test(text) ? Number(text) : text)

/** Every supported override, in the order they are applied. */
export const ENV_OVERRIDES: readonly EnvOverrideRule[] = [
  { variable: 'BUNKER_GATEWAY_STATION', path: ['station', 'id'], convert: asText },
  { variable: 'BUNKER_GATEWAY_STATE_DIR', path: ['station', 'stateDir'], convert: asText },
  { variable: 'BUNKER_GATEWAY_LOG_LEVEL', path: ['log', 'level'], convert: asText },
  { variable: 'BUNKER_GATEWAY_STATUS_PORT', path: ['status', 'port'], convert: asInteger },
]

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Writes the overrides set in `env` into `document` (the parsed TOML, changed in place) and returns
 * which were applied. A section that is not a table (e.g. `station = 5`) is left alone: the schema
 * reports it.
 */
export function applyEnvOverrides(document: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): AppliedOverride[] {
  const applied: AppliedOverride[] = []
  for (const rule of ENV_OVERRIDES) {
    const text = env[rule.variable]
    if (text === undefined || text === '') continue
    const [section, key] = rule.path
    const table = document[section] ?? {}
    if (!isTable(table)) continue
    table[key] = rule.convert(text)
    document[section] = table
    applied.push({ variable: rule.variable, key: rule.path.join('.') })
  }
  return applied
}

/** The overrides as help text, one `  VARIABLE  key` line each. */
export function envOverridesHelp(): string {
  return ENV_OVERRIDES.map((o) => `  ${o.variable.padEnd(28)} ${o.path.join('.')}`).join('\n')
}
