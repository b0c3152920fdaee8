/**
 * The outbound queue: what this gateway still owes each peer, durable so a crash or power cut loses
 * nothing.
 *
 * - Enqueue is idempotent per (peer, key): the key names the content (`tx:<hex>`, `block:<hex>`,
 *   `sync:<from>-<to>`), so relaying the same thing to a peer twice is a no-op. An acked entry stays
 *   as a tombstone (payload emptied) so a late duplicate is still refused; {@link OutboundQueue.pruneAcked}
 *   drops old tombstones.
 * - Entries go out by class priority (message-class.ts), FIFO inside a class.
 * - An entry is `queued`, then `sent` (attempts counted) when a transport took it, then `acked`; a sent
 *   entry not acked in time is requeued ({@link OutboundQueue.requeueExpired}), e.g. on failover.
 * - Bounded per peer: at most `maxPerPeer` pending (queued or sent) entries. A new entry that does not
 *   fit evicts the pending entries of the lowest priority, oldest first, whose priority is not above
 *   its own (so beacons and old sync batches go first); transactions are never evicted. If nothing
 *   may be evicted the new entry is refused (`full`). Evicted entries were never delivered, so they
 *   leave no tombstone and may be enqueued again.
 *
 * @packageDocumentation
 */
import type { Database } from 'better-sqlite3'
import { z } from 'zod'
import { silentLogger, type Logger } from '../log.js'
import { classPriority, MESSAGE_CLASSES, type MessageClass } from './message-class.js'

/** Default most pending entries per peer (the mempool's default size, so a full mempool fits). */
export const DEFAULT_MAX_PER_PEER = 5_000
/** Default batch size of {@link OutboundQueue.next}. */
const DEFAULT_BATCH = 32

/** Life cycle of a queue entry. */
export const QueueStateSchema = z.enum(['queued', 'sent', 'acked'])
/** Life cycle of a queue entry. */
export type QueueState = z.infer<typeof QueueStateSchema>

/** What to send to whom. */
export interface EnqueueRequest {
  /** Callsign or configured name of the peer gateway (or the node-side name the caller chose). */
  peer: string
  /** Dedupe key, unique per peer: `tx:<hex>`, `block:<hex>`, `sync:<from>-<to>`, ... */
  key: string
  /** What kind of message it is; sets the priority. */
  class: MessageClass
  /** Encoded message bytes. */
  payload: Uint8Array
}

/** A stored entry. */
export interface QueueEntry extends EnqueueRequest {
  /** 0 goes first; derived from `class`. */
  priority: number
  /** Enqueue time, ms. */
  created: number
  /** How many times it was marked sent. */
  attempts: number
  /** Last time it was marked sent, ms; null if never. */
  lastAttempt: number | null
  state: QueueState
}

/** What {@link OutboundQueue.enqueue} did. */
export type EnqueueOutcome =
  | { status: 'queued'; evicted: string[] }
  /** The peer already has or had this key; `state` is the existing entry's. */
  | { status: 'duplicate'; state: QueueState }
  /** The peer's queue is full of entries that may not be evicted for this one. */
  | { status: 'full' }

/** Options of {@link OutboundQueue.next}. */
export interface TakeOptions {
  /** Most entries returned; default 32. */
  limit?: number
  /** Stop before the total payload would exceed this (the first entry is always returned), bytes. */
  maxBytes?: number
  /** Only these classes (what the chosen link may carry); default all. */
  classes?: readonly MessageClass[]
}

/** Entry counts of one peer. */
export interface QueueCounts {
  /** Waiting to be sent. */
  queued: number
  /** Sent, waiting for the ack. */
  sent: number
  /** Tombstones of acked entries. */
  acked: number
  /** Payload of queued and sent entries, bytes. */
  pendingBytes: number
}

/** Options of an {@link OutboundQueue}. */
export interface OutboundQueueOptions {
  /** Clock, ms. */
  now?: () => number
  /** Most pending entries per peer; default {@link DEFAULT_MAX_PER_PEER}. */
  maxPerPeer?: number
  /** Evictions and refusals are logged here as warnings. */
  log?: Logger
}

interface QueueRow {
  peer: string
  key: string
  class: MessageClass
  priority: number
  payload: Buffer
  created: number
  attempts: number
  last_attempt: number | null
  state: QueueState
}

