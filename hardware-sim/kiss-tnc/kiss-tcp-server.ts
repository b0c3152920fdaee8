/**
 * KISS over TCP, like Direwolf's KISS port (8001): several clients, each with its own decoder
 * state; every client gets every received frame, and answers go to the client that asked.
 *
 * Direwolf serves at most 3 clients (MAX_NET_CLIENTS); a 4th connects (the kernel's backlog) but
 * is neither read nor written until a slot frees (real-peers.md A.3). The server mirrors that: a
 * client over `maxClients` is accepted and paused, and admitted, with whatever it sent meanwhile,
 * when another leaves.
 *
 * @packageDocumentation
 */
import type { Socket } from 'node:net'
import { openTcpListener } from '../tcp-listener.js'
import type { KissHostLink } from './kiss-host-session.js'

/** Options of {@link openKissTcpServer}. */
export interface KissTcpServerOptions {
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
  /** Clients served at once; more wait, paused. */
  readonly maxClients: number
  /** Attaches a served client to the TNC; `send` writes to that client. */
  readonly connect: (send: (bytes: Uint8Array) => void) => KissHostLink
}

/** A listening KISS TCP port. */
export interface KissTcpServer {
  /** Bound port. */
  readonly port: number
  /** Clients being served (not counting waiting ones). */
  clientCount(): number
  /** Stops listening and drops every client. */
  close(): Promise<void>
}

/** Opens the KISS TCP port. */
export async function openKissTcpServer(o: KissTcpServerOptions): Promise<KissTcpServer> {
  const served = new Set<Socket>()
  const waiting: Socket[] = []
  let closing = false

  const admit = (socket: Socket): void => {
    served.add(socket)
    const link = o.connect((bytes) => {
      if (!socket.destroyed) socket.write(bytes)
    })
    socket.on('data', (chunk: Buffer) => link.write(new Uint8Array(chunk)))
    socket.once('close', () => {
      served.delete(socket)
      link.close()
      const next = closing ? undefined : waiting.shift()
      if (next !== undefined) admit(next)
    })
    socket.resume()
  }

  const listener = await openTcpListener({
    host: o.host,
    port: o.port,
    pauseOnConnect: true,
    onClient: (socket) => {
      if (served.size < o.maxClients) return admit(socket)
      waiting.push(socket)
      socket.once('close', () => {
        const i = waiting.indexOf(socket)
        if (i >= 0) waiting.splice(i, 1)
      })
    },
  })
  return {
    port: listener.port,
    clientCount: () => served.size,
    close: () => {
      closing = true // a served client leaving now must not admit a waiting one
      return listener.close()
    },
  }
}
