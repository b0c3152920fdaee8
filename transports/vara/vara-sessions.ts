/**
 * VARA sessions for one connection to the modem: whom to call, when, and what to write.
 *
 * - One ARQ session at a time (the modem has one link). Outbound: the peer with the oldest queued
 *   frame is called, never while the channel is BUSY or someone is calling us (PENDING), and not
 *   right after BUSY OFF (a random hold-off, so stations waiting for the channel do not collide).
 *   Inbound sessions are taken as they come; frames queued for that peer flow in them too.
 * - Frames are written only while connected, and only while the modem holds less than the bound
 *   (`modemBufferMs` of airtime at the current BITRATE, at least one frame): `send()` waits.
 * - A session idle both ways for `idleTimeoutMs` (or `handoverIdleMs` when other peers wait) is
 *   closed: wait for the TX buffer to drain, DISCONNECT, ABORT when either takes too long, and take
 *   the session as ended when even ABORT goes unanswered (VARA may stay silent, Pat fakes it too).
 * - When a session ends, frames the peer never acknowledged go back to the front of the queue. A
 *   failed CONNECT rejects the `send()`s still waiting for that peer (`ERR_UNREACHABLE`) and rests
 *   the peer for 1–1.5 × `peerRetryMs` (jittered); frames already accepted stay queued for the next try.
 *
 * @packageDocumentation
 */
import type { Logger } from '../../gateway/log.js'
import { TransportError, isTransportError } from '../errors.js'
import { nominalBitrateOf, type VaraOptions } from './config.js'
import { TimerSlot, type Clock } from '../clock.js'
import { connectCommand } from './vara-commands.js'
import type { VaraMessage } from './vara-messages.js'
import type { Outbox, OutboxEntry } from './vara-outbox.js'
import type { VaraReceiver } from './vara-receiver.js'
import { GoodputMeter, type VaraLinkSample } from './vara-samples.js'
import { TxLedger } from './vara-tx-ledger.js'

/** What the sessions need from the transport. */
export interface SessionDeps {
  readonly options: VaraOptions
  readonly clock: Clock
  readonly log: Logger
  /** Uniform [0, 1), for the BUSY hold-off. */
  readonly random: () => number
  readonly outbox: Outbox
  readonly receiver: VaraReceiver
  /** BUSY as last reported before this connection was up. */
  readonly busy: boolean | undefined
  /** Sends a command line; resolves on OK. */
  readonly command: (line: string) => Promise<void>
  /** Writes bytes to the data port. */
  readonly write: (bytes: Uint8Array) => void
  readonly sample: (s: Omit<VaraLinkSample, 'at'>) => void
}

type Phase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'connecting'; readonly peer: string; readonly attempt: number }
  | { readonly kind: 'connected'; readonly peer: string }
  | { readonly kind: 'closing'; readonly peer: string; readonly why: string; disconnectSent: boolean }

/** Public view of the session. */
export interface SessionView {
  readonly state: Phase['kind']
  readonly peer?: string
}

type Closing = Extract<Phase, { kind: 'closing' }>

const IDLE: Phase = { kind: 'idle' }

/** The session scheduler of one modem connection. */
export class VaraSessions {
  private phase: Phase = IDLE
  private readonly ledger = new TxLedger<OutboxEntry>()
  private readonly meter = new GoodputMeter()
  private readonly cooldown = new Map<string, number>() // peer → clock ms when it may be called again
  private readonly phaseTimer: TimerSlot // connect, drain, disconnect or abort deadline
  private readonly idleTimer: TimerSlot
  private readonly wakeTimer: TimerSlot // end of a hold-off or a peer's rest
  private readonly pendingTimer: TimerSlot
  private attempts = 0
  private busy: boolean | undefined
  private pending = false // someone is calling us
  private holdoffUntil = 0 // clock ms
  private bitrateBps: number
  private lastActivity = 0 // clock ms
  private stopping = false
  private aborting: Phase | undefined // the call or session an ABORT was sent for
  private onIdle: (() => void) | undefined

  /** @param deps - options, clock, queue, receiver and the modem's two ports */
  constructor(private readonly deps: SessionDeps) {
    const slot = (): TimerSlot => new TimerSlot(deps.clock)
    this.phaseTimer = slot()
    this.idleTimer = slot()
    this.wakeTimer = slot()
    this.pendingTimer = slot()
    this.bitrateBps = nominalBitrateOf(deps.options) // until the modem reports BITRATE
    this.busy = deps.busy
  }

