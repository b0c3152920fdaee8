/**
 * The gateway, assembled: the durable store and chain mirror, the node link (none on a relay
 * station), every configured link under its supervisor, the link monitor, the router, the relay and
 * the gateway protocol, plus the timers that drive them (node delivery, sync timeouts, beacons).
 *
 * Start order: store (so nothing accepted is lost), links, node; stop order: beacons, the node, a bounded
 * flush of what is waiting, links, store. Everything else lives in the parts.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import { txHash } from '../codecs/hashes.js'
import { toHex } from '../codecs/hex.js'
import { FEATURE_BITS, LINK_BITS } from '../codecs/wire-gateway.js'
import type { Transport } from '../transports/types.js'
import type { GatewayConfig } from './config/schema.js'
import { Mesh } from './exchange/mesh.js'
import { PeerProtocol } from './exchange/peer-protocol.js'
import { LinkFraming } from './link-framing.js'
import { LinkMonitor } from './link-monitor/monitor.js'
import type { Logger } from './log.js'
import { ChainState } from './node-link/chain-state.js'
import { HttpNodeLink } from './node-link/http-node-link.js'
import type { NodeLink } from './node-link/node-link.js'
import { P2PService } from './node-link/p2p-service.js'
import { packageInfo } from './package-info.js'
import { PeerDirectory } from './peer-directory.js'
import { NODE_QUEUE, Relay, txKey } from './relay.js'
import { Router, type RouterEvents, type RouterOptions } from './router/router.js'
import type { GatewayStatus } from './status-model.js'
import { buildStatus, LinkCounters } from './status-report.js'
import { GatewayMetrics } from './status/metrics.js'
import { StatusServer } from './status/server.js'
import { GatewayStore, storeFile } from './store/store.js'
import { Supervisor, type SupervisorOptions } from './supervisor.js'
import { createTransport, type TransportFactory } from './transport-factory.js'

/** Period of the housekeeping tick (node delivery retry, sync timeouts), ms. */
const TICK_MS = 1_000
/** First beacon after start: a random wait up to this long, so stations restarted together do not collide, ms. */
const FIRST_BEACON_MAX_MS = 30_000

/** What the gateway is built with besides its config. */
export interface GatewayDeps {
  log: Logger
  /** Clock, ms since the epoch. */
  now?: () => number
  /** Builds each link's transport; tests pass simulated ones. */
  transports?: TransportFactory
  /** The node adapter instead of the one the config names (tests). */
  node?: (state: ChainState) => NodeLink
  /** Router tuning (ack timeouts, probe intervals, ban limits) for time-scaled tests. */
  router?: Pick<RouterOptions, 'ackTimeoutMs' | 'probeIntervalMs' | 'setAsideMs' | 'bans'>
  supervisor?: SupervisorOptions
  /** Uniform [0, 1) for beacon jitter. */
  random?: () => number
}

/** Events for the demo and metrics: what the router did and what the relay accepted. */
export interface GatewayEvents {
  sent: RouterEvents['sent']
  failover: RouterEvents['failover']
  accepted: [event: { kind: 'tx' | 'block'; hash: string; from: string }]
  rejected: [event: { kind: 'tx' | 'block'; hash: string; from: string; reason: string }]
  delivered: [event: { kind: 'tx' | 'block'; hash: string }]
}

/** A running gateway. */
export class Gateway extends EventEmitter<GatewayEvents> {
  private readonly timers: NodeJS.Timeout[] = []
  private readonly supervisors: Supervisor[]
  private readonly counters = { txRelayed: 0, blocksRelayed: 0, rejected: 0, failovers: 0 }
  private readonly linkCounters = new LinkCounters()
  private readonly startedAt: number
  private stopped = false
  /** Prometheus counters and gauges (`/metrics`). */
  readonly metrics: GatewayMetrics
  private statusServer?: StatusServer

  private constructor(
    private readonly config: GatewayConfig,
    private readonly log: Logger,
    private readonly now: () => number,
    readonly store: GatewayStore,
    readonly state: ChainState,
    readonly node: NodeLink | undefined,
    readonly transports: ReadonlyMap<string, Transport>,
    readonly monitor: LinkMonitor,
    readonly directory: PeerDirectory,
    readonly router: Router,
    readonly relay: Relay,
    readonly protocol: PeerProtocol,
    deps: GatewayDeps,
  ) {
    super()
    this.startedAt = now()
    this.metrics = new GatewayMetrics(() => this.status())
    this.supervisors = [...transports.values()].map((t) => new Supervisor(t, log.child({ component: 'supervisor' }), deps.supervisor))
  }

  /** Opens the store, starts every link and the node link; resolves when the gateway is ready. */
  static async start(config: GatewayConfig, deps: GatewayDeps): Promise<Gateway> {
    const gw = Gateway.assemble(config, deps)
    await gw.run(deps.random ?? Math.random)
    return gw
  }

