/**
 * What one remote peer may hold of a TCP transport: connection slots on the listener, and our write
 * queue. Counted from the raw TCP connection on, so TLS handshakes in progress take a slot too.
 *
 * @packageDocumentation
 */
import type { Server, Socket } from 'node:net'

/** Connection caps of a listener. */
export interface InboundLimits {
  /** Most inbound connections in all. */
  maxInbound: number
  /** Most inbound connections from one IP address, so one host cannot take every slot. */
  maxInboundPerAddress: number
}

/**
 * Applies `limits` to `server`. The total is Node's own `server.maxConnections` (the excess is closed
 * before anyone sees it); the per-address cap closes a connection before any other `connection`
 * listener runs, and calls `onRefused` with the address.
 */
export function limitInbound(server: Server, limits: InboundLimits, onRefused: (address: string) => void = () => undefined): void {
  server.maxConnections = limits.maxInbound
  const perAddress = new Map<string, number>()
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '?'
    const open = perAddress.get(address) ?? 0
    if (open >= limits.maxInboundPerAddress) {
      socket.destroy()
      onRefused(address)
      return
    }
    perAddress.set(address, open + 1)
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1
      if (left === 0) perAddress.delete(address)
      else perAddress.set(address, left)
    })
  })
}

/**
 * Watches a socket we are writing to: when a check every `stallTimeoutMs` finds bytes queued and none
 * of them taken since the last check, the peer is a slow reader and the socket is destroyed (pending
 * write callbacks then fail), instead of a send waiting until the idle timeout. Returns the stop
 * function.
 */
export function watchForStall(socket: Socket, stallTimeoutMs: number): () => void {
  let queued = socket.writableLength // bytes
  const check = setInterval(() => {
    if (queued > 0 && socket.writableLength >= queued) socket.destroy(new Error(`peer took none of ${queued} queued bytes in ${stallTimeoutMs} ms`))
    queued = socket.writableLength
  }, stallTimeoutMs)
  return () => clearInterval(check)
}

/** Resolves when `socket` has drained or closed. */
export function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done)
      socket.off('close', done)
      resolve()
    }
    socket.once('drain', done)
    socket.once('close', done)
  })
}
