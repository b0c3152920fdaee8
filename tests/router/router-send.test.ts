import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Transaction } from '../../codecs/model.js'
import type { SentEvent } from '../../gateway/router/router.js'
import { corpusTransactions } from '../../hardware-sim/corpus.js'
import { FakeTransport } from './fake-transport.js'
import { hello, inv, label, routerRig, sleep, txMsg, until, US, type Rig, type RigOptions } from './router-rig.js'

const B = 'gw-b'
const ADDR_A = '127.0.0.1:7001' // B on link tcp-a
const ADDR_B = '127.0.0.1:7002' // B on link tcp-b

let txs: Transaction[]
beforeAll(() => {
  txs = corpusTransactions(3)
})

let rig: Rig | undefined
afterEach(async () => {
  await rig?.close()
  rig = undefined
})

/** B reachable on one TCP link, or on two (tcp-a preferred by id). */
function tcpRig(links: 1 | 2, router: RigOptions['router'] = {}): Rig {
  const ids = links === 1 ? ['tcp-a'] : ['tcp-a', 'tcp-b']
  const addresses: Record<string, string> = links === 1 ? { 'tcp-a': ADDR_A } : { 'tcp-a': ADDR_A, 'tcp-b': ADDR_B }
  rig = routerRig({ links: ids.map((id) => new FakeTransport(id)), peers: [{ name: B, addresses }], router })
  return rig
}

function tx(i: number): ReturnType<typeof txMsg> {
  return txMsg(txs[i] as Transaction)
}

function labels(t: FakeTransport): string[] {
  return t.messages().map(label)
}

