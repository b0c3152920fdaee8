/**
 * Streaming KISS decoder: bytes in any chunking in, frames and typed reports out. Pure (no I/O, no
 * timers); `kiss-stream.ts` wraps it as a Node Transform.
 *
 * Decisions, with the reasons:
 * - **A frame is the bytes between an opening and a closing FEND** (Direwolf's model, and the
 *   spec's: the leading FEND "flushes out any accumulated garbage"). After a closing FEND the
 *   decoder hunts for the next opening FEND; bytes in between (TNC banners, `KISS ON\r` init
 *   strings, a reset mid-stream) are reported as `noise`, never as a frame. Back-to-back FENDs are
 *   no frame. A peer that shares one FEND between frames or omits the leading FEND would lose
 *   every other frame (as reported noise) in that mode, so `requireLeadingFend: false` switches to
 *   SLIP semantics where every FEND ends a frame and nothing is noise.
 * - **Invalid byte after FESC**: reported as `ERR_KISS_PROTOCOL`, then the spec's rule is followed
 *   ("no action is taken and frame assembly continues"): the FESC is dropped and the byte is kept
 *   as it is. Dropping the frame would turn one sender bug into silent loss; the layers above
 *   (AX.25 decode, the envelope checksum) still reject a frame the bad byte really broke.
 * - **Over-long frames** are dropped with one `ERR_FRAME_TOO_LONG` and the decoder resyncs at the
 *   next FEND. The frame buffer is allocated once at the cap, never grown.
 * - **Events do not depend on chunking** (except with the optional inter-byte timeout): noise is
 *   reported at a FEND, at a line end (CR or LF) or every {@link KISS_NOISE_CHUNK_LENGTH} bytes.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { CodecError } from './errors.js'
import { hexByte } from './hex.js'
import { FEND, FESC, KISS_DEFAULT_MAX_FRAME_LENGTH, splitKissTypeByte, TFEND, TFESC, type KissFrame } from './kiss.js'

/** Most bytes of noise in one `noise` event (Direwolf keeps 100 for its log). */
export const KISS_NOISE_CHUNK_LENGTH = 64 // bytes

/** Options for {@link KissDecoder}. */
export const KissDecoderOptionsSchema = z.object({
  /** Largest frame data (unescaped, after the type byte) before the frame is dropped, bytes. */
  maxFrameLength: z.number().int().min(1).max(1 << 20).default(KISS_DEFAULT_MAX_FRAME_LENGTH),
  /** Only bytes after an opening FEND are a frame (true), or every FEND ends a frame (false, SLIP-like). */
  requireLeadingFend: z.boolean().default(true),
  /** Abandon a partial frame when no bytes arrived for this long (needs `components.now`), ms. */
  interByteTimeoutMs: z.number().positive().optional(),
})
/** Options for {@link KissDecoder}, all optional. */
export type KissDecoderOptions = z.input<typeof KissDecoderOptionsSchema>

/** Collaborators injected into {@link KissDecoder}. */
export interface KissDecoderComponents {
  /** Monotonic clock for the inter-byte timeout, ms. */
  now?: () => number
}

/** What {@link KissDecoder.push} reports, in stream order. */
export type KissEvent =
  /** A complete frame. */
  | { type: 'frame'; frame: KissFrame }
  /** Bytes outside any frame, at most {@link KISS_NOISE_CHUNK_LENGTH} per event. */
  | { type: 'noise'; bytes: Uint8Array }
  /** `ERR_KISS_PROTOCOL`, `ERR_FRAME_TOO_LONG`, or `ERR_TRUNCATED` (stream ended or timed out inside a frame). */
  | { type: 'error'; error: CodecError }

type State = 'hunting' | 'frame' | 'discarding'

/**
 * Incremental KISS decoder. Memory is bounded by `maxFrameLength` plus a 64-byte noise buffer,
 * and time is linear in the input; it never throws on any input.
 */
export class KissDecoder {
  readonly #options: z.output<typeof KissDecoderOptionsSchema>
  readonly #now: (() => number) | undefined
  /** Type byte + data of the frame being assembled, allocated once at the cap. */
  readonly #frame: Uint8Array
  #length = 0
  #escaped = false
  readonly #noise = new Uint8Array(KISS_NOISE_CHUNK_LENGTH)
  #noiseLength = 0
  #state: State
  #lastByteAt: number | undefined
  #events: KissEvent[] = []

  /**
   * @param options - see {@link KissDecoderOptionsSchema}
   * @param components - `now` for the inter-byte timeout
   */
  constructor(options: KissDecoderOptions = {}, components: KissDecoderComponents = {}) {
    this.#options = KissDecoderOptionsSchema.parse(options)
    this.#now = components.now
    this.#frame = new Uint8Array(1 + this.#options.maxFrameLength)
    this.#state = this.#afterFrame()
  }