  /** Current session. */
  get view(): SessionView {
    return this.phase.kind === 'idle' ? { state: 'idle' } : { state: this.phase.kind, peer: this.phase.peer }
  }

  /** Bytes handed to the modem and not yet acknowledged. */
  get modemBytes(): number {
    return this.ledger.held
  }

  /** Something changed (a frame was queued): call, write, or re-time the idle check. */
  kick(): void {
    this.maybeConnect()
    this.pump()
    this.armIdle()
  }

  /** The peer's bytes are not our framing: end the session politely. */
  endForBadFraming(): void {
    this.disconnect('bad-framing')
  }

  /** Session bytes arrived on the data port. */
  onData(): void {
    this.touch()
    this.armIdle()
  }

  /** A message from the command port. */
  onMessage(m: VaraMessage): void {
    // PTT does not confirm a fall to 0: the modem keys up for the frames of a teardown too
    if (m.kind !== 'disconnected' && m.kind !== 'ptt') this.acknowledged(this.ledger.confirm())
    switch (m.kind) {
      case 'connected':
        return this.onConnected(m.src, m.dst)
      case 'disconnected':
        return this.onDisconnected()
      case 'buffer':
        return this.onBuffer(m.bytes)
      case 'bitrate':
        this.bitrateBps = m.bps
        return this.pump()
      case 'busy':
        return this.onBusy(m.on)
      case 'pending':
        this.pending = true
        return this.pendingTimer.set(() => this.clearPending(), this.deps.options.pendingTimeoutMs)
      case 'cancelpending':
        return this.clearPending()
    }
  }

  /**
   * Ends the session for a stop: no new calls; drain, DISCONNECT (or ABORT a call in progress);
   * resolves once idle or after `deadlineMs`.
   */
  async close(deadlineMs: number): Promise<void> {
    this.stopping = true
    this.wakeTimer.cancel()
    if (this.phase.kind === 'connecting') this.abort('stop')
    if (this.phase.kind === 'connected') this.disconnect('stop')
    if (this.phase.kind === 'idle') return
    await new Promise<void>((resolve) => {
      const deadline = this.deps.clock.setTimeout(() => resolve(), deadlineMs)
      this.onIdle = () => {
        deadline.cancel()
        resolve()
      }
    })
  }

  /** The modem is gone: frames it held go back to the queue; timers stop. */
  dispose(): void {
    const p = this.phase
    const left = this.ledger.end()
    if (p.kind !== 'idle') this.deps.sample({ peer: p.peer, session: 'lost', ...(left.length > 0 ? { sendOk: false } : {}) })
    if (left.length > 0) this.requeue(left, 'the modem went away')
    this.becomeIdle()
    this.wakeTimer.cancel()
    this.pendingTimer.cancel()
    this.deps.receiver.dispose()
  }

  private isUs(call: string): boolean {
    const o = this.deps.options
    return call === o.callsign || o.extraCallsigns.includes(call)
  }

  private maybeConnect(): void {
    if (this.phase.kind !== 'idle' || this.stopping || this.busy === true || this.pending) return
    const now = this.deps.clock.now()
    const peer = this.deps.outbox.peers((p) => (this.cooldown.get(p) ?? 0) <= now)[0]
    const wakeAt = peer === undefined ? this.nextCooldownEnd() : this.holdoffUntil
    if (wakeAt > now) return this.wakeTimer.set(() => this.kick(), wakeAt - now)
    if (peer === undefined) return
    const attempt = ++this.attempts
    this.phase = { kind: 'connecting', peer, attempt }
    this.deps.log.info({ peer }, 'calling peer over VARA')
    this.deps.sample({ peer, session: 'connecting' })
    this.phaseTimer.set(() => this.abort('connect-timeout'), this.deps.options.connectTimeoutMs)
    this.deps.command(connectCommand(this.deps.options, peer)).catch((e: unknown) => {
      const still = this.phase.kind === 'connecting' && this.phase.attempt === attempt
      if (still && isTransportError(e, 'ERR_CONFIG')) this.connectFailed(peer, 'the modem refused CONNECT (WRONG)')
    })
  }

