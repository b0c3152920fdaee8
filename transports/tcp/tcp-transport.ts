/**
 * The TCP transport between gateways (internet or LAN): length-prefixed frames on one connection per
 * peer, dialled on first send and accepted when listening. `send` resolves once the bytes are with the
 * kernel and waits (bounded) when a peer reads slowly.
 *
 * With `tls` configured every connection, in and out, is TLS 1.3 with both certificates pinned by
 * fingerprint (see tls-pinning.ts); there is no plaintext fallback. The frames inside are the same.
 *
 * @packageDocumentation
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TLSSocket } from 'node:tls'
import { encodeLengthPrefixed, LengthPrefixDecoder } from '../../codecs/length-prefix.js'
import { silentLogger, type Logger } from '../../gateway/log.js'
import { TransportError } from '../errors.js'
import { abortable, TransportBase } from '../transport-base.js'
import type { SendOptions, Transport } from '../types.js'
import { TcpTransportOptionsSchema, type TcpTransportOptions } from './config.js'
import { openSocket } from './open-socket.js'
import { drained, limitInbound, watchForStall } from './peer-limits.js'
import { loadTlsIdentity, type TlsIdentity } from './tls-identity.js'
import { ACCEPTED_FRAME, connectTls, peerFingerprint, refuseClient, tlsServerOptions, verifyServer } from './tls-pinning.js'

type Options = ReturnType<typeof TcpTransportOptionsSchema.parse>

/** Collaborators, all optional. */
export interface TcpTransportComponents {
  /** Where refused connections and the TLS fingerprint are reported. */
  log?: Logger
}

/** Gateway-to-gateway frames over TCP. */
export class TcpTransport extends TransportBase implements Transport {
  private readonly opts: Options
  private readonly log: Logger
  /** Fingerprints allowed to dial us when TLS is on. */
  private readonly clientPins: ReadonlySet<string>
  /** Our certificate and key, loaded by `start` when TLS is on. */
  private identity?: TlsIdentity
  private server?: Server
  private readonly conns = new Map<string, Socket>()
  private readonly dialling = new Map<string, Promise<Socket>>()
  /** Every socket not yet closed, adopted or not (handshakes in progress), for `stop`. */
  private readonly sockets = new Set<Socket>()

  /**
   * @param options - listen address, limits and TLS (throws a ZodError naming the bad field)
   * @param components - logger
   */
  constructor(options: TcpTransportOptions = {}, components: TcpTransportComponents = {}) {
    const opts = TcpTransportOptionsSchema.parse(options)
    super(opts.id, { kind: 'tcp', mtu: opts.mtu, nominalBitrateBps: 10_000_000, broadcast: false, reliable: true, halfDuplex: false, publicMedium: false })
    this.opts = opts
    this.log = (components.log ?? silentLogger()).child({ transport: opts.id })
    this.clientPins = new Set([...(opts.tls?.clientPins ?? []), ...Object.values(opts.tls?.pins ?? {})])
  }

  /** Our certificate's SHA-256 fingerprint once started with TLS (what peers pin). */
  fingerprint(): string | undefined {
    return this.identity?.fingerprint
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
    if (this.opts.tls !== undefined) {
      try {
        this.identity = await loadTlsIdentity(this.opts.tls)
      } catch (e) {
        const error = new TransportError('ERR_CONFIG', `${this.id}: ${(e as Error).message}`, { cause: e })
        this.setState('down', 'tls-identity-unusable', error)
        throw error
      }
      this.log.info({ fingerprint: this.identity.fingerprint }, 'TLS on: peers pin this certificate fingerprint')
    }
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
    // Adopted TLS sockets wrap the raw ones in `sockets`; destroy both kinds.
    for (const socket of [...this.sockets, ...this.conns.values()]) socket.destroy()
    this.sockets.clear()
    this.conns.clear()
    const server = this.server
    this.server = undefined
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
    this.setState('stopped', 'stop requested')
  }

