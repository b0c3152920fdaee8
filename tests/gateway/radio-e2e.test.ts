import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { blockHash, txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { SentEvent } from '../../gateway/router/router.js'
import { startVaraPair } from '../../bench/vara-goodput.js'
import { createSimNet } from '../helpers/ax25-sim-stations.js'
import { perTestNet, until } from '../helpers/gateway-net.js'
import { radioGateways, type RadioSide } from '../helpers/radio-gateways.js'
import type { SimNode } from '../../hardware-sim/node/sim-node.js'
import type { Gateway } from '../../gateway/gateway.js'
import { CALL_A, CALL_B, startJs8Pair } from '../transports/js8call-fixture.js'

/** A tx from node A reaches node B exactly once; a block mined at A reaches B (compact) and both tips agree. */
async function txAndBlock(nodes: { nodeA: SimNode; nodeB: SimNode; gwA: Gateway; gwB: Gateway }, timeoutMs: number): Promise<SentEvent[]> {
  const { nodeA, nodeB, gwA, gwB } = nodes
  const sent: SentEvent[] = []
  gwA.on('sent', (e) => sent.push(e))
  await until('node links up', () => gwA.status().node?.connected === true && gwB.status().node?.connected === true, timeoutMs)
  const tx = nodeA.send(randomBytes(32), 42n)
  const txId = toHex(txHash(tx))
  await until('tx at node B', () => nodeB.state.hasTransaction(txId), timeoutMs)
  const block = nodeA.mine()
  const blockId = toHex(blockHash(block.header))
  await until('block at node B', () => nodeB.state.tip().hash === blockId, timeoutMs)
  await until('A has its acks', () => gwA.store.queue.count(gwB.status().station).acked === 2, timeoutMs)
  expect(nodeB.state.tip()).toEqual(nodeA.state.tip())
  expect(nodeB.arrivals.get(`tx:${txId}`)).toBe(1)
  expect(nodeB.arrivals.get(`block:${blockId}`)).toBe(1)
  return sent
}

describe('two gateways over one simulated radio link', () => {
  const useNet = perTestNet()

  it('VARA HF: a transaction and a compact block', async () => {
    const net = useNet()
    const pair = await startVaraPair({ channel: { timeScale: 50 } })
    net.onClose(() => pair.close())
    const side = (t: typeof pair.a, call: string): RadioSide => ({ station: call, transport: t, section: { type: 'vara', callsign: call }, address: call })
    const nodes = await radioGateways(net, side(pair.a, 'N0AAA'), side(pair.b, 'N0BBB'))
    const sent = await txAndBlock(nodes, 30_000)
    expect(sent.filter((e) => e.type === 'cmpctblock').length).toBe(1)
  }, 60_000)

  it('AX.25 through simulated TNCs on real ptys, 10 % frame loss: a transaction and a block', async () => {
    const net = useNet()
    const sim = createSimNet({ timeScale: 50, lossRate: 0.1, seed: 3 })
    net.onClose(() => sim.close())
    const a = await sim.add('a', 'N0AAA-1', 'serial')
    const b = await sim.add('b', 'N0BBB-2', 'serial')
    const side = (t: typeof a.transport, call: string): RadioSide => ({
      station: call,
      transport: t,
      section: { type: 'ax25', callsign: call, tnc: { type: 'serial', path: '/dev/null' }, beaconIntervalMs: 0 },
      address: call,
    })
    const nodes = await radioGateways(net, side(a.transport, 'N0AAA-1'), side(b.transport, 'N0BBB-2'))
    await txAndBlock(nodes, 60_000)
  }, 90_000)

  it('JS8Call at Normal speed with 5 % frame loss: a signed transaction and the chain-tip announcement', async () => {
    const net = useNet()
    // A 146-byte transaction is 20 JS8 frames, over 4 min of air at Normal: the hour's cap is raised
    // to 30 min so this test shows the exchange, not the cap (which has its own test).
    const pair = await startJs8Pair({ speed: 0, channel: { timeScale: 200, lossProbability: 0.05, seed: 5 }, transport: { maxRounds: 10, maxAirtimeMsPerHour: 1_800_000 } })
    net.onClose(() => pair.close())
    const side = (t: typeof pair.a, call: string): RadioSide => ({ station: call, transport: t, section: { type: 'js8call', beaconIntervalMs: 0 }, address: call })
    const nodes = await radioGateways(net, side(pair.a, CALL_A), side(pair.b, CALL_B))
    const sent = await txAndBlock(nodes, 90_000)
    expect(sent.every((e) => ['hello', 'tx', 'cmpctblock', 'inv', 'ack', 'blocktxn'].includes(e.type))).toBe(true)
  }, 120_000)
})
