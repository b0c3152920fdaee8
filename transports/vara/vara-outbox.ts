/**
 * Frames waiting for a VARA session, one queue per peer callsign, bounded in bytes.
 *
 * An entry is either still the caller's (its `send()` is waiting for room in the modem; it has a
 * waiter) or already ours (the modem took it, `send()` resolved, and it came back because the
 * session or the modem died before the peer acknowledged it). Peers are served oldest frame first.
 *
 * @packageDocumentation
 */
import { encodeLengthPrefixed } from '../../codecs/length-prefix.js'
import { TransportError } from '../errors.js'

/** A frame for a peer. */
export interface OutboundFrame {
  /** Peer callsign. */
  readonly peer: string
  readonly payload: Uint8Array
}

interface Waiter {
  readonly resolve: () => void
  readonly reject: (e: TransportError) => void
  readonly cleanup: () => void
}

/** A queued frame. */
export interface OutboxEntry extends OutboundFrame {
  /** The payload with its length prefix, as written to the data port. */
  readonly wire: Uint8Array
  /** Arrival order: lower is older. */
  readonly seq: number
  /** Present while the caller's `send()` waits. */
  waiter?: Waiter
}

/** The per-peer queues. */
export class Outbox {
  private readonly queues = new Map<string, OutboxEntry[]>()
  private queued = 0 // payload bytes of every entry
  private nextSeq = 0

  /** @param maxBytes - bound of queued payload bytes */
  constructor(private readonly maxBytes: number) {}

  /** Payload bytes queued. */
  get bytes(): number {
    return this.queued
  }

  /**
   * Queues `payload` for `peer`; the promise settles when the frame is handed to the modem
   * ({@link written}) or given back ({@link rejectWaiting}, abort).
   */
  add(peer: string, payload: Uint8Array, signal?: AbortSignal): Promise<void> {
    if (this.queued + payload.length > this.maxBytes) {
      return Promise.reject(new TransportError('ERR_QUEUE_FULL', `VARA queue holds ${this.queued} bytes; ${payload.length} more exceed the ${this.maxBytes}-byte bound`))
    }
    return new Promise((resolve, reject) => {
      const entry: OutboxEntry = { peer, payload, wire: encodeLengthPrefixed(payload), seq: this.nextSeq++ }
      const onAbort = (): void => {
        this.remove(entry)
        reject(new TransportError('ERR_ABORTED', `send to ${peer} aborted before the modem took it`, { cause: signal?.reason }))
      }
      const cleanup = (): void => signal?.removeEventListener('abort', onAbort)
      entry.waiter = { resolve, reject, cleanup }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.push(entry)
    })
  }

  /** Peers with queued frames, the one with the oldest frame first; `eligible` filters. */
  peers(eligible: (peer: string) => boolean = () => true): string[] {
    return [...this.queues.entries()]
      .filter(([peer]) => eligible(peer))
      .sort(([, a], [, b]) => (a[0]?.seq ?? 0) - (b[0]?.seq ?? 0))
      .map(([peer]) => peer)
  }

  /** True when frames for `peer` are queued. */
  has(peer: string): boolean {
    return this.queues.has(peer)
  }

  /** The next frame for `peer`, still queued. */
  head(peer: string): OutboxEntry | undefined {
    return this.queues.get(peer)?.[0]
  }

  /** Removes the next frame of `peer` because the modem took it; its `send()` resolves. */
  written(peer: string): OutboxEntry | undefined {
    const entry = this.head(peer)
    if (entry === undefined) return undefined
    this.remove(entry)
    entry.waiter?.cleanup()
    entry.waiter?.resolve()
    delete entry.waiter
    return entry
  }

  /** Puts frames the peer never acknowledged back at the front of their queues, in order. */
  requeue(entries: readonly OutboxEntry[]): void {
    for (const entry of [...entries].reverse()) {
      const q = this.queues.get(entry.peer) ?? []
      q.unshift(entry)
      this.queues.set(entry.peer, q)
      this.queued += entry.payload.length
    }
  }

  /** Rejects and drops every frame still waiting in `send()` (of `peer`, or of all peers). */
  rejectWaiting(error: TransportError, peer?: string): void {
    for (const q of [...this.queues.values()]) {
      for (const entry of [...q]) {
        if (entry.waiter === undefined || (peer !== undefined && entry.peer !== peer)) continue
        this.remove(entry)
        entry.waiter.cleanup()
        entry.waiter.reject(error)
      }
    }
  }

  /** Removes and returns the frames the transport owns (accepted earlier, not acknowledged). */
  takeAccepted(): OutboundFrame[] {
    const out: OutboundFrame[] = []
    for (const q of [...this.queues.values()]) {
      for (const entry of [...q]) {
        if (entry.waiter !== undefined) continue
        this.remove(entry)
        out.push({ peer: entry.peer, payload: entry.payload })
      }
    }
    return out
  }

  private push(entry: OutboxEntry): void {
    const q = this.queues.get(entry.peer) ?? []
    q.push(entry)
    this.queues.set(entry.peer, q)
    this.queued += entry.payload.length
  }

  private remove(entry: OutboxEntry): void {
    const q = this.queues.get(entry.peer)
    const i = q?.indexOf(entry) ?? -1
    if (q === undefined || i < 0) return
    q.splice(i, 1)
    this.queued -= entry.payload.length
    if (q.length === 0) this.queues.delete(entry.peer)
  }
}
