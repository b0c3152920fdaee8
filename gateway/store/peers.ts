/**
 * The peer table: every gateway this one has heard or heard of, with the links it was heard on (and
 * when, per link), its last announced tip and protocol version, and how far away it is for mesh
 * relaying (0 hops = heard directly; otherwise reached `via` another gateway).
 *
 * @packageDocumentation
 */
import type { Database } from 'better-sqlite3'
import { z } from 'zod'

/** A peer's announced chain tip. */
export const PeerTipSchema = z.object({
  /** Block count. */
  height: z.number().int().min(0),
  /** Hex hash of its last block. */
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex of 32 bytes'),
})

/** What a hello or beacon tells about a peer; absent fields keep their stored value. */
export const PeerInfoSchema = z.object({
  tip: PeerTipSchema.optional(),
  protocolVersion: z.number().int().min(0).optional(),
})
/** What a hello or beacon tells about a peer. */
export type PeerInfo = z.infer<typeof PeerInfoSchema>

/** A link a peer was heard on. */
export const PeerLinkSchema = z.object({
  /** Transport id. */
  link: z.string(),
  /** ms */
  lastHeard: z.number(),
})

/** Hops of relayed news: at least one relay in between. */
const RelayedHopsSchema = z.number().int().min(1)

/** A row of the peer table with its links. */
export const PeerRecordSchema = z.object({
  /** Callsign (radio) or configured name (TCP). */
  name: z.string().min(1),
  protocolVersion: z.number().int().nullable(),
  tip: PeerTipSchema.nullable(),
  /** 0 = heard directly. */
  hops: z.number().int().min(0),
  /** The gateway it is reached through when `hops` > 0. */
  via: z.string().nullable(),
  /** ms */
  firstHeard: z.number(),
  /** Last news of it, direct or relayed, ms. */
  lastHeard: z.number(),
  /** Links it was heard on directly, most recently heard first. */
  links: z.array(PeerLinkSchema),
})
/** A row of the peer table with its links. */
export type PeerRecord = z.infer<typeof PeerRecordSchema>

interface PeerRow {
  name: string
  protocol_version: number | null
  tip_height: number | null
  tip_hash: string | null
  hops: number
  via: string | null
  first_heard: number
  last_heard: number
}

interface PeerParams {
  name: string
  version: number | null
  height: number | null
  hash: string | null
  hops: number
  via: string | null
  now: number
}

/** Insert or refresh; a known tip or version is kept when the new news has none. */
const UPSERT = `
INSERT INTO peers (name, protocol_version, tip_height, tip_hash, hops, via, first_heard, last_heard)
VALUES (@name, @version, @height, @hash, @hops, @via, @now, @now)
ON CONFLICT (name) DO UPDATE SET
  protocol_version = coalesce(excluded.protocol_version, protocol_version),
  tip_height = coalesce(excluded.tip_height, tip_height),
  tip_hash = coalesce(excluded.tip_hash, tip_hash),
  last_heard = excluded.last_heard`

/** The peer table. */
export class PeerTable {
  private readonly sql

  /**
   * @param db - an open, migrated database
   * @param now - clock, ms
   */
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {
    this.sql = {
      upsert: db.prepare<PeerParams>(UPSERT),
      // heard directly: the shortest route there is
      direct: db.prepare<[string]>('UPDATE peers SET hops = 0, via = NULL WHERE name = ?'),
      // relayed news replaces the route only if shorter, or if it refreshes the same route
      route: db.prepare<[number, string, string, number, string]>('UPDATE peers SET hops = ?, via = ? WHERE name = ? AND (hops > ? OR via = ?)'),
      link: db.prepare<[string, string, number]>(
        'INSERT INTO peer_links (peer, link, last_heard) VALUES (?, ?, ?) ON CONFLICT (peer, link) DO UPDATE SET last_heard = excluded.last_heard',
      ),
      get: db.prepare<[string], PeerRow>('SELECT * FROM peers WHERE name = ?'),
      all: db.prepare<[], PeerRow>('SELECT * FROM peers ORDER BY name'),
      links: db.prepare<[string], { link: string; last_heard: number }>('SELECT link, last_heard FROM peer_links WHERE peer = ? ORDER BY last_heard DESC, link'),
      remove: db.prepare<[string]>('DELETE FROM peers WHERE name = ?'),
    }
  }

  /** Records that `name` was heard directly on `link` now (hello, beacon or any frame from it). */
  heard(name: string, link: string, info: PeerInfo = {}): void {
    const at = this.now()
    this.db.transaction(() => {
      this.sql.upsert.run(params(name, info, 0, null, at))
      this.sql.direct.run(name)
      this.sql.link.run(name, link, at)
    })()
  }

  /**
   * Records news of `name` relayed by `via`, `hops` away (≥ 1). The stored route changes only if this
   * one is shorter or goes through the same relay, so a peer heard directly stays at 0 hops.
   */
  learned(name: string, via: string, hops: number, info: PeerInfo = {}): void {
    RelayedHopsSchema.parse(hops)
    this.db.transaction(() => {
      this.sql.upsert.run(params(name, info, hops, via, this.now()))
      this.sql.route.run(hops, via, name, hops, via)
    })()
  }

  /** The peer named `name`, or null. */
  get(name: string): PeerRecord | null {
    const row = this.sql.get.get(name)
    return row === undefined ? null : this.toRecord(row)
  }

  /** Every peer, by name. */
  list(): PeerRecord[] {
    return this.sql.all.all().map((row) => this.toRecord(row))
  }

  /** Forgets `name` and its links; false if it was unknown. */
  remove(name: string): boolean {
    return this.sql.remove.run(name).changes > 0
  }

  private toRecord(row: PeerRow): PeerRecord {
    return {
      name: row.name,
      protocolVersion: row.protocol_version,
      tip: row.tip_height === null || row.tip_hash === null ? null : { height: row.tip_height, hash: row.tip_hash },
      hops: row.hops,
      via: row.via,
      firstHeard: row.first_heard,
      lastHeard: row.last_heard,
      links: this.sql.links.all(row.name).map((l) => ({ link: l.link, lastHeard: l.last_heard })),
    }
  }
}

/** Statement parameters for one piece of news; `info` is checked (a bad tip is a caller bug). */
function params(name: string, info: PeerInfo, hops: number, via: string | null, now: number): PeerParams {
  const { tip, protocolVersion } = PeerInfoSchema.parse(info)
  return { name, version: protocolVersion ?? null, height: tip?.height ?? null, hash: tip?.hash ?? null, hops, via, now }
}
