/**
 * The sending half of the selective-repeat ARQ (docs/PROTOCOL.md §13), one per peer. Pure: no
 * I/O and no timers of its own. Time comes in as arguments, frames and outcomes go out through a
 * sink, and {@link ArqSender.nextDeadline} says when {@link ArqSender.onTimer} must run next.
 *
 * The cycle, built for a half-duplex channel behind a KISS TNC that queues frames:
 * 1. Send a batch: the segments the last acknowledgement showed missing, then new segments while
 *    fewer than `window` are unacknowledged. The last frame of the batch carries a poll.
 * 2. When the TNC reports that the polling frame has left (`pollSent`), start T1.
 * 3. The receiver answers the poll with one ack: everything before `next` arrived, plus a bitmap of
 *    what arrived after. Every segment sent before the poll and not acknowledged is lost; it goes
 *    into the next batch. Back to 1.
 * 4. T1 expires: send a small poll frame (not a data segment) and back off T1. After `retries`
 *    unanswered polls, or a segment sent `retries + 1` times, the peer is unreachable: every
 *    message in flight fails and a new session starts.
 * Between transfers the sender probes an idle peer every `keepaliveMs` and closes the session
 * after `idleDisconnectMs` without data.
 *
 * @packageDocumentation
 */
import { crc32 } from '../../codecs/fragment.js'
import { POLL_MODULUS, SEQ_MODULUS, seqAdd, seqDiff, type ArqFrame } from './arq-frames.js'
import { RttEstimator, type RttBounds } from './rtt-estimator.js'

/** Bytes of the CRC-32 appended to every message before segmentation. */
export const MESSAGE_CHECK_BYTES = 4

/** Settings of one sender. */
export interface ArqSenderOptions {
  /** Most unacknowledged segments. */
  window: number
  /** Payload bytes per segment (PACLEN minus the data header). */
  segmentBytes: number
  /** Unanswered polls, or retransmissions of one segment, before giving up. */
  retries: number
  t1: RttBounds
  /** Probe an idle peer after this long without hearing it, ms. */
  keepaliveMs: number
  /** Close the session after this long without data, ms. */
  idleDisconnectMs: number
}

/** Where a sender's output goes. */
export interface ArqSenderSink {
  /** Sends a frame. A frame with a poll (data with `poll`, or a poll frame) must be reported through `pollSent` once on air. */
  transmit(frame: ArqFrame): void
  /** The peer has every segment of this message. */
  delivered(messageId: number, bytes: number): void
  /** These messages will not be delivered (the list is empty when a keepalive probe failed). */
  failed(messageIds: number[], reason: string): void
  /** A measured round trip from the end of a polling frame to its answer, ms. */
  rtt(ms: number): void
}

/** Counters since creation. */
export interface ArqSenderStats {
  /** Data segments sent for the first time. */
  segmentsSent: number
  /** Data segments sent again. */
  segmentsRetried: number
  /** Data segments the peer acknowledged. */
  segmentsAcked: number
  /** Data segments an acknowledgement showed missing. */
  segmentsLost: number
  /** Poll frames sent (T1 expiries and keepalives). */
  polls: number
  /** Message bytes delivered. */
  bytesDelivered: number
}

interface Segment {
  readonly seq: number
  readonly messageId: number
  /** Message length, on the last segment of a message only. */
  readonly messageBytes?: number
  readonly payload: Uint8Array
  state: 'inflight' | 'lost' | 'acked'
  tries: number
}

interface Pending {
  readonly id: number
  readonly length: number
  readonly stream: Uint8Array // message ‖ CRC-32
  offset: number
}

interface Poll {
  readonly no: number
  /** Sender's next new sequence number when the poll was sent: everything before it was sent. */
  readonly next: number
  /** When the polling frame ended on air, ms. */
  sentAt?: number
  deadline?: number
}

/** Sending half of one peer's ARQ session. */
export class ArqSender {
  private session: number
  private nextSeq = 0
  private una = 0 // oldest unacknowledged sequence number
  private readonly segments = new Map<number, Segment>() // una ..< nextSeq, in sequence order
  private readonly queue: Pending[] = []
  private poll: Poll | undefined
  private pollCounter = 0
  private unanswered = 0 // consecutive T1 expiries
  private probing = false // the outstanding poll is a keepalive
  private open = false // the session has carried data since it was last closed
  private lastData: number // ms
  private lastHeard: number // ms
  private readonly estimator: RttEstimator
  private readonly counters: ArqSenderStats = { segmentsSent: 0, segmentsRetried: 0, segmentsAcked: 0, segmentsLost: 0, polls: 0, bytesDelivered: 0 }

