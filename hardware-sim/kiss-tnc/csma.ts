/**
 * p-persistent CSMA as a KISS TNC does it, in Direwolf's order (`src/xmit.c`
 * wait_for_clear_channel; radio.md §1.2):
 * 1. wait until nobody else is on air;
 * 2. wait one SLOTTIME; if the channel went busy meanwhile, start over at 1;
 * 3. draw 0–255 from the seeded PRNG: transmit when the draw is ≤ P, else repeat 2.
 * So the earliest keyup is one slot after the channel clears, as measured on real Direwolf (the
 * minimum latency with CSMA is a slot above the full-duplex one, real-peers.md A.2). FullDuplex
 * skips all of it and keys up at once, busy or not. A frame that found the channel busy for
 * `clearChannelTimeoutMs` in total is given up (Direwolf: one minute, then "Waited too long for
 * clear channel. Discarding packet").
 *
 * Carrier sense is event driven (the channel's busy changes), so in simulated time the keyup lands
 * exactly on a slot boundary; Direwolf polls every 10 ms.
 *
 * @packageDocumentation
 */
import type { Prng } from '../prng.js'
import type { SimTimer, TimerGroup } from '../sim-clock.js'
import { KISS_TIME_UNIT_MS, type KissTncParams } from './kiss-tnc-params.js'

/** What the contender needs from its radio. */
export interface CsmaDeps {
  readonly timers: TimerGroup
  /** Simulated ms. */
  readonly now: () => number
  readonly prng: Prng
  /** Carrier sense: another station is on air. */
  readonly isBusy: () => boolean
  /** The port's parameters, read at every decision (a host may change them while we wait). */
  readonly params: () => KissTncParams
  /** Busy time after which the head frame is discarded, ms. */
  readonly clearChannelTimeoutMs: number
  /** The channel is ours: key up now. */
  readonly keyUp: () => void
  /** The head frame waited too long for a clear channel. */
  readonly giveUp: () => void
}

type State = 'idle' | 'waiting-clear' | 'slot' | 'keying'

/** Channel access for one radio port; start it when frames are queued and the radio is not keyed. */
export class CsmaContender {
  #state: State = 'idle'
  #timer: SimTimer | undefined
  #deadline: SimTimer | undefined
  #busyWaitedMs = 0 // ms spent waiting for a busy channel for the current head frame
  #busySince = 0 // simulated ms when the current busy wait began

  constructor(private readonly deps: CsmaDeps) {}

  /** True from {@link start} until keyup or {@link cancel}. */
  get active(): boolean {
    return this.#state !== 'idle'
  }

  /** Begins contending for the channel; no-op when already contending. */
  start(): void {
    if (this.#state !== 'idle') return
    this.#busyWaitedMs = 0
    this.#next()
  }

  /** Carrier sense changed (wired to the channel station's `onBusyChange`). */
  busyChanged(busy: boolean): void {
    if (!busy && this.#state === 'waiting-clear') {
      this.#busyWaitedMs += this.deps.now() - this.#busySince
      this.#clearDeadline()
      this.#next()
    }
  }

  /** Stops contending (TNC closing). */
  cancel(): void {
    this.#timer?.cancel()
    this.#clearDeadline()
    this.#state = 'idle'
  }

  #next(): void {
    const p = this.deps.params()
    if (p.fullDuplex) {
      // Deferred to the next event so that frames of the same host write share this keyup.
      this.#state = 'keying'
      this.#timer = this.deps.timers.setTimeout(() => this.#keyUp(), 0)
    } else if (this.deps.isBusy()) this.#waitForClear()
    else {
      this.#state = 'slot'
      this.#timer = this.deps.timers.setTimeout(() => this.#slotEnd(), p.slotTime * KISS_TIME_UNIT_MS)
    }
  }

  #slotEnd(): void {
    if (this.deps.isBusy()) return this.#waitForClear()
    const draw = this.deps.prng.nextU32() & 0xff
    if (draw <= this.deps.params().persistence) return this.#keyUp()
    this.#timer = this.deps.timers.setTimeout(() => this.#slotEnd(), this.deps.params().slotTime * KISS_TIME_UNIT_MS)
  }

  #waitForClear(): void {
    this.#state = 'waiting-clear'
    this.#busySince = this.deps.now()
    const left = this.deps.clearChannelTimeoutMs - this.#busyWaitedMs // ms
    this.#deadline = this.deps.timers.setTimeout(() => this.#timedOut(), left)
  }

  #timedOut(): void {
    this.#deadline = undefined
    this.#state = 'idle'
    this.deps.giveUp()
  }

  #keyUp(): void {
    this.#state = 'idle'
    this.deps.keyUp()
  }

  #clearDeadline(): void {
    this.#deadline?.cancel()
    this.#deadline = undefined
  }
}
