/**
 * Byte-stream bookkeeping of one ARQ session: the outgoing queue (sent or not, until acked) and
 * the in-order position of the incoming stream. Offsets count bytes since the session began.
 *
 * @packageDocumentation
 */

/** Both directions of a session's byte stream. */
export class VaraStreams {
  private chunks: Uint8Array[] = [] // outgoing bytes not yet acked, oldest first
  private queued = 0 // bytes in `chunks`
  private base = 0 // stream offset of the first queued byte
  private expected = 0 // next offset of the peer's stream

  /** Outgoing bytes not yet acknowledged (what BUFFER reports). */
  get pending(): number {
    return this.queued
  }

  /** Offset of the first unacknowledged outgoing byte (the `seq` of the next data frame). */
  get txBase(): number {
    return this.base
  }

  /** Bytes of the peer's stream received in order (our cumulative ack). */
  get rxNext(): number {
    return this.expected
  }

  /** Queues outgoing bytes (copied). */
  push(bytes: Uint8Array): void {
    this.chunks.push(bytes.slice())
    this.queued += bytes.length
  }

  /** The first `max` unacknowledged bytes, for the next data frame. */
  peek(max: number): Uint8Array {
    const n = Math.min(max, this.queued)
    const out = new Uint8Array(n)
    let at = 0
    for (const c of this.chunks) {
      if (at >= n) break
      const part = c.subarray(0, n - at)
      out.set(part, at)
      at += part.length
    }
    return out
  }

  /** Applies the peer's cumulative ack; returns how many queued bytes it released. */
  ack(upTo: number): number {
    let drop = Math.min(upTo - this.base, this.queued)
    if (drop <= 0) return 0
    const released = drop
    this.base += drop
    this.queued -= drop
    while (drop > 0) {
      const head = this.chunks[0] as Uint8Array
      if (head.length > drop) {
        this.chunks[0] = head.subarray(drop)
        break
      }
      this.chunks.shift()
      drop -= head.length
    }
    return released
  }

  /** Takes a received payload at `seq`; returns the bytes new to us, in order (maybe empty). */
  receive(seq: number, payload: Uint8Array): Uint8Array {
    const fresh = seq + payload.length - this.expected
    // A gap (impossible in stop-and-wait) or a repeat brings nothing new.
    if (seq > this.expected || fresh <= 0) return payload.subarray(0, 0)
    this.expected += fresh
    return payload.subarray(payload.length - fresh)
  }

  /** Forgets everything (new or ended session). */
  clear(): void {
    this.chunks = []
    this.queued = 0
    this.base = 0
    this.expected = 0
  }
}