  private nextCooldownEnd(): number {
    const now = this.deps.clock.now()
    let next = 0
    for (const [peer, until] of this.cooldown) {
      if (until <= now) this.cooldown.delete(peer)
      else if (this.deps.outbox.has(peer) && (next === 0 || until < next)) next = until
    }
    return next
  }

  private onConnected(src: string, dst: string): void {
    const peer = this.isUs(src) ? dst : src
    const p = this.phase
    this.clearPending()
    if (p.kind === 'connected' || p.kind === 'closing') return void this.deps.log.warn({ peer, current: p.peer }, 'VARA reported CONNECTED during a session; ignored')
    if (p.kind === 'connecting' && p.peer !== peer) this.deps.log.info({ peer, called: p.peer }, 'an inbound session won over our call; our frames wait')
    this.phaseTimer.cancel()
    this.cooldown.delete(peer)
    this.phase = { kind: 'connected', peer }
    this.deps.receiver.sessionStarted(peer)
    this.deps.log.info({ peer, inbound: !this.isUs(src) }, 'VARA session connected')
    this.deps.sample({ peer, session: 'connected' })
    this.touch()
    if (this.stopping) return this.disconnect('stop')
    this.pump()
    this.armIdle()
  }

  private onDisconnected(): void {
    const p = this.phase
    if (p.kind === 'idle') return
    if (p.kind === 'connecting') return this.connectFailed(p.peer, 'no answer (DISCONNECTED)')
    this.sessionEnded(p.peer, p.kind === 'closing' ? p.why : 'dropped')
  }

  private onBuffer(n: number): void {
    const p = this.phase
    if (p.kind !== 'connected' && p.kind !== 'closing') return
    const before = this.ledger.held
    this.acknowledged(this.ledger.onBuffer(n))
    const ackedBytes = before - this.ledger.held
    if (ackedBytes > 0) {
      this.touch()
      this.meter.onAck(ackedBytes, this.ledger.held, this.deps.clock.now())
    }
    const goodput = this.meter.rateBps === undefined ? {} : { goodputBps: this.meter.rateBps }
    this.deps.sample({ peer: p.peer, txQueueBytes: this.ledger.held + this.deps.outbox.bytes, ...goodput })
    this.pump()
    if (p.kind === 'closing') return this.drained(p.peer) ? this.sendDisconnect(p) : undefined
    this.armIdle()
  }

  private onBusy(on: boolean): void {
    this.busy = on
    if (on) return
    this.holdoffUntil = this.deps.clock.now() + this.deps.random() * this.deps.options.busyHoldoffMs
    this.maybeConnect()
  }

  private clearPending(): void {
    this.pendingTimer.cancel()
    if (!this.pending) return
    this.pending = false
    this.maybeConnect()
  }

  /** The modem may hold: `modemBufferMs` of airtime at the current rate, within the hard cap. */
  private bound(): number {
    const o = this.deps.options
    return Math.min(o.maxModemBufferBytes, Math.floor((this.bitrateBps * o.modemBufferMs) / 8000))
  }

  /** Writes queued frames of the session's peer while the bound allows (until DISCONNECT is sent). */
  private pump(): void {
    const p = this.phase
    if (p.kind !== 'connected' && (p.kind !== 'closing' || p.disconnectSent)) return
    const peer = p.peer
    for (let head = this.deps.outbox.head(peer); head !== undefined; head = this.deps.outbox.head(peer)) {
      const held = this.ledger.held
      if (held > 0 && held + head.wire.length > this.bound()) return // at least one frame, else the bound
      this.deps.outbox.written(peer)
      this.meter.onWrite(held, this.deps.clock.now())
      this.deps.write(head.wire)
      this.ledger.record(head, head.wire.length)
      this.touch()
    }
  }

  private acknowledged(entries: readonly OutboxEntry[]): void {
    const peer = entries[0]?.peer
    if (peer !== undefined) this.deps.sample({ peer, sendOk: true })
  }

  private armIdle(): void {
    const p = this.phase
    if (p.kind !== 'connected' || this.deps.outbox.has(p.peer) || this.ledger.held > 0) return this.idleTimer.cancel()
    const others = this.deps.outbox.peers((q) => q !== p.peer).length > 0
    const limit = others ? this.deps.options.handoverIdleMs : this.deps.options.idleTimeoutMs
    const due = this.lastActivity + limit - this.deps.clock.now()
    this.idleTimer.set(() => {
      const stillIdle = this.phase === p && this.deps.clock.now() - this.lastActivity >= limit
      if (stillIdle) this.disconnect(others ? 'handover' : 'idle')
      else this.armIdle()
    }, due)
  }