  /**
   * @param options - window, segment size, retries, T1 bounds, keepalive and idle timers
   * @param sink - frames and outcomes
   * @param random - uniform [0, 1) for session ids
   * @param now - creation time, ms
   */
  constructor(
    private readonly options: ArqSenderOptions,
    private readonly sink: ArqSenderSink,
    private readonly random: () => number,
    now: number,
  ) {
    this.session = this.newSessionId()
    this.lastData = now
    this.lastHeard = now
    this.estimator = new RttEstimator(options.t1)
  }

  /** Current session id. */
  get sessionId(): number {
    return this.session
  }

  /** Smoothed round trip, ms, once measured. */
  get srttMs(): number | undefined {
    return this.estimator.smoothedMs
  }

  /** Current T1, ms. */
  get t1Ms(): number {
    return this.estimator.timeoutMs()
  }

  /** Messages queued or in flight. */
  busy(): boolean {
    return this.segments.size > 0 || this.queue.length > 0
  }

  /** Counters since creation. */
  stats(): ArqSenderStats {
    return { ...this.counters }
  }

  /**
   * Queues a message; `messageId` is the caller's and is handed back in `delivered`/`failed`.
   * Nothing is sent until {@link flush}, so messages queued together share one batch and one poll.
   */
  enqueue(messageId: number, message: Uint8Array, now: number): void {
    const stream = new Uint8Array(message.length + MESSAGE_CHECK_BYTES)
    stream.set(message)
    new DataView(stream.buffer).setUint32(message.length, crc32(message))
    this.queue.push({ id: messageId, length: message.length, stream, offset: 0 })
    if (!this.open) this.lastHeard = now
    this.open = true
    this.lastData = now
  }

  /** Sends a batch now if no poll is outstanding (else it goes when the poll is answered). */
  flush(): void {
    this.pump()
  }

  /** Removes a message that has not started yet; false if it has (it will finish or fail). */
  cancel(messageId: number): boolean {
    const i = this.queue.findIndex((p) => p.id === messageId && p.offset === 0)
    if (i < 0) return false
    this.queue.splice(i, 1)
    return true
  }

  /** The frame carrying poll `pollNo` finished transmitting at `atMs`: T1 starts. */
  pollSent(pollNo: number, atMs: number): void {
    const poll = this.poll
    if (poll === undefined || poll.no !== pollNo || poll.sentAt !== undefined) return
    poll.sentAt = atMs
    poll.deadline = atMs + this.estimator.timeoutMs()
  }

  /** Handles an acknowledgement from the peer. */
  onAck(ack: Extract<ArqFrame, { type: 'ack' }>, now: number): void {
    if (ack.session !== this.session) return // for an older session of ours
    if (seqDiff(ack.next, this.una) < 0 || seqDiff(this.nextSeq, ack.next) < 0) return // outside what is in flight
    this.lastHeard = now
    if (ack.next !== this.una) this.lastData = now
    this.ackThrough(ack.next)
    for (const seq of ack.selective) this.markAcked(this.segments.get(seq))
    const poll = this.poll
    if (poll !== undefined && ack.pollNo === poll.no) {
      if (poll.sentAt !== undefined) this.measured(Math.max(0, now - poll.sentAt))
      this.markLostBefore(poll.next)
      this.pollAnswered()
    } else if (poll !== undefined && !this.probing && this.una === this.nextSeq) {
      this.pollAnswered() // everything is acknowledged: the outstanding poll's answer adds nothing
    }
  }

  /** Runs the timers that are due at `now` (T1, keepalive, idle disconnect). */
  onTimer(now: number): void {
    const poll = this.poll
    if (poll !== undefined) {
      if (poll.deadline === undefined || now < poll.deadline) return
      this.estimator.expired()
      this.unanswered++
      if (this.unanswered > this.options.retries) {
        this.giveUp(`no answer to ${this.options.retries} polls`)
        return
      }
      this.sendPoll()
      return
    }
    if (!this.open || this.busy()) return
    if (now >= this.lastData + this.options.idleDisconnectMs) {
      this.sink.transmit({ type: 'close', session: this.session })
      this.restart()
    } else if (now >= this.lastHeard + this.options.keepaliveMs) {
      this.probing = true
      this.sendPoll()
    }
  }

