/**
 * The link-quality monitor: per link and per (link, peer), time-decayed averages of what the
 * transports report (push, never poll), and a plain-data {@link MonitorSnapshot} for the routing
 * policy. It owns no timers; every input carries or takes its time from the injected clock.
 *
 * What feeds it: transport `sample` events (SNR, RTT, send outcomes, modem bitrate, busy, queue
 * depth), `state` events (availability), frames heard (last-heard time) and the router's delivery
 * outcomes (goodput, loss). A metric not updated for `staleAfterMs` is left out of the snapshot, so
 * an old bad reading cannot bar a link for ever: the policy treats "unknown" as "try it".
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import type { InboundFrame, LinkSample, LinkState, StateChange, Transport } from '../../transports/types.js'
import type { TransportCapabilities, TransportKind } from '../../transports/types.js'
import { holdEwma, updateEwma } from './ewma.js'
import type { Ewma } from './ewma.js'

/** Averaging time constant and staleness limit of one link. */
export const LinkTimingSchema = z.strictObject({
  /** Time constant of the averages, ms: after τ an old value counts for 1/e. */
  tauMs: z.number().positive(),
  /** A peer (or metric) not heard from for this long is stale, ms. */
  staleAfterMs: z.number().positive(),
})
/** Averaging time constant and staleness limit of one link. */
export type LinkTiming = z.infer<typeof LinkTimingSchema>

/**
 * Defaults per kind: a few of the link's natural reporting intervals (TCP pings every few seconds,
 * VARA IAMALIVE every 60 s, AX.25 beacons every ~10 min, JS8Call heartbeats every ~30 min).
 */
export const DEFAULT_LINK_TIMING: Readonly<Record<TransportKind, LinkTiming>> = {
  tcp: { tauMs: 30_000, staleAfterMs: 60_000 },
  vara: { tauMs: 120_000, staleAfterMs: 300_000 },
  ax25: { tauMs: 300_000, staleAfterMs: 900_000 },
  js8call: { tauMs: 1_800_000, staleAfterMs: 3_600_000 },
}

/** Timing of a link whose capabilities are not registered yet. */
const UNREGISTERED_TIMING: LinkTiming = { tauMs: 60_000, staleAfterMs: 300_000 }

/** Options of {@link LinkMonitor}. */
export const LinkMonitorOptionsSchema = z.strictObject({
  /** Timing per kind of link. */
  kinds: z
    .strictObject({
      tcp: LinkTimingSchema.default(DEFAULT_LINK_TIMING.tcp),
      ax25: LinkTimingSchema.default(DEFAULT_LINK_TIMING.ax25),
      vara: LinkTimingSchema.default(DEFAULT_LINK_TIMING.vara),
      js8call: LinkTimingSchema.default(DEFAULT_LINK_TIMING.js8call),
    })
    .prefault({}),
  /** Timing of single links by transport id, over their kind's. */
  links: z.record(z.string(), LinkTimingSchema).default({}),
  /** Peers remembered per link; the least recently heard is forgotten first (callsigns come off the air). */
  maxPeersPerLink: z.number().int().positive().default(256),
})
/** Options of {@link LinkMonitor} as written (every field optional). */
export type LinkMonitorOptions = z.input<typeof LinkMonitorOptionsSchema>

/** Averages kept both per link (reports that name no peer) and per peer. */
interface Metrics {
  snrDb?: Ewma
  rttMs?: Ewma
  /** Share of failed sends, 0–1. */
  loss?: Ewma
  /** Bytes acknowledged per second. */
  goodputBps?: Ewma
  bitrateBps?: Ewma
  /** ms since the epoch. */
  lastHeardAt?: number
}

interface PeerEntry extends Metrics {
  /** Last time anything was recorded for this peer, ms: eviction order. */
  touchedAt: number
}

/** A 0/1 signal held between changes (up/down, busy) and its time-weighted average. */
interface Level {
  level: 0 | 1
  avg: Ewma
}

