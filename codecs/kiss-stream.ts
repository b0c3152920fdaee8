/**
 * {@link KissDecoder} as a Node Transform, to pipe a serial port or a TCP socket (Direwolf's KISS
 * port 8001) into: bytes in, {@link KissEvent} objects out.
 *
 * Why not `@serialport/parser-delimiter` (the design card's suggestion) in front to split at FEND:
 * - its carry-over buffer has no limit and is rebuilt with `Buffer.concat` on every chunk until a
 *   FEND arrives, so a TNC chattering text or a stuck line grows it without bound (and
 *   quadratically with 1-byte chunks); a length guard in front of it would have to scan for FEND
 *   itself, which is the whole job;
 * - it drops the empty pieces between back-to-back FENDs (a zero-length push emits nothing), so a
 *   later stage can no longer tell the bytes inside a FEND pair (a frame) from those between
 *   frames (noise), which KISS needs;
 * - its `_flush` hands on a partial frame as if it were complete.
 * The decoder splits, unescapes and bounds in one pass over a buffer allocated once instead.
 *
 * Decoder errors travel as `{ type: 'error' }` objects on the readable side, never as stream
 * `'error'` events: bad bytes from a radio are data, not a broken pipe.
 *
 * @packageDocumentation
 */
import { Transform, type TransformCallback } from 'node:stream'
import { KissDecoder, type KissDecoderComponents, type KissDecoderOptions, type KissEvent } from './kiss-decoder.js'

/** Transform: bytes in (writable side), {@link KissEvent} objects out (object-mode readable side). */
export class KissDecodeStream extends Transform {
  readonly #decoder: KissDecoder

  /**
   * @param options - decoder options (frame cap, leading-FEND rule, inter-byte timeout)
   * @param components - `now` for the inter-byte timeout
   */
  constructor(options?: KissDecoderOptions, components?: KissDecoderComponents) {
    super({ readableObjectMode: true })
    this.#decoder = new KissDecoder(options, components)
  }

  /** Decodes one chunk of received bytes and pushes the events it completes. */
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#pushAll(this.#decoder.push(chunk))
    done()
  }

  /** At end of input, reports buffered noise and a partial frame (`ERR_TRUNCATED`). */
  override _flush(done: TransformCallback): void {
    this.#pushAll(this.#decoder.end())
    done()
  }

  #pushAll(events: KissEvent[]): void {
    for (const event of events) this.push(event)
  }
}
