/**
 * Two JS8Call transports exchanging gateway traffic over two simulated JS8Calls at Normal speed
 * (15-s periods), in simulated time: a signed transaction across a channel that loses frames, a
 * chain-tip announcement to the group, selective retransmission, lost acks, and a peer that never
 * answers.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { decodeEnvelope, encodeEnvelope } from '../../codecs/envelope.js'
import type { Transaction } from '../../codecs/model.js'
import { unwrap } from '../../codecs/result.js'
import { verifyTransaction } from '../../codecs/validate.js'
import { parseDirected } from '../../transports/js8call/api-messages.js'
import { parseLinkFrameText, type LinkFrame } from '../../transports/js8call/link-frame.js'
import type { InboundFrame, LinkSample } from '../../transports/types.js'
import { captureLog } from '../helpers/log-capture.js'
import { Js8ApiClient, pollFor } from '../helpers/js8call.js'
import { fromHex, vectors } from '../helpers/vectors.js'
import { CALL_A, CALL_B, GROUP, startJs8Pair, type Js8Pair, type Js8PairOptions } from './js8call-fixture.js'

const pairs: Js8Pair[] = []
const observers: Js8ApiClient[] = []

afterEach(async () => {
  for (const o of observers.splice(0)) o.close()
  for (const p of pairs.splice(0)) await p.close()
})

const NORMAL = { speed: 0, channel: { timeScale: 500 } } as const

/** A pair at Normal speed; `before` attaches listeners before the transports start. */
async function pair(o: Js8PairOptions = {}, before: (p: Js8Pair) => void = () => undefined): Promise<Js8Pair> {
  const p = await startJs8Pair({ ...NORMAL, ...o, channel: { ...NORMAL.channel, ...o.channel } })
  pairs.push(p)
  before(p)
  await p.b.start()
  await p.a.start()
  return p
}

/** An API client on a simulated JS8Call that records everything it broadcasts. */
async function observe(port: number): Promise<Js8ApiClient> {
  const c = await Js8ApiClient.connect(port)
  observers.push(c)
  return c
}

/** Link frames a station heard from `from`, in order. */
function heardFrom(observer: Js8ApiClient, from: string): LinkFrame[] {
  return observer.ofType('RX.DIRECTED').flatMap((m) => {
    const d = parseDirected({ type: m.type, value: String(m.value), params: m.params })
    const f = d?.from === from ? parseLinkFrameText(d.body) : undefined
    return f?.ok === true ? [f.value] : []
  })
}

function collect<T>(on: (fn: (x: T) => void) => void): T[] {
  const out: T[] = []
  on((x) => out.push(x))
  return out
}

const bytes = (hex: string): Uint8Array => new Uint8Array(fromHex(hex))
const TX: Transaction = (() => {
  const v = vectors.transactions[0]!
  return { sender: bytes(v.sender), recipient: bytes(v.recipient), amount: BigInt(v.amount), nonce: BigInt(v.nonce), signature: bytes(v.signature) }
})()
const TIP_HASH = bytes(vectors.blocks.at(-1)!.hash)

