/**
 * Opens the SQLite file behind the store with the settings durability depends on.
 *
 * WAL lets readers run while a commit is written, and with `synchronous = FULL` every commit fsyncs
 * the WAL before it returns, so a commit survives a power cut, not only a crash of the process
 * (NORMAL would lose the last commits on power loss). One fsync per commit: well under a millisecond
 * on an SSD, a few ms on a Pi's SD card; callers batch multi-row changes in one transaction.
 *
 * @packageDocumentation
 */
import BetterSqlite3, { type Database } from 'better-sqlite3'
import { StoreError } from './store-error.js'

/** The path that opens a private in-memory database (unit tests). */
export const IN_MEMORY = ':memory:'

/** How long a statement waits for another connection's lock before failing, ms. */
const BUSY_TIMEOUT_MS = 5_000

/**
 * Opens (creating if needed) the database at `file`, or an in-memory one for {@link IN_MEMORY}.
 *
 * @throws StoreError `ERR_STORE_OPEN` if the file cannot be put in WAL mode
 */
export function openDatabase(file: string): Database {
  const db = new BetterSqlite3(file)
  try {
    if (file !== IN_MEMORY) requireWal(db, file)
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    return db
  } catch (e) {
    db.close()
    throw e
  }
}

function requireWal(db: Database, file: string): void {
  const mode: unknown = db.pragma('journal_mode = WAL', { simple: true })
  if (mode !== 'wal') {
    throw new StoreError('ERR_STORE_OPEN', `${file}: SQLite refused WAL mode (journal_mode is ${String(mode)}); put the state directory on a local filesystem`)
  }
}
