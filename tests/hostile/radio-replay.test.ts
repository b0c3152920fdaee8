/**
 * Hostile radio stations that replay what they heard, or transmit under another gateway's callsign,
 * on the simulated AX.25 channel between gateways A and B. What must hold: nothing is delivered to
 * a node twice, nothing is relayed again, and a forged callsign injects only what validates.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { LinkFraming } from '../../gateway/link-framing.js'
import type { Inbound, SentEvent } from '../../gateway/router/router.js'
import { until } from '../helpers/gateway-net.js'
import { CALL, forgedTx, freshTx, honestTx, hostileRadioNet, type HostileRadioNet } from './radio-fixtures.js'

/** Message types that carry a transaction or a block: what a relay would send. */
const PAYLOAD = new Set(['tx', 'block', 'cmpctblock', 'blocktxn', 'bodies'])

let r: HostileRadioNet | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

describe('hostile radio station: replay', () => {
  it('replayed frames, raw off the air or re-sent as gateway messages, deliver nothing twice and are not relayed', async () => {
    r = await hostileRadioNet()
    const { gwA, gwB, nodeA } = r
    const txFromB: Uint8Array[] = [] // the gateway-level frame that carried B's transaction to A
    const framing = new LinkFraming()
    gwA.transports.get('ax25-a')?.on('frame', (f) => {
      const got = f.from === CALL.b ? framing.inbound(f.payload, 'ax25-a', CALL.b) : undefined
      if (got !== undefined && 'message' in got && got.message.type === 'tx') txFromB.push(f.payload)
    })
    const txsAtA: Inbound[] = []
    gwA.router.on('message', (m) => m.msg.type === 'tx' && txsAtA.push(m))
    const hash = await honestTx(r)
    await until('B has its ack', () => gwB.store.queue.count(CALL.a).acked === 1)
    const accepted: string[] = []
    gwA.on('accepted', (e) => accepted.push(e.hash))
    const sent: SentEvent[] = []
    gwA.on('sent', (e) => sent.push(e))
    const queuedForB = gwA.store.queue.count(CALL.b)

    // 1. every frame heard so far, transmitted again verbatim (same source callsigns, same ARQ sessions)
    const { air } = r
    const recording = [...air]
    const replayer = r.sim.channel.attach({ id: 'replayer', mode: recording[0]?.mode ?? '' })
    for (const f of recording) replayer.transmit(f.payload)
    await until('the replay heard on the air', () => air.length >= 2 * recording.length)
    await new Promise((resolve) => setTimeout(resolve, 300)) // A's answers to it, if any
    expect(txsAtA).toHaveLength(1) // the ARQ knows its sessions: duplicates re-acknowledged, never delivered

    // 2. the transaction's gateway message sent again under the replayer's own callsign: a new
    // sender to the ARQ, so it reaches the gateway, which already holds it
    const evil = await r.hostile(CALL.evil)
    for (const p of txFromB) await evil.sendRaw(p)
    await until('A acknowledges the replayed transaction to the replayer', () => evil.heard.some((m) => m.type === 'ack'))
    expect(txsAtA.map((m) => m.peer)).toEqual([CALL.b, CALL.evil])

    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(nodeA.arrivals.get(`tx:${hash}`)).toBe(1)
    expect(accepted).toEqual([])
    expect(sent.filter((e) => PAYLOAD.has(e.type))).toEqual([]) // relayed to nobody, the replayer included
    expect(gwA.store.queue.count(CALL.b)).toEqual(queuedForB)
  }, 60_000)
})

describe('hostile radio station: spoofed gateway callsign', () => {
  it('under B’s callsign it injects only what validates; B is not banned for the forgeries and keeps being served', async () => {
    r = await hostileRadioNet({ router: { bans: { strikes: 2 } } })
    const { gwA, nodeA, nodeB } = r
    const rejected: { hash: string; from: string }[] = []
    gwA.on('rejected', (e) => rejected.push(e))
    const bans: string[] = []
    gwA.router.on('banned', (b) => bans.push(b.station))
    const spoofer = await r.hostile(CALL.b)

    const forged = [forgedTx(), forgedTx(), forgedTx()]
    const valid = freshTx()
    for (const f of forged) await spoofer.send({ type: 'tx', transaction: f.tx })
    await spoofer.send({ type: 'tx', transaction: valid.tx })
    await until('the valid transaction at node A', () => nodeA.state.hasTransaction(valid.hash))
    await until('the forgeries refused', () => rejected.length === forged.length)

    expect(rejected.map((e) => e.from)).toEqual(forged.map(() => CALL.b)) // taken as B's: a callsign proves nothing
    for (const f of forged) {
      expect(nodeA.state.hasTransaction(f.hash)).toBe(false)
      expect(nodeA.arrivals.has(`tx:${f.hash}`)).toBe(false)
    }
    expect(nodeA.arrivals.get(`tx:${valid.hash}`)).toBe(1)
    // B is named in A's config: never banned, or anyone could cut A off from B with three forgeries
    expect(bans).toEqual([])
    expect(gwA.router.bans.banned(CALL.b)).toBe(false)
    await honestTx(r)
    // What the spoof costs: A believes B sent the valid transaction, so A does not send it back to B.
    expect(gwA.store.queue.peek(CALL.b).some((e) => e.key === `tx:${valid.hash}`)).toBe(false)
    expect(nodeB.state.hasTransaction(valid.hash)).toBe(false)
  }, 60_000)
})
