import { describe, expect, it } from 'vitest'
import { decodeEnvelope, encodeEnvelope, type WireMessage } from '../../codecs/envelope.js'
import type { Transaction } from '../../codecs/model.js'
import { FEATURE_BITS, type Relay } from '../../codecs/wire-gateway.js'
import { DEFAULT_RELAY_HOPS, Mesh } from '../../gateway/exchange/mesh.js'
import { silentLogger } from '../../gateway/log.js'
import { PeerDirectory } from '../../gateway/peer-directory.js'
import type { ControlItem } from '../../gateway/router/control-queue.js'
import type { Inbound, Router } from '../../gateway/router/router.js'
import { corpusTransactions } from '../../hardware-sim/corpus.js'

const US = 'gw-a'
const T0 = 1_700_000_000_000 // ms

const ack: WireMessage = { type: 'ack', tx: [new Uint8Array(32).fill(1)], block: [] }

/** A mesh at `US` with direct neighbours gw-b, gw-c and gw-d (gw-d does not forward relays). */
function setup() {
  const directory = new PeerDirectory(['gw-b', 'gw-c', 'gw-d'].map((name, i) => ({ name, addresses: { tcp: `127.0.0.1:${7001 + i}` } })))
  const features = new Map<string, number>([['gw-c', FEATURE_BITS.relay], ['gw-d', FEATURE_BITS.node]])
  const sent: { peer: string; item: ControlItem }[] = []
  const delivered: Inbound[] = []
  const router = { send: (peer: string, item: ControlItem) => void sent.push({ peer, item }) } as unknown as Router
  const mesh = new Mesh({ station: US, router, directory, featuresOf: (p) => features.get(p), deliver: (m) => void delivered.push(m), log: silentLogger() })
  const relays = () => sent.map(({ peer, item }) => ({ peer, relay: item.msg as Relay, cls: item.cls }))
  return { directory, mesh, sent, relays, delivered }
}

function relay(over: Partial<Relay> = {}, inner: WireMessage = ack): Relay {
  return { type: 'relay', origin: 'gw-o', destination: 'gw-far', hops: 2, id: 42, inner: encodeEnvelope(inner), ...over }
}

/** `r` as heard from neighbour `peer`. */
function heard(r: Relay, peer = 'gw-b'): Inbound & { msg: Relay } {
  return { peer, link: 'tcp', from: '127.0.0.1:7001', msg: r, bytes: 100, receivedAt: T0 }
}

describe('Mesh.wrap', () => {
  it('sends a relay to the neighbour the far station was last heard through', () => {
    const { directory, mesh, relays } = setup()
    directory.learnedVia('gw-far', 'gw-c')
    expect(mesh.wrap('gw-far', ack, 'control')).toBe(true)
    const [only, ...rest] = relays()
    expect(rest).toEqual([])
    expect(only?.peer).toBe('gw-c')
    expect(only?.cls).toBe('control')
    expect(only?.relay).toMatchObject({ type: 'relay', origin: US, destination: 'gw-far', hops: DEFAULT_RELAY_HOPS })
    const inner = decodeEnvelope(only?.relay.inner ?? new Uint8Array())
    expect(inner.ok && inner.value).toEqual(ack)
  })

  it('without a route, floods every neighbour that forwards (or has not said), with the same id', () => {
    const { mesh, relays } = setup()
    expect(mesh.wrap('gw-far', ack, 'tx')).toBe(true)
    expect(relays().map((r) => r.peer).sort()).toEqual(['gw-b', 'gw-c'])
    expect(new Set(relays().map((r) => r.relay.id)).size).toBe(1)
    expect(relays().every((r) => r.cls === 'tx')).toBe(true)
  })

  it('returns false when no neighbour can take it', () => {
    const directory = new PeerDirectory()
    const router = { send: () => undefined } as unknown as Router
    const mesh = new Mesh({ station: US, router, directory, featuresOf: () => undefined, deliver: () => undefined, log: silentLogger() })
    expect(mesh.wrap('gw-far', ack, 'control')).toBe(false)
  })
})

describe('Mesh.onRelay', () => {
  it('forwards with one hop less to the destination it hears directly, and learns the route to the origin', () => {
    const { directory, mesh, relays } = setup()
    mesh.onRelay(heard(relay({ destination: 'gw-c' })))
    expect(relays()).toEqual([{ peer: 'gw-c', relay: relay({ destination: 'gw-c', hops: 1 }), cls: 'control' }])
    expect(directory.routeTo('gw-o')).toBe('gw-b')
  })

  it('forwards a (origin, id) once; its own relays coming back are dropped', () => {
    const { mesh, relays } = setup()
    mesh.onRelay(heard(relay({ destination: 'gw-c' })))
    mesh.onRelay(heard(relay({ destination: 'gw-c' }), 'gw-d'))
    mesh.onRelay(heard(relay({ destination: 'gw-c', id: 43 })))
    expect(relays().map((r) => r.relay.id)).toEqual([42, 43])
    mesh.onRelay(heard(relay({ origin: US, destination: 'gw-c', id: 7 })))
    expect(relays()).toHaveLength(2)
  })

  it('drops a relay for another station that has no hops left', () => {
    const { mesh, relays } = setup()
    mesh.onRelay(heard(relay({ destination: 'gw-c', hops: 0 })))
    expect(relays()).toEqual([])
  })

  it('never sends a relay back to the neighbour it came from, nor to its origin', () => {
    const { directory, mesh, relays } = setup()
    directory.learnedVia('gw-far', 'gw-b') // the route points back where the relay came from
    mesh.onRelay(heard(relay({ origin: 'gw-c' }), 'gw-b'))
    expect(relays().map((r) => r.peer)).toEqual([]) // gw-b is the sender, gw-c the origin, gw-d does not forward
    mesh.onRelay(heard(relay({ id: 43 }), 'gw-b'))
    expect(relays().map((r) => r.peer)).toEqual(['gw-c'])
    expect(relays()[0]?.relay.hops).toBe(1)
  })

  it('keeps a wrapped transaction in the tx class when forwarding', () => {
    const { mesh, relays } = setup()
    const tx: WireMessage = { type: 'tx', transaction: corpusTransactions(1)[0] as Transaction }
    mesh.onRelay(heard(relay({ destination: 'gw-c' }, tx)))
    expect(relays()[0]?.cls).toBe('tx')
  })

  it('unwraps a relay for us and delivers the inner message as from the origin', () => {
    const { mesh, relays, delivered } = setup()
    const r = relay({ destination: US, hops: 0 })
    mesh.onRelay(heard(r))
    expect(relays()).toEqual([])
    expect(delivered).toEqual([{ peer: 'gw-o', link: 'tcp', from: '127.0.0.1:7001', msg: ack, bytes: r.inner.length, receivedAt: T0 }])
  })

  it('drops a relay for us with a relay (or garbage) inside', () => {
    const { mesh, relays, delivered } = setup()
    mesh.onRelay(heard(relay({ destination: US }, relay({ origin: 'gw-x', destination: 'gw-c' }))))
    mesh.onRelay(heard(relay({ destination: US, id: 43, inner: Uint8Array.of(1, 0xff, 0xff) })))
    expect(delivered).toEqual([])
    expect(relays()).toEqual([])
  })
})
