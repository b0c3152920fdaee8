/**
 * Failover time: two gateways joined by TCP (through {@link TcpCutProxy}, one relay each way, so
 * both gateways stay up) and by simulated VARA HF; node A sends a steady flow of transactions; the
 * TCP path is cut mid-flow. Measured: cut → gateway A's router moves the peer to VARA (detection),
 * and cut → the first transaction node B gets that gateway B received over VARA, on the wall clock
 * and on the link's simulated clock; then whether every transaction reached node B exactly once
 * (SimNode.arrivals).
 *
 * The gateways run on the wall clock and the VARA link on its channel's clock (×timeScale), so host
 * time inside the VARA part counts timeScale-fold on the simulated clock; the estimate adds the
 * gateway's own reaction (wall) to the VARA part (simulated), the closest to what a station would see.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto'
import { txHash } from '../codecs/hashes.js'
import { toHex } from '../codecs/hex.js'
import type { Gateway, GatewayDeps } from '../gateway/gateway.js'
import type { Logger } from '../gateway/log.js'
import { createTransport } from '../gateway/transport-factory.js'
import type { SimNode } from '../hardware-sim/node/sim-node.js'
import { freePort, GatewayNet, until } from '../tests/helpers/gateway-net.js'
import type { VaraTransport } from '../transports/vara/vara-transport.js'
import type { BenchContext } from './bench-context.js'
import { grouped } from './format.js'
import type { FailoverRow } from './results-model.js'
import type { Measurement } from './section.js'
import { TcpCutProxy, type CutMode } from './tcp-cut-proxy.js'
import { startVaraPair, type VaraPair } from './vara-goodput.js'
import { WarnLines } from './warn-lines.js'

/**
 * Router tuning of both gateways, as a station with an internet link and VARA HF standby would run:
 * a failed (link, peer) is left alone for 30 s (an internet outage rarely heals within seconds, and a
 * retry into a black hole costs a connect timeout); a stale or set-aside TCP peer is probed every
 * 10 s (a hello is free there), a VARA one every 10 min (each probe is a CONNECT on the air).
 */
export const FAILOVER_ROUTER: NonNullable<GatewayDeps['router']> = { setAsideMs: 30_000, probeIntervalMs: { tcp: 10_000, vara: 600_000 } }
/** Traffic moves back to TCP once it has stayed good this long (the policy default), ms. */
export const FAILOVER_DWELL_MS = 60_000
/** Simulated ms per wall ms of the VARA link. */
const VARA_TIME_SCALE = 50
/** Longest wait for the flow to arrive after the last send, wall ms (a black hole waits out the TCP ack timeout). */
const SETTLE_TIMEOUT_MS = 60_000
/** Room after the last arrival for a duplicate to show up, wall ms. */
const DUPLICATE_WINDOW_MS = 500
/** Warning lines of the gateways kept for the notes when something went wrong. */
const KEPT_LOG_LINES = 8

const STATIONS = { a: 'N0AAA', b: 'N0BBB' } as const

/** Both sides, ready to cut. */
interface Setup {
  net: GatewayNet
  pair: VaraPair
  proxies: TcpCutProxy[]
  gwA: Gateway
  gwB: Gateway
  nodeA: SimNode
  nodeB: SimNode
}

async function setUp(log: Logger): Promise<Setup> {
  const net = new GatewayNet(log)
  const pair = await startVaraPair({ channel: { timeScale: VARA_TIME_SCALE } })
  const proxies: TcpCutProxy[] = []
  try {
    const [nodeA, nodeB] = [await net.node(), await net.node()]
    const [listenA, listenB] = [await freePort(), await freePort()]
    // the far gateway does not listen yet: each relay holds what it is sent until its target listens
    const [toA, toB] = [await TcpCutProxy.start(listenA), await TcpCutProxy.start(listenB)]
    proxies.push(toA, toB)
    const gateway = (me: string, other: string, vara: VaraTransport, listen: number, toOther: TcpCutProxy, node: number) =>
      net.gateway(
        {
          station: { id: me, stateDir: net.stateDir() },
          node: { p2p: { peers: [`127.0.0.1:${node}`] } },
          links: { net: { type: 'tcp', listen: { host: '127.0.0.1', port: listen } }, [vara.id]: { type: 'vara', callsign: me } },
          peers: [{ name: other, addresses: { net: toOther.address, [vara.id]: other } }],
          policy: { dwellMs: FAILOVER_DWELL_MS },
        },
        { router: FAILOVER_ROUTER, transports: (id, link, deps) => (id === vara.id ? vara : createTransport(id, link, deps)) },
      )
    const gwA = await gateway(STATIONS.a, STATIONS.b, pair.a, listenA, toB, nodeA.p2pPort)
    const gwB = await gateway(STATIONS.b, STATIONS.a, pair.b, listenB, toA, nodeB.p2pPort)
    return { net, pair, proxies, gwA, gwB, nodeA, nodeB }
  } catch (e) {
    await tearDown({ net, pair, proxies })
    throw e
  }
}

