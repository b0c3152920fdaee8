/**
 * The receive side of the data port: length-prefixed frames (codecs/length-prefix.ts) cut from
 * each session's byte stream and attributed to the session's peer.
 *
 * A session's stream starts afresh, so the decoder is reset between sessions. The command and data
 * sockets race (radio.md §3.1): bytes of a session can arrive after its DISCONNECTED line, so the
 * reset waits `trailingDataMs` (Pat waits 2 s) or until the next CONNECTED, whichever comes first.
 * A session that died mid-frame leaves a partial frame; the reset drops it (the sender re-sends the
 * whole frame, since the peer never acknowledged all of it).
 *
 * @packageDocumentation
 */
import { LengthPrefixDecoder } from '../../codecs/length-prefix.js'
import type { Logger } from '../../gateway/log.js'
import { TimerSlot, type Clock } from '../clock.js'

/** What the receiver needs. */
export interface ReceiverDeps {
  readonly clock: Clock
  readonly log: Logger
  /** Largest frame accepted (the MTU), bytes. */
  readonly maxFrameBytes: number
  /** How long after DISCONNECTED bytes still belong to the session, ms. */
  readonly trailingDataMs: number
  /** A complete frame from `from`. */
  readonly onFrame: (payload: Uint8Array, from: string | undefined) => void
  /** The peer's bytes are not our framing (not a gateway, or corrupted): the session should end. */
  readonly onBadFraming: (peer: string | undefined) => void
}

/** Frames out of the data port's byte stream. */
export class VaraReceiver {
  private decoder: LengthPrefixDecoder
  private peer: string | undefined
  private ended = false // the session is over; trailing bytes may still come
  private discarding = false // bad framing seen: drop bytes until the stream starts afresh
  private readonly trailing: TimerSlot

  /** @param deps - clock, log, limits and callbacks */
  constructor(private readonly deps: ReceiverDeps) {
    this.decoder = new LengthPrefixDecoder(deps.maxFrameBytes)
    this.trailing = new TimerSlot(deps.clock)
  }

  /** Bytes from the data port. */
  push(bytes: Uint8Array): void {
    if (this.discarding) return
    for (const event of this.decoder.push(bytes)) {
      if ('frame' in event) this.deps.onFrame(plain(event.frame), this.peer)
      else return this.badFraming(event.error.message)
    }
  }

  /** CONNECTED: a new stream from `peer` begins. */
  sessionStarted(peer: string): void {
    if (this.ended) this.reset()
    this.peer = peer
  }

  /** DISCONNECTED: the stream ends once trailing bytes had their chance. */
  sessionEnded(): void {
    this.ended = true
    this.trailing.set(() => this.reset(), this.deps.trailingDataMs)
  }

  /** The modem is gone: stop timers. */
  dispose(): void {
    this.trailing.cancel()
  }

  private badFraming(why: string): void {
    this.discarding = true
    this.deps.log.warn({ peer: this.peer, why }, 'VARA session bytes are not length-framed; ignoring the rest of the session and disconnecting')
    this.deps.onBadFraming(this.peer)
  }

  private reset(): void {
    this.trailing.cancel()
    if (this.decoder.bufferedBytes > 0) {
      this.deps.log.info({ peer: this.peer, bytes: this.decoder.bufferedBytes }, 'VARA session ended inside a frame; dropped the partial frame (the sender re-sends it)')
    }
    this.decoder = new LengthPrefixDecoder(this.deps.maxFrameBytes)
    this.ended = false
    this.discarding = false
  }
}

/** A plain Uint8Array view of `bytes` (the decoder may hand out Buffers). */
function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
