/**
 * `bunker-gateway run`: the service. Loads the configuration, starts the gateway, tells systemd it
 * is ready and pings its watchdog, and on SIGTERM or SIGINT stops accepting, flushes what can be
 * flushed within `shutdownTimeoutMs`, leaves the rest in the store and exits 0.
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util'
import type { DestinationStream } from 'pino'
import { EXIT } from './exit-codes.js'
import { formatProblem } from './config/config-error.js'
import { envOverridesHelp } from './config/env-overrides.js'
import { loadConfig } from './config/load.js'
import type { GatewayConfig } from './config/schema.js'
import { createLogger, type Logger } from './log.js'
import { packageInfo } from './package-info.js'
import { SdNotify } from './sd-notify.js'

/** Where the systemd unit keeps the configuration (`ConfigurationDirectory=bunker-gateway`). */
export const DEFAULT_CONFIG_FILE = '/etc/bunker-gateway/gateway.toml'

/** Time `stop()` may overrun `shutdownTimeoutMs` before we give up on it, ms (keep TimeoutStopSec above the sum). */
const STOP_GRACE_MS = 5_000

/** Help for `run`. */
export const RUN_HELP = `bunker-gateway run [--config FILE]

Runs the gateway until SIGTERM or SIGINT: opens the store, starts every configured link and the
connection to the node, and logs JSON lines to stdout (journald keeps them). On SIGTERM it stops
accepting, flushes what it can within shutdownTimeoutMs, keeps the rest in the store and exits 0.
Under systemd (Type=notify) it reports readiness, pings the watchdog and says when it stops.

Options:
  --config FILE  the configuration (${DEFAULT_CONFIG_FILE})
  -h, --help     this text

Environment overrides (for values that differ per machine):
${envOverridesHelp()}

Exit codes: 0 stopped cleanly, 1 failed to start or to stop, 64 bad arguments, 78 bad configuration.
`

/** What `run` needs of a started gateway. */
export interface RunningGateway {
  /** Flushes what can be flushed within `timeoutMs` (ms) and persists the rest. */
  stop(timeoutMs?: number): Promise<void>
}

/** Starts a gateway; resolves when it is ready. */
export type StartGateway = (config: GatewayConfig, deps: { log: Logger }) => Promise<RunningGateway>

/** The real gateway, loaded only by `run` (other commands stay quick on a Pi). */
const startGateway: StartGateway = async (config, deps) => {
  const { Gateway } = await import('./gateway.js')
  return Gateway.start(config, deps)
}

/** What `run` uses from its surroundings; tests replace them. */
export interface RunDeps {
  env?: Readonly<Record<string, string | undefined>>
  startGateway?: StartGateway
  /** Where log lines go; stdout by default. */
  logDestination?: DestinationStream
  /** sd_notify; built from `env` by default. */
  notify?: SdNotify
}

/** Resolves `value`, or to `timedOut` after `ms`. */
async function within<T>(value: Promise<T>, ms: number, timedOut: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(timedOut), ms)))
  try {
    return await Promise.race([value, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Stops the gateway within the configured time; returns the exit code. */
async function shutdown(gateway: RunningGateway, config: GatewayConfig, log: Logger, notify: SdNotify): Promise<number> {
  const timeoutMs = config.shutdownTimeoutMs
  log.info({ timeoutMs }, 'stopping: no new work accepted, flushing queues; what is not sent in time stays in the store for the next start')
  await notify.stopping(`stopping, flushing for up to ${timeoutMs} ms`)
  const outcome = await within(
    gateway.stop(timeoutMs).then(
      () => 'stopped' as const,
      (e: unknown) => e,
    ),
    timeoutMs + STOP_GRACE_MS,
    'timeout' as const,
  )
  if (outcome === 'stopped') {
    log.info('stopped cleanly; exiting')
    return EXIT.OK
  }
  if (outcome === 'timeout') log.error({ timeoutMs: timeoutMs + STOP_GRACE_MS }, 'stop did not finish in time; exiting anyway, unsent messages stay in the store')
  else log.error({ err: outcome }, 'stop failed; exiting, unsent messages stay in the store')
  return EXIT.FAILURE
}

/**
 * Runs `run` with its arguments until `stop` resolves (the entry resolves it on SIGTERM/SIGINT);
 * returns the exit code.
 */
export async function runCommand(args: string[], print: (line: string) => void, stop: Promise<void>, deps: RunDeps = {}): Promise<number> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, config: { type: 'string', default: DEFAULT_CONFIG_FILE } } })
  if (values.help === true) {
    print(RUN_HELP)
    return EXIT.OK
  }
  const env = deps.env ?? process.env
  const loaded = await loadConfig(values.config, env)
  if (!loaded.ok) {
    // Before the logger exists (its level is in the config): plain lines, journald keeps them too.
    print(`${values.config}: cannot start, ${loaded.error.problems.length} configuration problem(s); fix them and restart (not retrying):`)
    for (const problem of loaded.error.problems) print(`  ${formatProblem(problem)}`)
    return EXIT.CONFIG
  }
  const { config, overrides } = loaded.value
  const log = createLogger(config.log.level, deps.logDestination)
  const notify = deps.notify ?? new SdNotify({ env, log: log.child({ component: 'sd-notify' }) })
  const links = Object.keys(config.links)
  log.info({ version: packageInfo().version, config: values.config, station: config.station.id, links, overrides }, 'starting: opening the store and starting the links')
  let gateway: RunningGateway
  try {
    gateway = await (deps.startGateway ?? startGateway)(config, { log })
  } catch (e) {
    log.fatal({ err: e }, 'could not start; exiting with 1 (systemd restarts the service after RestartSec)')
    log.flush()
    return EXIT.FAILURE
  }
  log.info({ station: config.station.id, links: links.length, watchdogMs: notify.watchdogIntervalMs }, 'ready: running until SIGTERM')
  await notify.ready(`${config.station.id}: running with ${links.length} link${links.length === 1 ? '' : 's'}`)
  notify.startWatchdog()
  await stop
  const code = await shutdown(gateway, config, log, notify)
  log.flush()
  return code
}
