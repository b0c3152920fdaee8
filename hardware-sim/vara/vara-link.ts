/**
 * The ARQ link of one simulated VARA modem: connect handshake, data transfer and teardown over the
 * shared RF channel. A simple but honest model of a half-duplex ARQ modem:
 * - Turn-taking stop-and-wait: a station with the turn sends one frame; a data frame carries up to
 *   one ARQ cycle's worth of payload at the level's net rate (vara-radio.ts) plus a cumulative ack
 *   of the peer's stream, and asks for a reply. The reply is the peer's own data (piggybacked ack)
 *   or an ACK control frame, which costs airtime like any other frame (842 ms, VARA 2's ACK).
 * - Lost frames (channel loss, collisions, bit errors caught by the modem's CRC) are recovered by a
 *   jittered retry timer, deferred while the channel is busy; too many retries drop the link.
 * - The level follows the channel's SNR before every data frame (emitting BITRATE on change); the
 *   frame then needs that level's SNR to decode.
 * - A connected link that hears nothing for a while polls the peer, so a vanished peer (ABORT,
 *   power loss) is detected by the retry limit.
 * - Each call carries a random session id (in the connect frame's `seq`): a repeated request of the
 *   same call is answered again, while a new call from the peer of a session we still think is up
 *   (it restarted, or gave up on the link before we did) ends that stale session first, so its
 *   stream offsets never leak into the new one.
 *
 * @packageDocumentation
 */
import { createTimerGroup, type SimTimer, type TimerGroup } from '../sim-clock.js'
import type { VaraFrame } from './vara-frames.js'
import { VARA_TIMING } from './vara-levels.js'
import type { VaraLinkDeps, VaraLinkState } from './vara-link-types.js'
import { dataFrameCapacity, VaraRadio } from './vara-radio.js'
import { VaraStreams } from './vara-streams.js'

interface Session {
  readonly local: string
  readonly peer: string
  readonly caller: string
  readonly called: string
  readonly via: readonly string[]
  bw: number // Hz, 0 on FM
  peerRegistered: boolean
  readonly id: number // session id the caller chose
}

type Turn = 'reply' | 'kick' | 'poll'

const EMPTY = new Uint8Array(0)

/** One modem's ARQ link on the channel. */
export class VaraLink {
  private state: VaraLinkState = 'idle'
  private session: Session | undefined
  private readonly streams = new VaraStreams()
  private retries = 0
  private retry: SimTimer | undefined
  private idle: SimTimer | undefined
  private deferred: Turn | undefined // a turn taken while our own frame was still on air
  private busyReported = false
  private closed = false // after close(), frames still on air must not speak for a new modem
  private readonly radio: VaraRadio
  private readonly timers: TimerGroup

  constructor(private readonly deps: VaraLinkDeps) {
    this.timers = createTimerGroup(deps.channel.clock)
    this.radio = new VaraRadio({
      channel: deps.channel,
      stationId: deps.stationId,
      flavour: deps.flavour,
      say: (line) => this.say(line),
      onFrame: (f, snrDb) => this.onAir(f, snrDb),
      onBusyChange: (busy) => this.onBusy(busy),
    })
  }

  /** Current state. */
  get linkState(): VaraLinkState {
    return this.state
  }

  /** Bytes queued for transmission and not yet acknowledged. */
  bufferBytes(): number {
    return this.streams.pending
  }

  /** Host CONNECT; ignored unless idle (the modem has answered WRONG already). */
  connect(src: string, dst: string, via: readonly string[]): void {
    if (this.state !== 'idle') return
    const bw = this.deps.flavour === 'hf' ? this.deps.settings().bandwidth : 0
    const id = Math.floor(this.deps.prng.next() * 1e9)
    this.open({ local: src, peer: dst, caller: src, called: dst, via, bw, peerRegistered: false, id }, 'calling')
    this.takeTurn('poll')
  }

  /** Host DISCONNECT: graceful, once the TX buffer has drained. */
  disconnect(): void {
    if (this.state === 'calling' || this.state === 'answering') this.teardown()
    if (this.state !== 'connected') return
    this.state = 'closing'
    this.kick()
  }

  /** Host ABORT: drop the link at once, without telling the peer. */
  abort(): void {
    if (this.state !== 'idle') this.teardown()
  }

  /** Bytes written to the data port; kept only while a session exists. */
  enqueue(bytes: Uint8Array): void {
    if (this.state === 'idle' || this.state === 'closing' || bytes.length === 0) return
    this.streams.push(bytes)
    this.say(`BUFFER ${this.streams.pending}`)
    this.kick()
  }

