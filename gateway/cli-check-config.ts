/**
 * `bunker-gateway check-config FILE`: validates a configuration the way `run` would (environment
 * overrides included) and says either what it configures, in one line, or everything wrong with it.
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util'
import { EXIT } from './exit-codes.js'
import { formatProblem } from './config/config-error.js'
import { envOverridesHelp } from './config/env-overrides.js'
import { loadConfig, type LoadedConfig } from './config/load.js'

/** Help for `check-config`. */
export const CHECK_CONFIG_HELP = `bunker-gateway check-config FILE

Validates a gateway configuration (TOML) without starting anything. Prints one line saying what it
configures and exits 0, or lists every problem as "where: what" and exits 78 (EX_CONFIG). Unknown
keys are problems too: a misspelt option would otherwise silently keep its default.

The environment overrides apply as they would for 'run':
${envOverridesHelp()}

Options:
  -h, --help  this text
`

/** One line saying what a valid configuration sets up. */
export function describeConfig({ config, overrides }: LoadedConfig): string {
  const node = config.node === undefined ? 'relay (no node)' : config.node.p2p !== undefined ? `node over P2P (${config.node.p2p.peers.length} to dial)` : `node over HTTP ${config.node.http?.url ?? ''}`
  const links = Object.entries(config.links).map(([id, link]) => `${id} (${link.type})`)
  const status = config.status.enabled ? `status on ${config.status.host}:${config.status.port}` : 'status off'
  const env = overrides.length === 0 ? '' : `; from the environment: ${overrides.map((o) => `${o.key} (${o.variable})`).join(', ')}`
  const peers = config.peers.length === 1 ? '1 peer' : `${config.peers.length} peers`
  return `OK: station ${config.station.id}, ${node}, ${links.length} links${links.length > 0 ? `: ${links.join(', ')}` : ''}; ${peers}; state in ${config.station.stateDir}; ${status}${env}`
}

/** Runs `check-config` with its arguments; returns the exit code. */
export async function checkConfigCommand(args: string[], print: (line: string) => void, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) {
    print(CHECK_CONFIG_HELP)
    return EXIT.OK
  }
  const [file, ...extra] = positionals
  if (file === undefined || extra.length > 0) {
    print(`check-config takes one FILE\n\n${CHECK_CONFIG_HELP}`)
    return EXIT.USAGE
  }
  const result = await loadConfig(file, env)
  if (result.ok) {
    print(`${file}: ${describeConfig(result.value)}`)
    return EXIT.OK
  }
  const { problems } = result.error
  print(`${file}: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`}`)
  for (const problem of problems) print(`  ${formatProblem(problem)}`)
  return EXIT.CONFIG
}
