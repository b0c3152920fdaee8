/**
 * Opening one of VARA's TCP ports: one attempt, with a deadline and an abort signal, failing with a
 * typed error whose reason says what happened (refused, timed out, aborted).
 *
 * @packageDocumentation
 */
import { connect, type Socket } from 'node:net'
import type { Clock } from '../clock.js'
import { VaraLinkError } from './vara-link-error.js'

/** Where and how long to try. */
export interface OpenSocketOptions {
  readonly host: string
  readonly port: number
  /** Which port, for messages: `command` or `data`. */
  readonly what: string
  readonly timeoutMs: number
  readonly clock: Clock
  readonly signal?: AbortSignal
}

/** Connects to `host:port` once; rejects with a {@link VaraLinkError}. */
export function openSocket(o: OpenSocketOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const where = `VARA ${o.what} port ${o.host}:${o.port}`
    const socket = connect({ host: o.host, port: o.port })
    const fail = (error: VaraLinkError): void => {
      cleanup()
      socket.destroy()
      reject(error)
    }
    const onError = (e: NodeJS.ErrnoException): void => {
      const refused = e.code === 'ECONNREFUSED'
      const why = refused ? 'connection refused (is the modem running?)' : e.message
      fail(new VaraLinkError(refused ? 'connect-refused' : 'connect-failed', 'ERR_DEVICE', `${where}: ${why}`, { cause: e }))
    }
    const onAbort = (): void => fail(new VaraLinkError('aborted', 'ERR_ABORTED', `${where}: connect aborted`, { cause: o.signal?.reason }))
    const timer = o.clock.setTimeout(() => fail(new VaraLinkError('connect-timeout', 'ERR_TIMEOUT', `${where}: no answer within ${o.timeoutMs} ms`)), o.timeoutMs)
    const cleanup = (): void => {
      timer.cancel()
      socket.off('error', onError)
      o.signal?.removeEventListener('abort', onAbort)
    }
    socket.once('error', onError)
    socket.once('connect', () => {
      cleanup()
      socket.setNoDelay(true) // command lines are tiny and latency matters more than packets
      resolve(socket)
    })
    if (o.signal?.aborted === true) return onAbort()
    o.signal?.addEventListener('abort', onAbort, { once: true })
  })
}
