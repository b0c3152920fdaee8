import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { MIN_ALPHA } from '../../gateway/link-monitor/ewma.js'
import { DEFAULT_LINK_TIMING, LinkMonitor } from '../../gateway/link-monitor/monitor.js'
import type { LinkState, Transport, TransportCapabilities, TransportEvents } from '../../transports/types.js'

const T0 = 1_700_000_000_000 // ms
const TCP: TransportCapabilities = { kind: 'tcp', mtu: 60_000, nominalBitrateBps: 10_000_000, broadcast: false, reliable: true, halfDuplex: false, publicMedium: false }
const JS8: TransportCapabilities = { kind: 'js8call', mtu: 64, nominalBitrateBps: 4.8, broadcast: true, reliable: false, halfDuplex: true, publicMedium: true }
const TCP_TAU = DEFAULT_LINK_TIMING.tcp.tauMs
const TCP_STALE = DEFAULT_LINK_TIMING.tcp.staleAfterMs

/** A monitor on a fake clock that tests move by hand. */
function setup() {
  const clock = { t: T0 }
  const monitor = new LinkMonitor({}, () => clock.t)
  monitor.registerLink('inet', TCP)
  return { clock, monitor, snap: () => monitor.snapshot() }
}

describe('LinkMonitor: availability', () => {
  it('averages the time the link was up, decaying with τ', () => {
    const { clock, monitor, snap } = setup()
    monitor.recordState('inet', 'down', T0)
    monitor.recordState('inet', 'up', T0 + 1_000)
    clock.t = T0 + 1_000 + TCP_TAU
    const link = snap().links.inet
    expect(link?.state).toBe('up')
    expect(link?.stateSince).toBe(T0 + 1_000)
    expect(link?.availability).toBeCloseTo(1 - Math.exp(-1), 9)
  })

  it('drops while the link is down and ignores repeated states', () => {
    const { clock, monitor, snap } = setup()
    monitor.recordState('inet', 'up', T0)
    monitor.recordState('inet', 'down', T0 + 10_000)
    monitor.recordState('inet', 'down', T0 + 20_000) // no change: keeps stateSince
    clock.t = T0 + 10_000 + 2 * TCP_TAU
    const link = snap().links.inet
    expect(link?.stateSince).toBe(T0 + 10_000)
    expect(link?.availability).toBeCloseTo(Math.exp(-2), 9)
  })

  it('reports 0 availability for a link never seen up', () => {
    const { snap } = setup()
    expect(snap().links.inet).toMatchObject({ state: 'stopped', availability: 0, stale: true, capabilities: TCP })
  })
})

