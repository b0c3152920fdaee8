/**
 * One peer's ARQ session as the transport runs it: the pure sender and receiver, the one timer the
 * sender asks for, and the promise of each `send` (resolved when the peer has acknowledged every
 * segment of the message, rejected with `ERR_UNREACHABLE` when the sender gives up).
 *
 * @packageDocumentation
 */
import { TransportError } from '../errors.js'
import { DATA_HEADER_BYTES, encodeArqFrame, type ArqFrame } from './arq-frames.js'
import { ArqReceiver } from './arq-receiver.js'
import { ArqSender } from './arq-sender.js'
import type { ArqOptions } from './config.js'
import type { Clock, ClockTimer } from '../clock.js'

/** Per-peer counters for the link monitor. */
export interface ArqPeerCounters {
  framesSent: number
  framesAcked: number
  framesRetried: number
  framesLost: number
  /** Message bytes delivered over the time the sender was busy, bytes/s; undefined before the first. */
  goodputBytesPerSec: number | undefined
}

/** What a peer session needs from the transport. */
export interface ArqPeerHost {
  readonly clock: Clock
  /** Sends our information field to this peer in a UI frame; `onLeft` gets the end of its transmission. */
  transmit(info: Uint8Array, onLeft?: (endMs: number) => void): void
  /** A complete message from this peer. */
  deliver(message: Uint8Array): void
  /** Something to tell the link monitor: a round trip, a delivery or a failure. */
  report(event: { rttMs?: number; sendOk?: boolean; reason?: string }): void
}

interface Waiting {
  readonly bytes: number
  resolve(): void
  reject(e: unknown): void
}

/** The ARQ session with one peer. */
export class ArqPeer {
  private readonly sender: ArqSender
  private readonly receiver: ArqReceiver
  private timer: ClockTimer | undefined
  private nextId = 0
  private readonly waiting = new Map<number, Waiting>()
  private busySince: number | undefined // ms, when the sender last went from idle to busy
  private deliveredSinceBusy = 0 // bytes
  private goodput: number | undefined // bytes/s
  private closed = false
  private flushQueued = false

  /**
   * @param callsign - the peer, formatted (`N0CALL-7`)
   * @param arq - window, PACLEN, timers
   * @param mtu - largest message accepted from the peer
   * @param host - frames out, messages in, reports
   * @param random - uniform [0, 1) for session ids
   */
  constructor(
    readonly callsign: string,
    arq: ArqOptions,
    mtu: number,
    private readonly host: ArqPeerHost,
    random: () => number,
  ) {
    const now = host.clock.now()
    this.sender = new ArqSender(
      {
        window: arq.window, segmentBytes: arq.paclen - DATA_HEADER_BYTES, retries: arq.retries,
        t1: { initialMs: arq.t1InitialMs, minMs: arq.t1MinMs, maxMs: arq.t1MaxMs },
        keepaliveMs: arq.keepaliveMs, idleDisconnectMs: arq.idleDisconnectMs,
      },
      {
        transmit: (frame) => this.transmit(frame),
        delivered: (id, bytes) => this.delivered(id, bytes),
        failed: (ids, reason) => this.failed(ids, reason),
        rtt: (ms) => host.report({ rttMs: ms }),
      },
      random,
      now,
    )
    this.receiver = new ArqReceiver(mtu, {
      deliver: (m) => host.deliver(m),
      transmit: (frame) => host.transmit(encodeArqFrame(frame)),
      problem: (reason) => host.report({ reason }),
    }, now)
  }

  /** Payload bytes of messages not yet acknowledged. */
  pendingBytes(): number {
    let n = 0
    for (const w of this.waiting.values()) n += w.bytes
    return n
  }

  /** True while messages to this peer are queued or in flight. */
  busy(): boolean {
    return this.sender.busy()
  }

  /** When this peer was last heard, ms. */
  lastHeard(): number {
    return this.receiver.lastHeard
  }

  /** Counters for the link monitor. */
  counters(): ArqPeerCounters {
    const s = this.sender.stats()
    return {
      framesSent: s.segmentsSent, framesAcked: s.segmentsAcked, framesRetried: s.segmentsRetried,
      framesLost: s.segmentsLost, goodputBytesPerSec: this.goodput,
    }
  }

  /** Sends a message reliably; resolves when the peer has it all. */
  send(message: Uint8Array, signal?: AbortSignal): Promise<void> {
    const id = this.nextId++
    const now = this.host.clock.now()
    if (!this.sender.busy()) {
      this.busySince = now
      this.deliveredSinceBusy = 0
    }
    const done = new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { bytes: message.length, resolve, reject })
    })
    this.sender.enqueue(id, message, now)
    if (!this.flushQueued) {
      // Every send of this tick joins one batch: one keyup and one poll instead of one per message.
      this.flushQueued = true
      queueMicrotask(() => {
        this.flushQueued = false
        this.sender.flush()
        this.reschedule()
      })
    }
    if (signal === undefined) return done
    const onAbort = (): void => {
      this.sender.cancel(id) // only if not started; a message in flight finishes but nobody waits for it
      this.settle(id)?.reject(new TransportError('ERR_ABORTED', `send to ${this.callsign} aborted`, { cause: signal.reason }))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    return done.finally(() => signal.removeEventListener('abort', onAbort))
  }

  /** Handles an ARQ frame from this peer. */
  onFrame(frame: Exclude<ArqFrame, { type: 'datagram' }>): void {
    const now = this.host.clock.now()
    if (frame.type === 'ack') this.sender.onAck(frame, now)
    else this.receiver.onFrame(frame, now)
    this.reschedule()
  }

  /** Ends the session: every waiting send rejects with `error`, timers stop. */
  close(error: TransportError): void {
    this.timer?.cancel()
    this.timer = undefined
    for (const id of [...this.waiting.keys()]) this.settle(id)?.reject(error)
    this.closed = true
    this.sender.abandon(error.message)
  }

  private transmit(frame: ArqFrame): void {
    const polls = frame.type === 'poll' || (frame.type === 'data' && frame.poll)
    const pollNo = frame.type === 'poll' || frame.type === 'data' ? frame.pollNo : 0
    const onLeft = polls
      ? (endMs: number) => {
          this.sender.pollSent(pollNo, endMs)
          this.reschedule()
        }
      : undefined
    this.host.transmit(encodeArqFrame(frame), onLeft)
  }

  private delivered(id: number, bytes: number): void {
    this.deliveredSinceBusy += bytes
    const now = this.host.clock.now()
    if (this.busySince !== undefined && now > this.busySince) this.goodput = (this.deliveredSinceBusy * 1000) / (now - this.busySince)
    this.settle(id)?.resolve()
    this.host.report({ sendOk: true })
  }

  private failed(ids: number[], reason: string): void {
    for (const id of ids) this.settle(id)?.reject(new TransportError('ERR_UNREACHABLE', `${this.callsign} did not acknowledge: ${reason}`))
    if (!this.closed) this.host.report({ sendOk: false, reason })
  }

  private settle(id: number): Waiting | undefined {
    const w = this.waiting.get(id)
    this.waiting.delete(id)
    return w
  }

  /** Arms the one timer for the sender's next deadline. */
  private reschedule(): void {
    this.timer?.cancel()
    this.timer = undefined
    const due = this.sender.nextDeadline()
    if (due === undefined) return
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = undefined
      this.sender.onTimer(this.host.clock.now())
      this.reschedule()
    }, due - this.host.clock.now())
  }
}
