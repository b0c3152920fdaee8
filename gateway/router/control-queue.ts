/**
 * Transient outbound messages per peer: protocol control (hello, requests, acks) and the answers to
 * requests (headers, bodies, compact-block transactions). None of them must survive a restart: the
 * asker asks again when its request times out. Ordered by class priority, FIFO inside a class, and
 * bounded per peer so a peer that asks faster than the link carries cannot grow memory.
 *
 * @packageDocumentation
 */
import type { WireMessage } from '../../codecs/envelope.js'
import { classPriority, type MessageClass } from '../store/message-class.js'

/** Default most transient messages waiting per peer. */
export const DEFAULT_MAX_CONTROL_PER_PEER = 256

/** One transient message. */
export interface ControlItem {
  msg: WireMessage
  cls: MessageClass
  /** A queued item with the same key is replaced (e.g. the latest hello, the merged acks). */
  key?: string
  /** Only on this link (a probe); otherwise the policy chooses. */
  link?: string
}

/** Per-peer priority queues of transient messages. */
export class ControlQueue {
  private readonly queues = new Map<string, ControlItem[]>()

  /** @param maxPerPeer - most items per peer; the newest lowest-priority item is dropped beyond it */
  constructor(private readonly maxPerPeer = DEFAULT_MAX_CONTROL_PER_PEER) {}

  /** Queues `item` for `peer`; returns false if it was dropped because the queue is full. */
  push(peer: string, item: ControlItem): boolean {
    const q = this.queues.get(peer) ?? []
    this.queues.set(peer, q)
    const same = item.key === undefined ? -1 : q.findIndex((i) => i.key === item.key)
    if (same >= 0) q.splice(same, 1)
    const at = q.findIndex((i) => classPriority(i.cls) > classPriority(item.cls))
    q.splice(at < 0 ? q.length : at, 0, item)
    if (q.length <= this.maxPerPeer) return true
    return q.pop() !== item
  }

  /** The first `limit` items for `peer` in send order. */
  peek(peer: string, limit: number): ControlItem[] {
    return (this.queues.get(peer) ?? []).slice(0, limit)
  }

  /** Removes `item` (sent); no-op if it was replaced meanwhile. */
  remove(peer: string, item: ControlItem): void {
    const q = this.queues.get(peer)
    const i = q?.indexOf(item) ?? -1
    if (q === undefined || i < 0) return
    q.splice(i, 1)
    if (q.length === 0) this.queues.delete(peer)
  }

  /** The item with `key` for `peer`, if queued. */
  find(peer: string, key: string): ControlItem | undefined {
    return this.queues.get(peer)?.find((i) => i.key === key)
  }

  /** Peers with something waiting. */
  peers(): string[] {
    return [...this.queues.keys()]
  }

  /** Items waiting for `peer`. */
  size(peer: string): number {
    return this.queues.get(peer)?.length ?? 0
  }
}
