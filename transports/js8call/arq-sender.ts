/**
 * The sending half of our ARQ over JS8: stop-and-wait per directed message. A message goes out as
 * its planned transmissions; then we listen. The peer acks it, or names the fragments it lacks
 * (nack) and gets exactly those again; silence for `ackTimeoutPeriods` after our transmitter fell
 * silent (plus a random number of periods from a window that doubles each round, so two stations
 * that collided do not retry in lock step) earns a poll. After
 * `maxRounds` rounds the message is given up. One directed message at a time, because JS8 is half
 * duplex: while we send the next one we could not hear the ack of the last.
 *
 * Group messages (announcements) are sent once and not acked; they are kept for `retainSentMs` so a
 * member that missed fragments can ask for them, and gets them directed.
 *
 * `send` resolves when the first transmission is handed to JS8Call (the device has accepted it);
 * the outcome is reported later through `onOutcome`.
 *
 * @packageDocumentation
 */
import type { Result } from '../../codecs/result.js'
import { MESSAGE_ID_LIMIT } from '../../codecs/fragment.js'
import { TransportError } from '../errors.js'
import type { Clock, ClockTimer } from '../clock.js'
import type { LinkFrame } from './link-frame.js'
import type { TxScheduler } from './tx-scheduler.js'

/** How a message ended. */
export interface SendOutcome {
  readonly to: string
  readonly messageId: number
  /** Acked (directed) or fully handed over (group). */
  readonly ok: boolean
  /** Transmission rounds used (1 = no retransmission). */
  readonly rounds: number
  /** From the first transmission to the ack, ms. */
  readonly rttMs?: number
}

/** Tunables of an {@link ArqSender} (see the transport config). */
export interface ArqSenderOptions {
  readonly ackTimeoutPeriods: number
  readonly retryJitterPeriods: number
  readonly maxRounds: number
  readonly retainSentMs: number
  readonly maxQueueBytes: number
}

/** What the sender needs from the transport. */
export interface ArqSenderDeps {
  readonly clock: Clock
  readonly scheduler: TxScheduler
  /** Uniform [0, 1), for retry jitter. */
  readonly random: () => number
  /** The link frames of a payload (see fragment-plan.ts). */
  readonly plan: (payload: Uint8Array, messageId: number) => Result<LinkFrame[]>
  /** Current JS8 period, ms. */
  readonly periodMs: () => number
  /** When `call` was last heard, ms (a peer still talking is not yet answering). */
  readonly heardAt: (call: string) => number
  readonly isGroup: (to: string) => boolean
  readonly onOutcome: (outcome: SendOutcome) => void
}

/** Largest backoff window, JS8 periods. */
const MAX_JITTER_PERIODS = 16

interface Outgoing {
  readonly id: number
  readonly to: string
  readonly frames: readonly LinkFrame[]
  readonly bytes: number
  readonly resolve: () => void
  readonly reject: (e: TransportError) => void
  rounds: number
  sentAt?: number // ms: first transmission handed over
  settled: boolean
  /** Owner of a poll waiting in the scheduler (so hearing the peer can withdraw it). */
  poll?: object
}

interface Retained {
  readonly frames: readonly LinkFrame[]
  readonly until: number // ms
}

/** Outbound messages of one transport. */
export class ArqSender {
  private readonly queue: Outgoing[] = []
  private readonly retained = new Map<number, Retained>()
  private current?: Outgoing
  private ackTimer?: ClockTimer
  private nextId = 0

  /**
   * @param deps - scheduler, clock and callbacks
   * @param options - timing and limits
   */
  constructor(
    private readonly deps: ArqSenderDeps,
    private readonly options: ArqSenderOptions,
  ) {}

  /** Payload bytes waiting or in flight. */
  queuedBytes(): number {
    return this.queue.reduce((n, m) => n + m.bytes, this.current?.bytes ?? 0)
  }

