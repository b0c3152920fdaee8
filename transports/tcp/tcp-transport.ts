/**
 * The TCP transport between gateways (internet or LAN): length-prefixed frames on one connection per
 * peer, dialled on first send and accepted when listening. `send` resolves once the bytes are with the
 * kernel and waits (bounded) when a peer reads slowly.
 *
 * @packageDocumentation
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import { encodeLengthPrefixed, LengthPrefixDecoder } from '../../codecs/length-prefix.js'
import { TransportError } from '../errors.js'
import { abortable, TransportBase } from '../transport-base.js'
import type { SendOptions, Transport } from '../types.js'
import { TcpTransportOptionsSchema, type TcpTransportOptions } from './config.js'

type Options = ReturnType<typeof TcpTransportOptionsSchema.parse>

/** Gateway-to-gateway frames over TCP. */
export class TcpTransport extends TransportBase implements Transport {
  private readonly opts: Options
  private server?: Server
  private readonly conns = new Map<string, Socket>()
  private readonly dialling = new Map<string, Promise<Socket>>()

  /** @param options - listen address and limits */
  constructor(options: TcpTransportOptions = {}) {
    const opts = TcpTransportOptionsSchema.parse(options)
    super(opts.id, { kind: 'tcp', mtu: opts.mtu, nominalBitrateBps: 10_000_000, broadcast: false, reliable: true, halfDuplex: false, publicMedium: false })
    this.opts = opts
  }

  /** The bound listen address once started, if listening. */
  address(): { host: string; port: number } | undefined {
    const a = this.server?.address()
    return a !== null && typeof a === 'object' ? { host: a.address, port: a.port } : undefined
  }

  /** Peers with an open connection, as `host:port`. */
  connectedPeers(): string[] {
    return [...this.conns.keys()]
  }

  /** @inheritDoc */
  async start(): Promise<void> {
    if (this.state === 'up' || this.state === 'starting') return
    this.setState('starting', 'start requested')
    if (this.opts.listen !== undefined) {
      try {
        this.server = await this.listen(this.opts.listen.host, this.opts.listen.port)
      } catch (e) {
        const error = new TransportError('ERR_DEVICE', `${this.id}: cannot listen: ${(e as Error).message}`, { cause: e })
        this.setState('down', 'listen-failed', error)
        throw error
      }
    }
    this.setState('up', this.server === undefined ? 'ready to dial' : 'listening')
  }

  /** @inheritDoc */
  async send(payload: Uint8Array, options: SendOptions = {}): Promise<void> {
    this.checkSend(payload, options)
    const to = options.to
    if (to === undefined) throw new TransportError('ERR_UNREACHABLE', `${this.id}: TCP needs a destination`)
    const socket = await abortable(this.connection(to), options.signal, `${this.id}: connect to ${to}`)
    await abortable(this.write(socket, encodeLengthPrefixed(payload)), options.signal, `${this.id}: send to ${to}`)
    this.emitSample({ peer: to, sendOk: true, txQueueBytes: socket.writableLength })
  }

  /** @inheritDoc */
  async stop(): Promise<void> {
    for (const socket of this.conns.values()) socket.destroy()
    this.conns.clear()
    const server = this.server
    this.server = undefined
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
    this.setState('stopped', 'stop requested')
  }

  private listen(host: string, port: number): Promise<Server> {
    const server = createServer((socket) => this.adopt(socket, `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`))
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        server.on('error', (e) => {
          if (this.state === 'up') this.setState('down', 'listener-error', new TransportError('ERR_DEVICE', e.message, { cause: e }))
        })
        resolve(server)
      })
    })
  }

  /** The open connection to `to`, dialling it once if there is none. */
  private connection(to: string): Promise<Socket> {
    const open = this.conns.get(to)
    if (open !== undefined) return Promise.resolve(open)
    const pending = this.dialling.get(to) ?? this.dial(to)
    this.dialling.set(to, pending)
    return pending.finally(() => this.dialling.delete(to))
  }

  private dial(to: string): Promise<Socket> {
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(to)
    if (m === null) return Promise.reject(new TransportError('ERR_UNREACHABLE', `${this.id}: '${to}' is not host:port`))
    return new Promise((resolve, reject) => {
      const socket = connect({ host: m[1] as string, port: Number(m[2]) })
      const fail = (e: Error): void => {
        socket.destroy()
        this.emitSample({ peer: to, sendOk: false })
        reject(new TransportError('ERR_UNREACHABLE', `${this.id}: cannot reach ${to}: ${e.message}`, { cause: e }))
      }
      socket.setTimeout(this.opts.connectTimeoutMs, () => fail(new Error('connect timeout')))
      socket.once('error', fail)
      socket.once('connect', () => {
        socket.off('error', fail)
        resolve(this.adopt(socket, to))
      })
    })
  }

  /** Takes ownership of a connected socket known as `peer`. */
  private adopt(socket: Socket, peer: string): Socket {
    if (this.state !== 'up') {
      socket.destroy()
      return socket
    }
    this.conns.get(peer)?.destroy()
    this.conns.set(peer, socket)
    socket.setNoDelay(true)
    socket.setKeepAlive(true, this.opts.keepAliveMs)
    socket.setTimeout(this.opts.idleTimeoutMs, () => socket.destroy())
    const decoder = new LengthPrefixDecoder(this.opts.mtu)
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if ('frame' in event) this.emitFrame({ payload: event.frame, from: peer, receivedAt: Date.now() })
        else socket.destroy() // a broken length prefix cannot be resynchronised
      }
    })
    socket.on('error', () => undefined) // reported through 'close'
    socket.on('close', () => {
      if (this.conns.get(peer) === socket) this.conns.delete(peer)
    })
    return socket
  }

  /** Writes `bytes`, waiting for the socket to drain first if too much is queued. */
  private async write(socket: Socket, bytes: Uint8Array): Promise<void> {
    while (socket.writableLength + bytes.length > this.opts.maxQueueBytes && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('drain', resolve)
        socket.once('close', resolve)
      })
    }
    if (socket.destroyed) throw new TransportError('ERR_UNREACHABLE', `${this.id}: connection closed`)
    await new Promise<void>((resolve, reject) => {
      socket.write(bytes, (e) => (e === undefined || e === null ? resolve() : reject(new TransportError('ERR_UNREACHABLE', e.message, { cause: e }))))
    })
  }
}
