/**
 * One TCP connection speaking the node's NDJSON P2P protocol: lines in through a bounded splitter and
 * the serde-exact decoder, messages out through a bounded write queue. Socket policy lives here (the
 * seed page's keepalive and TCP_NODELAY, an idle timeout, a strike count for garbage, a line budget
 * per peer address that stops reading while it is spent); what a message means lives in the service
 * that owns the connection.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import type { CodecError } from '../../codecs/errors.js'
import { LineSplitter, type LineEvent } from '../../codecs/line-splitter.js'
import type { P2PMessage } from '../../codecs/model.js'
import { decodeP2PMessage, encodeP2PMessage } from '../../codecs/ndjson.js'

const NEWLINE = Buffer.from('\n')

/** Socket limits of one P2P connection. */
export interface P2PConnectionLimits {
  /** Longest accepted line, bytes; a full `Chain` can be tens of MB. */
  maxLineBytes: number
  /** Most bytes queued for a peer that does not read before it is dropped as a slow reader. */
  maxWriteQueueBytes: number
  /** A connection with no traffic either way for this long is closed, ms. */
  idleTimeoutMs: number
  /** TCP keepalive probe delay, ms (the seed page asks for 30 s). */
  keepAliveMs: number
  /** Bad lines tolerated within {@link P2PConnectionLimits.strikeWindowMs} before disconnecting. */
  maxStrikes: number
  /** Window over which bad lines are counted, ms. */
  strikeWindowMs: number
  /** Lines one peer address may send per second, sustained, all its connections together. */
  maxLinesPerSecond: number
  /** Lines one peer address may send in a burst before {@link P2PConnectionLimits.maxLinesPerSecond} applies. */
  lineBurst: number
  /** Bytes of a `Chain` or `Mempool` answer that cost the asker one line of its budget. */
  answerBytesPerLine: number
}

/** Defaults: generous for a LAN node, every one configurable. */
export const DEFAULT_P2P_LIMITS: P2PConnectionLimits = {
  maxLineBytes: 64 * 1024 * 1024, // bytes: tens of MB of Chain, with room
  maxWriteQueueBytes: 96 * 1024 * 1024, // bytes: one full Chain answer plus a few announcements
  idleTimeoutMs: 10 * 60_000, // ms: a node mines every 30 s, so 10 min of silence means a dead peer
  keepAliveMs: 30_000, // ms
  maxStrikes: 5,
  strikeWindowMs: 60_000, // ms
  maxLinesPerSecond: 200, // lines/s: a node announces a block per 30 s and a handful of transactions
  lineBurst: 200, // lines: about 0.2 s of event loop for 200 fresh signatures, the worst burst
  answerBytesPerLine: 8 * 1024, // bytes: a 1 MB Mempool answer costs 128 lines
}

/**
 * A token bucket in lines, shared by every connection from one address (see {@link P2PPeers}), so a
 * peer cannot multiply its rate by opening more connections. Plain data; the connection refills it.
 */
export interface LineBudget {
  /** Lines that may be handled now; negative after an expensive answer (at least `-lineBurst`). */
  tokens: number
  /** When `tokens` was last refilled, ms since the epoch. */
  at: number
}

/** A full {@link LineBudget}. */
export function fullLineBudget(limits: P2PConnectionLimits): LineBudget {
  return { tokens: limits.lineBurst, at: Date.now() }
}

/** Why a connection closed. */
export type CloseReason = 'remote-closed' | 'socket-error' | 'idle' | 'slow-reader' | 'garbage' | 'local'

/** Events of a {@link P2PConnection}. */
export interface P2PConnectionEvents {
  /** A decoded message and the exact line it came in (without the newline). */
  message: [msg: P2PMessage, line: Uint8Array]
  /** A line that failed to decode; the connection survives until the strikes run out. */
  'bad-line': [error: CodecError]
  /** The connection is gone; emitted once. */
  close: [reason: CloseReason, detail: string]
}

/** A P2P connection over an already-connected socket. */
export class P2PConnection extends EventEmitter<P2PConnectionEvents> {
  /** `host:port` of the other end, for logs. */
  readonly remote: string
  /** IP address of the other end: what caps and bans are keyed by. */
  readonly address: string
  private readonly splitter: LineSplitter
  /** Lines split off but not handled yet, because the address spent its line budget. */
  private backlog: LineEvent[] = []
  private resumeTimer: NodeJS.Timeout | undefined
  private strikes: number[] = []
  private closed = false

  /**
   * @param socket - a connected socket; the connection owns it from now on
   * @param direction - who dialled: logs and relay policy use it
   * @param limits - socket limits
   * @param budget - the line budget of the peer's address, shared with its other connections
   */
  constructor(
    private readonly socket: Socket,
    readonly direction: 'inbound' | 'outbound',
    private readonly limits: P2PConnectionLimits = DEFAULT_P2P_LIMITS,
    private readonly budget: LineBudget = fullLineBudget(limits),
  ) {
    super()
    this.address = socket.remoteAddress ?? '?'
    this.remote = `${this.address}:${socket.remotePort ?? '?'}`
    this.splitter = new LineSplitter({ delimiter: 0x0a, maxLineBytes: limits.maxLineBytes })
    socket.setNoDelay(true)
    socket.setKeepAlive(true, limits.keepAliveMs)
    socket.setTimeout(limits.idleTimeoutMs, () => this.close('idle', `no traffic for ${limits.idleTimeoutMs} ms`))
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('end', () => this.onEnd())
    socket.on('error', (e) => this.close('socket-error', e.message))
    socket.on('close', () => this.close('remote-closed', 'socket closed'))
  }

