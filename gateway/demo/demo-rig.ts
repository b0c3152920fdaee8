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

/** How long traffic stays on a fallback after the better link is good again, ms (the default is a minute). */
export const DEMO_DWELL_MS = 5_000

/** One station: its node and its gateway. */
export interface DemoSide {
  readonly station: DemoStation
  readonly node: SimNode
  readonly gateway: Gateway
}

/** The running demo. */
export interface DemoRig {
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

function configOf(me: DemoStation, other: DemoStation, node: SimNode, stateDir: string, mine: Record<DemoLinkId, LinkSide>, theirs: Record<DemoLinkId, LinkSide>) {
  const ids = Object.keys(mine) as DemoLinkId[]
  return GatewayConfigSchema.parse({
    station: { id: me.id, stateDir },
    node: { p2p: { peers: [`127.0.0.1:${node.p2pPort}`] } },
    links: Object.fromEntries(ids.map((id) => [id, mine[id].section])),
    peers: [{ name: other.id, addresses: Object.fromEntries(ids.map((id) => [id, theirs[id].address])) }],
    policy: { dwellMs: DEMO_DWELL_MS },
    status: { port: 0 },
  })
}

/**
 * Starts a gateway for `me` on the simulated transports of `mine`.
 *
 * @param beaconAt - share of the first-beacon window (30 s) before its first beacon: 0 at once
 */
async function startGateway(me: DemoStation, other: DemoStation, node: SimNode, dir: string, links: DemoLinks, side: 'a' | 'b', log: Logger, beaconAt: number): Promise<Gateway> {
  const mine = links[side]
  const theirs = links[side === 'a' ? 'b' : 'a']
  const config = configOf(me, other, node, join(dir, `state-${side}`), mine, theirs)
  return Gateway.start(config, {
    log,
    transports: (id) => mine[id as DemoLinkId].transport,
    router: { setAsideMs: SET_ASIDE_MS },
    supervisor: { backoff: RESTART_BACKOFF },
    random: () => beaconAt,
  })
}

/** Starts nodes, links and gateways in a fresh temp directory. */
export async function startDemoRig(): Promise<DemoRig> {
  const dir = mkdtempSync(join(tmpdir(), 'bunker-gateway-demo-'))
  const logFile = join(dir, 'gateways.log')
  const log = createLogger('debug', pino.destination({ dest: logFile, sync: true }))
  const stops: (() => Promise<void>)[] = []
  const close = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop()
    for (const side of ['a', 'b']) rmSync(join(dir, `state-${side}`), { recursive: true, force: true })
  }
  try {
    const nodeA = new SimNode({ p2pPort: 0, httpPort: null })
    const nodeB = new SimNode({ p2pPort: 0, httpPort: null })
    await Promise.all([nodeA.start(), nodeB.start()])
    stops.push(() => nodeA.stop(), () => nodeB.stop())
    const links = await startDemoLinks(log)
    stops.push(() => links.close())
    // A beacons at once, B a few seconds later: the two would collide on a shared channel.
    const gwA = await startGateway(STATIONS.a, STATIONS.b, nodeA, dir, links, 'a', log, 0)
    stops.push(() => gwA.stop(0))
    const gwB = await startGateway(STATIONS.b, STATIONS.a, nodeB, dir, links, 'b', log, 0.1)
    stops.push(() => gwB.stop(0))
    return { dir, logFile, links, a: { station: STATIONS.a, node: nodeA, gateway: gwA }, b: { station: STATIONS.b, node: nodeB, gateway: gwB }, close }
  } catch (e) {
    await close()
    throw e
  }
}
