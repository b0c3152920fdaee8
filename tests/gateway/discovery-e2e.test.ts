import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import { createSimNet } from '../helpers/ax25-sim-stations.js'
import { perTestNet, until } from '../helpers/gateway-net.js'

// Two gateways on one packet channel that know nothing of each other: A beacons its hello to the
// group, B hears it, enters A in its peer table with the link it was heard on, answers, and from
// then on they relay to each other.
describe('discovery by beacon', () => {
  const useNet = perTestNet()

  it('a beacon puts its station in the peer table, and traffic follows', async () => {
    const net = useNet()
    const sim = createSimNet({ timeScale: 50, seed: 4 })
    net.onClose(() => sim.close())
    const radio = { a: (await sim.add('a', 'N0AAA-1', 'tcp')).transport, b: (await sim.add('b', 'N0BBB-2', 'tcp')).transport }
    const [nodeA, nodeB] = [await net.node(), await net.node()]
    const start = (call: string, node: number, t: typeof radio.a, beaconIntervalMs: number) =>
      net.gateway(
        { station: { id: call, stateDir: net.stateDir() }, node: { p2p: { peers: [`127.0.0.1:${node}`] } }, links: { [t.id]: { type: 'ax25', callsign: call, tnc: { type: 'tcp' }, beaconIntervalMs } } },
        { transports: () => t, random: () => 0 }, // first beacon at once
      )
    const gwB = await start('N0BBB-2', nodeB.p2pPort, radio.b, 0) // B never beacons
    const gwA = await start('N0AAA-1', nodeA.p2pPort, radio.a, 600_000)
    expect(gwA.directory.peers()).toEqual([])
    await until('B heard A', () => gwB.directory.has('N0AAA-1'), 20_000)
    expect(gwB.store.peers.get('N0AAA-1')?.links.map((l) => l.link)).toEqual([radio.b.id])
    await until('A heard B answer', () => gwA.directory.has('N0BBB-2'), 20_000)
    expect(gwA.store.peers.get('N0BBB-2')).toMatchObject({ hops: 0, protocolVersion: 1 })

    const tx = nodeA.send(randomBytes(32), 11n)
    const id = toHex(txHash(tx))
    await until('tx at node B', () => nodeB.state.hasTransaction(id), 20_000)
    expect(nodeB.arrivals.get(`tx:${id}`)).toBe(1)
  }, 60_000)
})
