/**
 * The transmitting side of a simulated JS8Call: one message at a time, one frame per TX period,
 * each frame keyed on a period boundary for exactly the speed's signal length, with RIG.PTT on,
 * TX.FRAME and RIG.PTT off reported around it (the order JS8Call 2.2.0 reports them in).
 *
 * @packageDocumentation
 */
import type { RfStation } from '../rf-channel.js'
import type { TimerGroup } from '../sim-clock.js'
import { nextPeriodStartMs, type Js8Speed } from './js8-airtime.js'
import { encodeJs8AirFrame, js8FrameTones, type Js8AirFrame } from './js8-frames.js'
import type { Js8Outgoing } from './js8-message.js'

/** What the transmitter needs from its JS8Call. */
export interface Js8TransmitterDeps {
  readonly station: RfStation
  readonly timers: TimerGroup
  /** Simulated ms now. */
  readonly now: () => number
  /** Settings at the start of a message: they hold for all of its frames. */
  readonly settings: () => { readonly speed: Js8Speed; readonly offset: number; readonly grid: string }
  /** PTT changed (`on`), at the start or end of a frame's signal. */
  readonly onPtt: (on: boolean) => void
  /** A frame's tones, right after PTT on. */
  readonly onTones: (tones: number[]) => void
  /** The last frame of a message is off air. */
  readonly onMessageDone: () => void
}

interface Sending {
  readonly frames: readonly Js8AirFrame[]
  readonly speed: Js8Speed
  next: number // index of the next frame to key
}

/** Sends messages frame by frame on the RF channel. */
export class Js8Transmitter {
  private sending: Sending | undefined
  private messages = 0
  private dropIndex: number | undefined

  constructor(private readonly deps: Js8TransmitterDeps) {}

  /** A message is queued or on air. */
  get busy(): boolean {
    return this.sending !== undefined
  }

  /** Misbehaviour: frame `index` (from 0) of the message on air or the next one is keyed but decodes nowhere. */
  dropFrame(index: number): void {
    this.dropIndex = index
  }

  /** Starts sending `message` at the next period boundary; returns false (and sends nothing) while busy. */
  send(message: Js8Outgoing): boolean {
    if (this.sending !== undefined) return false
    const { speed, offset, grid } = this.deps.settings()
    const msg = this.messages++
    const compound = message.directed !== undefined && message.headerFrames > 1
    const frames = message.frames.map((text, index): Js8AirFrame => ({
      msg, index, text, offset, speed: speed.code,
      last: index === message.frames.length - 1,
      kind: index < message.headerFrames ? 'header' : 'data',
      from: message.from,
      grid: compound && index === 0 ? grid : '',
      ...(index === 0 && message.directed !== undefined ? { directed: message.directed } : {}),
    }))
    this.sending = { frames, speed, next: 0 }
    this.scheduleNext()
    return true
  }

  /**
   * Keys the next frame on the next period boundary. The delay is computed inside a clock event,
   * where simulated time stands still: outside one it runs on with the wall clock, and a delay
   * computed from a stale `now` would miss the boundary.
   */
  private scheduleNext(): void {
    const s = this.sending
    if (s === undefined) return
    this.deps.timers.setTimeout(() => {
      const now = this.deps.now()
      this.deps.timers.setTimeout(() => this.key(s), nextPeriodStartMs(now, s.speed.periodMs) - now)
    }, 0)
  }

  private key(s: Sending): void {
    const frame = s.frames[s.next]
    if (frame === undefined) return
    const dropped = this.dropIndex === frame.index
    if (frame.last || dropped) this.dropIndex = undefined
    const payload = encodeJs8AirFrame(frame)
    this.deps.onPtt(true)
    this.deps.onTones(js8FrameTones(payload, frame.speed))
    this.deps.station.transmit(dropped ? new Uint8Array(0) : payload, {
      durationMs: s.speed.txDurationMs,
      minSnrDb: s.speed.minSnrDb,
      txDelayMs: 0,
      txTailMs: 0,
      onEnd: () => this.unkey(s),
    })
  }

  private unkey(s: Sending): void {
    this.deps.onPtt(false)
    s.next++
    if (s.next < s.frames.length) return this.scheduleNext()
    this.sending = undefined
    this.deps.onMessageDone()
  }
}