interface LinkEntry {
  capabilities?: TransportCapabilities
  state: LinkState
  stateSince?: number
  up?: Level
  busy?: Level
  txQueueBytes?: Ewma
  own: Metrics
  peers: Map<string, PeerEntry>
}

/** Quality readings shared by links and peers; a field is absent when unknown or stale. */
export interface QualityReadings {
  /** Signal-to-noise ratio, dB. */
  snrDb?: number
  /** Round-trip time, ms. */
  rttMs?: number
  /** Share of failed sends, 0–1. */
  loss?: number
  /** Bytes acknowledged per second. */
  goodputBps?: number
  /** Modem rate, bit/s. */
  bitrateBps?: number
  /** Last time something was heard, ms since the epoch. */
  lastHeardAt?: number
  /** Nothing heard for `staleAfterMs` (or never). */
  stale: boolean
}

/** One peer as heard on one link. */
export interface PeerQuality extends QualityReadings {
  peer: string
}

/** One link: state, availability, channel and the link-wide readings, plus its peers. */
export interface LinkQuality extends QualityReadings {
  transportId: string
  /** Absent until {@link LinkMonitor.registerLink}. */
  capabilities?: TransportCapabilities
  state: LinkState
  /** When the link entered `state`, ms since the epoch. */
  stateSince?: number
  /** Time-weighted share of time up, 0–1. */
  availability: number
  /** Channel busy right now, as last reported. */
  busy?: boolean
  /** Time-weighted share of time busy, 0–1. */
  busyShare?: number
  /** Average transmit queue depth, bytes. */
  txQueueBytes?: number
  /** Peers by name. */
  peers: Record<string, PeerQuality>
}

/** Everything the monitor knows at one instant, as plain data. */
export interface MonitorSnapshot {
  /** When taken, ms since the epoch. */
  at: number
  /** Links by transport id. */
  links: Record<string, LinkQuality>
}

/** Options of {@link LinkMonitor.attach}. */
export interface AttachOptions {
  /** Maps a frame's sender (`host:port`, callsign) to the peer name the router uses; `undefined` ignores it. */
  peerOf?: (from: string) => string | undefined
}

/** Collects link-quality measurements and hands out snapshots. */
export class LinkMonitor {
  private readonly opts: z.output<typeof LinkMonitorOptionsSchema>
  private readonly links = new Map<string, LinkEntry>()

  /**
   * @param options - timing per kind and per link, peer limit
   * @param now - clock, ms since the epoch; injected so tests run on fake time
   */
  constructor(
    options: LinkMonitorOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.opts = LinkMonitorOptionsSchema.parse(options)
  }

  /** Records what link `transportId` can do (its kind sets the timing). Call once per link. */
  registerLink(transportId: string, capabilities: TransportCapabilities): void {
    this.link(transportId).capabilities = capabilities
  }

  /**
   * Registers `transport` and follows its `sample`, `state` and `frame` events.
   *
   * @returns a function that stops following
   */
  attach(transport: Transport, options: AttachOptions = {}): () => void {
    const id = transport.id
    const peerOf = options.peerOf ?? ((from: string) => from)
    this.registerLink(id, transport.capabilities)
    this.recordState(id, transport.state)
    const onSample = (s: LinkSample): void => this.recordSample(id, s)
    const onState = (c: StateChange): void => this.recordState(id, c.to)
    const onFrame = (f: InboundFrame): void => {
      const peer = f.from === undefined ? undefined : peerOf(f.from)
      if (peer === undefined) return this.recordLinkHeard(id, f.receivedAt)
      if (f.snrDb === undefined) return this.recordHeard(id, peer, f.receivedAt)
      this.recordSample(id, { at: f.receivedAt, peer, snrDb: f.snrDb }) // an SNR reading is hearing the peer
    }
    transport.on('sample', onSample).on('state', onState).on('frame', onFrame)
    return () => {
      transport.off('sample', onSample).off('state', onState).off('frame', onFrame)
    }
  }

