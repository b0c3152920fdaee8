import { afterEach, describe, expect, it } from 'vitest'
import { publicKeyFromSecret } from '../../codecs/ed25519.js'
import { createTransaction } from '../../codecs/producer.js'
import { ChainState } from '../../gateway/node-link/chain-state.js'
import { HttpNodeLink } from '../../gateway/node-link/http-node-link.js'
import { SimNode } from '../../hardware-sim/node/sim-node.js'
import { captureLog } from '../helpers/log-capture.js'
import { waitFor } from '../helpers/raw-peer.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const bob = publicKeyFromSecret(new Uint8Array(32).fill(8))

async function httpNode(): Promise<SimNode> {
  const n = new SimNode({ p2pPort: null, httpPort: 0 })
  await n.start()
  cleanups.push(() => n.stop())
  return n
}

function link(node: SimNode, state = new ChainState()) {
  const logs = captureLog()
  const l = new HttpNodeLink(state, { url: node.url, pollIntervalMs: 60_000 }, logs.log)
  cleanups.push(() => l.stop())
  return { link: l, state, logs }
}

describe('the simulated node HTTP API behaves as documented', () => {
  it('answers 404 for /chain before the first block and plain-text OK / Invalid block', async () => {
    const node = await httpNode()
    expect((await fetch(`${node.url}/chain`)).status).toBe(404)
    expect(await (await fetch(`${node.url}/sync`)).text()).toBe(`{"height":0,"latest_hash":"${'0'.repeat(64)}"}`)
    const garbage = await fetch(`${node.url}/broadcast`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
    expect(garbage.status).toBe(400)
    const wrongType = await fetch(`${node.url}/tx`, { method: 'POST', body: '{}', headers: { 'content-type': 'text/plain' } })
    expect(wrongType.status).toBe(415)
    const block = node.mine()
    const stale = await fetch(`${node.url}/broadcast`, { method: 'POST', body: JSON.stringify({}), headers: { 'content-type': 'application/json' } })
    expect(stale.status).toBe(400)
    expect(block.transactions).toHaveLength(0)
    expect((await fetch(`${node.url}/chain`)).status).toBe(200)
    const tx = await fetch(`${node.url}/tx`, { method: 'POST', body: '{"sender":[]', headers: { 'content-type': 'application/json' } })
    expect([tx.status, await tx.text()]).toEqual([400, expect.stringContaining('deserialize')])
  })
})

describe('HTTP node link', () => {
  it('pulls a longer chain and the mempool from the node', async () => {
    const node = await httpNode()
    node.mine()
    node.mine()
    node.send(bob, 10n)
    const { link: l, state } = link(node)
    const seen: string[] = []
    l.on('chain', (tip) => seen.push(`chain ${tip.height}`))
    l.on('transaction', () => seen.push('tx'))
    await l.start()
    expect(state.tip()).toEqual(node.state.tip())
    expect(seen).toEqual(['chain 2', 'tx'])
  })

  it('pushes transactions and newer blocks to the node', async () => {
    const node = await httpNode()
    node.mine()
    const { link: l, state } = link(node)
    await l.start()
    // Another gateway's node mined two more blocks on the same chain; they reach us over radio.
    const other = new SimNode({ p2pPort: null, httpPort: null })
    for (const b of state.chain()) other.submitBlock(b)
    const tx = createTransaction({ secretKey: new Uint8Array(32).fill(3), recipient: bob, amount: 7n, nonce: 0n })
    expect(l.deliverTransaction(tx).status).toBe('added')
    expect(l.deliverBlock(other.mine()).status).toBe('added')
    expect(l.deliverBlock(other.mine()).status).toBe('added')
    await waitFor(() => node.state.tip().height === 3, 5_000, 'the node to take both blocks')
    await waitFor(() => node.state.transactions().length === 1, 5_000, 'the node to take the tx')
    expect(node.state.tip().hash).toBe(state.tip().hash)
  })

  it('logs and survives a node that is down, then syncs when it comes back', async () => {
    const node = await httpNode()
    const url = node.url
    await node.stop()
    const logs = captureLog()
    const state = new ChainState()
    const l = new HttpNodeLink(state, { url, pollIntervalMs: 50, followEvents: false }, logs.log)
    cleanups.push(() => l.stop())
    await l.start()
    expect(logs.find('HTTP sync with node failed')[0]?.level).toBe(40)
    const port = Number(new URL(url).port)
    const back = new SimNode({ p2pPort: null, httpPort: port })
    await back.start()
    cleanups.push(() => back.stop())
    back.mine()
    await waitFor(() => state.tip().height === 1, 5_000, 'sync after the node returns')
  })

  it('follows /events to sync without waiting for the next poll', async () => {
    const node = await httpNode()
    const { link: l, state } = link(node)
    await l.start()
    await waitFor(() => node.eventClients === 1, 5_000, 'the gateway to follow /events')
    node.mine()
    // The poll interval is 60 s: only the event can make this happen within the deadline.
    await waitFor(() => state.tip().height === 1, 5_000, 'event-driven sync')
  })
})
