/**
 * Hostile radio stations that send invalid content again and again, announce a chain tip that does
 * not exist, or send fragments that never complete, on the simulated AX.25 channel between gateways
 * A and B. Gateway A must ban the first (by callsign, for a while), must not stall or loop on the
 * second, must hold the third within the reassembler's bounds, and must keep serving B throughout.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { blockHash } from '../../codecs/hashes.js'
import { fragmentMessage, ReassemblerOptionsSchema } from '../../codecs/fragment.js'
import { unwrap } from '../../codecs/result.js'
import type { Ban } from '../../gateway/router/bans.js'
import { corpusChain } from '../../hardware-sim/corpus.js'
import { toHex } from '../../codecs/hex.js'
import { until } from '../helpers/gateway-net.js'
import { CALL, forgedTx, freshTx, helloClaiming, honestTx, hostileRadioNet, type HostileRadioNet } from './radio-fixtures.js'

let r: HostileRadioNet | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('hostile radio station: invalid content again and again', () => {
  it('is banned by callsign after its third strike, its frames dropped before decoding, and let back when the ban ends', async () => {
    const BAN_MS = 3_000
    r = await hostileRadioNet({ router: { bans: { strikes: 3, banMs: BAN_MS } } })
    const { gwA, nodeA } = r
    const bans: Ban[] = []
    gwA.router.on('banned', (b) => bans.push(b))
    const dropped: string[] = []
    gwA.router.on('dropped', (d) => d.from === CALL.evil && dropped.push(d.reason))
    const evil = await r.hostile(CALL.evil)

    for (let i = 0; i < 2; i++) await evil.send({ type: 'tx', transaction: forgedTx().tx })
    await sleep(300)
    expect(bans).toEqual([]) // two strikes: not yet
    await evil.send({ type: 'tx', transaction: forgedTx().tx })
    await until('the ban', () => bans.length === 1)
    expect(bans[0]).toMatchObject({ station: CALL.evil, durationMs: BAN_MS })

    // banned: even valid content is dropped before it is decoded, and B is served as before
    const valid = freshTx()
    await evil.send({ type: 'tx', transaction: valid.tx })
    await until('the frame dropped as banned', () => dropped.includes(`station ${CALL.evil} is banned`))
    await honestTx(r)
    expect(nodeA.state.hasTransaction(valid.hash)).toBe(false)

    // the ban ends: the station is heard again
    await until('the ban to end', () => !gwA.router.bans.banned(CALL.evil), BAN_MS + 2_000)
    await evil.send({ type: 'tx', transaction: valid.tx })
    await until('its valid transaction at node A after the ban', () => nodeA.state.hasTransaction(valid.hash))
    expect(nodeA.arrivals.get(`tx:${valid.hash}`)).toBe(1)
  }, 60_000)
})

describe('hostile radio station: fake chain tip', () => {
  it('a hello with a huge height starts one sync that asks once and does not loop; honest transactions and blocks keep flowing; bogus headers end it cleanly', async () => {
    r = await hostileRadioNet()
    const { gwA, nodeA, nodeB } = r
    const evil = await r.hostile(CALL.evil)
    const asked = () => evil.heard.filter((m) => m.type === 'getheaders').length

    await evil.send(helloClaiming(CALL.evil, 1_000_000_000))
    await until('A asks the fake for headers', () => asked() === 1)
    expect(gwA.protocol.syncing()).toMatchObject({ peer: CALL.evil })
    for (const height of [1_000_000_001, 2_000_000_000, 4_000_000_000]) await evil.send(helloClaiming(CALL.evil, height))
    await sleep(1_000)
    expect(asked()).toBe(1) // a running sync is extended, not restarted: no request loop

    // meanwhile B is served: a transaction, and a block that extends A's chain
    await honestTx(r)
    const block = nodeB.mine()
    await until('B’s block at node A', () => nodeA.state.tip().hash === toHex(blockHash(block.header)))

    // headers that do not check out (a made-up VDF output) end the sync
    const bogus = corpusChain(2, 1).map((b) => ({ ...b.header, vdf_output: randomBytes(32) }))
    await evil.send({ type: 'headers', headers: bogus })
    await until('the sync with the fake ends', () => gwA.protocol.syncing() === undefined)
    await sleep(500)
    expect(asked()).toBe(1) // not asked again on its old hello: only a new one starts another sync
    expect(gwA.protocol.syncing()).toBeUndefined()
    expect(gwA.state.tip()).toEqual(nodeB.state.tip())
    await honestTx(r)
  }, 60_000)
})

describe('hostile radio station: fragments that never complete', () => {
  it('partial messages stay within the reassembler’s limits (count, bytes), oversized ones are refused at once, and B is served', async () => {
    r = await hostileRadioNet()
    const { gwA } = r
    const limits = ReassemblerOptionsSchema.parse({})
    const dropped: string[] = []
    gwA.router.on('dropped', (d) => d.from === CALL.evil && dropped.push(d.reason))
    const evil = await r.hostile(CALL.evil)
    const MESSAGES = 40 // each the first of 10 fragments of ~2 kB, the rest never sent
    for (let id = 0; id < MESSAGES; id++) {
      const [first] = unwrap(fragmentMessage(randomBytes(2_000), 250, id))
      await evil.sendRaw(first as Uint8Array)
    }
    const [huge] = unwrap(fragmentMessage(randomBytes(300_000), 2_000, 100)) // claims ~300 kB: over the 256 KiB limit
    await evil.sendRaw(huge as Uint8Array)
    await until('the oversized message refused', () => dropped.some((d) => d.startsWith('ERR_REASSEMBLY_LIMIT')))

    const held = gwA.router.reassembly()['ax25-a']
    expect(held?.partials).toBe(limits.maxMessages)
    expect(held?.bytes).toBeLessThanOrEqual(limits.maxTotalBytes)
    expect(held?.evicted).toBe(MESSAGES - limits.maxMessages)
    await honestTx(r) // a complete message from B still gets through
  }, 60_000)
})
