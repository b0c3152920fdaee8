/**
 * Links set aside per peer after a failure, and the per-peer view of the monitor's snapshot the
 * policy decides on. A (link, peer) that failed is left out for a while so the next decision fails
 * over at once instead of waiting for averages to move; hearing the peer there again, or a probe
 * that gets through, brings it back.
 *
 * @packageDocumentation
 */
import type { MonitorSnapshot } from '../link-monitor/monitor.js'

/** (link, peer) pairs set aside until a time. */
export class SetAside {
  private readonly until = new Map<string, number>()

  /**
   * @param holdMs - how long a failed pair stays aside, ms
   * @param now - clock, ms
   */
  constructor(
    private readonly holdMs: number,
    private readonly now: () => number,
  ) {}

  /** Sets `link` aside for `peer` from now. */
  add(link: string, peer: string): void {
    this.until.set(key(link, peer), this.now() + this.holdMs)
  }

  /** True while `link` is set aside for `peer`. */
  has(link: string, peer: string): boolean {
    const k = key(link, peer)
    const t = this.until.get(k)
    if (t === undefined) return false
    if (t > this.now()) return true
    this.until.delete(k)
    return false
  }

  /** Brings `link` back for `peer` (it was heard there). */
  clear(link: string, peer: string): void {
    this.until.delete(key(link, peer))
  }
}

/** `snapshot` with only the links in `ids`. */
export function peerSnapshot(snapshot: MonitorSnapshot, ids: readonly string[]): MonitorSnapshot {
  const links = Object.fromEntries(Object.entries(snapshot.links).filter(([id]) => ids.includes(id)))
  return { at: snapshot.at, links }
}

function key(link: string, peer: string): string {
  return `${link}\u0000${peer}`
}
