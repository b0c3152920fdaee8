/**
 * KISS over TCP: a TNC program serving KISS on a TCP port (Direwolf's 8001, UZ7HO's 8100). The
 * connection's end (Direwolf restarted, host gone) closes the port with `tnc-closed-connection`.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import { connect, type Socket } from 'node:net'
import type { z } from 'zod'
import type { TcpTncSchema } from './config.js'
import type { KissPort, KissPortEvents, KissPortOpener, PortClosed } from './kiss-port.js'

/** Keepalive probe delay on the TNC connection, so a dead host is noticed, ms. */
const KEEPALIVE_MS = 10_000

class TcpKissPort extends EventEmitter<KissPortEvents> implements KissPort {
  private closed = false

  constructor(
    private readonly socket: Socket,
    readonly description: string,
  ) {
    super()
    socket.setNoDelay(true)
    socket.setKeepAlive(true, KEEPALIVE_MS)
    let lastError: Error | undefined
    socket.on('data', (chunk: Buffer) => this.emit('data', chunk))
    socket.on('error', (e) => (lastError = e))
    socket.on('close', () => this.finish({ reason: 'tnc-closed-connection', ...(lastError === undefined ? {} : { error: lastError }) }))
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.description} is closed`))
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (e) => (e === undefined || e === null ? resolve() : reject(e)))
    })
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve()
    this.finish({ reason: 'closed' })
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve()
      this.socket.once('close', () => resolve())
      this.socket.destroy()
    })
  }

  private finish(info: PortClosed): void {
    if (this.closed) return
    this.closed = true
    this.emit('close', info)
  }
}

/** An opener for a TNC's KISS TCP port. */
export function tcpKissPortOpener(tnc: z.output<typeof TcpTncSchema>): KissPortOpener {
  const description = `tcp ${tnc.host}:${tnc.port}`
  return (signal) =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: tnc.host, port: tnc.port })
      const fail = (e: Error): void => {
        socket.destroy()
        signal?.removeEventListener('abort', onAbort)
        reject(e)
      }
      const onAbort = (): void => fail(new Error(`connecting to ${description} aborted`))
      if (signal?.aborted === true) return onAbort()
      signal?.addEventListener('abort', onAbort, { once: true })
      socket.setTimeout(tnc.connectTimeoutMs, () => fail(new Error(`no answer from ${description} in ${tnc.connectTimeoutMs} ms`)))
      socket.once('error', fail)
      socket.once('connect', () => {
        socket.setTimeout(0)
        socket.off('error', fail)
        signal?.removeEventListener('abort', onAbort)
        resolve(new TcpKissPort(socket, description))
      })
    })
}
