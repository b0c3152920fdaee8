/**
 * Everything the demo runs: two simulated Bunkercoin nodes, the three simulated radio links
 * (demo-links.ts) and two gateways, each with its own node, its store in the demo's temp directory
 * and its log lines in a file there (the terminal gets the narration only).
 *
 * @packageDocumentation
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { SimNode } from '../../hardware-sim/node/sim-node.js'
import { GatewayConfigSchema } from '../config/schema.js'
import { Gateway } from '../gateway.js'
import { createLogger, type Logger } from '../log.js'
import { startDemoLinks, STATIONS, type DemoLinkId, type DemoLinks, type DemoStation, type LinkSide } from './demo-links.js'

/** One station: its node and its gateway. */
export interface DemoSide {
  readonly station: DemoStation
  readonly node: SimNode
  readonly gateway: Gateway
}

/** The running demo. */
export interface DemoRig {
  /** How long a better link must stay good before traffic returns to it, ms. */
  readonly dwellMs: number
  /** The demo's temp directory (stores and log file). */
  readonly dir: string
  /** The gateways' log file (JSON lines). */
  readonly logFile: string
  readonly links: DemoLinks
  readonly a: DemoSide
  readonly b: DemoSide
  /** Stops gateways, links and nodes; removes the stores and keeps the log file. */
  close(): Promise<void>
}

/** Router tuning for a demo on a laptop: a failed link is retried after 2 s rather than 5 s, ms. */
const SET_ASIDE_MS = 2_000
/** Supervisor restarts: quick and capped, so a modem switched on again is found within ~2 s, ms. */
const RESTART_BACKOFF = { initialMs: 250, maxMs: 2_000 }

/** What one gateway is started with. */
interface GatewaySetup {
  readonly me: DemoStation
  readonly other: DemoStation
  readonly node: SimNode
  readonly side: 'a' | 'b'
  /** Share of the first-beacon window (30 s) before its first beacon, 0–1. */
  readonly beaconAt: number
  /** The other station is in this one's config; otherwise it is learned from its hello. */
  readonly knowsOther: boolean
}

function configOf(g: GatewaySetup, stateDir: string, links: DemoLinks, dwellMs: number) {
  const mine = links[g.side]
  const theirs = links[g.side === 'a' ? 'b' : 'a']
  const ids = Object.keys(mine) as DemoLinkId[]
  return GatewayConfigSchema.parse({
    station: { id: g.me.id, stateDir },
    node: { p2p: { peers: [`127.0.0.1:${g.node.p2pPort}`] } },
    links: Object.fromEntries(ids.map((id) => [id, mine[id].section])),
    peers: g.knowsOther ? [{ name: g.other.id, addresses: Object.fromEntries(ids.map((id) => [id, theirs[id].address])) }] : [],
    policy: { dwellMs },
    status: { port: 0 },
  })
}

/** Starts the gateway of `g.side` on its simulated transports. */
async function startGateway(g: GatewaySetup, dir: string, links: DemoLinks, log: Logger, dwellMs: number): Promise<Gateway> {
  const config = configOf(g, join(dir, `state-${g.side}`), links, dwellMs)
  return Gateway.start(config, {
    log,
    transports: (id) => links[g.side][id as DemoLinkId].transport,
    router: { setAsideMs: SET_ASIDE_MS },
    supervisor: { backoff: RESTART_BACKOFF },
    random: () => g.beaconAt,
  })
}

/**
 * Starts nodes, links and gateways in a fresh temp directory.
 *
 * @param dwellMs - the policy's dwell time, ms (the default of a minute is long for a demo)
 */
export async function startDemoRig(dwellMs: number): Promise<DemoRig> {
  const dir = mkdtempSync(join(tmpdir(), 'bunker-gateway-demo-'))
  const logFile = join(dir, 'gateways.log')
  const file = pino.destination({ dest: logFile, sync: true })
  const log = createLogger('debug', file)
  const stops: (() => Promise<void>)[] = []
  const close = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop()
    file.end()
    for (const side of ['a', 'b']) rmSync(join(dir, `state-${side}`), { recursive: true, force: true })
  }
  try {
    const nodeA = new SimNode({ p2pPort: 0, httpPort: null })
    const nodeB = new SimNode({ p2pPort: 0, httpPort: null })
    await Promise.all([nodeA.start(), nodeB.start()])
    stops.push(() => nodeA.stop(), () => nodeB.stop())
    const links = await startDemoLinks(log)
    stops.push(() => links.close())
    // B is on the air first and learns A from what it hears; A knows B and greets it at start. Had
    // B known A as well, B's greeting would go out on VARA while A is still off, and that one failed
    // call counts as 100 % loss to A, which keeps VARA out of use for minutes (staleAfterMs).
    // First beacons 1.2 s and 0.3 s after each start: soon, and apart on the shared channels.
    const gwB = await startGateway({ me: STATIONS.b, other: STATIONS.a, node: nodeB, side: 'b', beaconAt: 0.04, knowsOther: false }, dir, links, log, dwellMs)
    stops.push(() => gwB.stop(0))
    const gwA = await startGateway({ me: STATIONS.a, other: STATIONS.b, node: nodeA, side: 'a', beaconAt: 0.01, knowsOther: true }, dir, links, log, dwellMs)
    stops.push(() => gwA.stop(0))
    return { dwellMs, dir, logFile, links, a: { station: STATIONS.a, node: nodeA, gateway: gwA }, b: { station: STATIONS.b, node: nodeB, gateway: gwB }, close }
  } catch (e) {
    await close()
    throw e
  }
}