const ALL_CLASSES_MASK = (1 << MESSAGE_CLASSES.length) - 1
const COLUMNS = 'peer, key, class, priority, payload, created, attempts, last_attempt, state'
const PENDING = "state != 'acked'"

/** The durable per-peer outbound queue. */
export class OutboundQueue {
  private readonly now: () => number
  private readonly maxPerPeer: number
  private readonly log: Logger
  private readonly sql: ReturnType<typeof prepare>

  /**
   * @param db - an open, migrated database
   * @param options - clock, bound, logger
   */
  constructor(
    private readonly db: Database,
    options: OutboundQueueOptions = {},
  ) {
    this.now = options.now ?? Date.now
    this.maxPerPeer = options.maxPerPeer ?? DEFAULT_MAX_PER_PEER
    this.log = options.log ?? silentLogger()
    this.sql = prepare(db)
  }

  /** Queues `req` unless the peer already has its key; evicts per the bound (see the module note). */
  enqueue(req: EnqueueRequest): EnqueueOutcome {
    return this.db.transaction((): EnqueueOutcome => {
      const existing = this.sql.state.get(req.peer, req.key)
      if (existing !== undefined) return { status: 'duplicate', state: existing.state }
      const priority = classPriority(req.class)
      const excess = (this.sql.pending.get(req.peer)?.n ?? 0) + 1 - this.maxPerPeer
      const victims = excess > 0 ? this.sql.victims.all(req.peer, priority, excess) : []
      if (victims.length < excess) {
        this.log.warn({ peer: req.peer, key: req.key, maxPerPeer: this.maxPerPeer }, 'outbound queue full of higher-priority entries: new entry dropped')
        return { status: 'full' }
      }
      for (const v of victims) this.sql.remove.run(v.id)
      if (victims.length > 0) {
        this.log.warn({ peer: req.peer, key: req.key, evicted: victims.map((v) => v.key) }, 'outbound queue full: lower-priority entries evicted')
      }
      this.sql.insert.run(req.peer, req.key, req.class, priority, req.payload, this.now())
      return { status: 'queued', evicted: victims.map((v) => v.key) }
    })()
  }

  /** The next queued entries for `peer` in send order; does not change them (see {@link markSent}). */
  next(peer: string, options: TakeOptions = {}): QueueEntry[] {
    const mask = options.classes?.reduce((m, c) => m | (1 << classPriority(c)), 0) ?? ALL_CLASSES_MASK
    const rows = this.sql.next.all(peer, mask, options.limit ?? DEFAULT_BATCH)
    const batch: QueueEntry[] = []
    let bytes = 0 // payload taken so far
    for (const row of rows) {
      bytes += row.payload.length
      if (batch.length > 0 && options.maxBytes !== undefined && bytes > options.maxBytes) break
      batch.push(toEntry(row))
    }
    return batch
  }

  /** Marks these keys of `peer` sent now (one more attempt); returns how many were pending. */
  markSent(peer: string, keys: readonly string[]): number {
    const at = this.now()
    return this.db.transaction(() => keys.reduce((n, key) => n + this.sql.markSent.run(at, peer, key).changes, 0))()
  }

  /** Records the peer's acknowledgement of `key`; false if it was not pending. */
  ack(peer: string, key: string): boolean {
    return this.sql.ack.run(this.now(), peer, key).changes > 0
  }

  /** Puts these sent keys of `peer` back in the queue (the link they went out on lost them); returns how many. */
  requeue(peer: string, keys: readonly string[]): number {
    return this.db.transaction(() => keys.reduce((n, key) => n + this.sql.requeueKey.run(peer, key).changes, 0))()
  }

  /**
   * Puts back in the queue every sent entry not acked within `timeoutMs` (0: all of them, e.g. when
   * the link they went out on died), for one peer or all; returns how many.
   */
  requeueExpired(timeoutMs: number, peer?: string): number {
    const before = this.now() - timeoutMs
    const run = peer === undefined ? this.sql.requeueAll.run(before) : this.sql.requeuePeer.run(before, peer)
    return run.changes
  }

  /** Entry counts of `peer`. */
  count(peer: string): QueueCounts {
    const counts: QueueCounts = { queued: 0, sent: 0, acked: 0, pendingBytes: 0 }
    for (const row of this.sql.counts.all(peer)) {
      counts[row.state] = row.n
      if (row.state !== 'acked') counts.pendingBytes += row.bytes
    }
    return counts
  }

