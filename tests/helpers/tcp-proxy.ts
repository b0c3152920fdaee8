/**
 * A TCP proxy on 127.0.0.1 that a test can cut and restore: the path between two gateways goes
 * away (every connection reset, new ones refused) while both gateways keep running.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

/** A running proxy to `127.0.0.1:target`. */
export interface TcpProxy {
  /** The proxy's own port (stays the same across cut and restore). */
  readonly port: number
  /** Drops every connection and stops accepting. */
  cut(): Promise<void>
  /** Accepts again on the same port. */
  restore(): Promise<void>
  close(): Promise<void>
}

/** Starts a proxy to `target` on a free port. */
export async function startTcpProxy(target: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const s = createServer((inbound) => {
        const outbound = connect({ host: '127.0.0.1', port: target })
        for (const sock of [inbound, outbound]) {
          sockets.add(sock)
          sock.on('close', () => sockets.delete(sock))
          sock.on('error', () => undefined)
        }
        inbound.pipe(outbound).pipe(inbound)
        inbound.on('close', () => outbound.destroy())
        outbound.on('close', () => inbound.destroy())
      })
      s.once('error', reject)
      s.listen(port, '127.0.0.1', () => {
        server = s
        const a = s.address()
        resolve(typeof a === 'object' && a !== null ? a.port : port)
      })
    })
  const port = await listen(0)
  const cut = async (): Promise<void> => {
    const s = server
    server = undefined
    for (const sock of sockets) sock.destroy()
    if (s !== undefined) await new Promise<void>((r) => s.close(() => r()))
  }
  return {
    port,
    cut,
    restore: async () => {
      if (server === undefined) await listen(port)
    },
    close: cut,
  }
}