  /** True until the connection has closed. */
  get open(): boolean {
    return !this.closed
  }

  /** Bytes written but not yet taken by the kernel. */
  get queuedBytes(): number {
    return this.socket.writableLength
  }

  /** Sends one message as an NDJSON line; returns false when the connection is closed. */
  send(msg: P2PMessage): boolean {
    return this.sendLine(encodeP2PMessage(msg))
  }

  /**
   * Sends the answer to a request of this peer (`Chain`, `Mempool`) and bills the peer's line budget
   * for its size, so a flood of tiny requests for big answers is slowed like a flood of lines.
   */
  answer(msg: P2PMessage): boolean {
    const line = encodeP2PMessage(msg)
    this.refill()
    this.budget.tokens = Math.max(-this.limits.lineBurst, this.budget.tokens - Buffer.byteLength(line) / this.limits.answerBytesPerLine)
    return this.sendLine(line)
  }

  /**
   * Sends a raw line (no newline), for relaying a line exactly as it arrived. A peer that lets more
   * than `maxWriteQueueBytes` pile up is dropped: a slow reader cannot grow our memory without bound.
   */
  sendLine(line: string | Uint8Array): boolean {
    if (this.closed) return false
    const size = typeof line === 'string' ? Buffer.byteLength(line) : line.byteLength
    if (this.socket.writableLength + size + 1 > this.limits.maxWriteQueueBytes) {
      this.close('slow-reader', `${this.socket.writableLength} bytes already queued`)
      return false
    }
    // One write per line: a line and its newline in separate segments would cost a packet each.
    this.socket.write(typeof line === 'string' ? `${line}\n` : Buffer.concat([line, NEWLINE]))
    return true
  }

  /** Closes the connection (idempotent). */
  close(reason: CloseReason = 'local', detail = 'closed by us'): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.resumeTimer)
    this.backlog = []
    this.socket.destroy()
    this.emit('close', reason, detail)
    this.removeAllListeners('message')
    this.removeAllListeners('bad-line')
  }

  /**
   * Counts one offence (a bad line, or content that fails validation); too many within the window
   * close the connection as `garbage`, which gets an inbound peer's address banned.
   */
  strike(detail: string): void {
    if (this.closed) return
    const now = Date.now()
    this.strikes = this.strikes.filter((t) => now - t < this.limits.strikeWindowMs)
    this.strikes.push(now)
    if (this.strikes.length >= this.limits.maxStrikes) {
      this.close('garbage', `${this.strikes.length} offences within ${this.limits.strikeWindowMs} ms, the last: ${detail}`)
    }
  }

  private onData(chunk: Buffer): void {
    for (const event of this.splitter.push(chunk)) this.backlog.push(event)
    this.work()
  }

  /**
   * Handles queued lines while the address has budget. When it runs out, reading stops (TCP pushes
   * back on the peer, nothing piles up here beyond the last chunk) until the bucket has refilled.
   */
  private work(): void {
    let done = 0
    while (done < this.backlog.length && !this.closed && this.takeLine()) this.onEvent(this.backlog[done++] as LineEvent)
    if (this.closed) return
    this.backlog = done === this.backlog.length ? [] : this.backlog.slice(done)
    if (this.backlog.length === 0) {
      this.socket.resume()
      return
    }
    this.socket.pause()
    const waitMs = Math.ceil(((1 - this.budget.tokens) * 1000) / this.limits.maxLinesPerSecond) // ms until one line is due
    this.resumeTimer ??= setTimeout(() => {
      this.resumeTimer = undefined
      this.work()
    }, Math.max(1, waitMs))
  }

  /** Takes one line from the budget, refilled to now; false when none is left. */
  private takeLine(): boolean {
    this.refill()
    if (this.budget.tokens < 1) return false
    this.budget.tokens -= 1
    return true
  }

  private refill(): void {
    const now = Date.now()
    const elapsed = Math.max(0, now - this.budget.at) // ms; a clock step backwards refills nothing
    this.budget.tokens = Math.min(this.limits.lineBurst, this.budget.tokens + (elapsed * this.limits.maxLinesPerSecond) / 1000)
    this.budget.at = Math.max(this.budget.at, now)
  }

  private onEnd(): void {
    // BufReader::lines() hands over a last line without a newline; so do we. (The socket was
    // flowing, so the backlog is empty: a paused socket does not end.)
    for (const event of this.splitter.end()) this.onEvent(event)
    this.close('remote-closed', 'peer ended the stream')
  }

  private onEvent(event: LineEvent): void {
    if ('error' in event) this.badLine(event.error)
    else this.onLine(event.line)
  }

  private onLine(line: Uint8Array): void {
    const decoded = decodeP2PMessage(line)
    if (decoded.ok) this.emit('message', decoded.value, line)
    else this.badLine(decoded.error)
  }

  private badLine(error: CodecError): void {
    this.emit('bad-line', error)
    this.strike(`${error.code}: ${error.message}`)
  }
}
