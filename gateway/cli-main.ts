/**
 * The `bunker-gateway` command line: argument parsing and dispatch. It writes only through the `print`
 * function it is given; `gateway/cli.ts` is the entry that binds it to the terminal.
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util'
import { runCodecTour } from './demo/codec-tour.js'
import { runSim } from './cli-sim.js'
import { packageInfo } from './package-info.js'

const HELP = `bunker-gateway: a radio gateway for the Bunkercoin blockchain

Usage:
  bunker-gateway demo [--help]     show what the gateway does with Bunkercoin data, on simulated hardware
  bunker-gateway sim <device> ...  start simulated hardware (node, vara, kiss-tnc, js8call); 'sim --help' lists the options
  bunker-gateway --version         print the version
  bunker-gateway --help            this text
`

const DEMO_HELP = `bunker-gateway demo

Builds a small Bunkercoin chain with the documented mining rules, then shows, byte for byte, what the
node's NDJSON costs on air and what the gateway sends instead: the wire envelope, AX.25 UI frames in KISS,
and JS8Call text. Everything is computed on the spot; nothing needs a radio.
`

/**
 * Runs the CLI with `argv` (without node and script); returns the process exit code. Long-running
 * commands end when `stop` resolves (the entry resolves it on SIGINT or SIGTERM).
 */
export async function main(argv: string[], print: (line: string) => void, stop: Promise<void> = new Promise(() => undefined)): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h') {
    print(HELP)
    return command === undefined ? 64 : 0
  }
  if (command === '--version') {
    print(packageInfo().version)
    return 0
  }
  if (command === 'demo') {
    const { values } = parseArgs({ args: rest, options: { help: { type: 'boolean', short: 'h' } } })
    if (values.help === true) {
      print(DEMO_HELP)
      return 0
    }
    await runCodecTour(print)
    return 0
  }
  if (command === 'sim') return runSim(rest, print, stop)
  print(`unknown command '${command}'\n\n${HELP}`)
  return 64 // EX_USAGE
}