describe('Router: durable entries', () => {
  it('go out by class priority, FIFO inside a class, after our hello, to the peer address', async () => {
    const r = tcpRig(1)
    r.router.enqueue(B, 'block:1', 'block-announce', inv(1))
    r.router.enqueue(B, 'sync:2', 'sync', inv(2))
    r.router.enqueue(B, tx(0).key, 'tx', tx(0).msg)
    r.router.enqueue(B, 'body:3', 'block-body', inv(3))
    r.router.enqueue(B, tx(1).key, 'tx', tx(1).msg)
    r.router.start()
    const link = r.link('tcp-a')
    await until('six sends', () => link.attempts.length === 6)
    expect(labels(link)).toEqual(['hello', 'tx', 'tx', 'inv1', 'inv3', 'inv2'])
    expect(link.messages().slice(1, 3)).toEqual([tx(0).msg, tx(1).msg])
    expect(new Set(link.attempts.map((a) => a.to))).toEqual(new Set([ADDR_A]))
    expect(r.store.queue.count(B)).toMatchObject({ queued: 0, sent: 5 })
    expect(r.router.counts(B)).toEqual({ control: 0, inFlight: 5 })
  })

  it('acked retires an entry; one not acked in time is sent again', async () => {
    const r = tcpRig(1, { ackTimeoutMs: { tcp: 100 } })
    r.router.enqueue(B, tx(0).key, 'tx', tx(0).msg)
    r.router.enqueue(B, tx(1).key, 'tx', tx(1).msg)
    r.router.start()
    const link = r.link('tcp-a')
    await until('both sent', () => link.attempts.length === 3)
    r.router.acked(B, [tx(0).key, 'tx:unknown'])
    expect(r.store.queue.count(B)).toMatchObject({ acked: 1, sent: 1 })
    expect(r.router.counts(B).inFlight).toBe(1)
    expect(r.monitor.snapshot().links['tcp-a']?.peers[B]).toMatchObject({ stale: false, loss: 0 }) // an ack is hearing B
    await until('the unacknowledged one resent by the sweep', () => link.attempts.length === 4, 3_000)
    expect(link.messages().slice(1)).toEqual([tx(0).msg, tx(1).msg, tx(1).msg]) // same connection: no second hello
    expect(r.store.queue.peek(B).map((e) => [e.key, e.attempts])).toEqual([[tx(1).key, 2]])
  })

  it('a failed send puts the entry back in the queue, and the link is tried again after its set-aside', async () => {
    const r = tcpRig(1, { setAsideMs: 20 })
    const link = r.link('tcp-a')
    link.failing = true
    r.router.enqueue(B, tx(0).key, 'tx', tx(0).msg)
    r.router.start()
    await until('a refused send', () => link.attempts.length > 0)
    await sleep(5)
    expect(r.store.queue.count(B)).toMatchObject({ queued: 1, sent: 0 })
    expect(r.router.counts(B).inFlight).toBe(0)
    link.failing = false
    await sleep(45) // past the set-aside (20–40 ms)
    r.router.schedule()
    await until('sent after the set-aside', () => labels(link).includes('tx'))
    expect(labels(link)).toEqual(['hello', 'tx'])
    expect(r.store.queue.peek(B)[0]).toMatchObject({ state: 'sent', attempts: 2 })
  })

  it('a send failure fails over to the next link at once (no retry wait), with a failover event', async () => {
    const r = tcpRig(2)
    const failovers: unknown[] = []
    r.router.on('failover', (e) => failovers.push(e))
    const [a, b] = [r.link('tcp-a'), r.link('tcp-b')]
    a.failing = true
    r.router.enqueue(B, tx(0).key, 'tx', tx(0).msg)
    r.router.start()
    await until('tx on tcp-b', () => labels(b).includes('tx'))
    expect(a.attempts.map((x) => x.ok)).toEqual([false])
    expect(labels(b)).toEqual(['hello', 'tx'])
    expect(b.attempts.every((x) => x.to === ADDR_B)).toBe(true)
    expect((b.attempts[0]?.at ?? Infinity) - (a.attempts[0]?.at ?? 0)).toBeLessThan(250) // ms: the next pump, not the 5 s hold retry
    expect(failovers).toEqual([{ peer: B, from: 'tcp-a', to: 'tcp-b' }])
    expect(r.router.currentLink(B)).toBe('tcp-b')
  })

  it('a link going down requeues what it carried unacknowledged; it goes out again with a new hello when it is back', async () => {
    const r = tcpRig(1)
    const link = r.link('tcp-a')
    r.router.enqueue(B, tx(0).key, 'tx', tx(0).msg)
    r.router.start()
    await until('sent', () => link.attempts.length === 2)
    expect(r.router.counts(B).inFlight).toBe(1)
    link.setState('down', 'device-closed')
    expect(r.store.queue.count(B)).toMatchObject({ queued: 1, sent: 0 })
    expect(r.router.counts(B).inFlight).toBe(0)
    await sleep(20)
    expect(link.attempts).toHaveLength(2) // nothing tried on a link that is down
    link.setState('up', 'started')
    await until('sent again', () => link.attempts.length === 4)
    expect(labels(link)).toEqual(['hello', 'tx', 'hello', 'tx'])
  })

  it("a `sendOk: false` sample for the peer requeues its entries and sets the link aside; other peers' samples do not", async () => {
    const r = tcpRig(2)
    const [a, b] = [r.link('tcp-a'), r.link('tcp-b')]
    r.router.enqueue(B, tx(0).key, 'tx', tx(0).msg)
    r.router.start()
    await until('sent on tcp-a', () => a.attempts.length === 2)
    a.sample({ at: Date.now(), peer: '127.0.0.1:9999', sendOk: false })
    a.sample({ at: Date.now(), peer: ADDR_A, sendOk: true })
    a.sample({ at: Date.now(), peer: ADDR_A, rttMs: 20 })
    expect(r.router.counts(B).inFlight).toBe(1)
    a.sample({ at: Date.now(), peer: ADDR_A, sendOk: false })
    expect(r.router.counts(B).inFlight).toBe(0)
    await until('resent on tcp-b', () => labels(b).includes('tx'))
    expect(labels(a)).toEqual(['hello', 'tx'])
    expect(labels(b)).toEqual(['hello', 'tx'])
  })
})