  /** The pending (queued and sent) entries of `peer` in send order, unchanged. */
  peek(peer: string, limit = DEFAULT_BATCH): QueueEntry[] {
    return this.sql.peek.all(peer, limit).map(toEntry)
  }

  /** Every peer with pending entries, by name. */
  peers(): string[] {
    return this.sql.peers.all().map((r) => r.peer)
  }

  /** Forgets everything queued for `peer`, tombstones included; returns how many rows. */
  dropPeer(peer: string): number {
    return this.sql.drop.run(peer).changes
  }

  /** Drops tombstones of entries acked more than `olderThanMs` ago; returns how many. */
  pruneAcked(olderThanMs: number): number {
    return this.sql.prune.run(this.now() - olderThanMs).changes
  }
}

function prepare(db: Database) {
  return {
    state: db.prepare<[string, string], { state: QueueState }>('SELECT state FROM outbound_queue WHERE peer = ? AND key = ?'),
    pending: db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM outbound_queue WHERE peer = ? AND ${PENDING}`),
    victims: db.prepare<[string, number, number], { id: number; key: string }>(
      `SELECT id, key FROM outbound_queue WHERE peer = ? AND ${PENDING} AND class != 'tx' AND priority >= ? ORDER BY priority DESC, id LIMIT ?`,
    ),
    remove: db.prepare<[number]>('DELETE FROM outbound_queue WHERE id = ?'),
    insert: db.prepare<[string, string, MessageClass, number, Uint8Array, number]>(
      "INSERT INTO outbound_queue (peer, key, class, priority, payload, created, state) VALUES (?, ?, ?, ?, ?, ?, 'queued')",
    ),
    next: db.prepare<[string, number, number], QueueRow>(
      `SELECT ${COLUMNS} FROM outbound_queue WHERE peer = ? AND state = 'queued' AND ((? >> priority) & 1) = 1 ORDER BY priority, id LIMIT ?`,
    ),
    markSent: db.prepare<[number, string, string]>(
      `UPDATE outbound_queue SET state = 'sent', attempts = attempts + 1, last_attempt = ? WHERE peer = ? AND key = ? AND ${PENDING}`,
    ),
    ack: db.prepare<[number, string, string]>(
      `UPDATE outbound_queue SET state = 'acked', acked = ?, payload = X'' WHERE peer = ? AND key = ? AND ${PENDING}`,
    ),
    requeueAll: db.prepare<[number]>("UPDATE outbound_queue SET state = 'queued' WHERE state = 'sent' AND last_attempt <= ?"),
    requeuePeer: db.prepare<[number, string]>(
      "UPDATE outbound_queue SET state = 'queued' WHERE state = 'sent' AND last_attempt <= ? AND peer = ?",
    ),
    requeueKey: db.prepare<[string, string]>("UPDATE outbound_queue SET state = 'queued' WHERE state = 'sent' AND peer = ? AND key = ?"),
    counts: db.prepare<[string], { state: QueueState; n: number; bytes: number }>(
      'SELECT state, count(*) AS n, total(length(payload)) AS bytes FROM outbound_queue WHERE peer = ? GROUP BY state',
    ),
    peek: db.prepare<[string, number], QueueRow>(`SELECT ${COLUMNS} FROM outbound_queue WHERE peer = ? AND ${PENDING} ORDER BY priority, id LIMIT ?`),
    peers: db.prepare<[], { peer: string }>(`SELECT DISTINCT peer FROM outbound_queue WHERE ${PENDING} ORDER BY peer`),
    drop: db.prepare<[string]>('DELETE FROM outbound_queue WHERE peer = ?'),
    prune: db.prepare<[number]>("DELETE FROM outbound_queue WHERE state = 'acked' AND acked <= ?"),
  }
}

/** A row as the API returns it; the payload is a view on the row's buffer. */
function toEntry(row: QueueRow): QueueEntry {
  return {
    peer: row.peer,
    key: row.key,
    class: row.class,
    priority: row.priority,
    payload: new Uint8Array(row.payload.buffer, row.payload.byteOffset, row.payload.length),
    created: row.created,
    attempts: row.attempts,
    lastAttempt: row.last_attempt,
    state: row.state,
  }
}
