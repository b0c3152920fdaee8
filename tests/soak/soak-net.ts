/**
 * The soak's network: three simulated nodes and three gateways.
 *
 * - Gateways A (N0AAA) and B (N0BBB) run in this process. They share four links: TCP through
 *   proxies the schedule cuts, simulated VARA HF modems, simulated KISS TNCs on real socat ptys
 *   (AX.25) and simulated JS8Calls (Turbo). TCP is preferred; the radios carry A↔B while it is cut
 *   (see {@link PREFERENCE}).
 * - Gateway C (`gw-c`) runs as a child process from a generated TOML file, TCP only, so it can be
 *   SIGKILLed and started again on the same state directory.
 * - Node A mines; every node sends transactions. Every node keeps a fixed P2P port so it can be
 *   stopped and started again; B also listens for P2P peers (where invalid transactions are injected).
 *
 * Radio channels run faster than the wall clock; the gateways keep the wall clock. Ack timeouts,
 * probes, redials and restarts are shortened so a fault costs seconds rather than minutes (the radios
 * are probed too, as beacons would, so they are known good before TCP fails), and the airtime
 * budgets are off: they count wall time, which a time-scaled channel makes meaningless.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startVaraPair, type VaraPair } from '../../bench/vara-goodput.js'
import type { GatewayConfigInput } from '../../gateway/config/schema.js'
import type { Gateway, GatewayDeps } from '../../gateway/gateway.js'
import { P2PService } from '../../gateway/node-link/p2p-service.js'
import { createTransport } from '../../gateway/transport-factory.js'
import { SimNode } from '../../hardware-sim/node/sim-node.js'
import type { Transport } from '../../transports/types.js'
import { createSimNet, type SimNet, type SimStation } from '../helpers/ax25-sim-stations.js'
import { freePort, type GatewayNet } from '../helpers/gateway-net.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'
import { CALL_A, CALL_B, startJs8Pair, type Js8Pair } from '../transports/js8call-fixture.js'
import { ChildGateway } from './child-gateway.js'

/** The three stations. */
export type Side = 'a' | 'b' | 'c'
/** A TCP path between two gateways, both directions. */
export type TcpPath = 'ab' | 'ac' | 'bc'

/** Station ids. */
export const STATION: Readonly<Record<Side, string>> = { a: 'N0AAA', b: 'N0BBB', c: 'gw-c' }
const AX25_CALL = { a: 'N0AAA-1', b: 'N0BBB-2' } as const
/**
 * Link preference per side: TCP first, then A sends on VARA and B on AX.25, JS8Call next: while the
 * A–B path is cut every radio carries traffic one way or the other, and a radio fault moves it on.
 */
const PREFERENCE = { a: ['net', 'vara', 'js8', 'ax25'], b: ['net', 'ax25', 'js8', 'vara'] } as const

/** Everything the soak runs and breaks. */
export interface SoakNet {
  readonly nodes: Readonly<Record<Side, SimNode>>
  readonly gateways: { readonly a: Gateway; readonly b: Gateway }
  readonly child: ChildGateway
  /** Both proxies of each TCP path. */
  readonly paths: Readonly<Record<TcpPath, readonly [TcpProxy, TcpProxy]>>
  readonly vara: VaraPair
  readonly js8: Js8Pair
  readonly tnc: { readonly a: SimStation; readonly b: SimStation }
  readonly ports: { readonly net: Readonly<Record<Side, number>>; readonly p2pB: number }
  /** Stops the child gateway and every fixture (the in-process gateways stop with the GatewayNet). */
  close(): Promise<void>
}

/** The in-process gateways' tuning for time-scaled links. */
const FAST: Pick<GatewayDeps, 'router' | 'supervisor'> = {
  router: { setAsideMs: 1_000, ackTimeoutMs: { tcp: 5_000, vara: 10_000, ax25: 15_000, js8call: 30_000 }, probeIntervalMs: { tcp: 1_000, vara: 5_000, ax25: 3_000, js8call: 5_000 } },
  supervisor: { backoff: { initialMs: 200, maxMs: 2_000 } },
}

/** Starts the network; `dir` holds the child's config, log and state. */
export async function startSoakNet(net: GatewayNet, seed: number, dir: string): Promise<SoakNet> {
  const closers: (() => Promise<void>)[] = []
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0)) await c()
  }
  try {
    return { ...(await build(net, seed, dir, closers)), close }
  } catch (e) {
    await close() // a half-built network would outlive the failed test
    throw e
  }
}