  /** When {@link onTimer} must run next, ms; undefined when nothing is timed. */
  nextDeadline(): number | undefined {
    if (this.poll !== undefined) return this.poll.deadline
    if (!this.open || this.busy()) return undefined
    return Math.min(this.lastHeard + this.options.keepaliveMs, this.lastData + this.options.idleDisconnectMs)
  }

  /** Fails everything in flight with `reason` and starts a new session (link lost, transport stopped). */
  abandon(reason: string): void {
    this.giveUp(reason)
  }

  /** Sends the next batch if no poll is outstanding. */
  private pump(): void {
    if (this.poll !== undefined) return
    const batch: Segment[] = []
    for (const segment of this.segments.values()) {
      if (segment.state !== 'lost') continue
      if (segment.tries > this.options.retries) {
        this.giveUp(`segment ${segment.seq} lost ${segment.tries} times`)
        return
      }
      segment.tries++
      segment.state = 'inflight'
      this.counters.segmentsRetried++
      batch.push(segment)
    }
    while (seqDiff(this.nextSeq, this.una) < this.options.window && this.queue.length > 0) {
      batch.push(this.cut())
      this.counters.segmentsSent++
    }
    if (batch.length === 0) return
    const pollNo = this.startPoll()
    batch.forEach((s, i) => {
      const last = i === batch.length - 1
      this.sink.transmit({
        type: 'data', session: this.session, seq: s.seq, poll: last, pollNo: last ? pollNo : 0,
        end: s.messageBytes !== undefined, payload: s.payload,
      })
    })
  }

  /** Cuts the next segment from the head of the queue. */
  private cut(): Segment {
    const head = this.queue[0] as Pending
    const payload = head.stream.subarray(head.offset, head.offset + this.options.segmentBytes)
    head.offset += payload.length
    const end = head.offset >= head.stream.length
    if (end) this.queue.shift()
    const segment: Segment = {
      seq: this.nextSeq, messageId: head.id, payload, state: 'inflight', tries: 1,
      ...(end ? { messageBytes: head.length } : {}),
    }
    this.segments.set(segment.seq, segment)
    this.nextSeq = seqAdd(this.nextSeq, 1)
    return segment
  }

  private startPoll(): number {
    this.pollCounter = (this.pollCounter + 1) % POLL_MODULUS
    this.poll = { no: this.pollCounter, next: this.nextSeq }
    return this.pollCounter
  }

  private sendPoll(): void {
    const pollNo = this.startPoll()
    this.counters.polls++
    this.sink.transmit({ type: 'poll', session: this.session, pollNo, next: this.nextSeq })
  }

  private pollAnswered(): void {
    this.poll = undefined
    this.unanswered = 0
    this.probing = false
    this.pump()
  }

  private measured(rttMs: number): void {
    this.estimator.sample(rttMs)
    this.sink.rtt(rttMs)
  }

  /** Everything before `next` arrived: drop those segments and report finished messages. */
  private ackThrough(next: number): void {
    while (this.una !== next) {
      const segment = this.segments.get(this.una)
      this.segments.delete(this.una)
      this.markAcked(segment)
      if (segment?.messageBytes !== undefined) {
        this.counters.bytesDelivered += segment.messageBytes
        this.sink.delivered(segment.messageId, segment.messageBytes)
      }
      this.una = seqAdd(this.una, 1)
    }
  }

  private markAcked(segment: Segment | undefined): void {
    if (segment === undefined || segment.state === 'acked') return
    segment.state = 'acked'
    this.counters.segmentsAcked++
  }

  /** Segments sent before the answered poll and still unacknowledged are lost. */
  private markLostBefore(pollNext: number): void {
    for (const segment of this.segments.values()) {
      if (segment.state === 'inflight' && seqDiff(segment.seq, pollNext) < 0) {
        segment.state = 'lost'
        this.counters.segmentsLost++
      }
    }
  }

  private giveUp(reason: string): void {
    const ids = new Set<number>()
    for (const s of this.segments.values()) ids.add(s.messageId)
    for (const p of this.queue) ids.add(p.id)
    this.segments.clear()
    this.queue.length = 0
    this.restart()
    this.sink.failed([...ids], reason)
  }

  /** A fresh session: new id, sequence numbers from 0, nothing outstanding. */
  private restart(): void {
    this.session = this.newSessionId()
    this.nextSeq = 0
    this.una = 0
    this.poll = undefined
    this.unanswered = 0
    this.probing = false
    this.open = false
  }

  private newSessionId(): number {
    let id = Math.floor(this.random() * SEQ_MODULUS) % SEQ_MODULUS
    if (id === this.session) id = seqAdd(id, 1)
    return id
  }
}
