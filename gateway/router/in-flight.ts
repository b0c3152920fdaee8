/**
 * Durable queue entries that went out and wait for the peer's `ack`: on which link, when, and how
 * big, so an ack feeds the link monitor (goodput, round trip) and a lost link or a silent peer puts
 * exactly its own entries back in the queue.
 *
 * @packageDocumentation
 */

/** One entry waiting for its ack. */
export interface InFlightEntry {
  peer: string
  key: string
  link: string
  /** When it was handed to the link, ms. */
  sentAt: number
  /** Envelope bytes sent. */
  bytes: number
}

/** Sent entries by peer and key. */
export class InFlight {
  private readonly byPeer = new Map<string, Map<string, InFlightEntry>>()

  /** Records that `entry` went out (replacing an earlier attempt). */
  add(entry: InFlightEntry): void {
    let m = this.byPeer.get(entry.peer)
    if (m === undefined) {
      m = new Map()
      this.byPeer.set(entry.peer, m)
    }
    m.set(entry.key, entry)
  }

  /** Removes and returns the entry of `peer` with `key`. */
  take(peer: string, key: string): InFlightEntry | undefined {
    const m = this.byPeer.get(peer)
    const e = m?.get(key)
    if (e === undefined) return undefined
    m?.delete(key)
    if (m?.size === 0) this.byPeer.delete(peer)
    return e
  }

  /** Removes and returns every entry that matches `pred`. */
  takeWhere(pred: (e: InFlightEntry) => boolean): InFlightEntry[] {
    const out: InFlightEntry[] = []
    for (const m of this.byPeer.values()) for (const e of m.values()) if (pred(e)) out.push(e)
    for (const e of out) this.take(e.peer, e.key)
    return out
  }

  /** Entries waiting for `peer`'s ack. */
  count(peer: string): number {
    return this.byPeer.get(peer)?.size ?? 0
  }
}