describe('LinkMonitor: samples', () => {
  it('files samples that name a peer under the peer and the rest under the link', () => {
    const { monitor, snap } = setup()
    monitor.recordSample('inet', { at: T0, peer: 'B', snrDb: 7, rttMs: 120, bitrateBps: 9_000 })
    monitor.recordSample('inet', { at: T0, snrDb: -3 })
    const link = snap().links.inet
    expect(link?.snrDb).toBe(-3)
    expect(link?.peers.B).toMatchObject({ peer: 'B', snrDb: 7, rttMs: 120, bitrateBps: 9_000, lastHeardAt: T0, stale: false })
    expect(link?.peers.B?.loss).toBeUndefined()
  })

  it('averages RTT over time with the link time constant', () => {
    const { clock, monitor, snap } = setup()
    monitor.recordSample('inet', { at: T0, peer: 'B', rttMs: 100 })
    monitor.recordSample('inet', { at: T0 + TCP_TAU, peer: 'B', rttMs: 200 })
    clock.t = T0 + TCP_TAU
    expect(snap().links.inet?.peers.B?.rttMs).toBeCloseTo(100 + 100 * (1 - Math.exp(-1)), 9)
  })

  it('turns send outcomes into loss from a prior of none, and only successes count as hearing the peer', () => {
    const { clock, monitor, snap } = setup()
    monitor.recordSample('inet', { at: T0, peer: 'B', sendOk: false })
    // one failure is not 100 % loss (the prior is a working link; same-instant samples weigh MIN_ALPHA)
    expect(snap().links.inet?.peers.B).toMatchObject({ loss: MIN_ALPHA, stale: true })
    for (let i = 0; i < 30; i++) monitor.recordSample('inet', { at: T0, peer: 'B', sendOk: false })
    expect(snap().links.inet?.peers.B?.loss).toBeGreaterThan(0.95) // repeated failures do add up
    monitor.recordSample('inet', { at: T0 + 60 * TCP_TAU, peer: 'B', sendOk: true })
    clock.t = T0 + 60 * TCP_TAU
    const peer = snap().links.inet?.peers.B
    expect(peer?.loss).toBeCloseTo(0, 9)
    expect(peer?.stale).toBe(false)
  })

  it('keeps busy as a level with a time-weighted share, and averages the TX queue', () => {
    const { clock, monitor, snap } = setup()
    monitor.recordSample('inet', { at: T0, channelBusy: true, txQueueBytes: 1_000 })
    monitor.recordSample('inet', { at: T0 + TCP_TAU, channelBusy: false, txQueueBytes: 0 })
    clock.t = T0 + TCP_TAU
    const link = snap().links.inet
    expect(link?.busy).toBe(false)
    expect(link?.busyShare).toBeCloseTo(1, 9) // busy all along until just now
    expect(link?.txQueueBytes).toBeCloseTo(1_000 * Math.exp(-1), 6)
  })

  it('ignores non-finite readings from a garbled device report', () => {
    const { monitor, snap } = setup()
    monitor.recordSample('inet', { at: T0, peer: 'B', snrDb: 5 })
    monitor.recordSample('inet', { at: T0 + 1, peer: 'B', snrDb: Number.NaN, rttMs: Infinity })
    expect(snap().links.inet?.peers.B?.snrDb).toBe(5)
    expect(snap().links.inet?.peers.B?.rttMs).toBeUndefined()
  })
})