  /** Queues `payload` for `to` (callsign or group); resolves when its first transmission is with JS8Call. */
  send(payload: Uint8Array, to: string, signal?: AbortSignal): Promise<void> {
    if (this.queuedBytes() + payload.length > this.options.maxQueueBytes) {
      return Promise.reject(new TransportError('ERR_QUEUE_FULL', `${this.queuedBytes()} bytes already wait for the air`))
    }
    const id = this.nextId
    const frames = this.deps.plan(payload, id)
    if (!frames.ok) return Promise.reject(new TransportError('ERR_MTU_EXCEEDED', frames.error.message, { cause: frames.error }))
    this.nextId = (id + 1) % MESSAGE_ID_LIMIT
    return new Promise((resolve, reject) => {
      const onAbort = (): void => this.abort(msg, signal?.reason)
      const done = (): void => signal?.removeEventListener('abort', onAbort)
      const msg: Outgoing = {
        id, to, frames: frames.value, bytes: payload.length, rounds: 0, settled: false,
        resolve: () => (done(), resolve()),
        reject: (e) => (done(), reject(e)),
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.queue.push(msg)
      this.pump()
    })
  }

  /** The peer `from` acked these message ids. */
  onAck(from: string, messageIds: readonly number[]): void {
    const msg = this.current
    if (msg === undefined || msg.to !== from || !messageIds.includes(msg.id)) return
    const rttMs = msg.sentAt === undefined ? undefined : this.deps.clock.now() - msg.sentAt
    this.finish(msg, true, rttMs)
  }

  /**
   * `from` was heard addressing us. If a poll to it is still waiting for the air, it is stale: the
   * peer is talking, and may be answering. It is withdrawn and the wait starts again.
   */
  onHeard(from: string): void {
    const msg = this.current
    if (msg?.poll === undefined || msg.to !== from || !this.deps.scheduler.holds(msg.poll)) return
    this.withdrawPoll(msg)
    msg.rounds--
    this.awaitAck(msg)
  }

  /** `from` asks for fragments `missing` of message `messageId` again. */
  onNack(from: string, messageId: number, missing: readonly number[]): void {
    const msg = this.current
    if (msg !== undefined && msg.to === from && msg.id === messageId) return this.retransmit(msg, missing)
    const kept = this.retained.get(messageId)
    if (kept === undefined || kept.until < this.deps.clock.now()) return
    for (const frame of pick(kept.frames, missing)) this.deps.scheduler.submit({ to: from, frame, priority: 'data', owner: kept })
  }

  /** Fails everything queued or in flight with `error` (stop, link down). */
  stop(error: TransportError): void {
    this.ackTimer?.cancel()
    const all = [...this.queue, ...(this.current === undefined ? [] : [this.current])]
    this.queue.length = 0
    this.current = undefined
    for (const msg of all) this.settle(msg, error)
  }

  private pump(): void {
    while (this.current === undefined) {
      const msg = this.queue.shift()
      if (msg === undefined) return
      if (this.deps.isGroup(msg.to)) {
        this.transmit(msg, msg.frames, () => this.retain(msg))
        continue
      }
      this.current = msg
      this.transmit(msg, msg.frames, () => this.awaitAck(msg))
    }
  }

  /** Queues one round of `frames`; `afterLast` runs when the last is handed over. */
  private transmit(msg: Outgoing, frames: readonly LinkFrame[], afterLast: () => void, owner: object = msg): void {
    msg.rounds++
    frames.forEach((frame, i) => {
      this.deps.scheduler.submit({
        to: msg.to,
        frame,
        priority: 'data',
        owner,
        onSent: () => {
          msg.sentAt ??= this.deps.clock.now()
          this.settle(msg)
          if (i === frames.length - 1) afterLast()
        },
        onDropped: (e) => this.dropped(msg, e),
      })
    })
  }

  private awaitAck(msg: Outgoing): void {
    const period = this.deps.periodMs()
    // Whole periods of jitter from a window that doubles each round (binary exponential backoff):
    // two stations whose transmissions collided retry in the same period far less often.
    const window = Math.min(this.options.retryJitterPeriods * 2 ** (msg.rounds - 1), MAX_JITTER_PERIODS)
    const jitter = Math.floor(this.deps.random() * (window + 1))
    const wait = (this.options.ackTimeoutPeriods + jitter) * period
    const check = (): void => {
      const now = this.deps.clock.now()
      const due = Math.max(this.deps.scheduler.silentAt(), this.deps.heardAt(msg.to)) + wait
      if (this.deps.scheduler.holds(msg) || due > now) this.ackTimer = this.deps.clock.setTimeout(check, Math.max(due - now, period))
      else this.poll(msg)
    }
    this.ackTimer?.cancel()
    this.ackTimer = this.deps.clock.setTimeout(check, wait)
  }

  private poll(msg: Outgoing): void {
    if (msg.rounds >= this.options.maxRounds) return this.finish(msg, false)
    msg.poll = {}
    this.transmit(msg, [{ kind: 'poll', messageId: msg.id, count: msg.frames.length }], () => this.awaitAck(msg), msg.poll)
  }

  private withdrawPoll(msg: Outgoing): void {
    if (msg.poll !== undefined) this.deps.scheduler.cancel(msg.poll, new TransportError('ERR_ABORTED', 'poll withdrawn'))
    msg.poll = undefined
  }

  private retransmit(msg: Outgoing, missing: readonly number[]): void {
    this.ackTimer?.cancel()
    this.deps.scheduler.cancel(msg, new TransportError('ERR_ABORTED', 'superseded by a nack'))
    this.withdrawPoll(msg)
    if (msg.rounds >= this.options.maxRounds) return this.finish(msg, false)
    const frames = pick(msg.frames, missing)
    if (frames.length === 0) return this.awaitAck(msg)
    this.transmit(msg, frames, () => this.awaitAck(msg))
  }

  private retain(msg: Outgoing): void {
    const now = this.deps.clock.now()
    for (const [id, kept] of this.retained) if (kept.until < now) this.retained.delete(id)
    this.retained.set(msg.id, { frames: msg.frames, until: now + this.options.retainSentMs })
    this.deps.onOutcome({ to: msg.to, messageId: msg.id, ok: true, rounds: msg.rounds })
  }

  private finish(msg: Outgoing, ok: boolean, rttMs?: number): void {
    this.ackTimer?.cancel()
    this.deps.scheduler.cancel(msg, new TransportError('ERR_ABORTED', ok ? 'acked' : 'given up'))
    this.withdrawPoll(msg)
    if (this.current === msg) this.current = undefined
    this.deps.onOutcome({ to: msg.to, messageId: msg.id, ok, rounds: msg.rounds, ...(rttMs === undefined ? {} : { rttMs }) })
    this.pump()
  }

  /** A transmission of `msg` was dropped unsent: fatal only before the message was accepted. */
  private dropped(msg: Outgoing, error: TransportError): void {
    if (msg.settled) return
    this.settle(msg, error) // first: cancelling drops the other items, which come back here
    this.deps.scheduler.cancel(msg, error)
    if (this.current === msg) this.current = undefined
    this.pump()
  }

  private abort(msg: Outgoing, reason: unknown): void {
    if (msg.settled) return
    const error = new TransportError('ERR_ABORTED', `send to ${msg.to} aborted`, { cause: reason })
    const queued = this.queue.indexOf(msg)
    if (queued >= 0) this.queue.splice(queued, 1)
    this.dropped(msg, error)
  }

  /** Resolves (no error) or rejects the caller's promise, once. */
  private settle(msg: Outgoing, error?: TransportError): void {
    if (msg.settled) return
    msg.settled = true
    if (error === undefined) msg.resolve()
    else msg.reject(error)
  }
}

/** The frames at `indices` (ignoring indices the message does not have). */
function pick(frames: readonly LinkFrame[], indices: readonly number[]): LinkFrame[] {
  return indices.flatMap((i) => (i < frames.length ? [frames[i] as LinkFrame] : []))
}
