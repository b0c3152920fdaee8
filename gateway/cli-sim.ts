/**
 * `bunker-gateway sim ...`: starts simulated hardware on this machine so a gateway (or any client
 * that speaks the device protocols) can be tried without a radio. Runs until interrupted.
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util'
import { RF_PROFILE_NAMES, type RfProfileName } from '../hardware-sim/profiles.js'
import { createRfChannel } from '../hardware-sim/rf-channel.js'
import { SimNode } from '../hardware-sim/node/sim-node.js'
import { startSimVara } from '../hardware-sim/vara/sim-vara.js'

/** Help for `sim`. */
export const SIM_HELP = `bunker-gateway sim <device> [options]

Devices:
  node      a Bunkercoin node: TCP P2P and the HTTP API, mining on a schedule
            --p2p-port N (7000)  --http-port N (10000)  --mine-every SECONDS (30)  --peer HOST:PORT ...
  vara      two VARA modems (A and B) on one simulated RF channel
            --profile NAME (hf-good)  --fm  --cmd-port N (8300; B uses N+10)  --time-scale X (1)

Common:
  --host ADDRESS   address to bind (127.0.0.1)
  --seed N         seed of the channel's random numbers (1)

Profiles: ${RF_PROFILE_NAMES.join(', ')}
`

/** Something started by `sim` that must be closed on exit. */
interface Running {
  close(): Promise<void>
}

type SimValues = ReturnType<typeof parseSimArgs>['values']

function parseSimArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: '1' },
      profile: { type: 'string' },
      fm: { type: 'boolean' },
      'time-scale': { type: 'string', default: '1' },
      'cmd-port': { type: 'string', default: '8300' },
      'p2p-port': { type: 'string', default: '7000' },
      'http-port': { type: 'string', default: '10000' },
      'mine-every': { type: 'string', default: '30' },
      peer: { type: 'string', multiple: true },
    },
  })
}

function int(value: string | undefined, name: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got '${value}'`)
  return n
}

function profile(values: SimValues, fallback: RfProfileName): RfProfileName {
  const name = values.profile ?? fallback
  if (!(RF_PROFILE_NAMES as readonly string[]).includes(name)) throw new Error(`unknown profile '${name}'; one of ${RF_PROFILE_NAMES.join(', ')}`)
  return name as RfProfileName
}

async function startNode(values: SimValues, print: (line: string) => void): Promise<Running> {
  const node = new SimNode({
    host: values.host,
    p2pPort: int(values['p2p-port'], 'p2p-port'),
    httpPort: int(values['http-port'], 'http-port'),
    mineEveryMs: int(values['mine-every'], 'mine-every') * 1000,
    peers: values.peer ?? [],
  })
  await node.start()
  print(`simulated Bunkercoin node: P2P ${values.host}:${node.p2pPort}, HTTP ${node.url}, mining every ${values['mine-every']} s`)
  return { close: () => node.stop() }
}

async function startVaraPair(values: SimValues, print: (line: string) => void): Promise<Running> {
  const profileName = profile(values, 'hf-good')
  const channel = createRfChannel({ profile: profileName, seed: int(values.seed, 'seed'), timeScale: Number(values['time-scale']) })
  const flavour = values.fm === true ? 'fm' : 'hf'
  const cmdPort = int(values['cmd-port'], 'cmd-port')
  const a = await startSimVara({ channel, flavour, host: values.host, cmdPort, name: 'A' })
  const b = await startSimVara({ channel, flavour, host: values.host, cmdPort: cmdPort === 0 ? 0 : cmdPort + 10, name: 'B' })
  print(`simulated VARA ${flavour.toUpperCase()} modems on one '${profileName}' channel:`)
  print(`  A: command ${values.host}:${a.cmdPort}, data ${values.host}:${a.dataPort}`)
  print(`  B: command ${values.host}:${b.cmdPort}, data ${values.host}:${b.dataPort}`)
  return {
    close: async () => {
      await a.close()
      await b.close()
      channel.close()
    },
  }
}

const DEVICES: Record<string, (values: SimValues, print: (line: string) => void) => Promise<Running>> = {
  node: startNode,
  vara: startVaraPair,
}

/**
 * Runs `sim` with its arguments until `stop` resolves (the CLI passes "SIGINT or SIGTERM"); returns
 * the exit code.
 */
export async function runSim(args: string[], print: (line: string) => void, stop: Promise<void>): Promise<number> {
  const { values, positionals } = parseSimArgs(args)
  const device = positionals[0]
  if (values.help === true || device === undefined) {
    print(SIM_HELP)
    return device === undefined && values.help !== true ? 64 : 0
  }
  const start = DEVICES[device]
  if (start === undefined) {
    print(`unknown device '${device}'\n\n${SIM_HELP}`)
    return 64
  }
  const running = await start(values, print)
  print('running; press Ctrl-C to stop')
  await stop
  await running.close()
  return 0
}
