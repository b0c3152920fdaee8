/**
 * The last hour of link quality, for the status page's charts: a fixed-size ring of samples taken
 * from the status source every `intervalMs` (10 s, 360 samples by default). Memory is bounded by
 * the ring's capacity times the number of links; the clock and the timer are injected for tests.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { LinkStatusSchema, type GatewayStatus } from '../status-model.js'
import type { StatusSource } from './status-source.js'
import { readStatus } from './status-source.js'

/** One link at one instant: its state and the readings the charts draw. */
export const LinkSampleSchema = LinkStatusSchema.pick({
  state: true,
  snrDb: true,
  rttMs: true,
  loss: true,
  goodputBps: true,
  bitrateBps: true,
  bytesSent: true,
  bytesReceived: true,
}).extend({ up: z.boolean() })
/** One link at one instant. */
export type LinkSample = z.infer<typeof LinkSampleSchema>

/** Every link at one instant. */
export const HistorySampleSchema = z.object({
  /** ms since the epoch */
  t: z.number(),
  /** By link id. */
  links: z.record(z.string(), LinkSampleSchema),
})
/** Every link at one instant. */
export type HistorySample = z.infer<typeof HistorySampleSchema>

/** What `GET /history` returns: the samples of the retention window, oldest first. */
export const HistorySnapshotSchema = z.object({
  /** ms between samples */
  intervalMs: z.number(),
  /** ms of history kept */
  retentionMs: z.number(),
  /** ms since the epoch, when the snapshot was taken */
  now: z.number(),
  samples: z.array(HistorySampleSchema),
})
/** What `GET /history` returns. */
export type HistorySnapshot = z.infer<typeof HistorySnapshotSchema>

/** Most samples a ring may hold, whatever the options say (bounds memory). */
const MAX_CAPACITY = 100_000

/** Sampling period and how much history to keep. */
export const StatusHistoryOptionsSchema = z
  .strictObject({
    /** ms between samples */
    intervalMs: z.number().int().positive().default(10_000),
    /** ms of history kept */
    retentionMs: z.number().int().positive().default(3_600_000),
  })
  .refine((o) => o.retentionMs / o.intervalMs <= MAX_CAPACITY, `retentionMs / intervalMs must be at most ${MAX_CAPACITY} samples`)
/** Options of {@link StatusHistory} as written (every field optional). */
export type StatusHistoryOptions = z.input<typeof StatusHistoryOptionsSchema>

/** Calls `tick` every `intervalMs` until the returned function is called. */
export type Ticker = (tick: () => void, intervalMs: number) => () => void

/** The real ticker: `setInterval`, unref'd so it never keeps the process alive. */
export const intervalTicker: Ticker = (tick, intervalMs) => {
  const timer = setInterval(tick, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}

/** Reduces a status report to the per-link sample the charts need. */
export function toHistorySample(status: GatewayStatus, t: number): HistorySample {
  const links: Record<string, LinkSample> = {}
  for (const l of status.links) {
    links[l.id] = LinkSampleSchema.parse({ ...l, up: l.state === 'up' })
  }
  return { t, links }
}

/** A bounded, time-ordered ring of {@link HistorySample}s. */
export class StatusHistory {
  /** ms between samples */
  readonly intervalMs: number
  /** ms of history kept */
  readonly retentionMs: number
  /** Most samples held. */
  readonly capacity: number
  private readonly ring: HistorySample[] = []
  /** Index of the oldest sample once the ring is full. */
  private head = 0
  private stopTicker: (() => void) | undefined
  private sampling = false

  /**
   * @param source - the gateway's status
   * @param options - sampling period and retention
   * @param clock - ms since the epoch
   * @param ticker - the timer; tests pass one they drive by hand
   */
  constructor(
    private readonly source: StatusSource,
    options: StatusHistoryOptions = {},
    private readonly clock: () => number = Date.now,
    private readonly ticker: Ticker = intervalTicker,
  ) {
    const o = StatusHistoryOptionsSchema.parse(options)
    this.intervalMs = o.intervalMs
    this.retentionMs = o.retentionMs
    this.capacity = Math.ceil(o.retentionMs / o.intervalMs)
  }

  /** Number of samples held. */
  get size(): number {
    return this.ring.length
  }

  /**
   * Adds a sample of `status` at the clock's time. When the clock went back (a Pi without a
   * real-time clock setting its time), samples later than now are dropped so the series stays ordered.
   */
  record(status: GatewayStatus): void {
    const sample = toHistorySample(status, this.clock())
    if ((this.newest()?.t ?? Number.NEGATIVE_INFINITY) > sample.t) {
      this.reset(this.samples(Number.NEGATIVE_INFINITY).filter((s) => s.t <= sample.t))
    }
    if (this.ring.length < this.capacity) {
      this.ring.push(sample)
    } else {
      this.ring[this.head] = sample
      this.head = (this.head + 1) % this.capacity
    }
  }

  /**
   * Reads the source and records a sample. A source that throws or returns a malformed report
   * leaves a gap in the charts rather than stopping the sampling.
   *
   * @returns whether a sample was recorded
   */
  async sample(): Promise<boolean> {
    if (this.sampling) return false // the previous read is still running: skip, don't pile up
    this.sampling = true
    try {
      this.record(await readStatus(this.source))
      return true
    } catch {
      return false
    } finally {
      this.sampling = false
    }
  }

  /** Samples now, then every `intervalMs`, until {@link StatusHistory.stop}. */
  start(): void {
    if (this.stopTicker !== undefined) return
    this.stopTicker = this.ticker(() => void this.sample(), this.intervalMs)
    void this.sample()
  }

  /** Stops sampling; the samples are kept. */
  stop(): void {
    this.stopTicker?.()
    this.stopTicker = undefined
  }

  /**
   * The samples, oldest first.
   *
   * @param since - ms since the epoch; older samples are left out (default: the retention window)
   */
  samples(since: number = this.clock() - this.retentionMs): HistorySample[] {
    const ordered = [...this.ring.slice(this.head), ...this.ring.slice(0, this.head)]
    return ordered.filter((s) => s.t >= since)
  }

  /** The `GET /history` body. */
  snapshot(): HistorySnapshot {
    return { intervalMs: this.intervalMs, retentionMs: this.retentionMs, now: this.clock(), samples: this.samples() }
  }

  private newest(): HistorySample | undefined {
    const n = this.ring.length
    return n === 0 ? undefined : this.ring[(this.head + n - 1) % n]
  }

  private reset(samples: HistorySample[]): void {
    this.ring.length = 0
    this.ring.push(...samples)
    this.head = 0
  }
}
