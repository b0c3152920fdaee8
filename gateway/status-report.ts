/**
 * The gateway's status report (gateway/status-model.ts) assembled from its parts: links from the
 * monitor and the transports, peers from the directory, the protocol and the queues, the chain from
 * the mirror.
 *
 * @packageDocumentation
 */
import type { Transport } from '../transports/types.js'
import type { PeerProtocol } from './exchange/peer-protocol.js'
import type { LinkMonitor, QualityReadings } from './link-monitor/monitor.js'
import type { ChainState } from './node-link/chain-state.js'
import type { NodeLink } from './node-link/node-link.js'
import type { PeerDirectory } from './peer-directory.js'
import { NODE_QUEUE } from './relay.js'
import type { Router } from './router/router.js'
import type { GatewayStatus, LinkStatus, PeerStatus } from './status-model.js'
import type { GatewayStore } from './store/store.js'

/** Bytes sent and received per link since start. */
export class LinkCounters {
  private readonly counts = new Map<string, { sent: number; received: number }>()

  /** Counts `bytes` transmitted on `link`. */
  sent(link: string, bytes: number): void {
    this.of(link).sent += bytes
  }

  /** Counts `bytes` received on `link`. */
  received(link: string, bytes: number): void {
    this.of(link).received += bytes
  }

  /** The counts of `link`. */
  of(link: string): { sent: number; received: number } {
    let c = this.counts.get(link)
    if (c === undefined) {
      c = { sent: 0, received: 0 }
      this.counts.set(link, c)
    }
    return c
  }
}

/** The parts a status report reads. */
export interface StatusSources {
  station: string
  version: string
  startedAt: number
  now: number
  gateway: {
    readonly state: ChainState
    readonly node: NodeLink | undefined
    readonly transports: ReadonlyMap<string, Transport>
    readonly monitor: LinkMonitor
    readonly directory: PeerDirectory
    readonly router: Router
    readonly protocol: PeerProtocol
    readonly store: GatewayStore
  }
  counters: GatewayStatus['counters']
  linkCounters: LinkCounters
}

/** The status report as of `s.now`. */
export function buildStatus(s: StatusSources): GatewayStatus {
  const g = s.gateway
  const tip = g.state.tip()
  const snapshot = g.monitor.snapshot(s.now)
  const links = [...g.transports.values()].map((t): LinkStatus => {
    const q = snapshot.links[t.id]
    const counts = s.linkCounters.of(t.id)
    const budgetLeft = g.router.budgetLeft(t.id)
    return {
      id: t.id,
      kind: t.capabilities.kind,
      state: t.state,
      ...readingsOf(q ?? { stale: true }),
      ...(q?.stateSince === undefined ? {} : { stateSince: q.stateSince }),
      availability: q?.availability ?? 0,
      ...(q?.busy === undefined ? {} : { busy: q.busy }),
      bytesSent: counts.sent,
      bytesReceived: counts.received,
      ...(budgetLeft === undefined ? {} : { budgetLeft }),
    }
  })
  return {
    station: s.station,
    version: s.version,
    startedAt: s.startedAt,
    now: s.now,
    role: g.node === undefined ? 'relay' : 'gateway',
    chain: { height: tip.height, tip: tip.hash, mempool: g.state.transactions().length },
    ...(g.node === undefined ? {} : { node: { connected: g.node.connected(), queued: g.store.queue.count(NODE_QUEUE).queued } }),
    links,
    peers: g.directory.peers().map((p) => peerStatus(s, p, snapshot.links)),
    counters: { ...s.counters },
  }
}

function peerStatus(s: StatusSources, name: string, links: ReturnType<LinkMonitor['snapshot']>['links']): PeerStatus {
  const g = s.gateway
  const hello = g.protocol.peerHello(name)?.hello
  const counts = g.store.queue.count(name)
  const heard = Object.fromEntries(
    Object.values(links).flatMap((l) => {
      const at = l.peers[name]?.lastHeardAt
      return at === undefined ? [] : [[l.transportId, at] as const]
    }),
  )
  const sync = g.protocol.syncing()
  const current = g.router.currentLink(name)
  return {
    name,
    ...(hello === undefined ? {} : { height: hello.height, tip: Buffer.from(hello.tip).toString('hex') }),
    ...(current === undefined ? {} : { currentLink: current }),
    heard,
    queued: counts.queued + g.router.counts(name).control,
    inFlight: counts.sent,
    pendingBytes: counts.pendingBytes,
    ...(sync?.peer === name ? { sync: { done: sync.done, total: sync.total } } : {}),
  }
}

/** The readings of `r` that are known (a status field is absent rather than undefined). */
function readingsOf(r: QualityReadings): QualityReadings {
  const { snrDb, rttMs, loss, goodputBps, bitrateBps, lastHeardAt, stale } = r
  const known = Object.entries({ snrDb, rttMs, loss, goodputBps, bitrateBps, lastHeardAt }).filter(([, v]) => v !== undefined)
  return { stale, ...(Object.fromEntries(known) as Omit<QualityReadings, 'stale'>) }
}
