/**
 * One TCP connection speaking the node's NDJSON P2P protocol: lines in through a bounded splitter and
 * the serde-exact decoder, messages out through a bounded write queue. Socket policy lives here (the
 * seed page's keepalive and TCP_NODELAY, an idle timeout, a strike count for garbage); what a message
 * means lives in the service that owns the connection.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import type { CodecError } from '../../codecs/errors.js'
import { LineSplitter } from '../../codecs/line-splitter.js'
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
}

/** Defaults: generous for a LAN node, every one configurable. */
export const DEFAULT_P2P_LIMITS: P2PConnectionLimits = {
  maxLineBytes: 64 * 1024 * 1024, // bytes: tens of MB of Chain, with room
  maxWriteQueueBytes: 96 * 1024 * 1024, // bytes: one full Chain answer plus a few announcements
  idleTimeoutMs: 10 * 60_000, // ms: a node mines every 30 s, so 10 min of silence means a dead peer
  keepAliveMs: 30_000, // ms
  maxStrikes: 5,
  strikeWindowMs: 60_000, // ms
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
  private readonly splitter: LineSplitter
  private strikes: number[] = []
  private closed = false

  /**
   * @param socket - a connected socket; the connection owns it from now on
   * @param direction - who dialled: logs and relay policy use it
   */
  constructor(
    private readonly socket: Socket,
    readonly direction: 'inbound' | 'outbound',
    private readonly limits: P2PConnectionLimits = DEFAULT_P2P_LIMITS,
  ) {
    super()
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
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
    this.socket.destroy()
    this.emit('close', reason, detail)
    this.removeAllListeners('message')
    this.removeAllListeners('bad-line')
  }

  private onData(chunk: Buffer): void {
    for (const event of this.splitter.push(chunk)) {
      if (this.closed) return
      if ('error' in event) this.strike(event.error)
      else this.onLine(event.line)
    }
  }

  private onEnd(): void {
    // BufReader::lines() hands over a last line without a newline; so do we.
    for (const event of this.splitter.end()) {
      if ('error' in event) this.strike(event.error)
      else this.onLine(event.line)
    }
    this.close('remote-closed', 'peer ended the stream')
  }

  private onLine(line: Uint8Array): void {
    const decoded = decodeP2PMessage(line)
    if (decoded.ok) this.emit('message', decoded.value, line)
    else this.strike(decoded.error)
  }

  /** Counts a bad line; too many within the window closes the connection. */
  private strike(error: CodecError): void {
    this.emit('bad-line', error)
    const now = Date.now()
    this.strikes = this.strikes.filter((t) => now - t < this.limits.strikeWindowMs)
    this.strikes.push(now)
    if (this.strikes.length >= this.limits.maxStrikes) {
      this.close('garbage', `${this.strikes.length} bad lines within ${this.limits.strikeWindowMs} ms`)
    }
  }
}
