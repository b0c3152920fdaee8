import { describe, expect, it } from 'vitest'
import { InFlight, type InFlightEntry } from '../../gateway/router/in-flight.js'

function entry(peer: string, key: string, link = 'tcp', sentAt = 1_000): InFlightEntry {
  return { peer, key, link, sentAt, bytes: 100 }
}

describe('InFlight', () => {
  it('takes an entry by peer and key, once', () => {
    const f = new InFlight()
    f.add(entry('gw-b', 'tx:1'))
    f.add(entry('gw-b', 'tx:2'))
    expect(f.count('gw-b')).toBe(2)
    expect(f.take('gw-b', 'tx:1')).toEqual(entry('gw-b', 'tx:1'))
    expect(f.take('gw-b', 'tx:1')).toBeUndefined()
    expect(f.take('gw-c', 'tx:2')).toBeUndefined()
    expect(f.count('gw-b')).toBe(1)
  })

  it('replaces an earlier attempt of the same key', () => {
    const f = new InFlight()
    f.add(entry('gw-b', 'tx:1', 'tcp', 1_000))
    f.add(entry('gw-b', 'tx:1', 'vara', 2_000))
    expect(f.count('gw-b')).toBe(1)
    expect(f.take('gw-b', 'tx:1')).toMatchObject({ link: 'vara', sentAt: 2_000 })
  })

  it('takes every entry that matches, across peers, and leaves the rest', () => {
    const f = new InFlight()
    f.add(entry('gw-b', 'tx:1', 'tcp'))
    f.add(entry('gw-b', 'tx:2', 'vara'))
    f.add(entry('gw-c', 'tx:1', 'tcp'))
    const taken = f.takeWhere((e) => e.link === 'tcp')
    expect(taken.map((e) => `${e.peer} ${e.key}`).sort()).toEqual(['gw-b tx:1', 'gw-c tx:1'])
    expect(f.count('gw-b')).toBe(1)
    expect(f.count('gw-c')).toBe(0)
    expect(f.takeWhere((e) => e.link === 'tcp')).toEqual([])
    expect(f.takeWhere(() => true).map((e) => e.key)).toEqual(['tx:2'])
    expect(f.count('gw-b')).toBe(0)
  })
})
