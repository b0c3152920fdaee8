/**
 * Our transmit queue in front of JS8Call: hands JS8Call one transmission at a time, replies
 * (acks, nacks) before data, data only while the channel is quiet, and nothing the hourly airtime
 * cap does not allow. One at a time, because whatever JS8Call has queued it sends whatever happens
 * meanwhile: an ack we owe a peer must not wait behind minutes of our own data.
 *
 * JS8Call drops a TX.SEND_MESSAGE that arrives while a message is on air (observed on 2.2.0, and
 * it never replies either way), so the next one is handed over only once the last is finished: PTT
 * went off and did not come on again one period after it last came on (JS8Call keys each frame of
 * a message in the next period). No PTT at all within a period of the hand-over means JS8Call
 * dropped the message; the ARQ above recovers it. Frame counts are never trusted for this: JSC
 * may pack the text into more or fewer frames than estimated. Nothing is handed over while JS8Call
 * transmits something of its own (a heartbeat, an auto-reply) either.
 *
 * @packageDocumentation
 */
import { TransportError } from '../errors.js'
import type { AirtimeBudget } from './airtime-budget.js'
import { TimerSet, type Clock, type ClockTimer } from '../clock.js'
import { linkFrameText, type LinkFrame } from './link-frame.js'
import { estimateTransmission, JS8_SPEEDS, type Js8SpeedName } from './speed.js'

/** One transmission waiting for the air. */
export interface TxItem {
  /** Callsign or group. */
  readonly to: string
  readonly frame: LinkFrame
  /** Replies go before data and do not wait for a quiet channel (the peer just finished and listens). */
  readonly priority: 'reply' | 'data'
  /** Called when the transmission is handed to JS8Call. */
  readonly onSent?: () => void
  /** Called when it is dropped unsent (cancelled, stopped, can never fit the cap). */
  readonly onDropped?: (error: TransportError) => void
  /** Who queued it, so a sender can cancel its own items. */
  readonly owner?: object
}

/** What the scheduler needs from the transport. */
export interface TxSchedulerDeps {
  readonly clock: Clock
  readonly budget: AirtimeBudget
  readonly speed: () => Js8SpeedName
  readonly myCall: () => string
  /** Hands `TO TEXT` to JS8Call (TX.SEND_MESSAGE); throws when JS8Call is gone. */
  readonly write: (to: string, text: string) => void
  /** Someone else was heard recently. */
  readonly channelBusy: () => boolean
  /** Slack on JS8Call's period timing before the transmitter counts as idle, ms. */
  readonly gapSlackMs: number
}

interface InFlight {
  readonly latestEnd: number // ms: the latest it can end (estimate)
}

/** The transmit queue. */
export class TxScheduler {
  private queue: TxItem[] = []
  private readonly timers: TimerSet
  private inFlight?: InFlight
  private finishTimer?: ClockTimer
  private retryTimer?: ClockTimer
  private keyed?: { at: number; utc: number | undefined } // ms: when PTT went on (link clock, JS8Call's UTC), while on
  private lastKeyedAt = 0 // ms: PTT last went on
  private lastSilentAt = 0 // ms: when the last transmission finished

  /** @param deps - clock, budget and JS8Call access */
  constructor(private readonly deps: TxSchedulerDeps) {
    this.timers = new TimerSet(deps.clock)
  }

  /** Queues a transmission. */
  submit(item: TxItem): void {
    const at = item.priority === 'reply' ? this.queue.findIndex((q) => q.priority === 'data') : -1
    this.queue.splice(at < 0 ? this.queue.length : at, 0, item)
    this.retryTimer?.cancel() // the new item may be sendable now
    this.retryTimer = undefined
    this.pump()
  }

  /** Drops queued (not yet handed over) items of `owner`, telling each why. */
  cancel(owner: object, error: TransportError): void {
    this.drop((item) => item.owner === owner, error)
  }

  /** Drops everything queued and forgets what is on air (the transport stopped or went down). */
  clear(error: TransportError): void {
    this.drop(() => true, error)
    this.timers.cancelAll()
    this.inFlight = undefined
    this.retryTimer = undefined
    this.keyed = undefined
  }

  /** True while something of ours is queued or on air. */
  get busy(): boolean {
    return this.inFlight !== undefined || this.queue.length > 0
  }

  /** True when items of `owner` are queued. */
  holds(owner: object): boolean {
    return this.queue.some((item) => item.owner === owner)
  }

