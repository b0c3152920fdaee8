import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { blockHash, txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { SentEvent } from '../../gateway/router/router.js'
import { startVaraPair } from '../../bench/vara-goodput.js'
import { createSimNet } from '../helpers/ax25-sim-stations.js'
import type { Transport } from '../../transports/types.js'
import { perTestNet, until } from '../helpers/gateway-net.js'

// Three gateways in a line: A and C are out of each other's range. A hears B on a VHF packet
// channel (simulated KISS TNCs), C hears B on VARA HF; B is a relay station with no node of its own.
describe('a relay station between two segments', () => {
  const useNet = perTestNet()

  it('carries a transaction and a block from A to C, validated and stored on the way; directed traffic and acks through the mesh', async () => {
    const net = useNet()
    const vhf = createSimNet({ timeScale: 50, seed: 9 })
    const hf = await startVaraPair({ channel: { timeScale: 50 }, a: { id: 'hf', callsign: 'N0BBB' }, b: { id: 'hf', callsign: 'N0CCC' } })
    net.onClose(() => vhf.close())
    net.onClose(() => hf.close())
    const aRadio = (await vhf.add('a', 'N0AAA', 'tcp')).transport
    const bRadio = (await vhf.add('b', 'N0BBB', 'tcp')).transport
    const [nodeA, nodeC] = [await net.node(), await net.node()]
    const ax25 = (call: string) => ({ type: 'ax25', callsign: call, tnc: { type: 'tcp' }, beaconIntervalMs: 0 })
    const gwA = await net.gateway(
      { station: { id: 'N0AAA', stateDir: net.stateDir() }, node: { p2p: { peers: [`127.0.0.1:${nodeA.p2pPort}`] } }, links: { [aRadio.id]: ax25('N0AAA') }, peers: [{ name: 'N0BBB', addresses: { [aRadio.id]: 'N0BBB' } }, { name: 'N0CCC' }] },
      { transports: () => aRadio },
    )
    const radios = new Map<string, Transport>([[bRadio.id, bRadio], ['hf', hf.a]])
    const gwB = await net.gateway(
      {
        station: { id: 'N0BBB', stateDir: net.stateDir() },
        links: { [bRadio.id]: ax25('N0BBB'), hf: { type: 'vara', callsign: 'N0BBB' } },
        peers: [
          { name: 'N0AAA', addresses: { [bRadio.id]: 'N0AAA' } },
          { name: 'N0CCC', addresses: { hf: 'N0CCC' } },
        ],
      },
      { transports: (id) => radios.get(id) as Transport },
    )
    const gwC = await net.gateway(
      { station: { id: 'N0CCC', stateDir: net.stateDir() }, node: { p2p: { peers: [`127.0.0.1:${nodeC.p2pPort}`] } }, links: { hf: { type: 'vara', callsign: 'N0CCC' } }, peers: [{ name: 'N0BBB', addresses: { hf: 'N0BBB' } }, { name: 'N0AAA' }] },
      { transports: () => hf.b },
    )
    expect(gwB.status().role).toBe('relay')
    const relayed: SentEvent[] = []
    gwB.on('sent', (e) => relayed.push(e))
    await until('node links up', () => gwA.status().node?.connected === true && gwC.status().node?.connected === true)

    const tx = nodeA.send(randomBytes(32), 9n)
    const txId = toHex(txHash(tx))
    await until('tx at node C', () => nodeC.state.hasTransaction(txId), 30_000)
    // the relay station validated and stored it; it may do so just after C has it, since what A owes
    // C also crosses B inside `relay` messages, which B forwards without opening
    await until('tx stored at the relay station', () => gwB.state.hasTransaction(txId), 10_000)
    const block = nodeA.mine()
    const blockId = toHex(blockHash(block.header))
    await until('block at node C', () => nodeC.state.tip().hash === blockId, 30_000)
    await until('block stored at the relay station', () => gwB.state.tip().hash === blockId, 10_000)
    expect(nodeC.state.tip()).toEqual(nodeA.state.tip())
    await new Promise((r) => setTimeout(r, 300))
    expect(nodeC.arrivals.get(`tx:${txId}`)).toBe(1)
    expect(nodeC.arrivals.get(`block:${blockId}`)).toBe(1)
    // nothing went back where it came from
    expect(relayed.filter((e) => e.peer === 'N0AAA' && ['tx', 'cmpctblock', 'block'].includes(e.type))).toEqual([])
    // A also owes C, which it never hears: that went through B inside `relay` messages, and C's
    // acknowledgements came back the same way (mesh forwarding with a hop limit)
    await until('C acked A through B', () => gwA.store.queue.count('N0CCC').acked === 2, 30_000)
    expect(gwA.store.queue.count('N0CCC')).toMatchObject({ queued: 0, sent: 0 })
    expect(relayed.some((e) => e.type === 'relay' && e.link === 'hf' && e.peer === 'N0CCC')).toBe(true)
  }, 60_000)
})