describe('Router: transient messages', () => {
  it('are sent once, after a more urgent durable entry, and not resent like an unacknowledged durable one', async () => {
    const r = tcpRig(1, { ackTimeoutMs: { tcp: 1 } })
    const link = r.link('tcp-a')
    r.router.send(B, { msg: inv(7), cls: 'control' })
    r.router.enqueue(B, tx(0).key, 'tx', tx(0).msg)
    expect(r.router.counts(B).control).toBe(1)
    r.router.start()
    await until('both sent', () => link.attempts.length === 3)
    expect(labels(link)).toEqual(['hello', 'tx', 'inv7'])
    expect(r.router.counts(B).control).toBe(0)
    // the sweep resends the unacknowledged durable entry, never the transient one
    await until('tx resent', () => link.attempts.length === 4, 3_000)
    await sleep(20)
    expect(labels(link)).toEqual(['hello', 'tx', 'inv7', 'tx'])
  })

  it('a hello of ours is its own introduction: no second hello before it', async () => {
    const r = tcpRig(1)
    const link = r.link('tcp-a')
    r.router.send(B, { msg: hello(US), cls: 'control', key: 'hello' })
    r.router.send(B, { msg: inv(7), cls: 'control' })
    r.router.start()
    await until('both sent', () => link.attempts.length === 2)
    await sleep(20)
    expect(labels(link)).toEqual(['hello', 'inv7'])
  })

  it('one pinned to a link (a probe) waits out that link\'s set-aside, then goes by itself when it ends', async () => {
    const r = tcpRig(1, { setAsideMs: 60 })
    const link = r.link('tcp-a')
    link.failing = true
    r.router.send(B, { msg: inv(7), cls: 'control' })
    r.router.start()
    await until('a refused send', () => link.attempts.length > 0)
    const failedAt = link.attempts[0]?.at ?? 0
    link.failing = false
    r.router.send(B, { msg: hello(US), cls: 'control', key: 'probe:tcp-a', link: 'tcp-a' })
    await sleep(30)
    expect(link.attempts).toHaveLength(1) // nothing into the link that just failed (held 60–120 ms)
    await until('both taken off the queue once the set-aside ended, with no tick from outside', () => r.router.counts(B).control === 0, 1_000)
    await sleep(20) // the sends under way finish
    for (const a of link.attempts.slice(1)) expect(a.at - failedAt).toBeGreaterThanOrEqual(59)
    // the probe goes before the inv (it is the introduction) or after it, behind an introduction of its own
    expect([['hello', 'inv7', 'hello'], ['hello', 'inv7']]).toContainEqual(labels(link))
  })

  it('a failed one goes out on the next link', async () => {
    const r = tcpRig(2)
    const [a, b] = [r.link('tcp-a'), r.link('tcp-b')]
    a.failing = true
    r.router.send(B, { msg: inv(7), cls: 'control' })
    r.router.start()
    await until('on tcp-b', () => labels(b).includes('inv7'))
    expect(labels(b)).toEqual(['hello', 'inv7'])
    expect(r.router.counts(B).control).toBe(0)
  })
})

describe('Router: over-budget hold', () => {
  it('holds a message the budget cannot pay for now and sends it once the bucket has refilled', async () => {
    const radio = new FakeTransport('radio', { kind: 'ax25', mtu: 2_000, nominalBitrateBps: 100_000, broadcast: true, reliable: false, halfDuplex: true, publicMedium: true })
    rig = routerRig({
      links: [radio],
      peers: [{ name: 'N0BBB-1', addresses: { radio: 'N0BBB-1' } }],
      // a tx is ~14 ms of air at 100 kbit/s: the bucket pays for one, the next waits ~80 ms
      policy: { links: { radio: { txOverheadMs: 0, budget: { airtimeMs: 20, windowMs: 200 } } } },
    })
    const sent: (SentEvent & { at: number })[] = []
    rig.router.on('sent', (e) => sent.push({ ...e, at: performance.now() }))
    rig.router.enqueue('N0BBB-1', tx(0).key, 'tx', tx(0).msg)
    rig.router.enqueue('N0BBB-1', tx(1).key, 'tx', tx(1).msg)
    rig.router.start()
    await until('first sent', () => sent.length === 1)
    await sleep(30)
    expect(sent).toHaveLength(1)
    expect(rig.store.queue.count('N0BBB-1')).toMatchObject({ queued: 1, sent: 1 })
    await until('second sent after the refill', () => sent.length === 2)
    expect((sent[1]?.at ?? 0) - (sent[0]?.at ?? 0)).toBeGreaterThanOrEqual(50) // ms
    expect(labels(radio)).toEqual(['tx', 'tx']) // a radio frame names its sender: no hello first
    expect(rig.router.budgetLeft('radio')).toBeLessThan(0.5)
  })
})
