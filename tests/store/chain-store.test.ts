import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { blockHash, txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Block, Transaction } from '../../codecs/model.js'
import { ChainState } from '../../gateway/node-link/chain-state.js'
import type { ChainPersistence } from '../../gateway/store/chain-persistence.js'
import { GatewayStore, IN_MEMORY, storeFile } from '../../gateway/store/store.js'
import { fakeClock, forkOf, storeErrorCode, vectorChain, vectorMempool } from './fixtures.js'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

function open(file = IN_MEMORY): GatewayStore {
  const store = GatewayStore.open(file, { now: fakeClock().now })
  cleanups.push(() => store.close())
  return store
}

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bunker-store-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return storeFile(dir)
}

const hashOf = (b: Block) => toHex(blockHash(b.header))
const txId = (tx: Transaction) => toHex(txHash(tx))
const chain = vectorChain()

describe('ChainStore', () => {
  it('appends blocks and finds them by height and by hash, bytes exact', () => {
    const { chain: store } = open()
    for (const b of chain) store.append(b)
    expect(store.height()).toBe(chain.length)
    expect(store.load().blocks).toEqual(chain)
    const third = store.blockAt(3)
    expect(third?.hash).toBe(hashOf(chain[3] as Block))
    expect(third?.block).toEqual(chain[3])
    expect(store.blockByHash(hashOf(chain[5] as Block))?.height).toBe(5)
    expect(store.blockAt(6)).toBeNull()
    expect(store.blockByHash('00'.repeat(32))).toBeNull()
  })

  it('replaces the chain from a fork point in one transaction', () => {
    const { chain: store } = open()
    for (const b of chain) store.append(b)
    const fork = forkOf(chain, 4, 3)
    store.replaceFrom(4, fork.slice(4))
    expect(store.height()).toBe(7)
    expect(store.load().blocks.map(hashOf)).toEqual(fork.map(hashOf))
    expect(store.blockByHash(hashOf(chain[5] as Block))).toBeNull() // the abandoned branch is gone
  })

  it('rolls back a replacement that fails half way', () => {
    const { chain: store } = open()
    for (const b of chain.slice(0, 3)) store.append(b)
    const broken = { ...(chain[4] as Block), header: { ...(chain[4] as Block).header, nonce: -1n } }
    expect(() => store.replaceFrom(1, [chain[1] as Block, broken])).toThrow(/nonce/)
    expect(store.load().blocks.map(hashOf)).toEqual(chain.slice(0, 3).map(hashOf))
  })

  it('refuses a write that would leave a gap', () => {
    const { chain: store } = open()
    store.append(chain[0] as Block)
    expect(storeErrorCode(() => store.replaceFrom(2, [chain[2] as Block]))).toBe('ERR_STORE_GAP')
    expect(storeErrorCode(() => store.replaceFrom(-1, []))).toBe('ERR_STORE_GAP')
    expect(store.height()).toBe(1)
  })

  it('keeps the mempool in arrival order, idempotently, and drops what a stored block confirms', () => {
    const { chain: store } = open()
    for (const b of chain.slice(0, 3)) store.append(b)
    const confirmedLater = (chain[3] as Block).transactions
    const pending = vectorMempool()
    const all = [...pending, ...confirmedLater]
    for (const tx of all) expect(store.addTx(tx)).toBe(true)
    expect(store.addTx(pending[0] as Transaction)).toBe(false)
    expect(store.load().mempool).toEqual(all)
    store.append(chain[3] as Block)
    expect(store.load().mempool).toEqual(pending)
    expect(store.removeTxs([txId(pending[1] as Transaction), 'ff'.repeat(32)])).toBe(1)
    expect(store.mempoolSize()).toBe(2)
  })
})

describe('ChainState with persistence', () => {
  it('survives a restart: same chain, tip, mempool and confirmed set', () => {
    const file = tempFile()
    const first = GatewayStore.open(file)
    const state = new ChainState({ persistence: first.chain })
    for (const b of chain.slice(0, 5)) expect(state.addBlock(b).status).toBe('added')
    for (const tx of vectorMempool()) expect(state.addTransaction(tx).status).toBe('added')
    first.close()

    const second = open(file)
    const restarted = new ChainState({ persistence: second.chain })
    expect(restarted.tip()).toEqual(state.tip())
    expect(restarted.chain()).toEqual(state.chain())
    expect(restarted.transactions()).toEqual(state.transactions())
    const confirmed = (chain[3] as Block).transactions[0] as Transaction
    expect(restarted.addTransaction(confirmed).status).toBe('duplicate')
    expect(restarted.addBlock(chain[5] as Block).status).toBe('added')
    expect(second.chain.height()).toBe(6)
  })

  it('persists an adopted fork, replacing the abandoned blocks', () => {
    const file = tempFile()
    const first = GatewayStore.open(file)
    const state = new ChainState({ persistence: first.chain })
    for (const b of chain) state.addBlock(b)
    const fork = forkOf(chain, 5, 2)
    expect(state.adoptChain(fork)).toEqual({ status: 'adopted', height: 7, replaced: 1 })
    first.close()

    const restarted = new ChainState({ persistence: open(file).chain })
    expect(restarted.chain().map(hashOf)).toEqual(fork.map(hashOf))
    expect(restarted.hasBlock(hashOf(chain[5] as Block))).toBe(false)
  })

  it('commits before it reports, and changes nothing in memory when the commit fails', () => {
    const calls: string[] = []
    const failing: ChainPersistence = {
      load: () => ({ blocks: [], mempool: [] }),
      replaceFrom: (height, blocks) => void calls.push(`replaceFrom ${height} ${blocks.length}`),
      addTx: () => {
        throw new Error('disk full')
      },
    }
    const state = new ChainState({ persistence: failing })
    expect(state.addBlock(chain[0] as Block).status).toBe('added')
    expect(state.addBlock(chain[0] as Block).status).toBe('duplicate')
    expect(state.adoptChain(chain.slice(0, 3)).status).toBe('adopted')
    expect(calls).toEqual(['replaceFrom 0 1', 'replaceFrom 1 2'])
    expect(() => state.addTransaction(vectorMempool()[0] as Transaction)).toThrow('disk full')
    expect(state.transactions()).toEqual([])
  })

  it('restores at most maxMempool transactions and none that the chain confirms', () => {
    const confirmed = (chain[2] as Block).transactions[0] as Transaction
    const pending = vectorMempool()
    const saved: ChainPersistence = {
      load: () => ({ blocks: chain.slice(0, 3), mempool: [confirmed, ...pending] }),
      replaceFrom: () => undefined,
      addTx: () => undefined,
    }
    const state = new ChainState({ persistence: saved, maxMempool: 2 })
    expect(state.tip().height).toBe(3)
    expect(state.transactions().map(txId)).toEqual(pending.slice(0, 2).map(txId))
  })
})
