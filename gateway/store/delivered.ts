/**
 * What this gateway has handed to its node: tx and block hashes, so that a restart (or the same item
 * arriving again by another path) never delivers anything twice. Entries are pruned by age; by then
 * the node's own duplicate checks (mempool, chain) take over.
 *
 * @packageDocumentation
 */
import type { Database } from 'better-sqlite3'

/** The delivered-to-the-node set. */
export class DeliveredSet {
  private readonly sql

  /**
   * @param db - an open, migrated database
   * @param now - clock, ms
   */
  constructor(
    db: Database,
    private readonly now: () => number,
  ) {
    this.sql = {
      add: db.prepare<[string, number]>('INSERT OR IGNORE INTO delivered (hash, delivered) VALUES (?, ?)'),
      has: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM delivered WHERE hash = ?'),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM delivered'),
      prune: db.prepare<[number]>('DELETE FROM delivered WHERE delivered <= ?'),
    }
  }

  /** Records hex `hash` as delivered now; false if it already was. */
  add(hash: string): boolean {
    return this.sql.add.run(hash, this.now()).changes > 0
  }

  /** True when hex `hash` was delivered (and not yet pruned). */
  has(hash: string): boolean {
    return this.sql.has.get(hash) !== undefined
  }

  /** Number of entries. */
  size(): number {
    return this.sql.count.get()?.n ?? 0
  }

  /** Forgets entries delivered more than `olderThanMs` ago; returns how many. */
  prune(olderThanMs: number): number {
    return this.sql.prune.run(this.now() - olderThanMs).changes
  }
}
