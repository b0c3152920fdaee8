/**
 * The TCP side of a simulated JS8Call: newline-delimited JSON both ways (JS8Call's
 * `MessageServer`), with its routing rule and its error replies.
 *
 * - Lines end in LF; a CR before it is dropped (pyjs8call sends CRLF). A line longer than
 *   `maxLineBytes` is dropped and answered like unparsable text (real JS8Call has no bound).
 * - Replies go to the client that asked; messages with an id ≤ 0 (events, `_ID: -1`) and messages
 *   JS8Call creates on its own go to every client (`awaitingResponse(id) = id <= 0 || pending`).
 * - With `maxConnections` clients connected, a new one gets `API.ERROR "Connections Full"` and is
 *   closed, as JS8Call does.
 *
 * Deviation: after a bad or empty line, real JS8Call stops reading the rest of that TCP read until
 * more bytes arrive (a `return` in its read loop); this server reads on.
 *
 * @packageDocumentation
 */
import type { Socket } from 'node:net'
import { LF, LineSplitter } from '../../codecs/line-splitter.js'
import { openTcpListener } from '../tcp-listener.js'
import {
  API_ERROR_NOT_OBJECT, API_ERROR_UNPARSABLE, formatJs8ApiMessage, parseJs8ApiLine, type Js8ApiMessage,
} from './js8-api-envelope.js'

/** Longest request line accepted by default, bytes (a TX.SEND_MESSAGE of a few KiB is typical). */
export const DEFAULT_MAX_API_LINE_BYTES = 256 * 1024

/** A connected API client. */
export interface Js8ApiClient {
  /** Writes one message to this client only. */
  send(message: Js8ApiMessage): void
}

/** Options of {@link openJs8ApiServer}. */
export interface Js8ApiServerOptions {
  readonly host: string
  readonly port: number
  readonly maxLineBytes: number
  /** 0 = unlimited. */
  readonly maxConnections: number
  /** A parsed request from `client`. */
  readonly onRequest: (message: Js8ApiMessage, client: Js8ApiClient) => void
  /** An API.ERROR with this value is due to `client` (bad line, or "Connections Full" before closing). */
  readonly onError: (value: string, client: Js8ApiClient) => void
}

/** A listening API server. */
export interface Js8ApiServer {
  /** Bound port. */
  readonly port: number
  /** Connected clients. */
  clientCount(): number
  /** Writes one message to every client. */
  broadcast(message: Js8ApiMessage): void
  /** Drops every client and stops listening. */
  close(): Promise<void>
}

class Connection implements Js8ApiClient {
  private readonly splitter: LineSplitter

  constructor(
    private readonly socket: Socket,
    private readonly o: Js8ApiServerOptions,
  ) {
    this.splitter = new LineSplitter({ delimiter: LF, maxLineBytes: o.maxLineBytes })
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
  }

  send(message: Js8ApiMessage): void {
    if (!this.socket.destroyed) this.socket.write(`${formatJs8ApiMessage(message)}\n`)
  }

  private onData(chunk: Uint8Array): void {
    for (const event of this.splitter.push(chunk)) {
      if ('error' in event) {
        this.o.onError(API_ERROR_UNPARSABLE, this)
        continue
      }
      const parsed = parseJs8ApiLine(event.line)
      if (parsed === undefined) continue
      if (parsed.ok) this.o.onRequest(parsed.value, this)
      else this.o.onError(parsed.error.code === 'ERR_INVALID_TYPE' ? API_ERROR_NOT_OBJECT : API_ERROR_UNPARSABLE, this)
    }
  }
}

/** Opens the API server; resolves once it listens. */
export async function openJs8ApiServer(o: Js8ApiServerOptions): Promise<Js8ApiServer> {
  const clients = new Map<Socket, Connection>()
  const listener = await openTcpListener({
    host: o.host,
    port: o.port,
    onClient: (socket) => {
      if (o.maxConnections > 0 && clients.size >= o.maxConnections) {
        o.onError('Connections Full', { send: (m) => socket.write(`${formatJs8ApiMessage(m)}\n`) })
        socket.end()
        return
      }
      clients.set(socket, new Connection(socket, o))
      socket.on('close', () => clients.delete(socket))
    },
  })
  return {
    port: listener.port,
    clientCount: () => clients.size,
    broadcast(message) {
      for (const c of clients.values()) c.send(message)
    },
    close() {
      clients.clear()
      return listener.close()
    },
  }
}
