/**
 * Messages from a sender the link cannot name yet (a TCP peer that dialled us speaks from an
 * ephemeral port until its `hello` arrives), held briefly so a hello that arrives a moment later
 * still gets them delivered in order. Bounded in count, bytes and time: anything beyond is dropped
 * and the sender's retry brings it again.
 *
 * @packageDocumentation
 */
import type { Inbound } from './router.js'

/** Most messages held over all senders. */
const MAX_HELD = 64
/** Most bytes held over all senders. */
const MAX_HELD_BYTES = 256 * 1024
/** How long a message waits for its sender's hello, ms. */
const HOLD_MS = 30_000

type Held = Omit<Inbound, 'peer'> & { heldAt: number }

/** Held messages of unnamed senders. */
export class Unidentified {
  private held: Held[] = []
  private bytes = 0

  /** Holds `m` (received `now`, ms); false when there is no room. */
  hold(m: Omit<Inbound, 'peer'>, now: number): boolean {
    this.expire(now)
    if (this.held.length >= MAX_HELD || this.bytes + m.bytes > MAX_HELD_BYTES) return false
    this.held.push({ ...m, heldAt: now })
    this.bytes += m.bytes
    return true
  }

  /** Takes out, oldest first, what `from` sent on `link` and is still within its time at `now` (ms). */
  release(link: string, from: string, now: number): Omit<Inbound, 'peer'>[] {
    this.expire(now)
    const mine = this.held.filter((h) => h.link === link && h.from === from)
    if (mine.length === 0) return []
    this.held = this.held.filter((h) => !mine.includes(h))
    this.bytes -= mine.reduce((n, h) => n + h.bytes, 0)
    return mine.map(({ heldAt: _at, ...m }) => m)
  }

  private expire(now: number): void {
    const keep = this.held.filter((h) => now - h.heldAt <= HOLD_MS)
    this.bytes = keep.reduce((n, h) => n + h.bytes, 0)
    this.held = keep
  }
}
