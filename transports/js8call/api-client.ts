/**
 * A client for JS8Call's TCP API (JS8Call is the server, 127.0.0.1:2442 by default): newline
 * JSON both ways, requests correlated with their replies by a numeric `_ID`, a deadline on every
 * reply (JS8Call ignores some requests, e.g. PING, and a hung JS8Call answers nothing), and every
 * other line delivered as an event.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import { connect, type Socket } from 'node:net'
import { LineSplitter } from '../../codecs/line-splitter.js'
import { TransportError } from '../errors.js'
import { formatJs8Line, messageIdOf, parseJs8Line, type Js8Message } from './api-messages.js'

/** Longest line accepted from JS8Call, bytes (the biggest replies, RX.TEXT and INBOX lists, are a few KiB). */
const MAX_LINE_BYTES = 1024 * 1024

/** Events of a {@link Js8ApiClient}. */
export interface Js8ApiClientEvents {
  /** A line that is not the reply to one of our requests (RX.*, RIG.PTT, STATION.STATUS, API.ERROR …). */
  message: [message: Js8Message]
  /** A line that is not an API message; it is skipped. */
  invalid: [line: string, reason: string]
  /** The connection ended; pending requests have been rejected with ERR_DEVICE. */
  close: [reason: string]
}

/** Where JS8Call listens, and how long to wait for it. */
export interface Js8ConnectOptions {
  host: string
  port: number
  /** ms */
  timeoutMs: number
  signal?: AbortSignal
}

/** Options of one request. */
export interface Js8RequestOptions {
  value?: string
  params?: Record<string, unknown>
  /** Reply type expected (e.g. `STATION.CALLSIGN`); another type with our `_ID` is an error. */
  reply: string
  /** ms */
  timeoutMs: number
}

interface Pending {
  readonly type: string
  readonly reply: string
  readonly resolve: (m: Js8Message) => void
  readonly reject: (e: TransportError) => void
  readonly timer: NodeJS.Timeout
}

/** One connection to JS8Call's API. */
export class Js8ApiClient extends EventEmitter<Js8ApiClientEvents> {
  private readonly splitter = new LineSplitter({ maxLineBytes: MAX_LINE_BYTES })
  private readonly decoder = new TextDecoder()
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private closed = false
  /** Wall ms of the last line received. */
  lastReceivedAt = Date.now()

  private constructor(private readonly socket: Socket) {
    super()
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', () => undefined) // reported through 'close'
    socket.on('close', () => this.shutdown('JS8Call closed the API connection'))
  }

  /** Connects; rejects with ERR_DEVICE when nothing listens, ERR_TIMEOUT or ERR_ABORTED. */
  static connect(options: Js8ConnectOptions): Promise<Js8ApiClient> {
    const where = `${options.host}:${options.port}`
    return new Promise((resolve, reject) => {
      const socket = connect({ host: options.host, port: options.port })
      const cleanup = (): void => {
        clearTimeout(timer)
        socket.off('error', onError)
        socket.off('connect', onConnect)
        options.signal?.removeEventListener('abort', onAbort)
      }
      const fail = (error: TransportError): void => {
        cleanup()
        socket.destroy()
        reject(error)
      }
      const onError = (e: Error): void =>
        fail(new TransportError('ERR_DEVICE', `JS8Call API at ${where}: ${e.message} (is JS8Call running with its TCP API on?)`, { cause: e }))
      const onAbort = (): void => fail(new TransportError('ERR_ABORTED', `connect to JS8Call at ${where} aborted`))
      const onConnect = (): void => {
        cleanup()
        resolve(new Js8ApiClient(socket))
      }
      const timer = setTimeout(() => fail(new TransportError('ERR_TIMEOUT', `JS8Call API at ${where}: no connection after ${options.timeoutMs} ms`)), options.timeoutMs)
      socket.once('error', onError)
      socket.once('connect', onConnect)
      if (options.signal?.aborted === true) onAbort()
      else options.signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** True once the connection has ended. */
  get isClosed(): boolean {
    return this.closed
  }

  /**
   * Sends a request and resolves with JS8Call's reply (matched by `_ID`). Rejects with ERR_TIMEOUT
   * when none comes in time, ERR_DEVICE when JS8Call answers API.ERROR or the connection ends.
   */
  request(type: string, options: Js8RequestOptions): Promise<Js8Message> {
    if (this.closed) return Promise.reject(new TransportError('ERR_DEVICE', `JS8Call API closed; cannot send ${type}`))
    const id = this.takeId()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new TransportError('ERR_TIMEOUT', `JS8Call did not answer ${type} within ${options.timeoutMs} ms`))
      }, options.timeoutMs)
      this.pending.set(id, { type, reply: options.reply, resolve, reject, timer })
      this.write(type, options.value ?? '', { ...options.params, _ID: id })
    })
  }

  /** Sends a message that gets no reply (TX.SEND_MESSAGE, RIG.SET_FREQ, PING). */
  notify(type: string, value = '', params: Record<string, unknown> = {}): void {
    if (this.closed) throw new TransportError('ERR_DEVICE', `JS8Call API closed; cannot send ${type}`)
    this.write(type, value, { ...params, _ID: this.takeId() })
  }

  /** Closes the connection (idempotent). */
  close(): void {
    this.socket.destroy()
    this.shutdown('closed by us')
  }

  private takeId(): number {
    const id = this.nextId
    this.nextId = this.nextId >= Number.MAX_SAFE_INTEGER ? 1 : this.nextId + 1
    return id
  }

  private write(type: string, value: string, params: Record<string, unknown>): void {
    this.socket.write(formatJs8Line(type, value, params))
  }

  private onData(chunk: Buffer): void {
    this.lastReceivedAt = Date.now()
    for (const event of this.splitter.push(chunk)) {
      if ('error' in event) {
        this.emit('invalid', '', event.error.message)
        continue
      }
      const line = this.decoder.decode(event.line).trim()
      if (line === '') continue
      const parsed = parseJs8Line(line)
      if (parsed.ok) this.dispatch(parsed.value)
      else this.emit('invalid', line, parsed.error.message)
    }
  }

  private dispatch(message: Js8Message): void {
    const id = messageIdOf(message)
    const waiting = id === undefined || id <= 0 ? undefined : this.pending.get(id)
    if (waiting === undefined || id === undefined) {
      this.emit('message', message)
      return
    }
    this.pending.delete(id)
    clearTimeout(waiting.timer)
    if (message.type === waiting.reply) waiting.resolve(message)
    else waiting.reject(new TransportError('ERR_DEVICE', `JS8Call answered ${waiting.type} with ${message.type} ${JSON.stringify(message.value)}`))
  }

  private shutdown(reason: string): void {
    if (this.closed) return
    this.closed = true
    for (const [, p] of this.pending) {
      clearTimeout(p.timer)
      p.reject(new TransportError('ERR_DEVICE', `${reason} before it answered ${p.type}`))
    }
    this.pending.clear()
    this.emit('close', reason)
  }
}