  private touch(): void {
    this.lastActivity = this.deps.clock.now()
  }

  /** Graceful end: wait for the modem's TX buffer to drain, then DISCONNECT. */
  private disconnect(why: string): void {
    if (this.phase.kind !== 'connected') return
    const p: Closing = { kind: 'closing', peer: this.phase.peer, why, disconnectSent: false }
    this.phase = p
    this.idleTimer.cancel()
    this.deps.log.info({ peer: p.peer, why }, 'closing VARA session')
    this.deps.sample({ peer: p.peer, session: 'disconnecting' })
    this.pump()
    if (this.drained(p.peer)) return this.sendDisconnect(p)
    this.phaseTimer.set(() => this.abort('drain-timeout'), this.deps.options.drainTimeoutMs)
  }

  /** Nothing left for `peer`, here or in the modem. */
  private drained(peer: string): boolean {
    return !this.deps.outbox.has(peer) && this.ledger.held === 0
  }

  private sendDisconnect(p: Closing): void {
    if (p.disconnectSent || this.aborting === p) return
    p.disconnectSent = true
    this.acknowledged(this.ledger.confirm()) // we close because the modem reported its buffer empty while connected
    this.phaseTimer.set(() => this.abort('disconnect-timeout'), this.deps.options.disconnectTimeoutMs)
    this.deps.command('DISCONNECT').catch(() => {
      if (this.phase === p) this.abort('disconnect-refused')
    })
  }

  /** Dirty end: ABORT; when VARA says nothing, the session is taken as ended anyway. */
  private abort(why: string): void {
    const p = this.phase
    if (p.kind === 'idle' || this.aborting === p) return
    this.aborting = p
    this.deps.log.warn({ peer: p.peer, why }, 'aborting VARA session')
    this.deps.command('ABORT').catch(() => undefined) // the fallback timer below covers a refused ABORT
    this.phaseTimer.set(() => {
      if (this.phase !== p) return
      if (p.kind === 'connecting') this.connectFailed(p.peer, `${why}; no DISCONNECTED after ABORT`)
      else this.sessionEnded(p.peer, `${why}; no DISCONNECTED after ABORT`)
    }, this.deps.options.abortTimeoutMs)
  }

  private connectFailed(peer: string, why: string): void {
    this.becomeIdle()
    if (this.stopping) return // a call cancelled by stop(): its sends are rejected as stopped
    // 1–1.5 × peerRetryMs: two stations that called each other at once (neither answers while
    // calling) must not call again in step
    const retryInMs = Math.round(this.deps.options.peerRetryMs * (1 + this.deps.random() / 2))
    this.cooldown.set(peer, this.deps.clock.now() + retryInMs)
    this.deps.outbox.rejectWaiting(new TransportError('ERR_UNREACHABLE', `VARA could not connect to ${peer}: ${why}`), peer)
    this.deps.log.warn({ peer, why, retryInMs }, 'VARA connect failed; waiting sends rejected, accepted frames kept for a later try')
    this.deps.sample({ peer, session: 'failed', sendOk: false })
    this.kick()
  }

  private sessionEnded(peer: string, why: string): void {
    const left = this.ledger.end()
    this.becomeIdle()
    this.deps.receiver.sessionEnded()
    const clean = left.length === 0
    this.deps.log.info({ peer, why }, 'VARA session ended')
    this.deps.sample({ peer, session: clean ? 'disconnected' : 'lost', ...(clean ? {} : { sendOk: false }) })
    if (!clean) this.requeue(left, `the session ended (${why})`)
    this.kick()
  }

  private requeue(entries: OutboxEntry[], why: string): void {
    this.deps.outbox.requeue(entries)
    this.deps.log.warn({ peer: entries[0]?.peer, frames: entries.length, why }, 'frames not acknowledged by the peer are queued again')
  }

  private becomeIdle(): void {
    this.phase = IDLE
    this.aborting = undefined
    this.phaseTimer.cancel()
    this.idleTimer.cancel()
    this.onIdle?.()
    this.onIdle = undefined
  }
}