  /** Records that link `transportId` is now in `state` (at `at`, ms; default now). */
  recordState(transportId: string, state: LinkState, at: number = this.now()): void {
    const link = this.link(transportId)
    if (link.stateSince !== undefined && link.state === state) return
    link.up = changeLevel(link.up, state === 'up' ? 1 : 0, at, this.timing(transportId).tauMs)
    link.state = state
    link.stateSince = at
  }

  /** Folds one transport sample in: per peer when it names one, else for the link as a whole. */
  recordSample(transportId: string, sample: LinkSample): void {
    const link = this.link(transportId)
    const { tauMs } = this.timing(transportId)
    const { at } = sample
    const target = sample.peer === undefined ? link.own : this.peer(link, sample.peer, at)
    foldMetric(target, 'snrDb', sample.snrDb, at, tauMs)
    foldMetric(target, 'rttMs', sample.rttMs, at, tauMs)
    foldMetric(target, 'bitrateBps', sample.bitrateBps, at, tauMs)
    if (sample.sendOk !== undefined) foldLoss(target, !sample.sendOk, at, tauMs)
    if (finite(sample.txQueueBytes)) link.txQueueBytes = updateEwma(link.txQueueBytes, sample.txQueueBytes, at, tauMs)
    if (sample.channelBusy !== undefined) link.busy = changeLevel(link.busy, sample.channelBusy ? 1 : 0, at, tauMs)
    if (sample.peer !== undefined && heardIn(sample)) this.recordHeard(transportId, sample.peer, at)
  }

  /** Records that `peer` was heard on link `transportId` at `at` (ms; default now). */
  recordHeard(transportId: string, peer: string, at: number = this.now()): void {
    const entry = this.peer(this.link(transportId), peer, at)
    entry.lastHeardAt = Math.max(entry.lastHeardAt ?? at, at)
    this.recordLinkHeard(transportId, at)
  }

  /**
   * Records the outcome of one message to `peer` over `transportId`: `bytes` sent, `ms` from first
   * transmission to acknowledgement (or to giving up), `ok` if acknowledged. Feeds loss, goodput
   * (ok only) and last-heard (an ack is hearing the peer).
   */
  recordDelivery(transportId: string, peer: string, bytes: number, ms: number, ok: boolean, at: number = this.now()): void {
    const entry = this.peer(this.link(transportId), peer, at)
    const { tauMs } = this.timing(transportId)
    foldLoss(entry, !ok, at, tauMs)
    if (!ok) return
    if (ms > 0) foldMetric(entry, 'goodputBps', (bytes * 1000) / ms, at, tauMs)
    this.recordHeard(transportId, peer, at)
  }

  /** Everything known at `now` (ms; default the clock), as plain data. */
  snapshot(now: number = this.now()): MonitorSnapshot {
    const links = [...this.links].map(([id, link]) => [id, this.linkQuality(id, link, now)] as const)
    return { at: now, links: Object.fromEntries(links) }
  }

  private linkQuality(transportId: string, link: LinkEntry, now: number): LinkQuality {
    const timing = this.timing(transportId)
    const peers = [...link.peers].map(([name, p]) => [name, { peer: name, ...readings(p, now, timing) }] as const)
    return {
      transportId,
      ...(link.capabilities === undefined ? {} : { capabilities: link.capabilities }),
      state: link.state,
      ...(link.stateSince === undefined ? {} : { stateSince: link.stateSince }),
      ...readings(link.own, now, timing),
      availability: link.up === undefined ? 0 : levelShare(link.up, now, timing.tauMs),
      ...(link.busy === undefined ? {} : { busy: link.busy.level === 1, busyShare: levelShare(link.busy, now, timing.tauMs) }),
      ...optional('txQueueBytes', fresh(link.txQueueBytes, now, timing.staleAfterMs)),
      peers: Object.fromEntries(peers),
    }
  }

