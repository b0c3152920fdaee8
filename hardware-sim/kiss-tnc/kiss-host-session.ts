/**
 * One host connection of a simulated KISS TNC (the serial line, one TCP client, or an in-process
 * link): its own KISS decoder state, and Direwolf's answers to text that is not KISS.
 *
 * Hosts written for traditional TNCs send init strings (`KISS ON\r`, `RESTART\r`, ...) before
 * KISS. Like Direwolf (`src/kiss_frame.c`, kiss_rec_byte), the session collects such noise (first
 * 100 bytes) until a CR and then answers `C0 C0` when the line was `restart` or `reset` (any
 * case), else the fake prompt `\r\ncmd:`, so chatty hosts stop retrying. After KISS Return with
 * `leave-kiss` behaviour the TNC is in command mode: frames are ignored, every line is answered
 * with the prompt, and `KISS ON` returns to KISS.
 *
 * @packageDocumentation
 */
import { KissDecoder } from '../../codecs/kiss-decoder.js'
import type { KissFrame } from '../../codecs/kiss.js'

/** Direwolf keeps this much of a noise line (MAX_NOISE_LEN), bytes. */
const NOISE_LINE_MAX = 100
const CR = 0x0d
/** Direwolf's fake command prompt. */
export const KISS_FAKE_PROMPT = Uint8Array.from([0x0d, 0x0a, 0x63, 0x6d, 0x64, 0x3a]) // "\r\ncmd:"
/** Direwolf's answer to `restart\r` / `reset\r`. */
export const KISS_RESTART_ANSWER = Uint8Array.from([0xc0, 0xc0])

/** A host connection as the transports (serial line, TCP client) hold it. */
export interface KissHostLink {
  /** Bytes from the host. */
  write(bytes: Uint8Array): void
  /** The host went away. */
  close(): void
}

/** Host-side counters a session adds to (shared with its TNC). */
export interface HostSessionCounters {
  /** Bytes outside KISS frames. */
  hostNoiseBytes: number
  /** KISS protocol errors in host input (bad escape, over-long or truncated frame). */
  hostErrors: number
}

/** What a session needs from its TNC. */
export interface HostSessionDeps {
  /** A hung TNC: input is ignored. */
  readonly silent: () => boolean
  /** False after KISS Return with `leave-kiss` behaviour. */
  readonly inKissMode: () => boolean
  readonly enterKissMode: () => void
  /** A KISS frame from this host; `reply` answers this host alone. */
  readonly onFrame: (frame: KissFrame, reply: (bytes: Uint8Array) => void) => void
  readonly counters: HostSessionCounters
}

/** A host connection: feed it the host's bytes; `send` carries the TNC's bytes to that host. */
export class KissHostSession {
  readonly #decoder = new KissDecoder()
  #line = '' // noise since the last CR or frame, at most NOISE_LINE_MAX chars (latin1)

  constructor(
    /** Writes bytes to this host. */
    readonly send: (bytes: Uint8Array) => void,
    private readonly deps: HostSessionDeps,
  ) {}

  /** Bytes from the host, in any chunking. */
  push(chunk: Uint8Array): void {
    if (this.deps.silent()) return
    for (const event of this.#decoder.push(chunk)) {
      if (event.type === 'frame') {
        this.#line = ''
        if (this.deps.inKissMode()) this.deps.onFrame(event.frame, this.send)
      } else if (event.type === 'noise') this.#noise(event.bytes)
      else this.deps.counters.hostErrors++
    }
  }

  #noise(bytes: Uint8Array): void {
    this.deps.counters.hostNoiseBytes += bytes.length
    this.#line = (this.#line + Buffer.from(bytes).toString('latin1')).slice(0, NOISE_LINE_MAX)
    // The decoder ends a noise chunk at a CR, so a CR can only be its last byte.
    if (bytes[bytes.length - 1] !== CR) return
    const line = this.#line.toLowerCase()
    this.#line = ''
    if (!this.deps.inKissMode()) return this.#command(line.trim())
    this.send(line === 'restart\r' || line === 'reset\r' ? KISS_RESTART_ANSWER : KISS_FAKE_PROMPT)
  }

  /** Command mode: only `KISS ON` does something. */
  #command(line: string): void {
    if (/^kiss\s+on$/.test(line)) this.deps.enterKissMode()
    else this.send(KISS_FAKE_PROMPT)
  }
}
