import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { encodeEnvelope } from '../../codecs/envelope.js'
import { blockHash, txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { SentEvent } from '../../gateway/router/router.js'
import { startVaraPair } from '../../bench/vara-goodput.js'
import { corpusChain } from '../../hardware-sim/corpus.js'
import { perTestNet, until } from '../helpers/gateway-net.js'
import { radioGateways, type RadioSide } from '../helpers/radio-gateways.js'

// Gateway B starts 200 blocks behind gateway A and catches up over simulated VARA HF by incremental
// sync (headers, then bodies in batches), then hands every block to its node once.
describe('incremental sync over simulated VARA', () => {
  const useNet = perTestNet()

  it('B catches up 200 blocks with bytes on air at most 1.15 × the blocks’ wire size; a new tx goes ahead of the sync', async () => {
    const net = useNet()
    const chain = corpusChain(200, 5)
    const pair = await startVaraPair({ channel: { timeScale: 50 } })
    net.onClose(() => pair.close())
    const side = (t: typeof pair.a, call: string): RadioSide => ({ station: call, transport: t, section: { type: 'vara', callsign: call }, address: call })
    const sent: SentEvent[] = []
    const { nodeA, nodeB, gwA, gwB } = await radioGateways(net, side(pair.a, 'N0AAA'), side(pair.b, 'N0BBB'))
    expect(nodeA.state.adoptChain(chain).status).toBe('adopted')
    nodeA.mine() // announces the new tip to gateway A, which learns the chain from its node
    for (const gw of [gwA, gwB]) gw.on('sent', (e) => sent.push(e))
    await until('gateway A has the chain', () => gwA.state.tip().height === 201, 60_000)
    // a long sync never starves a new transaction: it goes ahead of the remaining batches
    await until('sync under way', () => gwB.state.tip().height >= 20, 120_000)
    const tx = nodeA.send(randomBytes(32), 4n)
    await until('the new tx at node B', () => nodeB.state.hasTransaction(toHex(txHash(tx))), 60_000)
    expect(gwB.state.tip().height).toBeLessThan(201)
    await until('gateway B caught up', () => gwB.state.tip().height === 201, 120_000)
    await until('node B has every block', () => nodeB.state.tip().height === 201, 60_000)
    expect(nodeB.state.tip()).toEqual(nodeA.state.tip())
    const hashes = nodeB.state.chain().map((b) => toHex(blockHash(b.header)))
    expect(Math.max(...hashes.map((h) => nodeB.arrivals.get(`block:${h}`) ?? 0))).toBe(1) // none twice
    const onAir = sent.filter((e) => e.link.startsWith('vara')).reduce((n, e) => n + e.bytes, 0)
    const wire = gwA.state.chain().reduce((n, block) => n + encodeEnvelope({ type: 'block', block }, { compress: 'never' }).length, 0)
    expect(sent.some((e) => e.type === 'bodies')).toBe(true)
    expect(onAir / wire).toBeLessThanOrEqual(1.15) // the new tx and its ack included
  }, 180_000)
})
