import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { blockHash, txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { SentEvent } from '../../gateway/router/router.js'
import { freePort, perTestNet, until } from '../helpers/gateway-net.js'

// Two gateways on one TCP link, each with its own simulated node: node A -> gateway A -> TCP ->
// gateway B -> node B, over real sockets on 127.0.0.1.
describe('two gateways over TCP', () => {
  const useNet = perTestNet()

  async function pair() {
    const net = useNet()
    const [nodeA, nodeB] = [await net.node(), await net.node()]
    const [portA, portB] = [await freePort(), await freePort()]
    const gw = (name: string, port: number, node: number, peer: string, peerPort: number) =>
      net.gateway({
        station: { id: name, stateDir: net.stateDir() },
        node: { p2p: { peers: [`127.0.0.1:${node}`] } },
        links: { net: { type: 'tcp', listen: { host: '127.0.0.1', port } } },
        peers: [{ name: peer, addresses: { net: `127.0.0.1:${peerPort}` } }],
      })
    const a = await gw('gw-a', portA, nodeA.p2pPort, 'gw-b', portB)
    const b = await gw('gw-b', portB, nodeB.p2pPort, 'gw-a', portA)
    return { nodeA, nodeB, a, b }
  }

  it('carries a transaction from node A to node B exactly once', async () => {
    const { nodeA, nodeB, a, b } = await pair()
    await until('both node links up', () => a.status().node?.connected === true && b.status().node?.connected === true)
    const tx = nodeA.send(randomBytes(32), 5n)
    const hash = toHex(txHash(tx))
    await until('tx at node B', () => nodeB.state.hasTransaction(hash))
    await new Promise((r) => setTimeout(r, 500)) // room for a duplicate to show up
    expect(nodeB.arrivals.get(`tx:${hash}`)).toBe(1)
    expect(nodeA.arrivals.get(`tx:${hash}`) ?? 0).toBe(0) // never sent back to where it came from
    await until('B acknowledged it to A', () => a.store.queue.count('gw-b').acked === 1)
    expect(a.store.queue.count('gw-b')).toMatchObject({ queued: 0, sent: 0 })
    expect(b.store.queue.count('gw-a')).toMatchObject({ queued: 0, sent: 0, acked: 0 }) // B owes A nothing: A had it
  })

  it('announces a mined block as a compact block; both nodes end on the same tip', async () => {
    const { nodeA, nodeB, a, b } = await pair()
    await until('both node links up', () => a.status().node?.connected === true && b.status().node?.connected === true)
    const sent: SentEvent[] = []
    a.on('sent', (e) => sent.push(e))
    nodeA.send(randomBytes(32), 7n)
    nodeA.send(randomBytes(32), 8n)
    await until('txs at node B', () => nodeB.state.transactions().length === 2)
    const block = nodeA.mine()
    const hash = toHex(blockHash(block.header))
    await until('block at node B', () => nodeB.state.tip().hash === hash)
    expect(nodeB.state.tip()).toEqual(nodeA.state.tip())
    expect(sent.some((e) => e.type === 'cmpctblock')).toBe(true)
    expect(sent.some((e) => e.type === 'block')).toBe(false)
    expect(nodeB.arrivals.get(`block:${hash}`)).toBe(1)
  })
})
