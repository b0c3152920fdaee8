import { describe, expect, it } from 'vitest'
import { LinkMonitor } from '../../gateway/link-monitor/monitor.js'
import { peerSnapshot, SetAside } from '../../gateway/router/set-aside.js'
import type { TransportCapabilities } from '../../transports/types.js'

const T0 = 1_700_000_000_000 // ms
const HOLD = 1_000 // ms
const TCP: TransportCapabilities = { kind: 'tcp', mtu: 60_000, nominalBitrateBps: 10_000_000, broadcast: false, reliable: true, halfDuplex: false, publicMedium: false }

function setup(random: number) {
  const clock = { t: T0 }
  return { clock, aside: new SetAside(HOLD, () => clock.t, () => random) }
}

describe('SetAside', () => {
  it('leaves a failed pair out for the hold time drawn from 1–2 × holdMs', () => {
    const { clock, aside } = setup(0.5) // 1.5 × HOLD
    aside.add('tcp', 'gw-b')
    expect(aside.has('tcp', 'gw-b')).toBe(true)
    expect(aside.has('tcp', 'gw-c')).toBe(false)
    expect(aside.has('vara', 'gw-b')).toBe(false)
    clock.t = T0 + 1_499
    expect(aside.has('tcp', 'gw-b')).toBe(true)
    clock.t = T0 + 1_500
    expect(aside.has('tcp', 'gw-b')).toBe(false)
  })

  it('draws each hold from the injected random, so two stations do not retry in step', () => {
    const { clock: c0, aside: short } = setup(0)
    const { clock: c1, aside: long } = setup(0.999)
    short.add('tcp', 'gw-b')
    long.add('tcp', 'gw-b')
    c0.t = c1.t = T0 + HOLD + 1
    expect(short.has('tcp', 'gw-b')).toBe(false)
    expect(long.has('tcp', 'gw-b')).toBe(true)
  })

  it('tells when the first of some links is released for a peer', () => {
    const { clock, aside } = setup(0) // holds of exactly HOLD
    expect(aside.releaseInMs(['tcp', 'vara'], 'gw-b')).toBe(Infinity)
    aside.add('tcp', 'gw-b')
    clock.t = T0 + 300
    aside.add('vara', 'gw-b')
    aside.add('ax25', 'gw-c')
    expect(aside.releaseInMs(['tcp', 'vara'], 'gw-b')).toBe(700)
    expect(aside.releaseInMs(['vara'], 'gw-b')).toBe(1_000)
    clock.t = T0 + 1_000 // tcp released; only vara is still held
    expect(aside.releaseInMs(['tcp', 'vara'], 'gw-b')).toBe(300)
    clock.t = T0 + 1_300
    expect(aside.releaseInMs(['tcp', 'vara'], 'gw-b')).toBe(Infinity)
  })

  it('keeps the pair suspect after the hold until it is cleared', () => {
    const { clock, aside } = setup(0)
    expect(aside.suspect('tcp', 'gw-b')).toBe(false)
    aside.add('tcp', 'gw-b')
    clock.t = T0 + 100 * HOLD
    expect(aside.has('tcp', 'gw-b')).toBe(false)
    expect(aside.suspect('tcp', 'gw-b')).toBe(true)
    aside.clear('tcp', 'gw-b')
    expect(aside.suspect('tcp', 'gw-b')).toBe(false)
  })

  it('a new failure during the hold restarts it from now', () => {
    const { clock, aside } = setup(0)
    aside.add('tcp', 'gw-b')
    clock.t = T0 + 900
    aside.add('tcp', 'gw-b')
    clock.t = T0 + 1_800
    expect(aside.has('tcp', 'gw-b')).toBe(true)
  })
})

describe('peerSnapshot', () => {
  function threeLinksHearingTwoPeers() {
    const monitor = new LinkMonitor({}, () => T0)
    for (const id of ['a', 'b', 'c']) {
      monitor.registerLink(id, TCP)
      monitor.recordState(id, 'up', T0)
      monitor.recordHeard(id, 'gw-b', T0)
      monitor.recordHeard(id, 'gw-c', T0)
    }
    return monitor.snapshot(T0)
  }

  it('keeps only the given links', () => {
    const snap = threeLinksHearingTwoPeers()
    const view = peerSnapshot(snap, ['a', 'c', 'unknown'])
    expect(Object.keys(view.links).sort()).toEqual(['a', 'c'])
    expect(view.at).toBe(snap.at)
    expect(view.links.a).toBe(snap.links.a)
  })

  it('marks a suspect peer stale on that link only, leaving other peers and the input untouched', () => {
    const snap = threeLinksHearingTwoPeers()
    const aside = new SetAside(HOLD, () => T0, () => 0)
    aside.add('a', 'gw-b')
    const view = peerSnapshot(snap, ['a', 'b'], 'gw-b', aside)
    expect(view.links.a?.peers['gw-b']?.stale).toBe(true)
    expect(view.links.a?.peers['gw-c']?.stale).toBe(false)
    expect(view.links.b?.peers['gw-b']?.stale).toBe(false)
    expect(snap.links.a?.peers['gw-b']?.stale).toBe(false)
  })

  it('leaves a link alone for a peer it has never heard, or without a set-aside', () => {
    const snap = threeLinksHearingTwoPeers()
    const aside = new SetAside(HOLD, () => T0, () => 0)
    aside.add('a', 'gw-z')
    expect(peerSnapshot(snap, ['a'], 'gw-z', aside).links.a).toBe(snap.links.a)
    expect(peerSnapshot(snap, ['a'], 'gw-b').links.a).toBe(snap.links.a)
  })
})
