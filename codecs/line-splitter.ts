/**
 * A streaming line splitter with a carry-over buffer and a length guard, for every line-framed
 * peer: the node's NDJSON (LF), JS8Call's JSON API (LF) and VARA's command port (CR).
 *
 * Semantics mirror Rust's `BufRead::lines()`, which the node reads its sockets with:
 * - the delimiter is removed, and with `stripCarriageReturn` (default on for LF) so is one CR
 *   right before it, so CRLF peers work;
 * - empty lines are yielded (the node hands them to serde, which rejects them);
 * - at the end of input a final line without delimiter is yielded as it is (`end()`), CR kept.
 *
 * A line longer than `maxLineBytes` (bytes before the delimiter) yields one `ERR_LINE_TOO_LONG`
 * event as soon as it crosses the limit; its bytes are dropped, never buffered, up to the next
 * delimiter, and splitting resumes there. Memory is therefore at most about 2 × `maxLineBytes`.
 *
 * Why not `@serialport/parser-delimiter` (13.0.0): it has no length limit, so a peer that never
 * sends a newline grows its buffer without bound; it `Buffer.concat`s the carry-over with every
 * chunk and searches it again from the start, which is quadratic for a long line arriving in
 * small chunks (a tens-of-MB `Chain` in 64 KiB socket reads); and it silently drops empty lines.
 * Here the carry-over grows by doubling and each byte is searched once.
 *
 * @packageDocumentation
 */
import { Transform, type TransformCallback } from 'node:stream'
import { CodecError } from './errors.js'
import { hexNumber } from './hex.js'

/** LF, the NDJSON and JS8Call delimiter. */
export const LF = 0x0a
/** CR, the delimiter of VARA's command port. */
export const CR = 0x0d
/** Default longest line, bytes: a whole chain as one `Chain` line can be tens of MB. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024
/** A carry-over buffer larger than this is dropped after its line, bytes (returns memory after a big line). */
const KEEP_BUFFER_BYTES = 1024 * 1024

/** Options of {@link LineSplitter}. */
export interface LineSplitterOptions {
  /** Delimiter byte: {@link LF} (default) or {@link CR}. */
  readonly delimiter?: number
  /** Longest accepted line, bytes before the delimiter. Default {@link DEFAULT_MAX_LINE_BYTES}. */
  readonly maxLineBytes?: number
  /** Drop one CR right before an LF delimiter, like `lines()`. Default true when the delimiter is LF. */
  readonly stripCarriageReturn?: boolean
}

/** One complete line (delimiter removed, a fresh copy) or a typed error about the input. */
export type LineEvent = { readonly line: Uint8Array } | { readonly error: CodecError }

/** Splits a byte stream into lines; pure, no I/O. Feed it with {@link push}, finish with {@link end}. */
export class LineSplitter {
  readonly #delimiter: number
  readonly #maxLineBytes: number
  readonly #stripCr: boolean
  #buf = new Uint8Array(0)
  #len = 0 // bytes of the current partial line in #buf
  #discarding = false // inside a line that was too long, dropping bytes until the next delimiter

  /** @param options - delimiter, length limit, CR handling */
  constructor(options: LineSplitterOptions = {}) {
    this.#delimiter = options.delimiter ?? LF
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
    this.#stripCr = options.stripCarriageReturn ?? this.#delimiter === LF
    if (!Number.isInteger(this.#delimiter) || this.#delimiter < 0 || this.#delimiter > 0xff) {
      throw new RangeError(`delimiter must be a byte value, got ${this.#delimiter}`)
    }
    if (!Number.isInteger(this.#maxLineBytes) || this.#maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${this.#maxLineBytes}`)
    }
  }

  /** Bytes of the unfinished line held back for the next chunk. */
  get bufferedBytes(): number {
    return this.#len
  }

  /** Consumes one chunk; returns the lines (and errors) it completes, in order. */
  push(chunk: Uint8Array): LineEvent[] {
    const events: LineEvent[] = []
    let start = 0
    while (start < chunk.length) {
      const stop = chunk.indexOf(this.#delimiter, start)
      if (stop === -1) {
        this.#take(chunk, start, chunk.length, events)
        break
      }
      this.#take(chunk, start, stop, events)
      if (this.#discarding) this.#discarding = false
      else events.push({ line: this.#takeLine(this.#stripCr) })
      start = stop + 1
    }
    return events
  }

  /**
   * Ends the input: a final line without delimiter is returned as a line (as `lines()` does), CR
   * kept; a too-long line in progress was already reported. The splitter is then empty and reusable.
   */
  end(): LineEvent[] {
    const pending = !this.#discarding && this.#len > 0
    this.#discarding = false
    return pending ? [{ line: this.#takeLine(false) }] : []
  }

  /** Adds `chunk[start, stop)` to the current line, or reports and drops an over-long one. */
  #take(chunk: Uint8Array, start: number, stop: number, events: LineEvent[]): void {
    if (this.#discarding || start === stop) return
    const need = this.#len + (stop - start)
    if (need > this.#maxLineBytes) {
      const msg = `line longer than ${this.#maxLineBytes} bytes; dropping it up to the next ${hexNumber(this.#delimiter, 2)} delimiter`
      events.push({ error: new CodecError('ERR_LINE_TOO_LONG', msg) })
      this.#discarding = true
      this.#len = 0
      return
    }
    if (need > this.#buf.length) this.#grow(need)
    this.#buf.set(chunk.subarray(start, stop), this.#len)
    this.#len = need
  }

  #grow(need: number): void {
    let capacity = Math.max(256, this.#buf.length * 2)
    while (capacity < need) capacity *= 2
    const grown = new Uint8Array(Math.min(capacity, this.#maxLineBytes))
    grown.set(this.#buf.subarray(0, this.#len))
    this.#buf = grown
  }

  #takeLine(stripCr: boolean): Uint8Array {
    let len = this.#len
    if (stripCr && len > 0 && this.#buf[len - 1] === CR) len--
    const line = this.#buf.slice(0, len)
    this.#len = 0
    if (this.#buf.length > KEEP_BUFFER_BYTES) this.#buf = new Uint8Array(0)
    return line
  }
}

/**
 * {@link LineSplitter} as a Node Transform for sockets and serial ports: bytes in, {@link LineEvent}
 * objects out. Errors travel as events, never as stream `'error'`s: an over-long line is bad data
 * from the peer, not a broken pipe, and the lines after it still count.
 */
export class LineSplitterStream extends Transform {
  readonly #splitter: LineSplitter

  /** @param options - see {@link LineSplitterOptions} */
  constructor(options?: LineSplitterOptions) {
    super({ readableObjectMode: true })
    this.#splitter = new LineSplitter(options)
  }

  /** Splits one received chunk and pushes the events it completes. */
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#pushAll(this.#splitter.push(chunk))
    done()
  }

  /** At end of input, pushes a final unterminated line. */
  override _flush(done: TransformCallback): void {
    this.#pushAll(this.#splitter.end())
    done()
  }

  #pushAll(events: LineEvent[]): void {
    for (const event of events) this.push(event)
  }
}
