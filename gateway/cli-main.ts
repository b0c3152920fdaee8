/**
 * The `bunker-gateway` command line: argument parsing and dispatch. It writes only through the `print`
 * function it is given; `gateway/cli.ts` is the entry that binds it to the terminal. Each subcommand
 * lives in its own `cli-*.ts` module with its help text.
 *
 * @packageDocumentation
 */
import { checkConfigCommand } from './cli-check-config.js'
import { demoCommand } from './cli-demo.js'
import { listPortsCommand } from './cli-list-ports.js'
import { runCommand } from './cli-run.js'
import { runSim } from './cli-sim.js'
import { statusCommand } from './cli-status.js'
import { tlsKeygenCommand } from './cli-tls-keygen.js'
import { EXIT } from './exit-codes.js'
import { packageInfo } from './package-info.js'

const HELP = `bunker-gateway: a radio gateway for the Bunkercoin blockchain

Usage:
  bunker-gateway run [--config FILE]   run the gateway (the systemd service runs this)
  bunker-gateway check-config FILE     validate a configuration: exit 0, or 78 with every problem
  bunker-gateway status [--url URL]    ask the running gateway how its links and peers are
  bunker-gateway list-ports            list serial devices and their stable names (for TNCs)
  bunker-gateway demo                  watch two gateways carry Bunkercoin over simulated radio, with a failover
  bunker-gateway sim <device> ...      start simulated hardware (node, vara, kiss-tnc, js8call)
  bunker-gateway tls-keygen ...        make the key and certificate for TLS on TCP links, print the fingerprint
  bunker-gateway --version             print the version
  bunker-gateway --help                this text

Every command takes --help.
`

type Command = (args: string[], print: (line: string) => void, stop: Promise<void>) => Promise<number>

const COMMANDS: Readonly<Record<string, Command>> = {
  run: runCommand,
  'check-config': (args, print) => checkConfigCommand(args, print),
  status: (args, print) => statusCommand(args, print),
  'list-ports': (args, print) => listPortsCommand(args, print),
  demo: demoCommand,
  sim: runSim,
  'tls-keygen': (args, print) => tlsKeygenCommand(args, print),
}

/** True for the errors `parseArgs` throws on an unknown option or a missing value. */
function isUsageError(e: unknown): e is Error {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') === true
}

/**
 * Runs the CLI with `argv` (without node and script); returns the process exit code. Long-running
 * commands end when `stop` resolves (the entry resolves it on SIGINT or SIGTERM).
 */
export async function main(argv: string[], print: (line: string) => void, stop: Promise<void> = new Promise(() => undefined)): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h') {
    print(HELP)
    return command === undefined ? EXIT.USAGE : EXIT.OK
  }
  if (command === '--version') {
    print(packageInfo().version)
    return EXIT.OK
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
  if (run === undefined) {
    print(`unknown command '${command}'\n\n${HELP}`)
    return EXIT.USAGE
  }
  try {
    return await run(rest, print, stop)
  } catch (e) {
    if (!isUsageError(e)) throw e
    print(`${command}: ${e.message}; see 'bunker-gateway ${command} --help'`)
    return EXIT.USAGE
  }
}