  private listen(host: string, port: number): Promise<Server> {
    const server = this.identity === undefined ? createServer((socket) => this.adopt(socket, remoteName(socket))) : this.createTlsListener(this.identity)
    server.on('connection', (socket: Socket) => this.track(socket))
    limitInbound(server, this.opts, (address) => this.log.debug({ peer: address, maxInboundPerAddress: this.opts.maxInboundPerAddress }, 'refused inbound connection: too many from its address'))
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

  /** A TLS listener that keeps only clients whose certificate is pinned, and tells them so. */
  private createTlsListener(identity: TlsIdentity): Server {
    const server = createTlsServer(tlsServerOptions(identity, this.opts.connectTimeoutMs), (socket: TLSSocket) => {
      const peer = remoteName(socket)
      const refusal = refuseClient(socket, this.clientPins)
      if (refusal !== undefined) {
        this.log.warn({ peer, reason: refusal, fingerprint: peerFingerprint(socket) ?? null }, 'TLS client refused: its certificate is not in tls.clientPins or tls.pins; connection closed')
        socket.destroy()
        return
      }
      socket.write(ACCEPTED_FRAME)
      this.adopt(socket, peer)
    })
    server.on('tlsClientError', (e, socket) => {
      this.log.warn({ peer: remoteName(socket), reason: 'tls-handshake-failed', err: e.message }, 'TLS handshake with a client failed (plaintext, TLS below 1.3 or a timeout); connection closed')
      socket.destroy() // Node leaves a timed-out handshake open
    })
    return server
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
    const target = { host: m[1] as string, port: Number(m[2]) }
    return this.open(to, target).then(
      (socket) => this.adopt(socket, to),
      (e: unknown) => {
        this.emitSample({ peer: to, sendOk: false })
        const code = e instanceof TransportError ? e.code : 'ERR_UNREACHABLE'
        throw new TransportError(code, `${this.id}: cannot reach ${to}: ${(e as Error).message}`, { cause: e })
      },
    )
  }

  /** A connected socket to `target`: plain, or TLS with `to`'s pinned certificate. */
  private async open(to: string, target: { host: string; port: number }): Promise<Socket> {
    const timeoutMs = this.opts.connectTimeoutMs
    const tls = this.opts.tls
    if (tls === undefined) return openSocket(this.track(connect(target)), 'connect', timeoutMs)
    if (this.identity === undefined) throw new TransportError('ERR_NOT_UP', 'TLS identity not loaded')
    const pin = tls.pins[to]
    if (pin === undefined) throw new TransportError('ERR_CONFIG', `no tls.pins entry for '${to}': a TLS link only dials pinned peers, never in plaintext`)
    return openSocket(this.track(connectTls(target, this.identity)), 'secureConnect', timeoutMs, (socket) => verifyServer(socket, pin))
  }

  /** Remembers `socket` until it closes, so `stop` can end it. */
  private track<S extends Socket>(socket: S): S {
    this.sockets.add(socket)
    socket.once('close', () => this.sockets.delete(socket))
    return socket
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
    const decoder = new LengthPrefixDecoder(this.opts.mtu)
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if ('frame' in event) this.emitFrame({ payload: event.frame, from: peer, receivedAt: Date.now() })
        else socket.destroy() // a broken length prefix cannot be resynchronised
      }
    })
    let idle = false
    socket.setTimeout(this.opts.idleTimeoutMs, () => {
      idle = true
      socket.destroy()
    })
    socket.on('error', () => undefined) // reported through 'close'
    socket.on('close', () => {
      if (this.conns.get(peer) !== socket) return
      this.conns.delete(peer)
      // the peer went away (or the path to it): what it had not acknowledged may be lost
      if (!idle && this.state === 'up') this.emitSample({ peer, sendOk: false })
    })
    socket.resume() // a TLS dial pauses the socket after the listener's acceptance
    return socket
  }

  /**
   * Writes `bytes`, waiting for the socket to drain first if too much is queued. A peer that stops
   * reading is dropped after `stallTimeoutMs` (see {@link watchForStall}) and the send fails.
   */
  private async write(socket: Socket, bytes: Uint8Array): Promise<void> {
    const stopWatching = watchForStall(socket, this.opts.stallTimeoutMs)
    try {
      while (socket.writableLength + bytes.length > this.opts.maxQueueBytes && !socket.destroyed) await drained(socket)
      if (socket.destroyed) throw new TransportError('ERR_UNREACHABLE', `${this.id}: connection closed`)
      await new Promise<void>((resolve, reject) => {
        socket.write(bytes, (e) => (e === undefined || e === null ? resolve() : reject(new TransportError('ERR_UNREACHABLE', e.message, { cause: e }))))
      })
    } finally {
      stopWatching()
    }
  }

}

/** `host:port` of the far end of an accepted socket. */
function remoteName(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`
}
