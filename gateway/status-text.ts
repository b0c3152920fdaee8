/**
 * A running gateway's status as a few lines for a terminal: what `bunker-gateway status` prints.
 * Unknown readings show as `-`.
 *
 * @packageDocumentation
 */
import type { GatewayStatus, LinkStatus, PeerStatus } from './status-model.js'
import { formatTable } from './text-table.js'

const NONE = '-'

/** A duration as people read it: `45s`, `12m 05s`, `3h 07m`, `2d 04h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1_000))
  const pad = (n: number): string => String(n).padStart(2, '0')
  if (s < 60) return `${s}s`
  if (s < 3_600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`
  if (s < 86_400) return `${Math.floor(s / 3_600)}h ${pad(Math.floor(s / 60) % 60)}m`
  return `${Math.floor(s / 86_400)}d ${pad(Math.floor(s / 3_600) % 24)}h`
}

/** A byte count with a decimal unit: `512 B`, `12.3 kB`, `4.1 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1_000) return `${bytes} B`
  if (bytes < 1_000_000) return `${(bytes / 1_000).toFixed(1)} kB`
  return `${(bytes / 1_000_000).toFixed(1)} MB`
}

const percent = (share: number | undefined): string => (share === undefined ? NONE : `${Math.round(share * 100)}%`)
const maybe = (value: number | undefined, unit: string, digits = 0): string => (value === undefined ? NONE : `${value.toFixed(digits)}${unit}`)
const since = (at: number | undefined, now: number): string => (at === undefined ? NONE : formatDuration(now - at))
const shortHash = (hash: string | null | undefined): string => (hash === null || hash === undefined ? NONE : hash.length > 16 ? `${hash.slice(0, 8)}…${hash.slice(-6)}` : hash)

function linkRow(link: LinkStatus, now: number): string[] {
  const state = link.busy === true && link.state === 'up' ? 'up,busy' : link.state
  return [
    link.id,
    link.kind,
    link.stale ? `${state}?` : state, // ? : its readings are stale
    since(link.stateSince, now),
    percent(link.availability),
    maybe(link.snrDb, ' dB', 1),
    maybe(link.rttMs, ' ms'),
    percent(link.loss),
    link.goodputBps === undefined ? NONE : `${formatBytes(Math.round(link.goodputBps))}/s`,
    formatBytes(link.bytesSent),
    formatBytes(link.bytesReceived),
    percent(link.budgetLeft),
  ]
}

function peerRow(peer: PeerStatus, now: number): string[] {
  const lastHeard = Math.max(...Object.values(peer.heard), Number.NEGATIVE_INFINITY)
  return [
    peer.name,
    peer.currentLink ?? NONE,
    peer.height === undefined ? NONE : String(peer.height),
    Number.isFinite(lastHeard) ? `${formatDuration(now - lastHeard)} ago` : NONE,
    String(peer.queued),
    String(peer.inFlight),
    formatBytes(peer.pendingBytes),
    peer.sync === undefined ? NONE : `${peer.sync.done}/${peer.sync.total}`,
  ]
}

/** The status as lines: station, chain, a table of links, a table of peers, the counters. */
export function formatStatus(status: GatewayStatus): string[] {
  const { now } = status
  const node = status.node === undefined ? 'no node (relay)' : `node ${status.node.connected ? 'connected' : 'DISCONNECTED'}, ${status.node.queued} queued`
  const lines = [
    `${status.station} (${status.role}), bunker-gateway ${status.version}, up ${formatDuration(now - status.startedAt)}`,
    `chain height ${status.chain.height}, tip ${shortHash(status.chain.tip)}, mempool ${status.chain.mempool}; ${node}`,
    '',
  ]
  if (status.links.length === 0) lines.push('no links configured')
  else lines.push(...formatTable([['LINK', 'KIND', 'STATE', 'SINCE', 'AVAIL', 'SNR', 'RTT', 'LOSS', 'GOODPUT', 'SENT', 'RECEIVED', 'BUDGET'], ...status.links.map((l) => linkRow(l, now))]))
  lines.push('')
  if (status.peers.length === 0) lines.push('no peer gateways known yet')
  else lines.push(...formatTable([['PEER', 'VIA', 'HEIGHT', 'HEARD', 'QUEUED', 'IN FLIGHT', 'PENDING', 'SYNC'], ...status.peers.map((p) => peerRow(p, now))]))
  const c = status.counters
  lines.push('', `relayed ${c.txRelayed} transactions and ${c.blocksRelayed} blocks; rejected ${c.rejected}; failovers ${c.failovers}`)
  return lines
}