async function tearDown(s: Pick<Setup, 'net' | 'pair' | 'proxies'>): Promise<void> {
  for (const p of s.proxies) await p.close()
  await s.net.close()
  await s.pair.close()
}

/** True when `gw` has heard `peer` lately on `link` (what the policy calls fresh). */
function hears(gw: Gateway, link: string, peer: string): boolean {
  return gw.monitor.snapshot().links[link]?.peers[peer]?.stale === false
}

/** Both node links up and each gateway has heard the other on both links. */
async function ready(s: Setup): Promise<void> {
  const { gwA, gwB, pair } = s
  await until('node links up', () => gwA.status().node?.connected === true && gwB.status().node?.connected === true, 20_000)
  await until('both gateways heard on TCP and VARA', () =>
    hears(gwA, 'net', STATIONS.b) && hears(gwB, 'net', STATIONS.a) && hears(gwA, pair.a.id, STATIONS.b) && hears(gwB, pair.b.id, STATIONS.a), 30_000)
}

/** Wall and simulated ms of one moment. */
interface Moment {
  wall: number
  sim: number
}

/** What happened after the cut, as the events tell it. */
interface Trace {
  sent: string[]
  /** Link over which gateway B first received each tx. */
  firstLink: Map<string, string>
  failover?: Moment
  firstBackupDelivery?: Moment
}

function follow(s: Setup, cutAt: () => Moment | undefined): Trace {
  const trace: Trace = { sent: [], firstLink: new Map() }
  const now = (): Moment => ({ wall: performance.now(), sim: s.pair.channel.clock.now() })
  s.gwB.router.on('message', (m) => {
    if (m.msg.type !== 'tx') return
    const hash = toHex(txHash(m.msg.transaction))
    if (!trace.firstLink.has(hash)) trace.firstLink.set(hash, m.link)
  })
  s.gwA.on('failover', (e) => {
    if (cutAt() !== undefined && e.to === s.pair.a.id) trace.failover ??= now()
  })
  s.gwB.on('delivered', (e) => {
    if (e.kind === 'tx' && cutAt() !== undefined && trace.firstLink.get(e.hash) === s.pair.b.id) trace.firstBackupDelivery ??= now()
  })
  return trace
}

/** Sends `count` transactions from node A, one every 1000/perSecond ms. */
async function flow(s: Setup, trace: Trace, count: number, perSecond: number): Promise<void> {
  const started = performance.now()
  for (let i = 0; i < count; i++) {
    trace.sent.push(toHex(txHash(s.nodeA.send(randomBytes(32), BigInt(1 + trace.sent.length)))))
    await new Promise((r) => setTimeout(r, started + ((i + 1) * 1000) / perSecond - performance.now())) // on schedule, whatever signing took
  }
}

/** Options of {@link measureFailover}. */
export interface FailoverOptions {
  cut: CutMode
  txBeforeCut: number
  txAfterCut: number
  txPerSecond: number
}

