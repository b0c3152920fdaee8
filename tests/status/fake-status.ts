/**
 * A fake status source for the status-server tests: a plausible four-link gateway whose links can be
 * flipped and whose readings can be changed, and a switch that makes the source throw.
 */
import type { GatewayStatus, LinkStatus } from '../../gateway/status-model.js'

/** A status report of a gateway with a TCP, an AX.25, a VARA and a JS8Call link and two peers. */
export function sampleStatus(now: number): GatewayStatus {
  return {
    station: 'N0CALL-10',
    version: '0.1.0',
    startedAt: now - 5_400_000,
    now,
    role: 'gateway',
    chain: { height: 1234, tip: 'ab'.repeat(32), mempool: 3 },
    node: { connected: true, queued: 0 },
    links: [
      link('backbone', 'tcp', 'up', { rttMs: 42, loss: 0, goodputBps: 52_000, bytesSent: 123_456, bytesReceived: 654_321 }),
      link('vhf-packet', 'ax25', 'up', { snrDb: 12.5, rttMs: 2_300, loss: 0.04, goodputBps: 110, bitrateBps: 1_200, busy: true }),
      link('hf-vara', 'vara', 'down', { reason: 'modem not answering on 127.0.0.1:8300', bitrateBps: 0 }),
      link('hf-js8', 'js8call', 'starting', { snrDb: -14, budgetLeft: 0.4 }),
    ],
    peers: [
      { name: 'N1PEER-10', height: 1230, tip: 'cd'.repeat(32), currentLink: 'vhf-packet', heard: { 'vhf-packet': now - 60_000 }, queued: 4, inFlight: 1, pendingBytes: 2_048, sync: { done: 2, total: 4 } },
      { name: 'backbone-peer', height: 1234, currentLink: 'backbone', heard: { backbone: now - 2_000 }, queued: 0, inFlight: 0, pendingBytes: 0 },
    ],
    counters: { txRelayed: 17, blocksRelayed: 5, rejected: 2, failovers: 1 },
  }
}

function link(id: string, kind: LinkStatus['kind'], state: LinkStatus['state'], extra: Partial<LinkStatus>): LinkStatus {
  return { id, kind, state, stale: false, availability: state === 'up' ? 0.97 : 0.2, bytesSent: 4_096, bytesReceived: 8_192, stateSince: Date.now() - 600_000, ...extra }
}

/** A mutable status source. */
export class FakeStatusSource {
  /** When set, `read` throws this. */
  failure: Error | undefined
  private status: GatewayStatus

  constructor(private readonly clock: () => number = Date.now) {
    this.status = sampleStatus(clock())
  }

  /** The source function to hand to the server. */
  readonly read = (): GatewayStatus => {
    if (this.failure !== undefined) throw this.failure
    return { ...this.status, now: this.clock() }
  }

  /** Changes one link's fields. */
  setLink(id: string, change: Partial<LinkStatus>): void {
    this.status = { ...this.status, links: this.status.links.map((l) => (l.id === id ? { ...l, ...change } : l)) }
  }
}
