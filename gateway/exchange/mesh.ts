/**
 * Mesh forwarding (docs/PROTOCOL.md §8.13, the seed's "mesh routing"): a message for a gateway this
 * one does not hear directly travels inside a `relay` through gateways that do. Transactions and
 * blocks already spread hop by hop (every gateway validates, stores and relays them to its own
 * neighbours); the wrapper is for what is addressed to ONE far station: its queue of what we owe
 * it, and the acknowledgements coming back.
 *
 * Routing is flooding with a hop limit and a dedupe set: a relay goes to the neighbour the far
 * station was last heard through, or, before that is known, to every neighbour that forwards; each
 * station forwards a given (origin, id) once, to the destination itself when it hears it directly,
 * and never back where it came from. So nothing loops and nothing travels further than `hops`.
 *
 * @packageDocumentation
 */
import { randomInt } from 'node:crypto'
import { decodeEnvelope, encodeEnvelope, type WireMessage } from '../../codecs/envelope.js'
import { FEATURE_BITS, type Relay } from '../../codecs/wire-gateway.js'
import type { Logger } from '../log.js'
import type { PeerDirectory } from '../peer-directory.js'
import type { Inbound, Router } from '../router/router.js'
import type { MessageClass } from '../store/message-class.js'

/** Hops a relay starts with: three radio segments between two gateways. */
export const DEFAULT_RELAY_HOPS = 3
/** (origin, id) pairs remembered for dedupe. */
const SEEN_LIMIT = 4096

/** Options of a {@link Mesh}. */
export interface MeshOptions {
  station: string
  router: Router
  directory: PeerDirectory
  /** What a peer's hello said it can do (FEATURE_BITS), when known. */
  featuresOf: (peer: string) => number | undefined
  /** Handles a message unwrapped for us as if `origin` had sent it directly. */
  deliver: (m: Inbound) => void
  log: Logger
  hops?: number
}

/** Wraps, forwards and unwraps `relay` messages. */
export class Mesh {
  private readonly seen = new Set<string>()

  /** @param o - station, router, directory, delivery */
  constructor(private readonly o: MeshOptions) {}

  /**
   * Sends `msg` to far `peer` inside a relay through neighbours; false when no neighbour can take it.
   * The router calls this for a peer with no address on any link.
   */
  wrap(peer: string, msg: WireMessage, cls: MessageClass): boolean {
    const relay: Relay = {
      type: 'relay',
      origin: this.o.station,
      destination: peer,
      hops: this.o.hops ?? DEFAULT_RELAY_HOPS,
      id: randomInt(2 ** 32),
      inner: encodeEnvelope(msg),
    }
    this.remember(relay)
    return this.forward(relay, cls, undefined) > 0
  }

  /** A `relay` heard from neighbour `m.peer`. */
  onRelay(m: Inbound & { msg: Relay }): void {
    const r = m.msg
    if (r.origin === this.o.station || !this.remember(r)) return
    const inner = decodeEnvelope(r.inner)
    if (!inner.ok || inner.value.type === 'relay') return this.o.log.warn({ origin: r.origin, via: m.peer }, 'relay with a bad inner message dropped')
    if (r.origin !== m.peer) this.o.directory.learnedVia(r.origin, m.peer)
    if (r.destination === this.o.station) return this.o.deliver({ ...m, peer: r.origin, msg: inner.value, bytes: r.inner.length })
    if (r.hops === 0) return this.o.log.debug({ origin: r.origin, destination: r.destination }, 'relay out of hops; dropped')
    // a wrapped transaction keeps its priority on the way
    const sent = this.forward({ ...r, hops: r.hops - 1 }, inner.value.type === 'tx' ? 'tx' : 'control', m.peer)
    if (sent === 0) this.o.log.debug({ origin: r.origin, destination: r.destination }, 'no neighbour to forward the relay to')
  }

  /** Sends `r` on towards its destination, never to `except`; returns to how many neighbours. */
  private forward(r: Relay, cls: MessageClass, except: string | undefined): number {
    const d = this.o.directory
    const direct = d.linksOf(r.destination).length > 0
    const route = d.routeTo(r.destination)
    const targets = direct ? [r.destination] : route !== undefined && route !== except ? [route] : this.forwarders(except, r.origin)
    for (const t of targets) this.o.router.send(t, { msg: r, cls })
    return targets.length
  }

  /** Neighbours heard directly that forward relays (or have not said), but not `except` or `origin`. */
  private forwarders(except: string | undefined, origin: string): string[] {
    return this.o.directory
      .peers()
      .filter((p) => p !== except && p !== origin && this.o.directory.linksOf(p).length > 0)
      .filter((p) => ((this.o.featuresOf(p) ?? FEATURE_BITS.relay) & FEATURE_BITS.relay) !== 0)
  }

  /** Records (origin, id); false if it was seen before. */
  private remember(r: Relay): boolean {
    const key = `${r.origin}\u0000${r.id}`
    if (this.seen.has(key)) return false
    this.seen.add(key)
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value as string)
    return true
  }
}