  /** Drops the session silently and leaves the channel. */
  close(): void {
    this.closed = true
    this.reset()
    this.radio.detach()
  }

  /** Drops the session without a word. */
  private reset(): void {
    this.timers.cancelAll()
    this.retry = undefined
    this.idle = undefined
    this.state = 'idle'
    this.session = undefined
    this.streams.clear()
    this.deferred = undefined
  }

  private say(line: string): void {
    if (!this.closed) this.deps.emit(line)
  }

  private deliver(bytes: Uint8Array): void {
    if (!this.closed) this.deps.deliver(bytes)
  }

  private open(session: Session, state: VaraLinkState): void {
    this.session = session
    this.state = state
    this.streams.clear()
    this.retries = 0
    this.radio.forgetLevel()
  }

  private onAir(f: VaraFrame, snrDb: number): void {
    const s = this.session
    if (f.kind === 'connect') return this.onConnectRequest(f)
    if (s === undefined || f.src !== s.peer || f.dst !== s.local) {
      if (f.kind === 'disc' && this.deps.settings().myCalls.includes(f.dst)) this.sendDiscAck(f)
      return
    }
    if (this.deps.settings().chat) this.say(`SN ${snrDb.toFixed(1)}`)
    this.cancelRetry()
    this.armIdle()
    if (f.kind === 'accept') this.onAccept(f, s)
    else if (f.kind === 'data') this.onData(f)
    else if (f.kind === 'disc') this.onDisc(f)
    else if (this.state === 'closing') this.teardown()
  }

  private onConnectRequest(f: VaraFrame): void {
    const settings = this.deps.settings()
    if (!settings.myCalls.includes(f.dst)) return
    const s = this.session
    if (s !== undefined) {
      const ours = s.peer === f.src && s.local === f.dst
      const repeat = ours && f.seq === s.id && (this.state === 'answering' || this.state === 'connected')
      if (repeat) return this.sendControl('accept', true)
      if (!ours || (this.state !== 'connected' && this.state !== 'answering')) return
      // A new call from our peer: the session we hold is stale.
      if (this.state === 'connected') this.teardown()
      else this.linkFailed()
    }
    this.say('PENDING')
    if (!settings.listen) return this.say('CANCELPENDING')
    const bw = this.deps.flavour === 'hf' ? Math.min(f.bw, settings.bandwidth) : 0
    const { src, dst, via, registered } = f
    this.open({ local: dst, peer: src, caller: src, called: dst, via, bw, peerRegistered: registered, id: f.seq }, 'answering')
    this.sendControl('accept', true)
  }

  private onAccept(f: VaraFrame, s: Session): void {
    if (this.state === 'calling') {
      s.bw = f.bw
      s.peerRegistered = f.registered
      this.becomeConnected()
    }
    if (this.state === 'connected' || this.state === 'closing') this.takeTurn('reply')
  }

  private onData(f: VaraFrame): void {
    if (this.state === 'answering') this.becomeConnected()
    if (this.state !== 'connected' && this.state !== 'closing') return
    this.applyAck(f.ack)
    const fresh = this.streams.receive(f.seq, f.payload)
    if (fresh.length > 0) this.deliver(fresh)
    this.takeTurn(f.payload.length > 0 || f.needsReply ? 'reply' : 'kick')
  }

  private onDisc(f: VaraFrame): void {
    this.applyAck(f.ack)
    this.teardown(false)
    this.sendDiscAck(f, () => this.say('DISCONNECTED'))
  }

  private becomeConnected(): void {
    const s = this.session as Session
    this.state = 'connected'
    this.retries = 0
    this.say('UNENCRYPTED LINK')
    this.say(s.peerRegistered ? 'LINK REGISTERED' : 'LINK UNREGISTERED')
    this.radio.pickLevel(s.bw)
    const tail = this.deps.flavour === 'hf' ? ` ${s.bw}` : s.via.length > 0 ? ` VIA ${s.via.join(' ')}` : ''
    this.say(`CONNECTED ${s.caller} ${s.called}${tail}`)
    this.armIdle()
  }

  /** Sends whatever this station should send now that it has the turn. */
  private takeTurn(turn: Turn): void {
    if (this.radio.transmitting) {
      this.deferred = turn
      return
    }
    if (this.state === 'calling') return this.sendControl('connect', true)
    if (this.state === 'answering') return this.sendControl('accept', true)
    if (this.state !== 'connected' && this.state !== 'closing') return
    if (this.streams.pending > 0) return this.sendData()
    if (this.state === 'closing') return this.sendControl('disc', true)
    if (turn === 'reply') return this.sendControl('data', false)
    if (turn === 'poll') return this.sendControl('data', true)
  }

