/**
 * Two whole gateways through two real Direwolf 1.6 TNCs that hear each other both ways over AFSK
 * 1200 audio (tests/helpers/direwolf.ts, duplex FIFO pair; issue #5's last "Done when"):
 *
 *   node A ⇄ gateway A → KISS TCP → direwolf A ⇄ AFSK audio ⇄ direwolf B → KISS TCP → gateway B ⇄ node B
 *
 * Node A sends a transaction and mines a block; node B gets each exactly once, both tips agree and
 * gateway A holds B's acks for both. The gateways build their AX.25 transports from their config
 * sections (no `deps.transports`), so the transport factory is in the loop too. Beacons are off
 * (`beaconIntervalMs: 0`): the air carries the hellos, the transaction, the block and the acks.
 * Each gateway is one KISS client of its direwolf (Direwolf serves at most 3).
 *
 * Needs `direwolf` (Debian package `direwolf`); with CI=true its absence fails instead of skipping.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { blockHash, txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Gateway } from '../../gateway/gateway.js'
import type { SentEvent } from '../../gateway/router/router.js'
import type { SimNode } from '../../hardware-sim/node/sim-node.js'
import { startDirewolfPair, type DirewolfPair } from '../helpers/direwolf.js'
import { direwolfAx25Options } from '../helpers/direwolf-pair.js'
import { GatewayNet, until } from '../helpers/gateway-net.js'
import { captureLog, type CapturedLog } from '../helpers/log-capture.js'
import { requireProgram } from '../helpers/require-program.js'

const CALL_A = 'N0AAA-1'
const CALL_B = 'N0BBB-2'
/** Link name in both gateways' configs. */
const LINK = 'vhf'
/** Deadline of each step, wall ms: a step takes about a second on the FIFO link; a lost frame adds T1 (≤ 8 s). */
const STEP_MS = 25_000

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

interface Stations {
  pair: DirewolfPair
  nodeA: SimNode
  nodeB: SimNode
  gwA: Gateway
  gwB: Gateway
  logs: CapturedLog
}

/** Starts the direwolf pair, two nodes and two gateways on it; everything is stopped after the test. */
async function stations(): Promise<Stations> {
  const pair = await startDirewolfPair({ duplex: true })
  cleanups.push(() => pair.stop())
  const logs = captureLog()
  const net = new GatewayNet(logs.log)
  cleanups.push(() => net.close()) // runs before pair.stop: the gateways leave their KISS ports first
  const [nodeA, nodeB] = [await net.node(), await net.node()]
  const gateway = (me: string, other: string, kissPort: number, nodePort: number): Promise<Gateway> =>
    net.gateway({
      station: { id: me, stateDir: net.stateDir() },
      node: { p2p: { peers: [`127.0.0.1:${nodePort}`] } },
      links: { [LINK]: { type: 'ax25', ...direwolfAx25Options(kissPort, me), beaconIntervalMs: 0 } },
      peers: [{ name: other, addresses: { [LINK]: other } }],
    })
  const gwA = await gateway(CALL_A, CALL_B, pair.kissPortA, nodeA.p2pPort)
  const gwB = await gateway(CALL_B, CALL_A, pair.kissPortB, nodeB.p2pPort)
  return { pair, nodeA, nodeB, gwA, gwB, logs }
}

/** What to print when a step times out: both direwolfs' monitor lines and the gateways' log. */
function diagnosis(s: Stations): string {
  const { a, b } = s.pair.logs()
  const gw = s.logs.records.map((r) => JSON.stringify(r)).slice(-80).join('\n')
  return `\n--- direwolf A ---\n${a.slice(-3000)}\n--- direwolf B ---\n${b.slice(-3000)}\n--- gateways ---\n${gw}`
}

describe.runIf(requireProgram('direwolf'))('two gateways through two real Direwolf 1.6 linked by AFSK 1200 audio', () => {
  it('exchange a transaction and a block: each reaches node B once, tips agree, acks come back', async () => {
    const s = await stations()
    const { nodeA, nodeB, gwA, gwB } = s
    const sent: SentEvent[] = []
    gwA.on('sent', (e) => sent.push(e))
    const step = async (what: string, check: () => boolean): Promise<void> => {
      try {
        await until(what, check, STEP_MS)
      } catch (e) {
        throw new Error(`${(e as Error).message}${diagnosis(s)}`, { cause: e })
      }
    }
    await step('node links and radio links up', () =>
      [gwA, gwB].every((g) => g.status().node?.connected === true && [...g.transports.values()].every((t) => t.state === 'up')))

    const tx = nodeA.send(randomBytes(32), 42n)
    const txId = toHex(txHash(tx))
    await step('the transaction at node B', () => nodeB.state.hasTransaction(txId))
    const block = nodeA.mine()
    const blockId = toHex(blockHash(block.header))
    await step('the block at node B', () => nodeB.state.tip().hash === blockId)
    await step("B's acks of both at A", () => gwA.store.queue.count(CALL_B).acked === 2)

    expect(nodeB.state.tip()).toEqual(nodeA.state.tip())
    expect(nodeB.arrivals.get(`tx:${txId}`)).toBe(1)
    expect(nodeB.arrivals.get(`block:${blockId}`)).toBe(1)
    // Both went to B over the Direwolf link as unicast (the block as a compact block: B had the tx).
    expect(sent.filter((e) => e.peer === CALL_B && e.link === LINK).map((e) => e.type)).toEqual(expect.arrayContaining(['tx', 'cmpctblock']))
    // Each gateway has the other's hello, heard over the Direwolf link.
    expect(gwA.protocol.peerHello(CALL_B)?.hello.station).toBe(CALL_B)
    expect(gwB.protocol.peerHello(CALL_A)?.hello.station).toBe(CALL_A)
    expect(gwB.store.peers.get(CALL_A)).toMatchObject({ hops: 0, links: [{ link: LINK }] })
    // Direwolf B decoded A's frames off the audio, direwolf A decoded B's (acks, hello).
    expect(s.pair.logs().b).toContain(`${CALL_A}>${CALL_B}`)
    expect(s.pair.logs().a).toContain(`${CALL_B}>${CALL_A}`)
  }, 90_000)
})