/** One run: set up, flow, cut, flow, settle; the row and any warning lines worth reading. */
export async function measureFailover(o: FailoverOptions): Promise<{ row: FailoverRow; warnings: string[] }> {
  const warn = new WarnLines()
  const s = await setUp(warn.log)
  try {
    await ready(s)
    let cut: Moment | undefined
    const trace = follow(s, () => cut)
    await flow(s, trace, o.txBeforeCut, o.txPerSecond)
    const session = s.pair.a.status().session.state
    cut = { wall: performance.now(), sim: s.pair.channel.clock.now() }
    for (const p of s.proxies) p.cut(o.cut)
    await flow(s, trace, o.txAfterCut, o.txPerSecond)
    const arrived = (h: string): number => s.nodeB.arrivals.get(`tx:${h}`) ?? 0
    await until('every tx at node B', () => trace.sent.every((h) => arrived(h) > 0), SETTLE_TIMEOUT_MS).catch(() => undefined)
    await new Promise((r) => setTimeout(r, DUPLICATE_WINDOW_MS))
    const { failover, firstBackupDelivery: first } = trace
    if (failover === undefined || first === undefined) {
      throw new Error(`no failover to VARA after a ${o.cut} cut: failover ${failover === undefined ? 'never' : 'seen'}, delivery over VARA ${first === undefined ? 'never' : 'seen'}; gateway warnings: ${warn.last(KEPT_LOG_LINES)}`)
    }
    const counts = trace.sent.map(arrived)
    const row: FailoverRow = {
      cut: o.cut, backup: 'VARA HF 2300 Hz (simulated modem)', timeScale: VARA_TIME_SCALE, backupSessionAtCut: session,
      detectionMs: failover.wall - cut.wall, firstDeliveryWallMs: first.wall - cut.wall, firstDeliverySimMs: first.sim - cut.sim,
      estimateMs: failover.wall - cut.wall + (first.sim - failover.sim),
      sent: trace.sent.length, deliveredOnce: counts.filter((n) => n === 1).length, lost: counts.filter((n) => n === 0).length,
      duplicated: counts.filter((n) => n > 1).length, viaBackup: trace.sent.filter((h) => trace.firstLink.get(h) === s.pair.b.id).length,
    }
    const anomaly = row.lost > 0 || row.duplicated > 0
    return { row, warnings: anomaly ? warn.lines.slice(-KEPT_LOG_LINES) : [] }
  } finally {
    await tearDown(s)
  }
}

function table(rows: readonly FailoverRow[]): Measurement['table'] {
  return {
    columns: ['TCP path cut', 'backup link', 'VARA session at cut', 'detection ms', 'first tx via VARA: wall ms', 'simulated ms', 'estimate ms', 'tx sent', 'exactly once', 'lost', 'twice', 'via VARA'],
    rows: rows.map((r) => [
      r.cut, `${r.backup}, ×${r.timeScale}`, r.backupSessionAtCut, grouped(r.detectionMs), grouped(r.firstDeliveryWallMs), grouped(r.firstDeliverySimMs),
      grouped(r.estimateMs), String(r.sent), String(r.deliveredOnce), String(r.lost), String(r.duplicated), String(r.viaBackup),
    ]),
  }
}

/** The `failover-time` section. */
export async function failoverTime(ctx: BenchContext): Promise<Measurement> {
  const { failoverCuts, failoverTxBeforeCut: before, failoverTxAfterCut: after, failoverTxPerSecond: rate } = ctx.settings
  const rows: FailoverRow[] = []
  const warnings: string[] = []
  for (const cut of failoverCuts) {
    const r = await measureFailover({ cut, txBeforeCut: before, txAfterCut: after, txPerSecond: rate })
    rows.push(r.row)
    warnings.push(...r.warnings.map((w) => `${cut}: ${w}`))
  }
  const notes = [
    `Two gateways (N0AAA, N0BBB), each with a simulated node, joined by TCP through a relay per direction (bench/tcp-cut-proxy.ts) and by simulated VARA HF (×${VARA_TIME_SCALE}); node A sends ${rate} tx/s, ${before} before the cut and ${after} after it.`,
    'reset: the relays close every connection and refuse new ones (a router reboot, an interface down). blackhole: connections stay open and nothing passes (a path that silently drops packets): only the TCP ack timeout (15 s) tells.',
    `Router tuning of both gateways: setAsideMs ${grouped(FAILOVER_ROUTER.setAsideMs ?? 0)} (a failed link is left alone that long), probeIntervalMs tcp ${grouped(FAILOVER_ROUTER.probeIntervalMs?.tcp ?? 0)}, vara ${grouped(FAILOVER_ROUTER.probeIntervalMs?.vara ?? 0)}; policy.dwellMs ${grouped(FAILOVER_DWELL_MS)}; ack timeouts and monitor timing at their defaults.`,
    'detection: cut → gateway A\'s router moves N0BBB to VARA (wall); the router decides per message, so this includes the wait for node A\'s next transaction. first tx via VARA: cut → the first transaction node B gets that gateway B had received over VARA, wall and on the link\'s simulated clock (host time inside counts ×timeScale there). estimate = detection (wall) + failover → that delivery (simulated): what a station would wait, a VARA CONNECT included when the session was idle.',
    'exactly once / lost / twice: SimNode.arrivals at node B for every transaction node A sent; via VARA: those gateway B first received over VARA (the rest came over TCP before the cut, or were in flight and sent again).',
    ...warnings.map((w) => `gateway warning: ${w}`),
  ]
  return { rows, table: table(rows), notes }
}