  /** Starts an exchange on our own initiative, when nothing is in flight. */
  private kick(): void {
    const ready = this.state === 'connected' || this.state === 'closing'
    if (ready && !this.radio.transmitting && this.retry === undefined && !this.radio.isBusy()) this.takeTurn('kick')
  }

  private sendData(): void {
    const level = this.radio.pickLevel(this.session?.bw ?? 0)
    const p2p = this.deps.settings().p2p
    const payload = this.streams.peek(dataFrameCapacity(level, p2p))
    const frame = { ...this.frame('data', true), payload }
    this.radio.sendData(frame, level, p2p, () => this.afterTransmit(frame))
  }

  private sendControl(kind: VaraFrame['kind'], needsReply: boolean): void {
    const frame = this.frame(kind, needsReply)
    this.radio.sendControl(frame, () => this.afterTransmit(frame))
  }

  /** Answers a DISC, in or out of a session (so the peer's DISCONNECT completes). */
  private sendDiscAck(f: VaraFrame, onEnd?: () => void): void {
    const frame = { ...this.frame('disc-ack', false), src: f.dst, dst: f.src, via: [] }
    this.radio.sendControl(frame, () => {
      onEnd?.()
      this.afterTransmit(frame)
    })
  }

  private frame(kind: VaraFrame['kind'], needsReply: boolean): VaraFrame {
    const s = this.session
    return {
      kind, src: s?.local ?? '', dst: s?.peer ?? '', via: [...(s?.via ?? [])], bw: s?.bw ?? 0,
      seq: kind === 'connect' ? (s?.id ?? 0) : this.streams.txBase, ack: this.streams.rxNext, needsReply,
      registered: this.deps.settings().registered, payload: EMPTY,
    }
  }

  /** Our frame has left the air: wait for the answer, or take a turn that came up meanwhile. */
  private afterTransmit(frame: VaraFrame): void {
    if (frame.needsReply && this.session !== undefined) this.armRetry()
    const turn = this.deferred
    this.deferred = undefined
    if (turn !== undefined) this.takeTurn(turn)
    else if (this.retry === undefined) this.kickSoon(2) // data queued while we sent an ACK
  }

  private applyAck(ack: number): void {
    if (this.streams.ack(ack) > 0) this.say(`BUFFER ${this.streams.pending}`)
  }

  private armRetry(): void {
    this.cancelRetry()
    const p = this.deps.channel.profile
    const longestReplyMs = p.txDelayMs + VARA_TIMING.p2pCycleMs + p.txTailMs
    const timeoutMs = 2 * p.latencyMs + longestReplyMs + 200 + this.deps.prng.next() * 1000 // jitter breaks lockstep
    this.retry = this.timers.setTimeout(() => this.onRetryTimer(), timeoutMs)
  }

  private cancelRetry(): void {
    this.retry?.cancel()
    this.retry = undefined
  }

  private onRetryTimer(): void {
    this.retry = undefined
    if (this.radio.isBusy()) {
      this.retry = this.timers.setTimeout(() => this.onRetryTimer(), 250 + this.deps.prng.next() * 500)
      return
    }
    const limit = this.state === 'calling' ? this.deps.limits.connectAttempts - 1 : this.deps.limits.maxRetries
    if (++this.retries > limit) return this.linkFailed()
    this.takeTurn('poll')
  }

  private linkFailed(): void {
    const answering = this.state === 'answering'
    this.teardown(!answering)
    if (answering) this.say('CANCELPENDING')
  }

  private armIdle(): void {
    this.idle?.cancel()
    const delay = this.deps.limits.idleProbeMs * (1 + this.deps.prng.next() * 0.1)
    this.idle = this.timers.setTimeout(() => {
      if (!this.radio.transmitting && this.retry === undefined) this.takeTurn('poll')
      this.armIdle()
    }, delay)
  }

  private teardown(announce = true): void {
    const hadData = this.streams.pending > 0
    this.reset()
    if (hadData) this.say('BUFFER 0')
    if (announce) this.say('DISCONNECTED')
    this.onBusy(this.radio.isBusy())
  }

  private onBusy(busy: boolean): void {
    if (this.state === 'idle' && busy !== this.busyReported) {
      this.busyReported = busy
      this.say(busy ? 'BUSY ON' : 'BUSY OFF')
    }
    if (!busy) this.kickSoon(1)
  }

  /** Kicks once a frame that just ended has reached us (`hops` = 1) or the peer's answer has begun (2). */
  private kickSoon(hops: number): void {
    this.timers.setTimeout(() => this.kick(), hops * this.deps.channel.profile.latencyMs + 100)
  }
}
