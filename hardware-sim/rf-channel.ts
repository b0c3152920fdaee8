/**
 * The shared RF medium every simulated device (KISS TNC, VARA modem, JS8Call) transmits on.
 *
 * Stations attach to a channel and transmit byte frames. A transmission occupies the channel for
 * `txDelay + (bytes + extraBytes)·8/bitrate + txTail` (or a caller-stated signal length), and every
 * other station of the same mode receives it `latencyMs` after it ends, unless:
 * - the receiver was itself transmitting during any part of it (half duplex), or
 * - any third transmission (another station or a scripted foreign user) overlapped it (collision:
 *   everyone hears everyone on this channel, so an overlap spoils the frame for all receivers), or
 * - a seeded loss draw fails; the loss probability combines the profile's base loss with the SNR at
 *   the end of the frame against the mode's decode floor (`minSnrDb`).
 * Delivered frames may carry bit errors (seeded), and report the SNR at that time. Overlaps and
 * carrier sense are judged in channel time; latency only delays delivery. Stations of other modes
 * still see the carrier (busy) and still cause collisions; they just do not get the frame.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { createPrng, type Prng } from './prng.js'
import { RF_PROFILE_NAMES, RF_PROFILES, RfProfileSchema, type RfProfile } from './profiles.js'
import { flipBits, frameLossProbability, snrFromScript } from './rf-channel-impairments.js'
import type {
  AirtimeOptions, RfChannel, RfChannelStats, RfFrame, RfStation, RfStationOptions, TransmitOptions, TxReport,
} from './rf-channel-types.js'
import { createSimClock, createTimerGroup, type SimClock, type TimerGroup } from './sim-clock.js'

export type * from './rf-channel-types.js'

/** A foreign user keying up: from `atMs` for `durationMs` (simulated ms since channel creation). */
export const BusyWindowSchema = z.object({
  atMs: z.number().min(0),
  durationMs: z.number().positive(),
})

/** Channel options: a named profile, any profile field overridden, and the run's seed and scale. */
export const RfChannelOptionsSchema = RfProfileSchema.partial().extend({
  profile: z.enum(RF_PROFILE_NAMES).default('lan'),
  /** Seed of the loss and bit-error draws. */
  seed: z.number().int().default(1),
  /** Simulated ms per wall ms; ignored when a clock is injected. */
  timeScale: z.number().positive().default(1),
  busySchedule: z.array(BusyWindowSchema).default([]),
})

/** Input accepted by {@link createRfChannel}. */
export type RfChannelOptions = z.input<typeof RfChannelOptionsSchema>

const INTERFERER = '#interference'

interface TxRecord {
  readonly report: TxReport
  readonly mode: string
  readonly payload?: Uint8Array
  readonly minSnrDb: number
  readonly onEnd?: (tx: TxReport) => void
}

interface StationState {
  readonly opts: RfStationOptions
  lastBusy: boolean
  txUntil: number // simulated ms: end of this station's last scheduled transmission
}

const overlaps = (a: TxReport, b: TxReport): boolean => a.startMs < b.endMs && b.startMs < a.endMs

/** Resolves a profile name plus overrides; a plain `snrDb` override drops the profile's script. */
function resolveProfile(options: z.infer<typeof RfChannelOptionsSchema>): RfProfile {
  const { profile, seed: _seed, timeScale: _scale, busySchedule: _busy, ...overrides } = options
  const set = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined))
  const merged: RfProfile = { ...RF_PROFILES[profile], ...set }
  if (overrides.snrDb !== undefined && overrides.snrScript === undefined) {
    delete merged.snrScript
    delete merged.snrScriptPeriodMs
  }
  return RfProfileSchema.parse(merged)
}

class Channel implements RfChannel {
  readonly clock: SimClock
  readonly profile: RfProfile
  private readonly ownClock: boolean
  private readonly timers: TimerGroup
  private readonly prng: Prng
  private readonly stations = new Map<string, StationState>()
  private readonly active = new Set<TxRecord>()
  private records: TxRecord[] = [] // transmissions that may still overlap an unfinished one
  private counters: RfChannelStats = {
    transmissions: 0, interferences: 0, deliveries: 0, lost: 0,
    collisions: 0, halfDuplexMisses: 0, bitErrorFrames: 0, bitErrors: 0,
  }
  private nextId = 0

  constructor(options: RfChannelOptions, clock: SimClock | undefined) {
    const parsed = RfChannelOptionsSchema.parse(options)
    this.profile = resolveProfile(parsed)
    this.ownClock = clock === undefined
    this.clock = clock ?? createSimClock({ timeScale: parsed.timeScale })
    this.timers = createTimerGroup(this.clock)
    this.prng = createPrng(parsed.seed)
    const t0 = this.clock.now()
    for (const w of parsed.busySchedule) this.timers.setTimeout(() => this.interfere(w.durationMs), w.atMs - t0)
  }

  attach(opts: RfStationOptions): RfStation {
    if (this.stations.has(opts.id)) throw new Error(`station id ${opts.id} is already attached`)
    const state: StationState = { opts, lastBusy: false, txUntil: 0 }
    state.lastBusy = this.busyFor(opts.id)
    this.stations.set(opts.id, state)
    return {
      id: opts.id,
      transmit: (payload, options) => this.transmit(state, payload, options ?? {}),
      isTransmitting: () => [...this.active].some((r) => r.report.from === opts.id),
      isBusy: () => this.busyFor(opts.id),
      detach: () => {
        if (this.stations.get(opts.id) === state) this.stations.delete(opts.id)
      },
    }
  }