  private static assemble(config: GatewayConfig, deps: GatewayDeps): Gateway {
    const now = deps.now ?? Date.now
    const log = deps.log.child({ station: config.station.id })
    const store = GatewayStore.open(storeFile(config.station.stateDir), { now, log: log.child({ component: 'store' }) })
    const state = new ChainState({ persistence: store.chain })
    const node = deps.node?.(state) ?? nodeLinkOf(config, state, log)
    const make = deps.transports ?? createTransport
    const aprsInfo = {
      chainTip: () => {
        const tip = state.tip()
        return tip.hash === null ? undefined : { height: tip.height, hash: tip.hash }
      },
    }
    const transports = new Map(Object.entries(config.links).map(([id, link]) => [id, make(id, link, { log, aprsInfo })] as const))
    const monitor = new LinkMonitor(config.monitor, now)
    const directory = new PeerDirectory(config.peers)
    let protocol: PeerProtocol | undefined
    let mesh: Mesh | undefined
    const router = new Router({
      store,
      monitor,
      policy: config.policy,
      directory,
      transports,
      framing: new LinkFraming({}, now),
      hello: () => (protocol as PeerProtocol).hello(),
      shape: (peer, msg, cls) => (protocol as PeerProtocol).shape(peer, msg, cls),
      viaMesh: (peer, msg, cls) => (mesh as Mesh).wrap(peer, msg, cls),
      now,
      log: log.child({ component: 'router' }),
      ...deps.router,
    })
    const peers = (): string[] => directory.relayTargets().filter((p) => p !== config.station.id)
    const relay = new Relay({ store, state, router, node, peers, log: log.child({ component: 'relay' }) })
    protocol = new PeerProtocol({
      station: config.station.id,
      state,
      relay,
      router,
      store,
      features: FEATURE_BITS.compactBlocks | FEATURE_BITS.headersSync | FEATURE_BITS.relay | (node === undefined ? 0 : FEATURE_BITS.node),
      links: [...transports.values()].reduce((bits, t) => bits | LINK_BITS[t.capabilities.kind], 0),
      log: log.child({ component: 'protocol' }),
      now,
      onRelay: (m) => (mesh as Mesh).onRelay(m),
      isNamed: (peer) => directory.isNamed(peer),
    })
    mesh = new Mesh({
      station: config.station.id,
      router,
      directory,
      featuresOf: (peer) => (protocol as PeerProtocol).featuresOf(peer),
      deliver: (m) => (protocol as PeerProtocol).handle(m),
      log: log.child({ component: 'mesh' }),
    })
    return new Gateway(config, log, now, store, state, node, transports, monitor, directory, router, relay, protocol, deps)
  }

  private async run(random: () => number): Promise<void> {
    this.wire()
    this.router.start()
    this.requeueMempool()
    await Promise.all(this.supervisors.map((s) => s.start()))
    await this.node?.start()
    this.every(TICK_MS, () => this.tick())
    this.startBeacons(random)
    this.greetUnicastPeers()
    await this.startStatusServer()
    const role = this.node === undefined ? 'relay station (no node)' : 'gateway'
    this.log.info({ role, links: [...this.transports.keys()], peers: this.directory.peers(), tip: this.state.tip() }, `${role} running`)
  }

  private async startStatusServer(): Promise<void> {
    const o = this.config.status
    if (!o.enabled) return
    this.statusServer = new StatusServer({ source: () => this.status(), metrics: this.metrics, log: this.log.child({ component: 'status' }) }, { host: o.host, port: o.port })
    await this.statusServer.start()
    this.log.info({ url: this.statusServer.url }, 'status page, /status and /metrics served here')
  }

  /** Where the status page is served, once started (undefined when disabled). */
  get statusUrl(): string | undefined {
    return this.statusServer?.url
  }

  /**
   * Sends our hello to each configured peer that has an address on a link without broadcast (TCP,
   * VARA); a peer reached only over broadcast links hears our first beacon instead, which spares a
   * JS8Call frequency minutes of duplicate air at start.
   */
  private greetUnicastPeers(): void {
    for (const peer of this.directory.peers()) {
      const unicast = this.directory.linksOf(peer).some((l) => this.transports.get(l.transportId)?.capabilities.broadcast === false)
      const beaconed = this.directory.linksOf(peer).some((l) => this.beaconing.has(l.transportId))
      if (unicast || !beaconed) this.protocol.greet(peer)
    }
  }

