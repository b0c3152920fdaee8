/**
 * Bringing an outbound socket up within a deadline: connected (or TLS handshake done), then any
 * further checks, or destroyed.
 *
 * @packageDocumentation
 */
import type { Socket } from 'node:net'

/**
 * Resolves with `socket` once it emits `event` and `ready` (further checks, which must themselves
 * fail if the socket closes) has resolved. Before `event`, a close rejects with the socket's error.
 * On any failure, or after `timeoutMs`, the socket is destroyed.
 *
 * @param event - `connect` for plain TCP, `secureConnect` for TLS
 * @param timeoutMs - deadline for everything, ms
 */
export function openSocket<S extends Socket>(socket: S, event: 'connect' | 'secureConnect', timeoutMs: number, ready: (socket: S) => Promise<void> = async () => undefined): Promise<S> {
  let lastError: Error | undefined
  socket.on('error', (e) => (lastError = e)) // always followed by 'close', which reports it
  const connected = new Promise<void>((resolve, reject) => {
    const onClose = (): void => reject(lastError ?? new Error('connection closed'))
    socket.once('close', onClose)
    socket.once(event, () => {
      socket.off('close', onClose)
      resolve()
    })
  })
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  return Promise.race([connected.then(() => ready(socket)), deadline])
    .then(
      () => socket,
      (e: unknown) => {
        socket.destroy()
        throw e
      },
    )
    .finally(() => clearTimeout(timer))
}
