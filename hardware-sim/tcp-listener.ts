/**
 * The TCP side every simulated device shares (KISS TCP port, JS8Call API, VARA's two ports): listen,
 * accept with no-delay, keep track of the connected sockets, and on close drop them all. A client
 * that errors is destroyed quietly: a client vanishing is not the device's problem. What a device
 * does with a client (reading, admitting, refusing) stays in the device.
 *
 * @packageDocumentation
 */
import { createServer, type Server, type Socket } from 'node:net'

/** Options of {@link openTcpListener}. */
export interface TcpListenerOptions {
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
  /** Accept clients paused; the device resumes them when it serves them. */
  readonly pauseOnConnect?: boolean
  /** A client connected (already tracked, no-delay set, errors handled). */
  readonly onClient: (socket: Socket) => void
}

/** A listening TCP server and its clients. */
export interface TcpListener {
  /** Bound port. */
  readonly port: number
  /** Every connected client, until its socket closes. */
  readonly sockets: ReadonlySet<Socket>
  /** Destroys every client and stops listening. */
  close(): Promise<void>
}

/** Listens on `host:port`; resolves once bound, rejects if the port cannot be bound. */
export async function openTcpListener(o: TcpListenerOptions): Promise<TcpListener> {
  const sockets = new Set<Socket>()
  const server: Server = createServer({ pauseOnConnect: o.pauseOnConnect ?? false }, (socket) => {
    socket.setNoDelay(true)
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    o.onClient(socket)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => resolve())
  })
  const address = server.address()
  return {
    port: typeof address === 'object' && address !== null ? address.port : o.port,
    sockets,
    close: async () => {
      for (const s of [...sockets]) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