describe('JS8Call transport: two stations at Normal speed', () => {
  it('exchanges a signed transaction and a chain-tip announcement across a lossy channel', async () => {
    const samples: LinkSample[] = []
    // A cap of 30 min/h so this test shows the ARQ, not the cap (which has its own test).
    const options = { channel: { lossProbability: 0.04, seed: 11 }, transport: { maxRounds: 10, maxAirtimeMsPerHour: 1_800_000 } }
    const p = await pair(options, (q) => q.a.on('sample', (s) => samples.push(s)))
    const atB = collect<InboundFrame>((fn) => p.b.on('frame', fn))
    const atA = collect<InboundFrame>((fn) => p.a.on('frame', fn))

    await p.a.send(encodeEnvelope({ type: 'tx', transaction: TX }), { to: CALL_B })
    const acked = await pollFor(() => samples.find((s) => s.sendOk !== undefined), 30_000, 'the ack')
    // Announcements go to the group (no `to`) and are not acked: the next one supersedes a lost one.
    await p.b.send(encodeEnvelope({ type: 'inv', tx: [], block: [TIP_HASH] }, { compress: 'never' }))
    await pollFor(() => atA[0], 10_000, 'the announcement')

    expect(acked).toMatchObject({ peer: CALL_B, sendOk: true })
    expect(acked.rttMs).toBeGreaterThan(2 * 15_000) // at least a transmission each way, simulated ms
    expect(atB.map((f) => f.from)).toEqual([CALL_A])
    const tx = unwrap(decodeEnvelope(atB[0]?.payload ?? new Uint8Array()))
    expect(tx).toEqual({ type: 'tx', transaction: TX })
    expect(tx.type === 'tx' && verifyTransaction(tx.transaction)).toEqual({ ok: true })
    expect(atA.map((f) => f.from)).toEqual([CALL_B])
    expect(unwrap(decodeEnvelope(atA[0]?.payload ?? new Uint8Array()))).toEqual({ type: 'inv', tx: [], block: [TIP_HASH] })
    expect(p.channel.stats().lost).toBeGreaterThan(0) // frames were lost and recovered
    // Samples: speed at start, exact airtime per frame (12.64 s at Normal), the peer's SNR.
    expect(samples).toContainEqual(expect.objectContaining({ bitrateBps: 4.8 }))
    const airtimes = samples.flatMap((s) => (s.txAirtimeMs === undefined ? [] : [s.txAirtimeMs]))
    expect(airtimes.length).toBeGreaterThan(20)
    expect(new Set(airtimes)).toEqual(new Set([12_640]))
    expect(samples).toContainEqual(expect.objectContaining({ peer: CALL_B, snrDb: 15 }))
    expect(p.a.lastHeard(CALL_B)).toBeGreaterThan(0)
  })

  it('retransmits exactly the fragment the receiver asks for', async () => {
    const p = await pair()
    const heard = await observe(p.simB.port)
    const got = collect<InboundFrame>((fn) => p.b.on('frame', fn))
    const payload = new Uint8Array(150).map((_, i) => (i * 37) & 0xff) // three transmissions

    await p.a.send(payload, { to: CALL_B })
    await heard.waitFor((m) => m.type === 'RX.DIRECTED', 20_000) // fragment 0 is through
    p.simA.dropFrame(4) // a frame of fragment 1 (A's next message) decodes nowhere
    await pollFor(() => got[0], 60_000, 'the message')

    const kinds = heardFrom(heard, CALL_A).map((f) => (f.kind === 'data' ? `data ${f.fragment[1]! >> 4}` : f.kind))
    expect(kinds).toEqual(['data 0', 'data 2', 'data 1']) // 1 again, and nothing else
    expect(Buffer.from(got[0]!.payload).equals(Buffer.from(payload))).toBe(true)
  })

  it('answers a poll with the ack again when its ack was lost, delivering once', async () => {
    const p = await pair()
    const atA = await observe(p.simA.port)
    const got = collect<InboundFrame>((fn) => p.b.on('frame', fn))
    const samples = collect<LinkSample>((fn) => p.a.on('sample', fn))
    p.b.on('frame', () => p.simB.dropFrame(1)) // B's ack will not decode

    await p.a.send(new Uint8Array([1, 2, 3]), { to: CALL_B })
    await pollFor(() => samples.find((s) => s.sendOk !== undefined), 30_000, 'the ack')

    expect(samples.find((s) => s.sendOk !== undefined)?.sendOk).toBe(true)
    expect(heardFrom(atA, CALL_B).map((f) => f.kind)).toEqual(['ack']) // only the second ack got through
    expect(got).toHaveLength(1)
  })

  it('gives up on a peer that never answers, and says so', async () => {
    const log = captureLog()
    const p = await pair({ transport: { maxRounds: 2 }, logA: log.log })
    const samples = collect<LinkSample>((fn) => p.a.on('sample', fn))

    await p.a.send(new Uint8Array([9]), { to: 'K9ZZZ' })
    const outcome = await pollFor(() => samples.find((s) => s.sendOk !== undefined), 30_000, 'the outcome')

    expect(outcome).toMatchObject({ peer: 'K9ZZZ', sendOk: false })
    expect(log.find('no ack from the peer')).toHaveLength(1)
  })

  it('sends both ways at once and sorts out the collision', async () => {
    const p = await pair({ transport: { maxRounds: 10 } })
    const atA = collect<InboundFrame>((fn) => p.a.on('frame', fn))
    const atB = collect<InboundFrame>((fn) => p.b.on('frame', fn))

    await Promise.all([p.a.send(new Uint8Array([0xa]), { to: CALL_B }), p.b.send(new Uint8Array([0xb]), { to: CALL_A })])
    await pollFor(() => (atA.length > 0 && atB.length > 0 ? true : undefined), 60_000, 'both messages')

    expect(atA.map((f) => [...f.payload])).toEqual([[0xb]])
    expect(atB.map((f) => [...f.payload])).toEqual([[0xa]])
  })
})
