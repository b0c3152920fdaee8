/**
 * Who the other gateways are and how to reach each over each link. Peers are named by callsign (or a
 * configured name on TCP-only setups). Addresses come from config and are learned from what is heard:
 * a radio link's sender is its callsign; a TCP sender is an address until its `hello` names it.
 * A configured address is kept when the peer is heard from another one (a TCP peer that dialled us
 * speaks from an ephemeral port): the heard address becomes an alias that identifies it.
 *
 * @packageDocumentation
 */

/** A peer as configured: its name and its address on each transport that reaches it. */
export interface ConfiguredPeer {
  /** Callsign (e.g. `N0CALL-2`) or configured name. */
  name: string
  /** Transport id → address on that link (`host:port` for TCP, a callsign for radio). */
  addresses: Record<string, string>
}

/** What is known of one peer on one link. */
export interface PeerLink {
  transportId: string
  address: string
  /** Last time anything was heard from it on this link, ms; undefined if only configured. */
  lastHeard?: number
  /** Hops away: 0 heard directly. */
  hops: number
}

/** The directory of peers and their addresses per link. */
export class PeerDirectory {
  private readonly links = new Map<string, Map<string, PeerLink>>() // peer -> transportId -> link
  private readonly byAddress = new Map<string, string>() // transportId + address -> peer
  private readonly configured = new Set<string>() // peer + transportId given in config
  private readonly named = new Set<string>() // peers named in config
  private readonly routes = new Map<string, string>() // far peer -> the neighbour it was last heard through

  /** @param configured - peers from config */
  constructor(configured: readonly ConfiguredPeer[] = []) {
    for (const p of configured) {
      for (const [t, a] of Object.entries(p.addresses)) {
        this.set(p.name, t, a, undefined)
        this.configured.add(key(p.name, t))
      }
      if (!this.links.has(p.name)) this.links.set(p.name, new Map())
      this.named.add(p.name)
    }
  }

  /** Every peer name known. */
  peers(): string[] {
    return [...this.links.keys()]
  }

  /** The address of `peer` on `transportId`, if it can be reached there. */
  address(peer: string, transportId: string): string | undefined {
    return this.links.get(peer)?.get(transportId)?.address
  }

  /** The links `peer` is known on. */
  linksOf(peer: string): PeerLink[] {
    return [...(this.links.get(peer)?.values() ?? [])]
  }

  /** The peer behind `address` on `transportId`, if known. */
  identify(transportId: string, address: string): string | undefined {
    return this.byAddress.get(key(transportId, address))
  }

  /** Records that `peer` was heard at `address` on `transportId` at `at` ms. */
  heard(peer: string, transportId: string, address: string, at: number): void {
    const configured = this.configured.has(key(peer, transportId)) ? this.links.get(peer)?.get(transportId) : undefined
    if (configured === undefined) return this.set(peer, transportId, address, at)
    configured.lastHeard = at
    this.byAddress.set(key(transportId, address), peer)
  }

  /** True when `peer` is in the directory. */
  has(peer: string): boolean {
    return this.links.has(peer)
  }

  /** True when `peer` is named in config (not only heard). */
  isNamed(peer: string): boolean {
    return this.named.has(peer)
  }

  /** Peers we owe relay traffic: heard directly on some link, or named in config. */
  relayTargets(): string[] {
    return this.peers().filter((p) => this.named.has(p) || (this.links.get(p)?.size ?? 0) > 0)
  }

  /** True when `peer` has no address on any link: it is reached only through other gateways. */
  farOnly(peer: string): boolean {
    return this.links.has(peer) && this.links.get(peer)?.size === 0
  }

  /** Records that far `peer` was heard through neighbour `via` (a mesh `relay`). */
  learnedVia(peer: string, via: string): void {
    if (!this.links.has(peer)) this.links.set(peer, new Map())
    this.routes.set(peer, via)
  }

  /** The neighbour far `peer` was last heard through, if any. */
  routeTo(peer: string): string | undefined {
    return this.routes.get(peer)
  }

  private set(peer: string, transportId: string, address: string, at: number | undefined): void {
    let perLink = this.links.get(peer)
    if (perLink === undefined) {
      perLink = new Map()
      this.links.set(peer, perLink)
    }
    const old = perLink.get(transportId)
    if (old !== undefined && old.address !== address) this.byAddress.delete(key(transportId, old.address))
    perLink.set(transportId, { transportId, address, lastHeard: at ?? old?.lastHeard, hops: 0 })
    this.byAddress.set(key(transportId, address), peer)
  }
}

function key(transportId: string, address: string): string {
  return `${transportId}\u0000${address}`
}