  private recordLinkHeard(transportId: string, at: number): void {
    const own = this.link(transportId).own
    own.lastHeardAt = Math.max(own.lastHeardAt ?? at, at)
  }

  private timing(transportId: string): LinkTiming {
    if (Object.hasOwn(this.opts.links, transportId)) return this.opts.links[transportId] as LinkTiming
    const kind = this.links.get(transportId)?.capabilities?.kind
    return kind === undefined ? UNREGISTERED_TIMING : this.opts.kinds[kind]
  }

  private link(transportId: string): LinkEntry {
    let link = this.links.get(transportId)
    if (link === undefined) {
      link = { state: 'stopped', own: {}, peers: new Map() }
      this.links.set(transportId, link)
    }
    return link
  }

  private peer(link: LinkEntry, name: string, at: number): PeerEntry {
    let entry = link.peers.get(name)
    if (entry === undefined) {
      if (link.peers.size >= this.opts.maxPeersPerLink) evictOldest(link.peers)
      entry = { touchedAt: at }
      link.peers.set(name, entry)
    }
    entry.touchedAt = Math.max(entry.touchedAt, at)
    return entry
  }
}

type MetricKey = 'snrDb' | 'rttMs' | 'loss' | 'goodputBps' | 'bitrateBps'
const METRIC_KEYS: readonly MetricKey[] = ['snrDb', 'rttMs', 'loss', 'goodputBps', 'bitrateBps']

/** Folds `value` into metric `key` of `target`; ignores absent and non-finite values (a garbled report). */
function foldMetric(target: Metrics, key: MetricKey, value: number | undefined, at: number, tauMs: number): void {
  if (finite(value)) target[key] = updateEwma(target[key], value, at, tauMs)
}

/**
 * Folds one send outcome into the loss average, which starts from a prior of "no loss": one failed
 * first call (two stations calling each other at once) must not read as 100 % loss and bar a link
 * that is then never tried again to show otherwise.
 */
function foldLoss(target: Metrics, lost: boolean, at: number, tauMs: number): void {
  target.loss = updateEwma(target.loss ?? { value: 0, at }, lost ? 1 : 0, at, tauMs)
}

function finite(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value)
}

/** True when a sample about a peer proves we received something from it. */
function heardIn(sample: LinkSample): boolean {
  return sample.snrDb !== undefined || sample.rttMs !== undefined || sample.sendOk === true
}

function fresh(avg: Ewma | undefined, now: number, staleAfterMs: number): number | undefined {
  return avg !== undefined && now - avg.at <= staleAfterMs ? avg.value : undefined
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>)
}

function readings(m: Metrics, now: number, timing: LinkTiming): QualityReadings {
  const values = METRIC_KEYS.map((k) => optional(k, fresh(m[k], now, timing.staleAfterMs)))
  const stale = m.lastHeardAt === undefined || now - m.lastHeardAt > timing.staleAfterMs
  return Object.assign({ stale }, ...values, optional('lastHeardAt', m.lastHeardAt)) as QualityReadings
}

/** `prev` with its level changed to `level` at `at` (ms): the old level is integrated up to `at`. */
function changeLevel(prev: Level | undefined, level: 0 | 1, at: number, tauMs: number): Level {
  if (prev === undefined) return { level, avg: { value: level, at } }
  if (at < prev.avg.at) return { level, avg: prev.avg } // late report: keep the integral, take the level
  return { level, avg: { value: holdEwma(prev.avg, prev.level, at, tauMs), at } }
}

function levelShare(l: Level, now: number, tauMs: number): number {
  return holdEwma(l.avg, l.level, now, tauMs)
}

function evictOldest(peers: Map<string, PeerEntry>): void {
  let oldest: string | undefined
  let oldestAt = Infinity
  for (const [name, p] of peers) {
    if (p.touchedAt < oldestAt) [oldest, oldestAt] = [name, p.touchedAt]
  }
  if (oldest !== undefined) peers.delete(oldest)
}
