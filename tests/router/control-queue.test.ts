import { describe, expect, it } from 'vitest'
import type { WireMessage } from '../../codecs/envelope.js'
import { ControlQueue, type ControlItem } from '../../gateway/router/control-queue.js'
import type { MessageClass } from '../../gateway/store/message-class.js'

/** A distinguishable message: an `ack` naming block hash `n`. */
function msg(n: number): WireMessage {
  return { type: 'ack', tx: [], block: [new Uint8Array(32).fill(n)] }
}

function item(n: number, cls: MessageClass, key?: string): ControlItem {
  return { msg: msg(n), cls, ...(key === undefined ? {} : { key }) }
}

/** The numbers of the queued items of `peer`, in send order. */
function order(q: ControlQueue, peer: string): number[] {
  return q.peek(peer, 1_000).map((i) => (i.msg.type === 'ack' ? (i.msg.block[0]?.[0] ?? -1) : -1))
}

describe('ControlQueue', () => {
  it('sends by class priority, FIFO inside a class', () => {
    const q = new ControlQueue()
    q.push('gw-b', item(1, 'sync'))
    q.push('gw-b', item(2, 'control'))
    q.push('gw-b', item(3, 'tx'))
    q.push('gw-b', item(4, 'control'))
    q.push('gw-b', item(5, 'beacon'))
    q.push('gw-b', item(6, 'sync'))
    expect(order(q, 'gw-b')).toEqual([3, 2, 4, 1, 6, 5])
    expect(q.peek('gw-b', 2).map((i) => i.cls)).toEqual(['tx', 'control'])
  })

  it('keeps peers apart', () => {
    const q = new ControlQueue()
    q.push('gw-b', item(1, 'control'))
    q.push('gw-c', item(2, 'tx'))
    expect(order(q, 'gw-b')).toEqual([1])
    expect(order(q, 'gw-c')).toEqual([2])
    expect(q.peers().sort()).toEqual(['gw-b', 'gw-c'])
  })

  it('replaces a queued item with the same key, which then takes its place as the newest of its class', () => {
    const q = new ControlQueue()
    q.push('gw-b', item(1, 'control', 'acks'))
    q.push('gw-b', item(2, 'control'))
    q.push('gw-b', item(3, 'control', 'acks'))
    expect(order(q, 'gw-b')).toEqual([2, 3])
    expect(q.size('gw-b')).toBe(2)
    expect(q.find('gw-b', 'acks')?.msg).toEqual(msg(3))
    expect(q.find('gw-c', 'acks')).toBeUndefined()
    expect(q.find('gw-b', 'other')).toBeUndefined()
  })

  it('drops the newest lowest-priority item beyond the bound per peer', () => {
    const q = new ControlQueue(3)
    expect(q.push('gw-b', item(1, 'sync'))).toBe(true)
    expect(q.push('gw-b', item(2, 'sync'))).toBe(true)
    expect(q.push('gw-b', item(3, 'control'))).toBe(true)
    // full: a more urgent item pushes out the newest sync item
    expect(q.push('gw-b', item(4, 'tx'))).toBe(true)
    expect(order(q, 'gw-b')).toEqual([4, 3, 1])
    // full: a new item of the lowest class present is itself the newest lowest-priority one
    expect(q.push('gw-b', item(5, 'sync'))).toBe(false)
    expect(q.push('gw-b', item(6, 'beacon'))).toBe(false)
    expect(order(q, 'gw-b')).toEqual([4, 3, 1])
    // another peer has its own bound
    expect(q.push('gw-c', item(7, 'beacon'))).toBe(true)
  })

  it('replacing by key in a full queue drops nothing', () => {
    const q = new ControlQueue(2)
    q.push('gw-b', item(1, 'control', 'hello'))
    q.push('gw-b', item(2, 'sync'))
    expect(q.push('gw-b', item(3, 'control', 'hello'))).toBe(true)
    expect(order(q, 'gw-b')).toEqual([3, 2])
  })

  it('removes a sent item, ignores one replaced meanwhile, and forgets an emptied peer', () => {
    const q = new ControlQueue()
    const first = item(1, 'control', 'acks')
    q.push('gw-b', first)
    q.push('gw-b', item(2, 'control', 'acks')) // replaces `first`
    q.remove('gw-b', first)
    expect(order(q, 'gw-b')).toEqual([2])
    q.remove('gw-c', first) // unknown peer: no-op
    const [only] = q.peek('gw-b', 1)
    q.remove('gw-b', only as ControlItem)
    expect(q.size('gw-b')).toBe(0)
    expect(q.peers()).toEqual([])
    expect(q.peek('gw-b', 5)).toEqual([])
  })

  it('peek returns at most `limit` items and does not take them', () => {
    const q = new ControlQueue()
    for (let n = 1; n <= 5; n++) q.push('gw-b', item(n, 'control'))
    expect(q.peek('gw-b', 2)).toHaveLength(2)
    expect(q.size('gw-b')).toBe(5)
  })
})
