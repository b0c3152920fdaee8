/**
 * The chain mirror the gateway serves sync from, and its mempool, in SQLite: blocks by height with
 * their hash and stored bytes (block-bytes.ts), transactions by hash in arrival order.
 *
 * @packageDocumentation
 */
import type { Database } from 'better-sqlite3'
import { decodeTransactionBincode, encodeTransactionBincode } from '../../codecs/bincode.js'
import { blockHash, txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Block, Transaction } from '../../codecs/model.js'
import type { Result } from '../../codecs/result.js'
import { decodeBlockBytes, encodeBlockBytes } from './block-bytes.js'
import type { ChainPersistence, PersistedChain } from './chain-persistence.js'
import { StoreError } from './store-error.js'

/** A stored block with its position. */
export interface StoredBlock {
  /** 0-based position in the chain. */
  height: number
  /** Hex block hash. */
  hash: string
  /** The decoded block. */
  block: Block
}

interface BlockRow {
  height: number
  hash: string
  bytes: Buffer
}

/** Chain mirror and mempool tables; implements {@link ChainPersistence} for `ChainState`. */
export class ChainStore implements ChainPersistence {
  private readonly sql

  /**
   * @param db - an open, migrated database
   * @param now - clock for mempool arrival times, ms
   */
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {
    this.sql = {
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM blocks'),
      all: db.prepare<[], BlockRow>('SELECT height, hash, bytes FROM blocks ORDER BY height'),
      at: db.prepare<[number], BlockRow>('SELECT height, hash, bytes FROM blocks WHERE height = ?'),
      byHash: db.prepare<[string], BlockRow>('SELECT height, hash, bytes FROM blocks WHERE hash = ?'),
      truncate: db.prepare<[number]>('DELETE FROM blocks WHERE height >= ?'),
      insert: db.prepare<[number, string, Uint8Array]>('INSERT INTO blocks (height, hash, bytes) VALUES (?, ?, ?)'),
      mempool: db.prepare<[], { bytes: Buffer }>('SELECT bytes FROM mempool ORDER BY seq'),
      mempoolCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM mempool'),
      addTx: db.prepare<[string, Uint8Array, number]>('INSERT OR IGNORE INTO mempool (hash, bytes, added) VALUES (?, ?, ?)'),
      removeTx: db.prepare<[string]>('DELETE FROM mempool WHERE hash = ?'),
    }
  }

  /** Number of stored blocks (the chain's height as `ChainState.tip()` reports it). */
  height(): number {
    return this.sql.count.get()?.n ?? 0
  }

  /**
   * The whole chain and mempool, decoded.
   *
   * @throws StoreError `ERR_STORE_CORRUPT` if a row does not decode
   */
  load(): PersistedChain {
    const blocks = this.sql.all.all().map((row) => toStored(row).block)
    const mempool = this.sql.mempool.all().map((row) => decoded(decodeTransactionBincode(row.bytes), 'a mempool transaction'))
    return { blocks, mempool }
  }

  /**
   * Atomically replaces the blocks from `height` on with `blocks` and drops their transactions from
   * the mempool: a longer chain adopted from a fork point, or (at the current height) an append.
   *
   * @throws StoreError `ERR_STORE_GAP` if `height` is negative or above the stored block count
   */
  replaceFrom(height: number, blocks: readonly Block[]): void {
    this.db.transaction(() => {
      const count = this.height()
      if (!Number.isInteger(height) || height < 0 || height > count) {
        throw new StoreError('ERR_STORE_GAP', `cannot write blocks from height ${height}: the store holds ${count}`)
      }
      this.sql.truncate.run(height)
      blocks.forEach((block, i) => {
        this.sql.insert.run(height + i, toHex(blockHash(block.header)), encodeBlockBytes(block))
        for (const tx of block.transactions) this.sql.removeTx.run(toHex(txHash(tx)))
      })
    })()
  }

  /** Appends `block` after the stored tip. */
  append(block: Block): void {
    this.replaceFrom(this.height(), [block])
  }

  /** The block at `height` (0-based), or null. */
  blockAt(height: number): StoredBlock | null {
    const row = this.sql.at.get(height)
    return row === undefined ? null : toStored(row)
  }

  /** The block with this hex hash, or null. */
  blockByHash(hash: string): StoredBlock | null {
    const row = this.sql.byHash.get(hash)
    return row === undefined ? null : toStored(row)
  }

  /** Adds `tx` to the mempool; false if it was already there. */
  addTx(tx: Transaction): boolean {
    return this.sql.addTx.run(toHex(txHash(tx)), encodeTransactionBincode(tx), this.now()).changes > 0
  }

  /** Removes these hex tx hashes from the mempool in one transaction; returns how many were there. */
  removeTxs(hashes: readonly string[]): number {
    return this.db.transaction(() => hashes.reduce((n, h) => n + this.sql.removeTx.run(h).changes, 0))()
  }

  /** Number of transactions in the mempool. */
  mempoolSize(): number {
    return this.sql.mempoolCount.get()?.n ?? 0
  }
}

function toStored(row: BlockRow): StoredBlock {
  return { height: row.height, hash: row.hash, block: decoded(decodeBlockBytes(row.bytes), `block ${row.height}`) }
}

/** The value, or a `StoreError` naming the damaged row. */
function decoded<T>(result: Result<T>, what: string): T {
  if (result.ok) return result.value
  throw new StoreError('ERR_STORE_CORRUPT', `${what} in the store does not decode: ${result.error.message}`, { cause: result.error })
}