/** Builds the network; `closers` collects what {@link SoakNet.close} undoes, child gateway first. */
async function build(net: GatewayNet, seed: number, dir: string, closers: (() => Promise<void>)[]): Promise<Omit<SoakNet, 'close'>> {
  const nodes = { a: await node(net), b: await node(net), c: await node(net) }
  const netPorts = { a: await freePort(), b: await freePort(), c: await freePort() }
  const p2pB = await freePort()
  const proxy = async (to: number): Promise<TcpProxy> => {
    const p = await startTcpProxy(to)
    closers.push(() => p.close())
    return p
  }
  // paths[xy][0] is how x dials y, [1] how y dials x
  const paths = {
    ab: [await proxy(netPorts.b), await proxy(netPorts.a)],
    ac: [await proxy(netPorts.c), await proxy(netPorts.a)],
    bc: [await proxy(netPorts.c), await proxy(netPorts.b)],
  } as const
  const vara = await startVaraPair({ channel: { timeScale: 50, seed }, a: { id: 'vara' }, b: { id: 'vara' } })
  closers.push(() => vara.close())
  const js8 = await startJs8Pair({ speed: 2, channel: { timeScale: 100, seed }, transport: { id: 'js8', maxAirtimeMsPerHour: 1_800_000 } })
  closers.push(() => js8.close())
  const ax25 = createSimNet({ timeScale: 50, seed })
  closers.push(() => ax25.close())
  const tnc = { a: await ax25.add('a', AX25_CALL.a, 'serial', { id: 'ax25' }), b: await ax25.add('b', AX25_CALL.b, 'serial', { id: 'ax25' }) }

  const radio = { a: [vara.a, js8.a, tnc.a.transport], b: [vara.b, js8.b, tnc.b.transport] }
  const gateway = (me: 'a' | 'b', other: 'a' | 'b', toOther: TcpProxy, toC: TcpProxy, listenP2p?: number) =>
    net.gateway(radioConfig(me, other, net.stateDir(), nodes[me].p2pPort, netPorts[me], toOther.port, toC.port), {
      ...FAST,
      transports: (id, link, deps) => radio[me].find((t: Transport) => t.id === id) ?? createTransport(id, link, deps),
      node: (state) =>
        new P2PService(state, { peers: [`127.0.0.1:${nodes[me].p2pPort}`], redial: { initialMs: 200, maxMs: 1_000 }, role: 'gateway', ...(listenP2p === undefined ? {} : { listen: { host: '127.0.0.1', port: listenP2p } }) }, net.log),
    })
  const gateways = { a: await gateway('a', 'b', paths.ab[0], paths.ac[0]), b: await gateway('b', 'a', paths.ab[1], paths.bc[0], p2pB) }

  const configFile = join(dir, 'gw-c.toml')
  writeFileSync(configFile, childConfig(join(dir, 'state-c'), nodes.c.p2pPort, netPorts.c, paths.ac[1].port, paths.bc[1].port))
  const child = new ChildGateway(configFile, join(dir, 'gw-c.log'))
  closers.unshift(() => child.stop())
  await child.start()
  return { nodes, gateways, child, paths, vara, js8, tnc, ports: { net: netPorts, p2pB } }
}

/** A simulated node on a fixed free port, stopped with the GatewayNet. */
async function node(net: GatewayNet): Promise<SimNode> {
  const n = new SimNode({ p2pPort: await freePort(), httpPort: null })
  await n.start()
  net.nodes.push(n)
  return n
}

/** Config of in-process gateway `me`: TCP and three radio links to `other`, TCP to C. */
function radioConfig(me: 'a' | 'b', other: 'a' | 'b', stateDir: string, nodePort: number, netPort: number, toOther: number, toC: number): GatewayConfigInput {
  const js8Call = { a: CALL_A, b: CALL_B }
  return {
    station: { id: STATION[me], stateDir },
    node: { p2p: { peers: [`127.0.0.1:${nodePort}`] } }, // replaced by deps.node (faster redial)
    links: {
      net: { type: 'tcp', listen: { host: '127.0.0.1', port: netPort } },
      vara: { type: 'vara', callsign: STATION[me] },
      ax25: { type: 'ax25', callsign: AX25_CALL[me], tnc: { type: 'serial', path: '/dev/null' }, beaconIntervalMs: 0 },
      js8: { type: 'js8call', beaconIntervalMs: 0 },
    },
    peers: [
      { name: STATION[other], addresses: { net: `127.0.0.1:${toOther}`, vara: STATION[other], ax25: AX25_CALL[other], js8: js8Call[other] } },
      { name: STATION.c, addresses: { net: `127.0.0.1:${toC}` } },
    ],
    policy: { dwellMs: 3_000, preference: [...PREFERENCE[me]], links: { ax25: { budget: null }, js8: { budget: null } } },
  }
}

/** The child gateway's TOML: TCP to A and B, its node, no status server. */
function childConfig(stateDir: string, nodePort: number, netPort: number, toA: number, toB: number): string {
  return [
    'shutdownTimeoutMs = 1000',
    '[station]',
    `id = "${STATION.c}"`,
    `stateDir = ${JSON.stringify(stateDir)}`,
    '[node.p2p]',
    `peers = ["127.0.0.1:${nodePort}"]`,
    '[links.net]',
    'type = "tcp"',
    `listen = { host = "127.0.0.1", port = ${netPort} }`,
    '[[peers]]',
    `name = "${STATION.a}"`,
    `addresses = { net = "127.0.0.1:${toA}" }`,
    '[[peers]]',
    `name = "${STATION.b}"`,
    `addresses = { net = "127.0.0.1:${toB}" }`,
    '[status]',
    'enabled = false',
    '',
  ].join('\n')
}
