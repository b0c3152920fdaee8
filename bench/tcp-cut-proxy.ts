/**
 * A TCP relay that can be cut, standing for the internet path between two gateways: both gateways
 * stay up while the path between them fails. Two ways to fail:
 * - `reset`: every relayed connection is closed and new ones are refused, as when a router on the
 *   path reboots or the local interface goes down (the gateway hears of it at once);
 * - `blackhole`: connections stay open and new ones are accepted, but nothing gets through either
 *   way, as when a path silently drops packets (only missing acknowledgements tell).
 *
 * @packageDocumentation
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

/** Tries to reach a target that does not listen yet, and the pause between them, ms. */
const DIAL_ATTEMPTS = 100
const DIAL_RETRY_MS = 50

/** How the path fails. */
export type CutMode = 'reset' | 'blackhole'

/** A relay from a port on 127.0.0.1 to a target, until cut. */
export class TcpCutProxy {
  private readonly sockets = new Set<Socket>()
  private mode: CutMode | undefined

  private constructor(private readonly server: Server) {}

  /** Listens on a free port of 127.0.0.1 and relays every connection to `targetPort` there. */
  static async start(targetPort: number): Promise<TcpCutProxy> {
    const server = createServer()
    const proxy = new TcpCutProxy(server)
    server.on('connection', (client) => proxy.relay(client, targetPort))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    return proxy
  }

  /** `127.0.0.1:port`, what the near gateway dials. */
  get address(): string {
    const a = this.server.address()
    return `127.0.0.1:${a !== null && typeof a === 'object' ? a.port : 0}`
  }

  /** Fails the path from now on (see the module comment). */
  cut(mode: CutMode): void {
    this.mode = mode
    if (mode === 'blackhole') return
    this.server.close()
    for (const s of this.sockets) s.destroy()
  }

  /** Ends every connection and stops listening. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** Relays `client` to the target; what it sends before the target answers is held meanwhile. */
  private relay(client: Socket, targetPort: number): void {
    this.track(client)
    if (this.mode !== undefined) return void client.resume() // accepted into the void
    const held: Buffer[] = []
    let upstream: Socket | undefined
    client.on('data', (chunk: Buffer) => {
      if (this.mode !== undefined) return
      if (upstream === undefined) held.push(chunk)
      else upstream.write(chunk)
    })
    client.on('close', () => this.closeAcross(upstream))
    this.dial(targetPort, DIAL_ATTEMPTS).then(
      (u) => {
        if (client.destroyed) return void u.destroy()
        upstream = u
        for (const chunk of held.splice(0)) u.write(chunk)
        u.on('data', (chunk: Buffer) => {
          if (this.mode === undefined) client.write(chunk)
        })
        u.on('close', () => this.closeAcross(client))
      },
      () => client.destroy(),
    )
  }

  /** A close crosses the relay, unless the path is black-holed (then nothing crosses). */
  private closeAcross(other: Socket | undefined): void {
    if (this.mode !== 'blackhole') other?.destroy()
  }

  /** Connects to the target, trying again while it does not listen yet (gateways start in any order). */
  private dial(port: number, attempts: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = this.track(connect({ host: '127.0.0.1', port }))
      socket.once('connect', () => resolve(socket))
      socket.once('error', () => {
        if (attempts <= 1 || this.mode !== undefined) return reject(new Error(`nothing listens on port ${port}`))
        setTimeout(() => this.dial(port, attempts - 1).then(resolve, reject), DIAL_RETRY_MS)
      })
    })
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket)
    socket.on('error', () => undefined) // a reset path is the point; the close follows
    socket.once('close', () => this.sockets.delete(socket))
    return socket
  }
}
