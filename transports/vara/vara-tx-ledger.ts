/**
 * What we have handed to the modem in the current session and what the peer has acknowledged,
 * from VARA's `BUFFER n` reports (bytes queued in the modem and not yet acknowledged).
 *
 * Each report states one change (EA5HVK: sent "when data is queued and when acked bytes are
 * removed"): a rise means the modem took bytes from the data port, a fall means the peer acked
 * that many. Summing the falls gives the acknowledged stream offset, so we know exactly which of
 * our frames reached the peer, and which must be sent again if the session or the modem dies.
 *
 * One fall is ambiguous: a modem that drops a session may first report `BUFFER 0` for the bytes
 * it discarded. So a fall to 0 is provisional until {@link TxLedger.confirm}: the session layer
 * confirms it on the next line that is neither `DISCONNECTED` nor `PTT` (the modem keys up for the
 * frames of a teardown too), or when it sends `DISCONNECT` itself (only ever after the buffer
 * drained); a session that ends before that re-sends those frames. A duplicate is harmless (blocks
 * and transactions are deduplicated by hash), a loss is not.
 *
 * @packageDocumentation
 */

interface InFlight<T> {
  readonly item: T
  /** Stream offset just after this item, bytes. */
  readonly end: number
}

/** Items written to the modem in one session, until acknowledged. */
export class TxLedger<T> {
  private written = 0 // bytes handed to the data port this session
  private acked = 0 // bytes the peer acknowledged (committed)
  private provisional = 0 // a fall to 0 not yet confirmed, bytes
  private reported = 0 // last BUFFER value
  private inFlight: InFlight<T>[] = []

  /** Bytes in the modem or on the way to it, not yet acknowledged (as far as back-pressure goes). */
  get held(): number {
    return this.written - this.acked - this.provisional
  }

  /** Notes `bytes` of `item` written to the data port. */
  record(item: T, bytes: number): void {
    this.written += bytes
    this.inFlight.push({ item, end: this.written })
  }

  /**
   * Applies a `BUFFER n` report; returns the items it fully acknowledges (none for a rise, and
   * none yet for a fall to 0, which waits for {@link confirm}).
   */
  onBuffer(n: number): T[] {
    const before = this.reported
    this.reported = n
    if (n >= before) return []
    if (n === 0) {
      this.provisional = Math.min(before, this.written - this.acked)
      return []
    }
    return this.advance(before - n)
  }

  /** A line other than DISCONNECTED followed: a pending fall to 0 was a real acknowledgement. */
  confirm(): T[] {
    const bytes = this.provisional
    this.provisional = 0
    return bytes > 0 ? this.advance(bytes) : []
  }

  /** The session is over: returns the unacknowledged items, oldest first, and starts afresh. */
  end(): T[] {
    const left = this.inFlight.map((f) => f.item)
    this.inFlight = []
    this.written = this.acked = this.provisional = this.reported = 0
    return left
  }

  private advance(bytes: number): T[] {
    this.acked = Math.min(this.written, this.acked + bytes)
    let done = 0
    while (done < this.inFlight.length && (this.inFlight[done] as InFlight<T>).end <= this.acked) done++
    return this.inFlight.splice(0, done).map((f) => f.item)
  }
}
