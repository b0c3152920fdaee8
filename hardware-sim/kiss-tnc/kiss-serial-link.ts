/**
 * The TNC's end of a serial line, opened with the real `serialport` package: a pseudo-terminal of
 * a socat pair in tests (pty-pair.ts), or any device path. The host opens the other end.
 *
 * A pty takes any baud rate and never throttles (real-peers.md Part C); the rate is passed for
 * realism only. When the line goes away under the TNC (socat stopped: the device was unplugged)
 * the port closes and the session ends; {@link KissSerialLink.reopen} plugs it back in.
 *
 * @packageDocumentation
 */
import { SerialPort } from 'serialport'
import type { KissHostLink } from './kiss-host-session.js'

/** Options of {@link openKissSerialLink}. */
export interface KissSerialLinkOptions {
  readonly path: string
  /** Line rate, bit/s (not enforced on a pty). */
  readonly baudRate: number
  /** Attaches the line to the TNC; `send` writes to the host. */
  readonly connect: (send: (bytes: Uint8Array) => void) => KissHostLink
}

/** The TNC's serial line. */
export interface KissSerialLink {
  readonly path: string
  /** The TNC's end is open. */
  isOpen(): boolean
  /** Closes the TNC's end (unplugs the device); no-op when closed. */
  close(): Promise<void>
  /** Opens the TNC's end again (after {@link close}, or after the line vanished). */
  reopen(): Promise<void>
}

/** Opens one end of a serial line for the TNC. */
export async function openKissSerialLink(o: KissSerialLinkOptions): Promise<KissSerialLink> {
  let port: SerialPort | undefined

  const open = async (): Promise<void> => {
    const p = new SerialPort({ path: o.path, baudRate: o.baudRate, autoOpen: false })
    await new Promise<void>((resolve, reject) => p.open((e) => (e ? reject(e) : resolve())))
    const link = o.connect((bytes) => {
      if (p.isOpen) p.write(Buffer.from(bytes))
    })
    p.on('data', (chunk: Buffer) => link.write(new Uint8Array(chunk)))
    p.on('error', () => undefined) // write errors after an unplug end in 'close'
    p.once('close', () => link.close())
    port = p
  }

  const close = async (): Promise<void> => {
    const p = port
    port = undefined
    if (p === undefined || !p.isOpen) return
    await new Promise<void>((resolve) => p.close(() => resolve()))
  }

  await open()
  return {
    path: o.path,
    isOpen: () => port?.isOpen ?? false,
    close,
    reopen: async () => {
      await close()
      await open()
    },
  }
}
