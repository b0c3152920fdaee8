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
import { startSimKissTnc } from '../hardware-sim/kiss-tnc/sim-kiss-tnc.js'
import { startSimJs8Call } from '../hardware-sim/js8call/sim-js8call.js'

/** Help for `sim`. */
export const SIM_HELP = `bunker-gateway sim <device> [options]

Devices:
  node      a Bunkercoin node: TCP P2P and the HTTP API, mining on a schedule
            --p2p-port N (7000)  --http-port N (10000)  --mine-every SECONDS (30)  --peer HOST:PORT ...
  vara      two VARA modems (A and B) on one simulated RF channel
            --profile NAME (hf-good)  --fm  --cmd-port N (8300; B uses N+10)  --time-scale X (1)
  kiss-tnc  two KISS TNCs (A and B) on one channel, KISS over TCP like Direwolf's port 8001
            --profile NAME (vhf-1200)  --kiss-port N (8001; B uses N+10)
  js8call   two JS8Call API servers (A and B) on one channel
            --profile NAME (hf-good)  --js8-port N (2442; B uses N+10)  --call-a CALL  --call-b CALL

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
      'kiss-port': { type: 'string', default: '8001' },
      'js8-port': { type: 'string', default: '2442' },
      'call-a': { type: 'string', default: 'N0CALL' },
      'call-b': { type: 'string', default: 'N1CALL' },
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

/** Port of station B: ten above A's, or 0 (any free port) when A's is 0. */
function portB(a: number): number {
  return a === 0 ? 0 : a + 10
}

function channelFor(values: SimValues, fallback: RfProfileName) {
  const name = profile(values, fallback)
  return { name, channel: createRfChannel({ profile: name, seed: int(values.seed, 'seed'), timeScale: Number(values['time-scale']) }) }
}

async function startTncPair(values: SimValues, print: (line: string) => void): Promise<Running> {
  const { name, channel } = channelFor(values, 'vhf-1200')
  const port = int(values['kiss-port'], 'kiss-port')
  const a = await startSimKissTnc({ channel, name: 'A', tcp: { host: values.host, port } })
  const b = await startSimKissTnc({ channel, name: 'B', tcp: { host: values.host, port: portB(port) } })
  print(`simulated KISS TNCs on one '${name}' channel:`)
  print(`  A: KISS ${values.host}:${a.tcpPort}`)
  print(`  B: KISS ${values.host}:${b.tcpPort}`)
  return { close: async () => { await a.close(); await b.close(); channel.close() } }
}

async function startJs8Pair(values: SimValues, print: (line: string) => void): Promise<Running> {
  const { name, channel } = channelFor(values, 'hf-good')
  const port = int(values['js8-port'], 'js8-port')
  const a = await startSimJs8Call({ channel, host: values.host, port, callsign: values['call-a'] })
  const b = await startSimJs8Call({ channel, host: values.host, port: portB(port), callsign: values['call-b'] })
  print(`simulated JS8Call on one '${name}' channel:`)
  print(`  A (${values['call-a']}): API ${values.host}:${a.port}`)
  print(`  B (${values['call-b']}): API ${values.host}:${b.port}`)
  return { close: async () => { await a.close(); await b.close(); channel.close() } }
}

const DEVICES: Record<string, (values: SimValues, print: (line: string) => void) => Promise<Running>> = {
  node: startNode,
  vara: startVaraPair,
  'kiss-tnc': startTncPair,
  js8call: startJs8Pair,
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
