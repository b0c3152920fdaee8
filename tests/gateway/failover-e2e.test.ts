import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { SentEvent } from '../../gateway/router/router.js'
import { createTransport } from '../../gateway/transport-factory.js'
import { startVaraPair } from '../../bench/vara-goodput.js'
import type { Transport } from '../../transports/types.js'
import { freePort, perTestNet, until } from '../helpers/gateway-net.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'

const DWELL_MS = 3_000

// Two gateways with two links: TCP (preferred, through proxies the test cuts) and simulated VARA HF.
describe('failover between links', () => {
  const useNet = perTestNet()

  it('cut mid-transfer: unacknowledged messages go out on VARA within 2 s, nothing lost; back to TCP after the dwell time', async () => {
    const net = useNet()
    const vara = await startVaraPair({ channel: { timeScale: 20 } })
    net.onClose(() => vara.close())
    const [nodeA, nodeB] = [await net.node(), await net.node()]
    const [portA, portB] = [await freePort(), await freePort()]
    const toB = await startTcpProxy(portB)
    const toA = await startTcpProxy(portA)
    net.onClose(() => toB.close())
    net.onClose(() => toA.close())
    const start = (me: string, port: number, node: number, radio: Transport, peer: string, proxy: number) =>
      net.gateway(
        {
          station: { id: me, stateDir: net.stateDir() },
          node: { p2p: { peers: [`127.0.0.1:${node}`] } },
          links: { net: { type: 'tcp', listen: { host: '127.0.0.1', port } }, [radio.id]: { type: 'vara', callsign: me } },
          peers: [{ name: peer, addresses: { net: `127.0.0.1:${proxy}`, [radio.id]: peer } }],
          policy: { dwellMs: DWELL_MS },
        },
        {
          transports: (id, link, deps) => (id === radio.id ? radio : createTransport(id, link, deps)),
          router: { setAsideMs: 1_000, probeIntervalMs: { tcp: 500 } },
        },
      )
    const gwA = await start('N0AAA', portA, nodeA.p2pPort, vara.a, 'N0BBB', toB.port)
    const gwB = await start('N0BBB', portB, nodeB.p2pPort, vara.b, 'N0AAA', toA.port)
    const sent: (SentEvent & { at: number })[] = []
    const failovers: { from: string; to: string; at: number }[] = []
    gwA.on('sent', (e) => sent.push({ ...e, at: Date.now() }))
    gwA.on('failover', (e) => failovers.push({ ...e, at: Date.now() }))
    await until('node links up', () => gwA.status().node?.connected === true && gwB.status().node?.connected === true)

    const hashes: string[] = []
    const send = (): void => void hashes.push(toHex(txHash(nodeA.send(randomBytes(32), 1n))))
    send()
    await until('first tx at B', () => nodeB.state.hasTransaction(hashes[0] as string))
    expect(sent.find((e) => e.type === 'tx')?.link).toBe('net')

    // a burst, and the path cut while it is in flight
    for (let i = 0; i < 5; i++) send()
    await Promise.all([toB.cut(), toA.cut()])
    const cutAt = Date.now()
    for (let i = 0; i < 5; i++) send()
    await until('every tx at node B', () => hashes.every((h) => nodeB.state.hasTransaction(h)), 30_000)
    const firstOnVara = sent.find((e) => e.link === vara.a.id && e.at >= cutAt && e.type === 'tx')
    expect(firstOnVara).toBeDefined()
    expect((firstOnVara?.at ?? Infinity) - cutAt).toBeLessThan(2_000)
    expect(failovers.some((f) => f.from === 'net' && f.to === vara.a.id)).toBe(true)
    await new Promise((r) => setTimeout(r, 500))
    for (const h of hashes) expect(nodeB.arrivals.get(`tx:${h}`)).toBe(1) // nothing lost, nothing twice

    // the path comes back: traffic returns to TCP only after it has stayed good for the dwell time
    await Promise.all([toB.restore(), toA.restore()])
    const restoredAt = Date.now()
    const onTcpAgain = () => sent.find((e) => e.type === 'tx' && e.link === 'net' && e.at > restoredAt)
    while (onTcpAgain() === undefined && Date.now() - restoredAt < 20_000) {
      send()
      await new Promise((r) => setTimeout(r, 250))
    }
    const back = failovers.find((f) => f.to === 'net' && f.at > restoredAt)
    expect(back).toBeDefined()
    expect((back?.at ?? 0) - restoredAt).toBeGreaterThanOrEqual(DWELL_MS)
    expect((onTcpAgain()?.at ?? Infinity) - restoredAt).toBeGreaterThanOrEqual(DWELL_MS)
    // meanwhile the transactions kept flowing on VARA, and every one arrived once
    expect(sent.some((e) => e.type === 'tx' && e.link === vara.a.id && e.at > restoredAt)).toBe(true)
    await until('every tx at node B', () => hashes.every((h) => nodeB.state.hasTransaction(h)), 30_000)
    await new Promise((r) => setTimeout(r, 500))
    for (const h of hashes) expect(nodeB.arrivals.get(`tx:${h}`)).toBe(1)
  }, 60_000)
})
