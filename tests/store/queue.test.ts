import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { MESSAGE_CLASSES, type MessageClass } from '../../gateway/store/message-class.js'
import type { OutboundQueue } from '../../gateway/store/queue.js'
import { GatewayStore, IN_MEMORY } from '../../gateway/store/store.js'
import { captureLog, type CapturedLog } from '../helpers/log-capture.js'
import { fakeClock, type FakeClock } from './fixtures.js'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

interface Fixture {
  queue: OutboundQueue
  clock: FakeClock
  logs: CapturedLog
}

function setup(maxQueuePerPeer?: number): Fixture {
  const clock = fakeClock()
  const logs = captureLog()
  const store = GatewayStore.open(IN_MEMORY, { now: clock.now, maxQueuePerPeer, log: logs.log })
  cleanups.push(() => store.close())
  return { queue: store.queue, clock, logs }
}

const payload = (n: number) => new Uint8Array([n & 0xff, n >> 8, 0xaa])

/** Enqueues `key` of `cls` for `peer` with a payload derived from the key's length. */
function put(queue: OutboundQueue, peer: string, key: string, cls: MessageClass, size = 3) {
  return queue.enqueue({ peer, key, class: cls, payload: new Uint8Array(size).fill(key.length) })
}

const keysOf = (entries: { key: string }[]) => entries.map((e) => e.key)

describe('OutboundQueue: enqueue', () => {
  it('is idempotent per (peer, key), also after the ack', () => {
    const { queue } = setup()
    expect(queue.enqueue({ peer: 'N0CALL', key: 'tx:aa', class: 'tx', payload: payload(1) })).toEqual({ status: 'queued', evicted: [] })
    expect(queue.enqueue({ peer: 'N0CALL', key: 'tx:aa', class: 'tx', payload: payload(2) })).toEqual({ status: 'duplicate', state: 'queued' })
    expect(put(queue, 'K1ABC', 'tx:aa', 'tx').status).toBe('queued')
    expect(queue.ack('N0CALL', 'tx:aa')).toBe(true)
    expect(put(queue, 'N0CALL', 'tx:aa', 'tx')).toEqual({ status: 'duplicate', state: 'acked' })
    expect(queue.count('N0CALL')).toEqual({ queued: 0, sent: 0, acked: 1, pendingBytes: 0 })
    const [entry] = queue.next('K1ABC')
    expect(entry).toMatchObject({ peer: 'K1ABC', key: 'tx:aa', class: 'tx', priority: 0, attempts: 0, lastAttempt: null, state: 'queued' })
  })

  it('keeps payload bytes exactly', () => {
    const { queue } = setup()
    const bytes = Uint8Array.from({ length: 600 }, (_, i) => (i * 7) & 0xff)
    queue.enqueue({ peer: 'p', key: 'block:01', class: 'block-body', payload: bytes })
    expect(queue.next('p')[0]?.payload).toEqual(bytes)
  })
})

describe('OutboundQueue: order', () => {
  it('sends tx > control > block-announce > block-body > sync > beacon, FIFO inside a class', () => {
    const { queue, clock } = setup()
    const order: [string, MessageClass][] = [
      ['sync:0-99', 'sync'],
      ['beacon:1', 'beacon'],
      ['body:a', 'block-body'],
      ['tx:1', 'tx'],
      ['inv:a', 'block-announce'],
      ['sync:100-199', 'sync'],
      ['hello', 'control'],
      ['tx:2', 'tx'],
      ['body:b', 'block-body'],
    ]
    for (const [key, cls] of order) {
      put(queue, 'p', key, cls)
      clock.advance(1)
    }
    expect(keysOf(queue.next('p'))).toEqual(['tx:1', 'tx:2', 'hello', 'inv:a', 'body:a', 'body:b', 'sync:0-99', 'sync:100-199', 'beacon:1'])
  })

  it('orders any sequence by (class priority, arrival)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...MESSAGE_CLASSES), { maxLength: 40 }), (classes) => {
        const { queue } = setup()
        classes.forEach((cls, i) => put(queue, 'p', `k${i}`, cls))
        const expected = classes
          .map((cls, i) => ({ rank: MESSAGE_CLASSES.indexOf(cls), i }))
          .sort((a, b) => a.rank - b.rank || a.i - b.i)
          .map(({ i }) => `k${i}`)
        expect(keysOf(queue.next('p', { limit: 100 }))).toEqual(expected)
        cleanups.splice(0).forEach((c) => c())
      }),
      { seed: 42, numRuns: 60 },
    )
  })

  it('takes a batch bounded by count, bytes and the classes a link may carry', () => {
    const { queue } = setup()
    put(queue, 'p', 'tx:1', 'tx', 100)
    put(queue, 'p', 'tx:2', 'tx', 100)
    put(queue, 'p', 'inv:a', 'block-announce', 50)
    put(queue, 'p', 'body:a', 'block-body', 2_000)
    expect(keysOf(queue.next('p', { limit: 2 }))).toEqual(['tx:1', 'tx:2'])
    expect(keysOf(queue.next('p', { maxBytes: 250 }))).toEqual(['tx:1', 'tx:2', 'inv:a'])
    expect(keysOf(queue.next('p', { maxBytes: 249 }))).toEqual(['tx:1', 'tx:2'])
    expect(keysOf(queue.next('p', { classes: ['block-announce', 'block-body'] }))).toEqual(['inv:a', 'body:a'])
    expect(keysOf(queue.next('p', { classes: ['block-body'], maxBytes: 10 }))).toEqual(['body:a']) // never stuck behind a big one
    expect(queue.next('other')).toEqual([])
  })
})

