import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { GatewayStore, IN_MEMORY, storeFile } from '../../gateway/store/store.js'
import { fakeClock } from './fixtures.js'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

function setup(file = IN_MEMORY) {
  const clock = fakeClock(1_000)
  const store = GatewayStore.open(file, { now: clock.now })
  cleanups.push(() => store.close())
  return { store, peers: store.peers, clock }
}

const tipA = { height: 12, hash: 'ab'.repeat(32) }

describe('PeerTable', () => {
  it('records the links a peer is heard on, with last-heard time per link', () => {
    const { peers, clock } = setup()
    peers.heard('N0CALL-1', 'ax25', { tip: tipA, protocolVersion: 1 })
    clock.advance(5_000)
    peers.heard('N0CALL-1', 'vara')
    expect(peers.get('N0CALL-1')).toEqual({
      name: 'N0CALL-1',
      protocolVersion: 1,
      tip: tipA,
      hops: 0,
      via: null,
      firstHeard: 1_000,
      lastHeard: 6_000,
      links: [
        { link: 'vara', lastHeard: 6_000 },
        { link: 'ax25', lastHeard: 1_000 },
      ],
    })
    clock.advance(1_000)
    peers.heard('N0CALL-1', 'ax25', { tip: { height: 13, hash: 'cd'.repeat(32) } })
    const updated = peers.get('N0CALL-1')
    expect(updated?.tip).toEqual({ height: 13, hash: 'cd'.repeat(32) })
    expect(updated?.protocolVersion).toBe(1)
    expect(updated?.links.map((l) => [l.link, l.lastHeard])).toEqual([
      ['ax25', 7_000],
      ['vara', 6_000],
    ])
  })

  it('keeps the shortest mesh route and never demotes a peer heard directly', () => {
    const { peers } = setup()
    peers.learned('C', 'B', 2)
    expect(peers.get('C')).toMatchObject({ hops: 2, via: 'B', links: [], tip: null })
    peers.learned('C', 'D', 3) // longer, other relay: ignored
    expect(peers.get('C')).toMatchObject({ hops: 2, via: 'B' })
    peers.learned('C', 'E', 1, { tip: tipA }) // shorter: taken
    expect(peers.get('C')).toMatchObject({ hops: 1, via: 'E', tip: tipA })
    peers.learned('C', 'E', 2) // same relay now further away: refreshed
    expect(peers.get('C')).toMatchObject({ hops: 2, via: 'E' })
    peers.heard('C', 'js8call')
    peers.learned('C', 'B', 1)
    expect(peers.get('C')).toMatchObject({ hops: 0, via: null })
  })

  it('rejects malformed news instead of storing it', () => {
    const { peers } = setup()
    expect(() => peers.heard('X', 'tcp', { tip: { height: 1, hash: 'xyz' } })).toThrow()
    expect(() => peers.learned('X', 'B', 0)).toThrow()
    expect(peers.get('X')).toBeNull()
  })

  it('lists by name, forgets a peer with its links, and survives a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bunker-peers-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const first = setup(storeFile(dir))
    first.peers.heard('ZULU', 'tcp')
    first.peers.heard('ALPHA', 'ax25')
    first.peers.heard('ALPHA', 'tcp')
    first.store.close()

    const { peers, store } = setup(storeFile(dir))
    expect(peers.list().map((p) => [p.name, p.links.length])).toEqual([
      ['ALPHA', 2],
      ['ZULU', 1],
    ])
    expect(peers.remove('ALPHA')).toBe(true)
    expect(peers.remove('ALPHA')).toBe(false)
    expect(peers.list().map((p) => p.name)).toEqual(['ZULU'])
    expect(store.integrityCheck()).toEqual(['ok'])
  })
})