  airtimeMs(bytes: number, o: AirtimeOptions = {}): number {
    const p = this.profile
    const signal = o.durationMs ?? ((bytes + (o.extraBytes ?? 0)) * 8 * 1000) / (o.bitrateBps ?? p.bitrateBps)
    return (o.txDelayMs ?? p.txDelayMs) + signal + (o.txTailMs ?? p.txTailMs)
  }

  snrDb(atMs: number = this.clock.now()): number {
    const p = this.profile
    return p.snrScript === undefined ? p.snrDb : snrFromScript(p.snrScript, atMs, p.snrScriptPeriodMs)
  }

  setSnr(snrDb: number): void {
    delete this.profile.snrScript
    this.profile.snrDb = snrDb
  }

  isBusy(): boolean {
    return this.active.size > 0
  }

  interfere(durationMs: number): void {
    const now = this.clock.now()
    const end = now + durationMs
    const report = { id: ++this.nextId, from: INTERFERER, bytes: 0, startMs: now, endMs: end, airtimeMs: durationMs }
    this.counters.interferences++
    this.begin({ report, mode: INTERFERER, minSnrDb: 0 })
  }

  stats(): RfChannelStats {
    return { ...this.counters }
  }

  close(): void {
    this.timers.cancelAll()
    this.stations.clear()
    this.active.clear()
    this.records = []
    if (this.ownClock) this.clock.dispose()
  }

  private transmit(station: StationState, payload: Uint8Array, o: TransmitOptions): TxReport {
    const now = this.clock.now()
    const airtimeMs = this.airtimeMs(payload.length, o)
    const startMs = Math.max(now, station.txUntil)
    const endMs = startMs + airtimeMs
    const report = { id: ++this.nextId, from: station.opts.id, bytes: payload.length, startMs, endMs, airtimeMs }
    station.txUntil = report.endMs
    this.counters.transmissions++
    const record: TxRecord = {
      report,
      mode: station.opts.mode ?? 'raw',
      payload: payload.slice(),
      minSnrDb: o.minSnrDb ?? this.profile.snrThresholdDb,
      ...(o.onEnd === undefined ? {} : { onEnd: o.onEnd }),
    }
    if (startMs > now) this.timers.setTimeout(() => this.begin(record), startMs - now)
    else this.begin(record)
    return report
  }

  private begin(record: TxRecord): void {
    this.active.add(record)
    this.records.push(record)
    this.notifyBusy()
    this.timers.setTimeout(() => this.finish(record), record.report.endMs - this.clock.now())
  }

  private finish(record: TxRecord): void {
    this.active.delete(record)
    if (record.payload !== undefined) this.deliverAll(record, record.payload)
    let cutoff = this.clock.now()
    for (const r of this.active) cutoff = Math.min(cutoff, r.report.startMs)
    this.records = this.records.filter((r) => r.report.endMs > cutoff)
    this.notifyBusy()
    record.onEnd?.(record.report)
  }

  private deliverAll(record: TxRecord, payload: Uint8Array): void {
    const tx = record.report
    const snrDb = this.snrDb(tx.endMs)
    const lossP = frameLossProbability(this.profile.lossProbability, snrDb, record.minSnrDb, this.profile.snrFadeDb)
    const others = this.records.filter((r) => r !== record && overlaps(r.report, tx))
    for (const rx of this.stations.values()) {
      const id = rx.opts.id
      if (id === tx.from || (rx.opts.mode !== undefined && rx.opts.mode !== record.mode)) continue
      if (others.some((r) => r.report.from === id)) this.counters.halfDuplexMisses++
      else if (others.length > 0) this.counters.collisions++
      else if (this.prng.next() < lossP) this.counters.lost++
      else this.schedule(rx, record, payload, snrDb)
    }
  }

  private schedule(rx: StationState, record: TxRecord, payload: Uint8Array, snrDb: number): void {
    const copy = payload.slice()
    const bitErrors = flipBits(copy, this.profile.bitErrorRate, this.prng)
    this.counters.deliveries++
    if (bitErrors > 0) this.counters.bitErrorFrames++
    this.counters.bitErrors += bitErrors
    const { from, startMs, endMs } = record.report
    const frame: RfFrame = {
      from, mode: record.mode, payload: copy, snrDb, startMs, endMs,
      receivedAtMs: endMs + this.profile.latencyMs, bitErrors,
    }
    this.timers.setTimeout(() => {
      if (this.stations.get(rx.opts.id) === rx) rx.opts.onFrame?.(frame)
    }, this.profile.latencyMs)
  }

  private busyFor(id: string): boolean {
    for (const r of this.active) if (r.report.from !== id) return true
    return false
  }

  private notifyBusy(): void {
    for (const s of this.stations.values()) {
      const busy = this.busyFor(s.opts.id)
      if (busy === s.lastBusy) continue
      s.lastBusy = busy
      s.opts.onBusyChange?.(busy)
    }
  }
}

/**
 * Creates a channel.
 *
 * @param options - profile name, overrides, seed, time scale, busy schedule
 * @param components - an optional shared clock (to put several channels or devices on one timeline)
 */
export function createRfChannel(options: RfChannelOptions = {}, components: { clock?: SimClock } = {}): RfChannel {
  return new Channel(options, components.clock)
}