  /** When our transmitter fell silent, or (while on air) the latest it should, ms. */
  silentAt(): number {
    const flight = this.inFlight
    return flight === undefined ? this.lastSilentAt : Math.max(this.deps.clock.now(), flight.latestEnd - this.period())
  }

  /** Transmissions waiting (not yet handed to JS8Call). */
  get length(): number {
    return this.queue.length
  }

  /**
   * JS8Call keyed up or released the transmitter (RIG.PTT). Returns the airtime of the PTT cycle
   * that just ended (ms, booked against the cap), or undefined. `utcMs` is the event's own
   * timestamp when it has one: exact, where our receive time carries the API's latency.
   */
  ptt(on: boolean, utcMs?: number): number | undefined {
    const now = this.deps.clock.now()
    const was = this.keyed
    if (on) {
      this.keyed = was ?? { at: now, utc: utcMs }
      this.lastKeyedAt = now
      this.finishTimer?.cancel()
      return undefined
    }
    this.keyed = undefined
    if (was === undefined) return undefined
    const airtimeMs = utcMs !== undefined && was.utc !== undefined ? utcMs - was.utc : now - was.at
    this.deps.budget.spend(airtimeMs)
    const quietAfter = this.lastKeyedAt + this.period() - now // ms until another frame would have keyed
    if (this.inFlight !== undefined) this.armFinish(quietAfter)
    else this.retryLater(quietAfter + this.deps.gapSlackMs, true) // JS8Call sent something of its own
    return airtimeMs
  }

  private drop(match: (item: TxItem) => boolean, error: TransportError): void {
    const dropped = this.queue.filter(match)
    this.queue = this.queue.filter((item) => !match(item))
    for (const item of dropped) item.onDropped?.(error)
  }

  private pump(): void {
    if (this.inFlight !== undefined || this.retryTimer !== undefined || this.keyed !== undefined) return
    const index = this.queue.findIndex((item) => item.priority === 'reply' || !this.deps.channelBusy())
    const item = this.queue[index]
    if (item === undefined) return this.retryLater(this.queue.length > 0 ? this.period() / 4 : undefined)
    const text = linkFrameText(item.frame)
    const estimate = estimateTransmission(this.deps.myCall(), item.to, text, this.deps.speed())
    const wait = this.deps.budget.waitMs(estimate.airtimeMs)
    if (wait === Number.POSITIVE_INFINITY) {
      this.queue.splice(index, 1)
      item.onDropped?.(new TransportError('ERR_CONFIG', `a ${estimate.frames}-frame transmission exceeds the hourly airtime cap`))
      return this.pump()
    }
    if (wait > 0) return this.retryLater(wait)
    this.queue.splice(index, 1)
    this.handOver(item, text, estimate.frames, estimate.airtimeMs)
  }

  private handOver(item: TxItem, text: string, frames: number, airtimeMs: number): void {
    try {
      this.deps.write(item.to, text)
    } catch (e) {
      item.onDropped?.(e instanceof TransportError ? e : new TransportError('ERR_DEVICE', String(e), { cause: e }))
      return
    }
    // JS8Call starts at the next period boundary, then sends one frame per period; one more for slack.
    const latestEnd = this.deps.clock.now() + (frames + 2) * this.period()
    this.deps.budget.reserve(airtimeMs, latestEnd)
    this.inFlight = { latestEnd }
    this.armFinish(this.period()) // no PTT by then: JS8Call dropped it
    item.onSent?.()
  }

  /** Finishes the transmission `delayMs` (+ slack) from now unless PTT comes on before. */
  private armFinish(delayMs: number): void {
    this.finishTimer?.cancel()
    this.finishTimer = this.timers.after(delayMs + this.deps.gapSlackMs, () => {
      if (this.keyed === undefined) this.finish()
    })
  }

  private finish(): void {
    this.finishTimer?.cancel()
    this.inFlight = undefined
    this.lastSilentAt = this.deps.clock.now()
    this.pump()
  }

  /** Pumps again after `delayMs` (nothing for undefined); `replace` moves a pending retry. */
  private retryLater(delayMs: number | undefined, replace = false): void {
    if (delayMs === undefined) return
    if (replace) this.retryTimer?.cancel()
    this.retryTimer = this.timers.after(delayMs, () => {
      this.retryTimer = undefined
      this.pump()
    })
  }

  private period(): number {
    return JS8_SPEEDS[this.deps.speed()].periodMs
  }
}
