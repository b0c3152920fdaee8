/**
 * The gateway's durable store: one SQLite file in the state directory holding the chain mirror and
 * mempool, the outbound queue per peer, the peer table and what was delivered to the node. Every
 * multi-row change is one transaction, committed (and fsynced, see database.ts) before the call
 * returns, so what the gateway acknowledged survives a crash or power cut.
 *
 * @packageDocumentation
 */
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Database } from 'better-sqlite3'
import { silentLogger, type Logger } from '../log.js'
import { ChainStore } from './chain-store.js'
import { IN_MEMORY, openDatabase } from './database.js'
import { DeliveredSet } from './delivered.js'
import { PeerTable } from './peers.js'
import { OutboundQueue } from './queue.js'
import { migrate } from './schema.js'

export { IN_MEMORY } from './database.js'

/** File name of the store inside the state directory. */
export const STORE_FILE_NAME = 'gateway.sqlite'

/** The store's path inside `stateDir`. */
export function storeFile(stateDir: string): string {
  return join(stateDir, STORE_FILE_NAME)
}

/** Options of {@link GatewayStore.open}. */
export interface GatewayStoreOptions {
  /** Clock, ms; default `Date.now`. */
  now?: () => number
  /** Most pending outbound entries per peer (see queue.ts). */
  maxQueuePerPeer?: number
  /** Component logger. */
  log?: Logger
}

/** The durable store and its tables. */
export class GatewayStore {
  /** Chain mirror and mempool; pass it to `ChainState` as `persistence`. */
  readonly chain: ChainStore
  /** Outbound queue per peer. */
  readonly queue: OutboundQueue
  /** Peers heard and heard of. */
  readonly peers: PeerTable
  /** Tx and block hashes delivered to the node. */
  readonly delivered: DeliveredSet

  private constructor(
    private readonly db: Database,
    /** The schema version after migration. */
    readonly schemaVersion: number,
    options: GatewayStoreOptions,
  ) {
    const now = options.now ?? Date.now
    this.chain = new ChainStore(db, now)
    this.queue = new OutboundQueue(db, { now, maxPerPeer: options.maxQueuePerPeer, log: options.log })
    this.peers = new PeerTable(db, now)
    this.delivered = new DeliveredSet(db, now)
  }

  /**
   * Opens (creating the directory and file if needed) and migrates the store at `file`;
   * {@link IN_MEMORY} for tests.
   *
   * @throws StoreError `ERR_STORE_OPEN` (no WAL) or `ERR_STORE_SCHEMA` (a newer gateway's file)
   */
  static open(file: string, options: GatewayStoreOptions = {}): GatewayStore {
    if (file !== IN_MEMORY) mkdirSync(dirname(file), { recursive: true })
    const db = openDatabase(file)
    try {
      const version = migrate(db, options.now ?? Date.now)
      const store = new GatewayStore(db, version, options)
      const log = options.log ?? silentLogger()
      log.info({ file, schemaVersion: version, height: store.chain.height(), queuedFor: store.queue.peers() }, 'store opened')
      return store
    } catch (e) {
      db.close()
      throw e
    }
  }

  /** Runs `fn` in one transaction (nested calls become savepoints); a throw rolls it all back. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)()
  }

  /**
   * Records in one transaction that the queue entry `key` for `peer` was delivered to the node and
   * that hex `hash` is delivered, so after a crash either both hold or neither does. False (and
   * nothing changes) if the entry was not pending.
   */
  ackDelivered(peer: string, key: string, hash: string): boolean {
    return this.transaction(() => {
      if (!this.queue.ack(peer, key)) return false
      this.delivered.add(hash)
      return true
    })
  }

  /** SQLite's `integrity_check` plus foreign keys: `['ok']` for a sound file, else the problems. */
  integrityCheck(): string[] {
    const problems = this.db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[]
    const dangling = this.db.pragma('foreign_key_check') as unknown[]
    return [...problems.map((p) => p.integrity_check), ...dangling.map((d) => `foreign key: ${JSON.stringify(d)}`)]
  }

  /** Closes the file (checkpointing the WAL); the store is unusable afterwards. */
  close(): void {
    this.db.close()
  }
}
