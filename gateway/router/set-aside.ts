/**
 * Links set aside per peer after a failure, and the per-peer view of the monitor's snapshot the
 * policy decides on.
 *
 * A (link, peer) that failed is left out entirely for `holdMs`, so the next decision fails over at
 * once instead of waiting for averages to move. After that it stays *suspect* until the peer is
 * heard on that link again: the policy then sees the peer as stale there, so the link is only a
 * last resort and its dwell time does not start counting. A link that is still broken can never
 * look good just because time passed; hearing the peer (its probe, its traffic) brings it back.
 *
 * @packageDocumentation
 */
import type { MonitorSnapshot } from '../link-monitor/monitor.js'

/** (link, peer) pairs set aside after a failure. */
export class SetAside {
  /** Left out until this time, ms; then suspect until cleared. */
  private readonly until = new Map<string, number>()

  /**
   * @param holdMs - how long a failed pair is left out entirely, ms; each time drawn from 1–2 × this
   *   so two stations whose attempts collided (two VARA modems calling each other) do not retry in step
   * @param now - clock, ms
   * @param random - uniform [0, 1)
   */
  constructor(
    private readonly holdMs: number,
    private readonly now: () => number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Sets `link` aside for `peer` from now. */
  add(link: string, peer: string): void {
    this.until.set(key(link, peer), this.now() + this.holdMs * (1 + this.random()))
  }

  /** True while `link` is left out for `peer`. */
  has(link: string, peer: string): boolean {
    return (this.until.get(key(link, peer)) ?? -Infinity) > this.now()
  }

  /**
   * Time until the first of `links` set aside for `peer` may be tried again, ms (Infinity if none
   * is held). A message waiting for a link retries at that moment, not on a coarse tick, so the
   * jitter drawn in {@link add} is what separates two colliding stations.
   */
  releaseInMs(links: readonly string[], peer: string): number {
    const now = this.now()
    const ends = links.map((l) => this.until.get(key(l, peer)) ?? -Infinity).filter((t) => t > now)
    return ends.length === 0 ? Infinity : Math.min(...ends) - now
  }

  /** True from a failure until the peer is heard on `link` again. */
  suspect(link: string, peer: string): boolean {
    return this.until.has(key(link, peer))
  }

  /** Brings `link` back for `peer` (it was heard there). */
  clear(link: string, peer: string): void {
    this.until.delete(key(link, peer))
  }
}

/**
 * `snapshot` with only the links in `ids`; where `peer` is suspect on a link it counts as not heard
 * there (stale).
 */
export function peerSnapshot(snapshot: MonitorSnapshot, ids: readonly string[], peer?: string, aside?: SetAside): MonitorSnapshot {
  const links = Object.fromEntries(
    Object.entries(snapshot.links)
      .filter(([id]) => ids.includes(id))
      .map(([id, link]) => {
        const p = peer === undefined ? undefined : link.peers[peer]
        if (p === undefined || aside === undefined || !aside.suspect(id, peer as string)) return [id, link]
        return [id, { ...link, peers: { ...link.peers, [peer as string]: { ...p, stale: true } } }]
      }),
  )
  return { at: snapshot.at, links }
}

function key(link: string, peer: string): string {
  return `${link}\u0000${peer}`
}
