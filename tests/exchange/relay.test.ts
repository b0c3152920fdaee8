import { EventEmitter } from 'node:events'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { decodeEnvelope } from '../../codecs/envelope.js'
import { txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Transaction } from '../../codecs/model.js'
import { LinkFraming } from '../../gateway/link-framing.js'
import { LinkMonitor } from '../../gateway/link-monitor/monitor.js'
import { PolicyConfigSchema } from '../../gateway/link-monitor/policy-config.js'
import { ChainState, type AddBlockOutcome, type AddTxOutcome, type ChainTip } from '../../gateway/node-link/chain-state.js'
import type { NodeItem, NodeLink, NodeLinkEvents } from '../../gateway/node-link/node-link.js'
import { PeerDirectory } from '../../gateway/peer-directory.js'
import { NODE_QUEUE, Relay, txKey, type RelayEvents } from '../../gateway/relay.js'
import { Router } from '../../gateway/router/router.js'
import { GatewayStore, IN_MEMORY } from '../../gateway/store/store.js'
import { corpusTransactions } from '../../hardware-sim/corpus.js'

const PEERS = ['gw-b', 'gw-c', 'gw-d']

/** A node that takes the next `accept` items handed to it and refuses the rest. */
class FakeNode extends EventEmitter<NodeLinkEvents> implements NodeLink {
  readonly forwarded: NodeItem[] = []
  refused = 0

  constructor(public accept = Infinity) {
    super()
  }

  async forward(item: NodeItem): Promise<boolean> {
    if (this.accept <= 0) {
      this.refused++
      return false
    }
    this.accept--
    this.forwarded.push(item)
    return true
  }
  tip(): ChainTip {
    return { height: 0, hash: null }
  }
  deliverTransaction(): AddTxOutcome {
    throw new Error('not used by the relay')
  }
  deliverBlock(): AddBlockOutcome {
    throw new Error('not used by the relay')
  }
  connected(): boolean {
    return true
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

let txs: Transaction[]
beforeAll(() => {
  txs = corpusTransactions(3)
})

let store: GatewayStore
let state: ChainState
beforeEach(() => {
  store = GatewayStore.open(IN_MEMORY)
  state = new ChainState({ persistence: store.chain })
})
afterEach(async () => {
  await new Promise((r) => setTimeout(r, 5)) // the relay's deferred forwardToNode runs before the store closes
  store.close()
})

/** A relay over the test's store and mirror, with a router that is never started (its queue is the store's). */
function relayWith(node?: NodeLink) {
  const router = new Router({
    store,
    monitor: new LinkMonitor(),
    policy: PolicyConfigSchema.parse({}),
    directory: new PeerDirectory(),
    transports: new Map(),
    framing: new LinkFraming(),
    hello: () => {
      throw new Error('not started')
    },
  })
  const relay = new Relay({ store, state, router, ...(node === undefined ? {} : { node }), peers: () => PEERS })
  const events: { name: keyof RelayEvents; event: unknown }[] = []
  for (const name of ['accepted', 'rejected', 'delivered'] as const) relay.on(name, (event: unknown) => void events.push({ name, event }))
  return { relay, events }
}

const hashOf = (tx: Transaction): string => toHex(txHash(tx))
const queued = (peer: string): number => store.queue.count(peer).queued
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5))

