/**
 * Strikes and temporary bans by station. A station that sends content failing validation (a bad
 * signature, a block breaking the chain rules) earns a strike; at `strikes` strikes within
 * `windowMs` it is banned for `banMs`, doubling with each further ban up to `maxBanMs`, and the
 * router drops its frames before decoding them. Honest stations never earn strikes: the rejections an
 * honest node may relay cost none ({@link BLAMELESS_REJECTIONS}).
 *
 * A callsign proves nothing (anyone can transmit with any), so a ban is only a cost control: it
 * stops us spending CPU and airtime on a station that keeps sending garbage. For the same reason
 * peers named in our config are never banned: otherwise anyone could spoof one, send three bad
 * transactions in its name and cut us off from it. Their invalid content is still refused item by
 * item. The table is bounded: beyond `maxStations` the station heard from longest ago is forgotten.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { BLAMELESS_REJECTIONS } from '../node-link/p2p-service.js'

/** Limits of a {@link StationBans}; every field has a default. */
export const StationBansOptionsSchema = z.object({
  /** Strikes within `windowMs` that ban a station. */
  strikes: z.number().int().min(1).default(3),
  /** How long a strike counts, ms. */
  windowMs: z.number().int().positive().default(3_600_000),
  /** First ban of a station, ms; each further one doubles. */
  banMs: z.number().int().positive().default(3_600_000),
  /** Longest ban, ms. */
  maxBanMs: z.number().int().positive().default(24 * 3_600_000),
  /** Stations remembered (striking, banned, or banned before), at most. */
  maxStations: z.number().int().positive().default(1_024),
})
/** Ban limits as given (defaults filled in by the schema). */
export type StationBansOptions = z.input<typeof StationBansOptionsSchema>
type Limits = z.output<typeof StationBansOptionsSchema>

interface Entry {
  /** When each strike still counting came, ms. */
  strikes: number[]
  /** End of the current or last ban, ms (0: never banned). */
  bannedUntil: number
  /** Bans so far (the next lasts banMs · 2^bans). */
  bans: number
}

/** A ban that a strike just started. */
export interface Ban {
  station: string
  /** ms */
  durationMs: number
  /** ms since the epoch */
  until: number
}

/** Strike counts and bans of stations, bounded. */
export class StationBans {
  private readonly limits: Limits
  private readonly entries = new Map<string, Entry>() // least recently touched first

  /**
   * @param options - limits, see {@link StationBansOptionsSchema} (throws a ZodError if invalid)
   * @param now - clock, ms
   * @param exempt - stations never banned (the peers named in config)
   */
  constructor(
    options: StationBansOptions = {},
    private readonly now: () => number = Date.now,
    private readonly exempt: (station: string) => boolean = () => false,
  ) {
    this.limits = StationBansOptionsSchema.parse(options)
  }

  /**
   * Counts invalid content with rejection `reason` from `station`; returns the ban it starts, if
   * this strike is the one that bans it. Blameless reasons and exempt stations count nothing.
   */
  strike(station: string, reason: string): Ban | undefined {
    if (BLAMELESS_REJECTIONS.has(reason) || this.exempt(station)) return undefined
    const now = this.now()
    const e = this.touch(station)
    if (e.bannedUntil > now) return undefined // frames from it are dropped; late ones still in the pipeline add nothing
    e.strikes = [...e.strikes.filter((at) => now - at < this.limits.windowMs), now]
    if (e.strikes.length < this.limits.strikes) return undefined
    const durationMs = Math.min(this.limits.maxBanMs, this.limits.banMs * 2 ** e.bans)
    e.strikes = []
    e.bans++
    e.bannedUntil = now + durationMs
    return { station, durationMs, until: e.bannedUntil }
  }

  /** True while `station` is banned. */
  banned(station: string): boolean {
    return (this.entries.get(station)?.bannedUntil ?? 0) > this.now()
  }

  /** Stations banned now. */
  list(): Ban[] {
    const now = this.now()
    return [...this.entries]
      .filter(([, e]) => e.bannedUntil > now)
      .map(([station, e]) => ({ station, until: e.bannedUntil, durationMs: e.bannedUntil - now }))
  }

  /** Stations remembered now. */
  get size(): number {
    return this.entries.size
  }

  /** The entry of `station`, moved to the most recent end; the least recent other one goes when full. */
  private touch(station: string): Entry {
    const e = this.entries.get(station) ?? { strikes: [], bannedUntil: 0, bans: 0 }
    this.entries.delete(station)
    this.entries.set(station, e)
    if (this.entries.size > this.limits.maxStations) this.forgetOne(station)
    return e
  }

  /** Forgets the least recently struck station other than `keep`, preferring one not banned now. */
  private forgetOne(keep: string): void {
    const now = this.now()
    const others = [...this.entries].filter(([station]) => station !== keep)
    const victim = others.find(([, e]) => e.bannedUntil <= now) ?? others[0]
    if (victim !== undefined) this.entries.delete(victim[0])
  }
}
