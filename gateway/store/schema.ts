/**
 * The store's schema as an ordered list of migrations. Version n is `MIGRATIONS[n - 1]`; the
 * `schema_migrations` table records which ran and when. A migration is never edited once released:
 * a change is a new entry at the end, so every file in the field upgrades the same way.
 *
 * Tables are STRICT (SQLite checks column types). Hashes are lowercase hex TEXT, times are ms since
 * the Unix epoch, block heights are 0-based positions in the chain.
 *
 * @packageDocumentation
 */
import type { Database } from 'better-sqlite3'
import { StoreError } from './store-error.js'

/** Version 1: chain mirror, mempool, outbound queue, peer table, delivered set. */
const V1 = `
CREATE TABLE blocks (
  height INTEGER PRIMARY KEY,          -- 0-based position in the chain
  hash TEXT NOT NULL UNIQUE,           -- hex block hash
  bytes BLOB NOT NULL                  -- block-bytes.ts: bincode header ++ bincode Vec<Transaction>
) STRICT;

CREATE TABLE mempool (
  seq INTEGER PRIMARY KEY,             -- insertion order (oldest first)
  hash TEXT NOT NULL UNIQUE,           -- hex tx hash
  bytes BLOB NOT NULL,                 -- bincode Transaction
  added INTEGER NOT NULL               -- ms
) STRICT;

CREATE TABLE outbound_queue (
  id INTEGER PRIMARY KEY,              -- FIFO order inside a priority
  peer TEXT NOT NULL,
  key TEXT NOT NULL,                   -- dedupe key: tx:<hex>, block:<hex>, sync:<from>-<to>, ...
  class TEXT NOT NULL CHECK (class IN ('tx', 'block-announce', 'block-body', 'sync', 'beacon', 'control')),
  priority INTEGER NOT NULL,           -- 0 first, derived from class
  payload BLOB NOT NULL,               -- emptied once acked
  created INTEGER NOT NULL,            -- ms
  attempts INTEGER NOT NULL DEFAULT 0,
  last_attempt INTEGER,                -- ms
  state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'acked')),
  acked INTEGER,                       -- ms
  UNIQUE (peer, key)
) STRICT;
CREATE INDEX outbound_queue_next ON outbound_queue (peer, state, priority, id);
CREATE INDEX outbound_queue_age ON outbound_queue (state, last_attempt);

CREATE TABLE peers (
  name TEXT PRIMARY KEY,               -- callsign (radio) or configured name (TCP)
  protocol_version INTEGER,
  tip_height INTEGER,                  -- block count, as in hello
  tip_hash TEXT,
  hops INTEGER NOT NULL,               -- 0 = heard directly
  via TEXT,                            -- the relay it is reached through when hops > 0
  first_heard INTEGER NOT NULL,        -- ms
  last_heard INTEGER NOT NULL          -- ms
) STRICT;

CREATE TABLE peer_links (
  peer TEXT NOT NULL REFERENCES peers (name) ON DELETE CASCADE,
  link TEXT NOT NULL,                  -- transport id
  last_heard INTEGER NOT NULL,         -- ms
  PRIMARY KEY (peer, link)
) STRICT, WITHOUT ROWID;

CREATE TABLE delivered (
  hash TEXT PRIMARY KEY,               -- hex tx or block hash delivered to the node
  delivered INTEGER NOT NULL           -- ms
) STRICT, WITHOUT ROWID;
CREATE INDEX delivered_age ON delivered (delivered);
`

/** Every migration, oldest first; the schema version is the number applied. */
export const MIGRATIONS: readonly string[] = [V1]

/**
 * Brings `db` up to the newest schema, one transaction per migration, and returns the version.
 *
 * @param now - clock for `applied`, ms
 * @param migrations - the list to apply (tests pass a longer one to rehearse an upgrade)
 * @throws StoreError `ERR_STORE_SCHEMA` if the file is newer than `migrations`
 */
export function migrate(db: Database, now: () => number, migrations: readonly string[] = MIGRATIONS): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL) STRICT')
  const current = schemaVersion(db)
  if (current > migrations.length) {
    throw new StoreError('ERR_STORE_SCHEMA', `store schema is version ${current}, this gateway knows up to ${migrations.length}: use a newer gateway or another state directory`)
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, applied) VALUES (?, ?)')
  migrations.slice(current).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql)
      record.run(current + i + 1, now())
    })()
  })
  return migrations.length
}

/** The highest migration applied to `db` (0 for a new file). */
export function schemaVersion(db: Database): number {
  const row = db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as { version: number | null }
  return row.version ?? 0
}
