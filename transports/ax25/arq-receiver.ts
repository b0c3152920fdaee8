/**
 * The receiving half of the selective-repeat ARQ (docs/PROTOCOL.md §13), one per peer. Pure: no
 * I/O, no timers. It buffers segments up to {@link RECEIVE_AHEAD} past the first missing one,
 * hands complete messages on in order once their CRC-32 checks, and answers every poll with one
 * acknowledgement (cumulative `next` plus a bitmap).
 *
 * A session starts implicitly: the first frame with a new session id resets the state to
 * sequence 0 (no connect round trip on a slow channel). The last few session ids replaced are
 * remembered, so a late frame of an old session cannot reset a newer one.
 *
 * Memory is bounded by `RECEIVE_AHEAD` segments plus one message of `maxMessageBytes`.
 *
 * @packageDocumentation
 */
import { crc32 } from '../../codecs/fragment.js'
import { ACK_BITMAP_MAX_BITS, seqAdd, seqDiff, type ArqFrame } from './arq-frames.js'
import { MESSAGE_CHECK_BYTES } from './arq-sender.js'

/** Segments accepted past the first missing one (the sender's window is at most 127). */
export const RECEIVE_AHEAD = 128
/** Replaced session ids remembered. */
const RETIRED_SESSIONS = 8

/** Where a receiver's output goes. */
export interface ArqReceiverSink {
  /** A complete, checked message. */
  deliver(message: Uint8Array): void
  /** An acknowledgement to send. */
  transmit(frame: ArqFrame): void
  /** Something the peer sent was wrong (checksum, size); the message is dropped. */
  problem(reason: string): void
}

/** Counters since creation. */
export interface ArqReceiverStats {
  /** New data segments stored. */
  segmentsReceived: number
  /** Data segments that were already here (our ack was lost). */
  duplicates: number
  /** Messages delivered. */
  messages: number
  /** Messages dropped (bad CRC-32, too long). */
  dropped: number
}

/** Receiving half of one peer's ARQ session. */
export class ArqReceiver {
  private session: number | undefined
  private next = 0 // first sequence number not yet received
  private readonly buffer = new Map<number, { payload: Uint8Array; end: boolean }>()
  private readonly retired: number[] = []
  private parts: Uint8Array[] = []
  private partBytes = 0
  private discarding = false // skipping the rest of an over-long message
  private heard: number // ms
  private readonly counters: ArqReceiverStats = { segmentsReceived: 0, duplicates: 0, messages: 0, dropped: 0 }

  /**
   * @param maxMessageBytes - largest message accepted (the transport's MTU)
   * @param sink - messages, acks and problems
   * @param now - creation time, ms
   */
  constructor(
    private readonly maxMessageBytes: number,
    private readonly sink: ArqReceiverSink,
    now: number,
  ) {
    this.heard = now
  }

  /** When the peer was last heard, ms. */
  get lastHeard(): number {
    return this.heard
  }

  /** Counters since creation. */
  stats(): ArqReceiverStats {
    return { ...this.counters }
  }

  /** Handles a data, poll or close frame from the peer. */
  onFrame(frame: Extract<ArqFrame, { type: 'data' | 'poll' | 'close' }>, now: number): void {
    this.heard = now
    if (frame.type === 'close') {
      if (frame.session === this.session) this.retire()
      return
    }
    if (!this.adopt(frame.session)) return
    if (frame.type === 'data') this.store(frame.seq, frame.payload, frame.end)
    if (frame.type === 'poll' || frame.poll) this.acknowledge(frame.pollNo)
  }

  /** Switches to `session` if it is new; false for a session replaced earlier. */
  private adopt(session: number): boolean {
    if (session === this.session) return true
    if (this.retired.includes(session)) return false
    this.retire()
    this.session = session
    return true
  }

  /** Forgets the current session (remembering its id) and starts empty. */
  private retire(): void {
    if (this.session !== undefined) {
      this.retired.push(this.session)
      if (this.retired.length > RETIRED_SESSIONS) this.retired.shift()
    }
    this.session = undefined
    this.next = 0
    this.buffer.clear()
    this.resetMessage(false)
  }

  private store(seq: number, payload: Uint8Array, end: boolean): void {
    const ahead = seqDiff(seq, this.next)
    if (ahead < 0 || this.buffer.has(seq)) {
      this.counters.duplicates++
      return
    }
    if (ahead >= RECEIVE_AHEAD) return // beyond any window: the sender is confused; the ack shows what we have
    this.buffer.set(seq, { payload, end })
    this.counters.segmentsReceived++
    for (let s = this.buffer.get(this.next); s !== undefined; s = this.buffer.get(this.next)) {
      this.buffer.delete(this.next)
      this.next = seqAdd(this.next, 1)
      this.append(s.payload, s.end)
    }
  }

  /** Adds an in-order segment to the message being assembled. */
  private append(payload: Uint8Array, end: boolean): void {
    if (this.discarding) {
      if (end) this.discarding = false
      return
    }
    this.parts.push(payload)
    this.partBytes += payload.length
    if (this.partBytes > this.maxMessageBytes + MESSAGE_CHECK_BYTES) {
      this.drop(`message longer than ${this.maxMessageBytes} bytes`)
      this.resetMessage(!end)
      return
    }
    if (end) this.finish()
  }

  private finish(): void {
    const stream = new Uint8Array(this.partBytes)
    let at = 0
    for (const part of this.parts) {
      stream.set(part, at)
      at += part.length
    }
    this.resetMessage(false)
    const bodyLength = stream.length - MESSAGE_CHECK_BYTES
    if (bodyLength < 0) return this.drop(`message of ${stream.length} bytes cannot hold its CRC-32`)
    const message = stream.subarray(0, bodyLength)
    const sent = new DataView(stream.buffer, bodyLength, MESSAGE_CHECK_BYTES).getUint32(0)
    if (sent !== crc32(message)) return this.drop('message CRC-32 mismatch')
    this.counters.messages++
    this.sink.deliver(message)
  }

  private drop(reason: string): void {
    this.counters.dropped++
    this.sink.problem(reason)
  }

  private resetMessage(discardRest: boolean): void {
    this.parts = []
    this.partBytes = 0
    this.discarding = discardRest
  }

  private acknowledge(pollNo: number): void {
    if (this.session === undefined) return
    const selective = [...this.buffer.keys()]
      .filter((seq) => seqDiff(seq, this.next) <= ACK_BITMAP_MAX_BITS)
      .sort((a, b) => seqDiff(a, b))
    this.sink.transmit({ type: 'ack', session: this.session, pollNo, next: this.next, selective })
  }
}