  private wire(): void {
    this.router.on('message', (m) => {
      this.metrics.messageReceived(m.link, m.msg.type)
      this.protocol.handle(m)
    })
    this.router.on('sent', (e) => {
      this.linkCounters.sent(e.link, e.bytes)
      for (const b of e.fragmentBytes) this.metrics.frameSent(e.link, b)
      this.metrics.messageSent(e.link, e.type, e.bytes)
      this.emit('sent', e)
    })
    this.router.on('received', (e) => {
      this.linkCounters.received(e.link, e.bytes)
      this.metrics.frameReceived(e.link, e.bytes)
    })
    this.router.on('failover', (e) => {
      this.counters.failovers++
      this.metrics.failover(e.from, e.to)
      this.emit('failover', e)
    })
    this.relay.on('delivered', (e) => {
      this.metrics.delivered(e.kind)
      this.emit('delivered', e)
    })
    this.router.on('dropped', (e) => this.log.debug(e, 'frame dropped'))
    this.relay.on('accepted', (e) => {
      this.metrics.relayed(e.kind, 'peer' in e.origin ? 'peer' : 'node')
      if (e.kind === 'tx') this.counters.txRelayed++
      else this.counters.blocksRelayed++
      this.emit('accepted', { kind: e.kind, hash: e.hash, from: 'peer' in e.origin ? e.origin.peer : 'node' })
    })
    this.relay.on('rejected', (e) => {
      if ('peer' in e.origin) this.router.strike(e.origin.peer, e.reason)
      this.metrics.rejected(e.reason)
      this.counters.rejected++
      this.emit('rejected', { kind: e.kind, hash: e.hash, from: 'peer' in e.origin ? e.origin.peer : 'node', reason: e.reason })
    })
    this.node?.on('transaction', (tx) => this.relay.fromNode(tx))
    this.node?.on('block', (block) => this.relay.fromNodeBlock(block))
    this.node?.on('chain', () => {
      for (const peer of this.directory.peers()) this.protocol.greet(peer)
    })
  }

  /** Queues every mempool transaction for every peer again: covers a crash between the node link's commit and the relay's. */
  private requeueMempool(): void {
    this.store.transaction(() => {
      for (const tx of this.state.transactions()) {
        const hash = toHex(txHash(tx))
        for (const peer of this.directory.peers()) this.router.enqueue(peer, txKey(hash), 'tx', { type: 'tx', transaction: tx })
      }
    })
  }

  private tick(): void {
    this.protocol.tick()
    if (this.node !== undefined && this.store.queue.count(NODE_QUEUE).queued > 0) void this.relay.forwardToNode()
  }

  /** Links that beacon our hello. */
  private get beaconing(): Set<string> {
    return new Set(Object.entries(this.config.links).flatMap(([id, link]) => ((link.type === 'ax25' || link.type === 'js8call') && link.beaconIntervalMs > 0 ? [id] : [])))
  }

  private startBeacons(random: () => number): void {
    for (const [id, link] of Object.entries(this.config.links)) {
      if (!this.beaconing.has(id) || (link.type !== 'ax25' && link.type !== 'js8call')) continue
      const beacon = (): void => void this.router.broadcast(id, this.protocol.hello())
      const first = setTimeout(() => {
        beacon()
        this.every(link.beaconIntervalMs, beacon)
      }, random() * FIRST_BEACON_MAX_MS)
      first.unref()
      this.timers.push(first)
    }
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms)
    t.unref()
    this.timers.push(t)
  }

  /** What the gateway reports about itself (`/status`). */
  status(): GatewayStatus {
    return buildStatus({
      station: this.config.station.id,
      version: packageInfo().version,
      startedAt: this.startedAt,
      now: this.now(),
      gateway: this,
      counters: this.counters,
      linkCounters: this.linkCounters,
    })
  }

  /**
   * Stops: no more beacons; hands the node what it is owed and stops taking work from it; waits up
   * to `timeoutMs` for what is being sent; then stops the links and closes the store. What was not
   * sent stays in the store for the next start.
   */
  async stop(timeoutMs = this.config.shutdownTimeoutMs): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    for (const t of this.timers.splice(0)) clearTimeout(t)
    const deadline = this.now() + timeoutMs
    await this.relay.forwardToNode()
    await this.node?.stop() // no new work from the node side from here on
    while (this.now() < deadline && this.router.sending()) await new Promise((r) => setTimeout(r, 50))
    await this.statusServer?.stop()
    this.router.stop()
    await Promise.all(this.supervisors.map((s) => s.stop()))
    this.store.close()
    this.log.info({ tip: this.state.tip() }, 'gateway stopped; queued messages stay in the store for the next start')
  }

}

function nodeLinkOf(config: GatewayConfig, state: ChainState, log: Logger): NodeLink | undefined {
  const node = config.node
  const nodeLog = log.child({ component: 'node-link' })
  if (node?.p2p !== undefined) {
    const listen = node.p2p.listen === undefined ? undefined : splitHostPort(node.p2p.listen)
    return new P2PService(state, { peers: node.p2p.peers, ...(listen === undefined ? {} : { listen }), role: 'gateway' }, nodeLog)
  }
  if (node?.http !== undefined) return new HttpNodeLink(state, { url: node.http.url, pollIntervalMs: node.http.pollIntervalMs }, nodeLog)
  return undefined
}

function splitHostPort(hostPort: string): { host: string; port: number } {
  const i = hostPort.lastIndexOf(':')
  return { host: hostPort.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(hostPort.slice(i + 1)) }
}