describe('OutboundQueue: sent, ack, requeue', () => {
  it('counts attempts and requeues what was not acked within the timeout', () => {
    const { queue, clock } = setup()
    for (const k of ['tx:1', 'tx:2', 'tx:3']) put(queue, 'p', k, 'tx')
    put(queue, 'q', 'tx:1', 'tx')
    expect(queue.markSent('p', ['tx:1', 'tx:2', 'tx:none'])).toBe(2)
    expect(queue.markSent('q', ['tx:1'])).toBe(1)
    expect(keysOf(queue.next('p'))).toEqual(['tx:3'])
    expect(queue.peek('p').map((e) => [e.key, e.state, e.attempts, e.lastAttempt])).toEqual([
      ['tx:1', 'sent', 1, clock.now()],
      ['tx:2', 'sent', 1, clock.now()],
      ['tx:3', 'queued', 0, null],
    ])
    expect(queue.ack('p', 'tx:2')).toBe(true)
    expect(queue.ack('p', 'tx:2')).toBe(false)
    clock.advance(29_999)
    expect(queue.requeueExpired(30_000)).toBe(0)
    clock.advance(1)
    expect(queue.requeueExpired(30_000, 'p')).toBe(1)
    expect(keysOf(queue.next('p'))).toEqual(['tx:1', 'tx:3'])
    expect(queue.count('q').sent).toBe(1)
    queue.markSent('p', ['tx:1'])
    expect(queue.peek('p')[0]?.attempts).toBe(2)
    expect(queue.requeueExpired(0)).toBe(2) // a dead link: everything in flight goes back now
    expect(queue.count('p')).toEqual({ queued: 2, sent: 0, acked: 1, pendingBytes: 6 })
  })

  it('drops a peer entirely and prunes old tombstones', () => {
    const { queue, clock } = setup()
    put(queue, 'p', 'tx:1', 'tx')
    put(queue, 'p', 'tx:2', 'tx')
    put(queue, 'q', 'tx:1', 'tx')
    expect(queue.peers()).toEqual(['p', 'q'])
    queue.ack('p', 'tx:1')
    clock.advance(60_000)
    queue.ack('p', 'tx:2')
    expect(queue.pruneAcked(30_000)).toBe(1)
    expect(put(queue, 'p', 'tx:1', 'tx').status).toBe('queued') // its tombstone is gone
    expect(put(queue, 'p', 'tx:2', 'tx').status).toBe('duplicate')
    expect(queue.dropPeer('q')).toBe(1)
    expect(queue.peers()).toEqual(['p'])
    expect(queue.count('q')).toEqual({ queued: 0, sent: 0, acked: 0, pendingBytes: 0 })
  })
})

describe('OutboundQueue: bounds', () => {
  it('evicts the oldest entries of the lowest priority first, never transactions', () => {
    const { queue, logs } = setup(4)
    put(queue, 'p', 'sync:1', 'sync')
    put(queue, 'p', 'beacon:1', 'beacon')
    put(queue, 'p', 'sync:2', 'sync')
    put(queue, 'p', 'tx:1', 'tx')
    expect(put(queue, 'p', 'tx:2', 'tx')).toEqual({ status: 'queued', evicted: ['beacon:1'] })
    expect(put(queue, 'p', 'sync:3', 'sync')).toEqual({ status: 'queued', evicted: ['sync:1'] })
    expect(put(queue, 'p', 'inv:a', 'block-announce')).toEqual({ status: 'queued', evicted: ['sync:2'] })
    expect(keysOf(queue.peek('p'))).toEqual(['tx:1', 'tx:2', 'inv:a', 'sync:3'])
    expect(put(queue, 'other', 'sync:1', 'sync').status).toBe('queued') // bounds are per peer
    expect(logs.find('lower-priority entries evicted')).toHaveLength(3)
  })

  it('refuses a new entry that would need a higher-priority one evicted', () => {
    const { queue, logs } = setup(2)
    put(queue, 'p', 'body:a', 'block-body')
    put(queue, 'p', 'tx:1', 'tx')
    expect(put(queue, 'p', 'sync:1', 'sync')).toEqual({ status: 'full' })
    expect(put(queue, 'p', 'body:b', 'block-body')).toEqual({ status: 'queued', evicted: ['body:a'] })
    expect(put(queue, 'p', 'tx:2', 'tx')).toEqual({ status: 'queued', evicted: ['body:b'] })
    expect(put(queue, 'p', 'tx:3', 'tx')).toEqual({ status: 'full' })
    expect(keysOf(queue.peek('p'))).toEqual(['tx:1', 'tx:2'])
    expect(logs.find('new entry dropped')).toHaveLength(2)
  })

  it('counts only pending entries against the bound', () => {
    const { queue } = setup(2)
    put(queue, 'p', 'tx:1', 'tx')
    put(queue, 'p', 'tx:2', 'tx')
    queue.ack('p', 'tx:1')
    expect(put(queue, 'p', 'tx:3', 'tx').status).toBe('queued')
  })
})