describe('Relay.acceptTx', () => {
  it('commits a valid transaction and queues it for every peer but its source, and for the node', () => {
    const { relay, events } = relayWith(new FakeNode(0))
    const tx = txs[0] as Transaction
    expect(relay.acceptTx(tx, 'gw-b')).toEqual({ status: 'added', hash: hashOf(tx) })
    expect(PEERS.map(queued)).toEqual([0, 1, 1])
    expect(queued(NODE_QUEUE)).toBe(1)
    const [entry] = store.queue.peek('gw-c')
    expect(entry).toMatchObject({ key: txKey(hashOf(tx)), class: 'tx' })
    const payload = decodeEnvelope(entry?.payload ?? new Uint8Array())
    expect(payload.ok && payload.value).toEqual({ type: 'tx', transaction: tx })
    expect(new ChainState({ persistence: store.chain }).transaction(hashOf(tx))).toEqual(tx) // on disk
    expect(events).toEqual([{ name: 'accepted', event: { kind: 'tx', hash: hashOf(tx), origin: { peer: 'gw-b' } } }])
  })

  it('queues nothing for a duplicate', () => {
    const { relay, events } = relayWith(new FakeNode(0))
    const tx = txs[0] as Transaction
    relay.acceptTx(tx, 'gw-b')
    expect(relay.acceptTx(tx, 'gw-c').status).toBe('duplicate')
    expect(PEERS.map(queued)).toEqual([0, 1, 1])
    expect(queued(NODE_QUEUE)).toBe(1)
    expect(events.map((e) => e.name)).toEqual(['accepted'])
  })

  it('queues nothing for an invalid transaction and reports it rejected', () => {
    const { relay, events } = relayWith(new FakeNode(0))
    const forged = { ...(txs[0] as Transaction), amount: (txs[0] as Transaction).amount + 1n } // signature no longer matches
    expect(relay.acceptTx(forged, 'gw-b')).toMatchObject({ status: 'invalid', reason: 'BAD_SIGNATURE' })
    expect([...PEERS, NODE_QUEUE].map(queued)).toEqual([0, 0, 0, 0])
    expect(state.transactions()).toEqual([])
    expect(events).toEqual([{ name: 'rejected', event: { kind: 'tx', hash: hashOf(forged), origin: { peer: 'gw-b' }, reason: 'BAD_SIGNATURE' } }])
  })
})

describe('Relay.fromNode', () => {
  it('marks the transaction delivered and queues it for every peer, not for the node', () => {
    const node = new FakeNode()
    const { relay, events } = relayWith(node)
    const tx = txs[1] as Transaction
    state.addTransaction(tx) // the node link put it in the mirror
    relay.fromNode(tx)
    expect(store.delivered.has(hashOf(tx))).toBe(true)
    expect(PEERS.map(queued)).toEqual([1, 1, 1])
    expect(store.queue.count(NODE_QUEUE)).toMatchObject({ queued: 0, sent: 0, acked: 0 })
    expect(events).toEqual([{ name: 'accepted', event: { kind: 'tx', hash: hashOf(tx), origin: { node: true } } }])
  })
})

describe('Relay.forwardToNode', () => {
  it('hands items to the node in order, stops when it refuses, and never hands one twice, even after a restart', async () => {
    const node = new FakeNode(0)
    const { relay, events } = relayWith(node)
    for (const tx of txs) relay.acceptTx(tx, 'gw-b')
    await tick() // the forward the relay schedules itself: refused
    expect(node.refused).toBeGreaterThan(0)
    expect(queued(NODE_QUEUE)).toBe(3)

    node.accept = 1
    await relay.forwardToNode()
    expect(node.forwarded).toEqual([{ type: 'tx', transaction: txs[0] }])
    expect(store.queue.count(NODE_QUEUE)).toMatchObject({ queued: 2, acked: 1 })
    expect(store.delivered.has(hashOf(txs[0] as Transaction))).toBe(true)
    expect(store.delivered.has(hashOf(txs[1] as Transaction))).toBe(false)

    node.accept = Infinity
    await relay.forwardToNode()
    expect(node.forwarded.map((i) => (i.type === 'tx' ? hashOf(i.transaction) : i.type))).toEqual(txs.map(hashOf))
    expect(store.queue.count(NODE_QUEUE)).toMatchObject({ queued: 0, sent: 0, acked: 3 })
    expect(events.filter((e) => e.name === 'delivered').map((e) => e.event)).toEqual(txs.map((tx) => ({ kind: 'tx', hash: hashOf(tx) })))

    const again = new FakeNode()
    state = new ChainState({ persistence: store.chain })
    const restarted = relayWith(again).relay
    await restarted.forwardToNode()
    expect(restarted.acceptTx(txs[0] as Transaction, 'gw-c').status).toBe('duplicate')
    await tick()
    expect(again.forwarded).toEqual([])
  })
})