  /** Feeds received bytes; returns the events they complete. */
  push(chunk: Uint8Array): KissEvent[] {
    this.#events = []
    if (chunk.length > 0) this.#checkTimeout()
    for (const byte of chunk) this.#byte(byte)
    return this.#events
  }

  /** Ends the stream: reports buffered noise and a partial frame (`ERR_TRUNCATED`), then starts afresh. */
  end(): KissEvent[] {
    this.#events = []
    this.#flushNoise()
    this.#abandonPartial('stream ended')
    this.#state = this.#afterFrame()
    this.#lastByteAt = undefined
    return this.#events
  }

  #afterFrame(): State {
    return this.#options.requireLeadingFend ? 'hunting' : 'frame'
  }

  /** Runs once per non-empty chunk: every byte of a chunk arrived at the same moment. */
  #checkTimeout(): void {
    const timeout = this.#options.interByteTimeoutMs
    if (timeout === undefined || this.#now === undefined) return
    const now = this.#now()
    const silent = this.#lastByteAt === undefined ? 0 : now - this.#lastByteAt // ms
    this.#lastByteAt = now
    if (silent <= timeout) return
    // What follows the gap cannot be the rest of this frame: hunt for the next opening FEND.
    if (this.#abandonPartial(`no bytes for ${silent} ms inside a frame`)) this.#state = 'hunting'
  }

  /** Reports and clears a partial frame; true if there was one. */
  #abandonPartial(why: string): boolean {
    if (this.#state !== 'frame' || (this.#length === 0 && !this.#escaped)) return false
    this.#error('ERR_TRUNCATED', `${why}; partial KISS frame of ${this.#length} bytes (type byte included) dropped`)
    this.#length = 0
    this.#escaped = false
    return true
  }

  #byte(byte: number): void {
    switch (this.#state) {
      case 'hunting':
        if (byte === FEND) {
          this.#flushNoise()
          this.#state = 'frame'
        } else this.#addNoise(byte)
        return
      case 'discarding':
        if (byte === FEND) this.#state = this.#afterFrame()
        return
      case 'frame':
        if (byte === FEND) this.#closeFrame()
        else if (this.#escaped) this.#unescape(byte)
        else if (byte === FESC) this.#escaped = true
        else this.#append(byte)
    }
  }

  #closeFrame(): void {
    if (this.#escaped) this.#error('ERR_KISS_PROTOCOL', `FEND right after FESC at frame offset ${this.#length}; the FESC is dropped`)
    const empty = this.#length === 0 && !this.#escaped
    if (this.#length > 0) {
      const { port, command } = splitKissTypeByte(this.#frame[0] ?? 0)
      this.#events.push({ type: 'frame', frame: { port, command, data: this.#frame.slice(1, this.#length) } })
    }
    this.#length = 0
    this.#escaped = false
    // Back-to-back FENDs are no frame: the second one opens the next frame, as in Direwolf.
    if (!empty) this.#state = this.#afterFrame()
  }

  #unescape(byte: number): void {
    this.#escaped = false
    if (byte === TFEND) this.#append(FEND)
    else if (byte === TFESC) this.#append(FESC)
    else {
      this.#error('ERR_KISS_PROTOCOL', `byte ${hexByte(byte)} after FESC at frame offset ${this.#length}; kept as is, the FESC dropped`)
      this.#append(byte)
    }
  }

  #append(byte: number): void {
    if (this.#length < this.#frame.length) {
      this.#frame[this.#length++] = byte
      return
    }
    const max = this.#options.maxFrameLength
    this.#error('ERR_FRAME_TOO_LONG', `KISS frame with more than ${max} data bytes dropped; resyncing at the next FEND`)
    this.#length = 0
    this.#state = 'discarding'
  }

  #addNoise(byte: number): void {
    this.#noise[this.#noiseLength++] = byte
    if (byte === 0x0d || byte === 0x0a || this.#noiseLength === this.#noise.length) this.#flushNoise()
  }

  #flushNoise(): void {
    if (this.#noiseLength === 0) return
    this.#events.push({ type: 'noise', bytes: this.#noise.slice(0, this.#noiseLength) })
    this.#noiseLength = 0
  }

  #error(code: 'ERR_KISS_PROTOCOL' | 'ERR_FRAME_TOO_LONG' | 'ERR_TRUNCATED', message: string): void {
    this.#events.push({ type: 'error', error: new CodecError(code, message) })
  }
}
