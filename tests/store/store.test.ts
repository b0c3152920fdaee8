import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import type { Block } from '../../codecs/model.js'
import { openDatabase } from '../../gateway/store/database.js'
import { MIGRATIONS, migrate, schemaVersion } from '../../gateway/store/schema.js'
import { GatewayStore, IN_MEMORY, storeFile } from '../../gateway/store/store.js'
import { captureLog } from '../helpers/log-capture.js'
import { fakeClock, storeErrorCode, vectorChain } from './fixtures.js'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bunker-store-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function open(file = IN_MEMORY, clock = fakeClock()): GatewayStore {
  const store = GatewayStore.open(file, { now: clock.now })
  cleanups.push(() => store.close())
  return store
}

describe('opening the store', () => {
  it('creates the state directory and a WAL file with synchronous = FULL', () => {
    const file = storeFile(join(tempDir(), 'state', 'nested'))
    const logs = captureLog()
    const store = GatewayStore.open(file, { log: logs.log })
    cleanups.push(() => store.close())
    expect(store.schemaVersion).toBe(MIGRATIONS.length)
    expect(logs.find('store opened')[0]).toMatchObject({ file, schemaVersion: MIGRATIONS.length, height: 0 })
    const db = openDatabase(file)
    cleanups.push(() => db.close())
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('synchronous', { simple: true })).toBe(2) // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
  })

  it('migrates once, upgrades with new migrations, and refuses a newer file', () => {
    const file = storeFile(tempDir())
    open(file).close()
    const db = new BetterSqlite3(file)
    cleanups.push(() => db.close())
    expect(migrate(db, () => 5)).toBe(1) // nothing left to run: no error from re-creating tables
    expect(migrate(db, () => 7, [...MIGRATIONS, 'CREATE TABLE later (x INTEGER) STRICT'])).toBe(2)
    expect(db.prepare('SELECT version, applied FROM schema_migrations WHERE version = 2').get()).toEqual({ version: 2, applied: 7 })
    expect(schemaVersion(db)).toBe(2)
    db.close()
    expect(storeErrorCode(() => GatewayStore.open(file))).toBe('ERR_STORE_SCHEMA')
  })

  it('reports a damaged block row as ERR_STORE_CORRUPT', () => {
    const file = storeFile(tempDir())
    const store = open(file)
    store.chain.append(vectorChain()[0] as Block)
    const db = new BetterSqlite3(file)
    db.prepare("UPDATE blocks SET bytes = X'0102' WHERE height = 0").run()
    db.close()
    expect(storeErrorCode(() => store.chain.load())).toBe('ERR_STORE_CORRUPT')
    expect(storeErrorCode(() => store.chain.blockAt(0))).toBe('ERR_STORE_CORRUPT')
  })
})

describe('delivered set and transactions', () => {
  it('remembers delivered hashes and prunes old ones', () => {
    const clock = fakeClock()
    const { delivered } = open(IN_MEMORY, clock)
    expect(delivered.add('aa'.repeat(32))).toBe(true)
    expect(delivered.add('aa'.repeat(32))).toBe(false)
    clock.advance(10_000)
    delivered.add('bb'.repeat(32))
    expect(delivered.has('aa'.repeat(32))).toBe(true)
    expect(delivered.prune(5_000)).toBe(1)
    expect(delivered.has('aa'.repeat(32))).toBe(false)
    expect(delivered.size()).toBe(1)
  })

  it('acks a node delivery and records its hash together, or not at all', () => {
    const store = open()
    const hash = 'cd'.repeat(32)
    store.queue.enqueue({ peer: 'node', key: `tx:${hash}`, class: 'tx', payload: new Uint8Array(1) })
    expect(store.ackDelivered('node', `tx:${hash}`, hash)).toBe(true)
    expect(store.delivered.has(hash)).toBe(true)
    expect(store.ackDelivered('node', `tx:${hash}`, hash)).toBe(false)
    expect(store.ackDelivered('node', 'tx:unknown', 'ef'.repeat(32))).toBe(false)
    expect(store.delivered.has('ef'.repeat(32))).toBe(false)
  })

  it('rolls back every change of a failed transaction', () => {
    const store = open()
    store.queue.enqueue({ peer: 'p', key: 'tx:1', class: 'tx', payload: new Uint8Array(1) })
    expect(() =>
      store.transaction(() => {
        store.queue.ack('p', 'tx:1')
        store.delivered.add('11'.repeat(32))
        store.peers.heard('p', 'tcp')
        throw new Error('crash in the middle')
      }),
    ).toThrow('crash in the middle')
    expect(store.queue.count('p')).toMatchObject({ queued: 1, acked: 0 })
    expect(store.delivered.size()).toBe(0)
    expect(store.peers.list()).toEqual([])
    expect(store.integrityCheck()).toEqual(['ok'])
  })
})
