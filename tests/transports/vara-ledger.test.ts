import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isTransportError, TransportError } from '../../transports/errors.js'
import { Outbox } from '../../transports/vara/vara-outbox.js'
import { TxLedger } from '../../transports/vara/vara-tx-ledger.js'

describe('TxLedger (what the peer acknowledged, from BUFFER)', () => {
  it('counts rises as receipt and falls as acknowledgements, releasing whole frames', () => {
    const l = new TxLedger<string>()
    l.record('a', 100)
    l.record('b', 50)
    expect(l.held).toBe(150)
    expect(l.onBuffer(100)).toEqual([]) // the modem took the first write
    expect(l.onBuffer(150)).toEqual([])
    expect(l.onBuffer(60)).toEqual([]) // 90 acknowledged: a ends at 100
    expect(l.held).toBe(60)
    expect(l.onBuffer(40)).toEqual(['a']) // 110 acknowledged
    expect(l.held).toBe(40)
    expect(l.end()).toEqual(['b'])
    expect(l.held).toBe(0)
  })

  it('holds a fall to 0 until a line other than DISCONNECTED confirms it', () => {
    const confirmed = new TxLedger<string>()
    confirmed.record('a', 10)
    confirmed.onBuffer(10)
    expect(confirmed.onBuffer(0)).toEqual([])
    expect(confirmed.held).toBe(0) // back-pressure already sees the room
    expect(confirmed.confirm()).toEqual(['a'])
    expect(confirmed.end()).toEqual([])

    const dropped = new TxLedger<string>()
    dropped.record('a', 10)
    dropped.record('b', 10)
    dropped.onBuffer(20)
    expect(dropped.onBuffer(0)).toEqual([]) // BUFFER 0, then DISCONNECTED: a discard, not an ack
    expect(dropped.end()).toEqual(['a', 'b'])
  })

  it('never acknowledges more than it wrote, and never loses an unacknowledged item (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 30 }), fc.array(fc.nat(600), { maxLength: 40 }), (sizes, reports) => {
        const l = new TxLedger<number>()
        sizes.forEach((n, i) => l.record(i, n))
        const acked: number[] = []
        for (const r of reports) acked.push(...l.confirm(), ...l.onBuffer(r))
        const left = l.end()
        expect([...acked, ...left]).toEqual(sizes.map((_, i) => i)) // every item exactly once, in order
        const ackedBytes = acked.reduce((n, i) => n + (sizes[i] ?? 0), 0)
        expect(ackedBytes).toBeLessThanOrEqual(sizes.reduce((a, b) => a + b, 0))
      }),
      { seed: 42, numRuns: 300 },
    )
  })
})

describe('Outbox (per-peer queues)', () => {
  it('serves the peer with the oldest frame first and resolves send() when written', async () => {
    const box = new Outbox(1000)
    const sent = [box.add('N0BBB', new Uint8Array([1])), box.add('N0CCC', new Uint8Array([2])), box.add('N0BBB', new Uint8Array([3]))]
    expect(box.peers()).toEqual(['N0BBB', 'N0CCC'])
    expect(box.head('N0BBB')?.wire).toEqual(new Uint8Array([1, 1])) // length prefix + payload
    const first = box.written('N0BBB')
    await expect(sent[0]).resolves.toBeUndefined()
    expect(box.peers()).toEqual(['N0CCC', 'N0BBB']) // N0CCC's frame is now the oldest
    box.requeue(first ? [first] : [])
    expect(box.peers()).toEqual(['N0BBB', 'N0CCC'])
    expect(box.bytes).toBe(3)
    expect(box.takeAccepted()).toEqual([{ peer: 'N0BBB', payload: new Uint8Array([1]) }])
    box.rejectWaiting(new TransportError('ERR_UNREACHABLE', 'gone'), 'N0BBB')
    expect(isTransportError(await sent[2]?.catch((e: unknown) => e), 'ERR_UNREACHABLE')).toBe(true)
    expect(box.peers()).toEqual(['N0CCC'])
    box.rejectWaiting(new TransportError('ERR_STOPPED', 'stop'))
    expect(isTransportError(await sent[1]?.catch((e: unknown) => e), 'ERR_STOPPED')).toBe(true)
    expect(box.bytes).toBe(0)
  })

  it('bounds queued bytes and drops an aborted frame', async () => {
    const box = new Outbox(10)
    const waiting = box.add('N0BBB', new Uint8Array(8))
    expect(isTransportError(await box.add('N0BBB', new Uint8Array(3)).catch((e: unknown) => e), 'ERR_QUEUE_FULL')).toBe(true)
    const ac = new AbortController()
    const aborted = box.add('N0CCC', new Uint8Array(2), ac.signal)
    ac.abort()
    expect(isTransportError(await aborted.catch((e: unknown) => e), 'ERR_ABORTED')).toBe(true)
    expect(box.bytes).toBe(8)
    expect(box.has('N0CCC')).toBe(false)
    box.written('N0BBB')
    await waiting
  })
})