describe('LinkMonitor: deliveries and staleness', () => {
  it('computes goodput from acknowledged bytes and loss from outcomes', () => {
    const { monitor, snap } = setup()
    monitor.recordDelivery('inet', 'B', 3_000, 2_000, true, T0) // 1500 bytes/s
    expect(snap().links.inet?.peers.B).toMatchObject({ goodputBps: 1_500, loss: 0, lastHeardAt: T0 })
    monitor.recordDelivery('inet', 'B', 3_000, 9_000, false, T0 + TCP_TAU)
    const peer = snap().links.inet?.peers.B
    expect(peer?.goodputBps).toBe(1_500) // a failure carries no goodput
    expect(peer?.loss).toBeCloseTo(1 - Math.exp(-1), 9)
    expect(peer?.lastHeardAt).toBe(T0)
  })

  it('marks a peer stale after staleAfterMs and drops its old readings', () => {
    const { clock, monitor, snap } = setup()
    monitor.recordSample('inet', { at: T0, peer: 'B', snrDb: 3 })
    clock.t = T0 + TCP_STALE
    expect(snap().links.inet?.peers.B).toMatchObject({ stale: false, snrDb: 3 })
    expect(snap().links.inet?.stale).toBe(false)
    clock.t = T0 + TCP_STALE + 1
    const peer = snap().links.inet?.peers.B
    expect(peer?.stale).toBe(true)
    expect(peer?.snrDb).toBeUndefined()
    expect(peer?.lastHeardAt).toBe(T0)
    expect(snap().links.inet?.stale).toBe(true)
  })

  it('uses the timing of the link kind: JS8Call stays fresh for an hour', () => {
    const { clock, monitor, snap } = setup()
    monitor.registerLink('js8', JS8)
    monitor.recordHeard('js8', 'N0CALL', T0)
    monitor.recordHeard('inet', 'N0CALL', T0)
    clock.t = T0 + 30 * 60_000
    expect(snap().links.js8?.peers.N0CALL?.stale).toBe(false)
    expect(snap().links.inet?.peers.N0CALL?.stale).toBe(true)
  })

  it('takes per-link timing over the kind default', () => {
    const clock = { t: T0 }
    const monitor = new LinkMonitor({ links: { inet: { tauMs: 1_000, staleAfterMs: 5_000 } } }, () => clock.t)
    monitor.registerLink('inet', TCP)
    monitor.recordHeard('inet', 'B', T0)
    clock.t = T0 + 5_001
    expect(monitor.snapshot().links.inet?.peers.B?.stale).toBe(true)
  })

  it('forgets the least recently heard peer beyond maxPeersPerLink', () => {
    const monitor = new LinkMonitor({ maxPeersPerLink: 2 }, () => T0)
    monitor.recordHeard('inet', 'A', T0)
    monitor.recordHeard('inet', 'B', T0 + 1)
    monitor.recordHeard('inet', 'A', T0 + 2)
    monitor.recordHeard('inet', 'C', T0 + 3)
    expect(Object.keys(monitor.snapshot(T0 + 3).links.inet?.peers ?? {}).sort()).toEqual(['A', 'C'])
  })

  it('handles peer names that are also Object.prototype keys', () => {
    const { monitor, snap } = setup()
    monitor.recordHeard('inet', '__proto__', T0)
    monitor.recordHeard('inet', 'constructor', T0)
    const peers = snap().links.inet?.peers ?? {}
    expect(Object.keys(peers).sort()).toEqual(['__proto__', 'constructor'])
    expect(Object.getPrototypeOf(peers)).toBe(Object.prototype)
  })

  it('hands out plain data that survives structuredClone', () => {
    const { monitor, snap } = setup()
    monitor.recordState('inet', 'up', T0)
    monitor.recordDelivery('inet', 'B', 100, 50, true, T0)
    const s = snap()
    expect(structuredClone(s)).toEqual(s)
  })
})

/** A transport whose events the test emits by hand. */
class FakeTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly id = 'vhf'
  readonly capabilities: TransportCapabilities = { ...JS8, kind: 'ax25', mtu: 256, nominalBitrateBps: 1_200 }
  state: LinkState = 'starting'
  async start(): Promise<void> {}
  async send(): Promise<void> {}
  async stop(): Promise<void> {}
}

describe('LinkMonitor.attach', () => {
  it('follows state, sample and frame events until detached', () => {
    const { monitor, snap } = setup()
    const t = new FakeTransport()
    const detach = monitor.attach(t, { peerOf: (from) => (from === 'IGNORED' ? undefined : from.toUpperCase()) })
    expect(snap().links.vhf).toMatchObject({ state: 'starting', capabilities: t.capabilities })
    t.emit('state', { from: 'starting', to: 'up', reason: 'started' })
    t.emit('sample', { at: T0, bitrateBps: 1_200 })
    t.emit('frame', { payload: new Uint8Array(1), from: 'n0call', receivedAt: T0 + 5, snrDb: 4 })
    t.emit('frame', { payload: new Uint8Array(1), from: 'IGNORED', receivedAt: T0 + 6 })
    const link = snap().links.vhf
    expect(link).toMatchObject({ state: 'up', bitrateBps: 1_200, lastHeardAt: T0 + 6 })
    expect(link?.peers.N0CALL).toMatchObject({ snrDb: 4, lastHeardAt: T0 + 5, stale: false })
    expect(Object.keys(link?.peers ?? {})).toEqual(['N0CALL'])
    detach()
    t.emit('state', { from: 'up', to: 'down', reason: 'device-closed' })
    expect(snap().links.vhf?.state).toBe('up')
    expect(t.listenerCount('frame') + t.listenerCount('state') + t.listenerCount('sample')).toBe(0)
  })
})
