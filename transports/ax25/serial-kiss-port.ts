/**
 * KISS over a serial port through `serialport`: USB-serial TNCs, Bluetooth rfcomm, a pty from
 * `socat` or `direwolf -p`. On open it discards whatever the OS buffered (stale partial frames,
 * TNC banners), writes the vendor init strings that switch a hardware TNC into KISS, and discards
 * their echo. Unplugging closes the port with `device-unplugged`: serialport's DisconnectedError on
 * a failed read or write, or the device path vanishing or leading to another device.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import { realpath } from 'node:fs/promises'
import { SerialPort } from 'serialport'
import type { z } from 'zod'
import type { SerialTncSchema } from './config.js'
import type { KissPort, KissPortEvents, KissPortOpener, PortClosed } from './kiss-port.js'
import { sleep, type Clock, type ClockTimer } from '../clock.js'

type SerialTnc = z.output<typeof SerialTncSchema>

class SerialKissPort extends EventEmitter<KissPortEvents> implements KissPort {
  private closed = false
  private watchdog: ClockTimer | undefined

  /**
   * @param device - what the configured path resolved to when opened (`/dev/ttyUSB0`, `/dev/pts/3`)
   */
  constructor(
    private readonly port: SerialPort,
    readonly description: string,
    private readonly tnc: SerialTnc,
    private readonly device: string,
    private readonly clock: Clock,
  ) {
    super()
    this.watch()
    port.on('data', (chunk: Buffer) => this.emit('data', chunk))
    port.on('close', (e: (Error & { disconnected?: boolean }) | null) => {
      this.finish(e?.disconnected === true ? { reason: 'device-unplugged', error: e } : { reason: 'device-closed' })
    })
    // serialport reports failures it cannot tie to a call here; the port is unusable after them.
    port.on('error', (e: Error) => {
      this.finish({ reason: 'device-error', error: e })
      if (port.isOpen) port.close(() => undefined)
    })
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.description} is closed`))
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes), (e) => {
        if (e !== null && e !== undefined) return reject(e)
        this.port.drain((d) => (d === null || d === undefined ? resolve() : reject(d)))
      })
    })
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve()
    this.finish({ reason: 'closed' })
    return new Promise((resolve) => {
      if (!this.port.isOpen) return resolve()
      this.port.close(() => resolve())
    })
  }

  private finish(info: PortClosed): void {
    if (this.closed) return
    this.closed = true
    this.watchdog?.cancel()
    this.emit('close', info)
  }

  /** Checks every `devicePollMs` that the path still resolves to the device we opened. */
  private watch(): void {
    this.watchdog = this.clock.setTimeout(() => {
      realpath(this.tnc.path).then(
        (now) => (now === this.device ? this.watch() : this.gone(`${this.tnc.path} now leads to ${now}`)),
        (e: Error) => this.gone(`${this.tnc.path} is gone (${e.message})`),
      )
    }, this.tnc.devicePollMs)
  }

  private gone(why: string): void {
    if (this.closed) return
    this.finish({ reason: 'device-unplugged', error: new Error(why) })
    if (this.port.isOpen) this.port.close(() => undefined)
  }
}

/**
 * An opener for a serial TNC.
 *
 * @param clock - paces the init strings
 */
export function serialKissPortOpener(tnc: SerialTnc, clock: Clock): KissPortOpener {
  const description = `serial ${tnc.path} @ ${tnc.baudRate}`
  return async (signal) => {
    const device = await realpath(tnc.path)
    const port = new SerialPort({ path: tnc.path, baudRate: tnc.baudRate, rtscts: tnc.rtscts, autoOpen: false })
    await call((cb) => port.open(cb))
    try {
      await call((cb) => port.flush(cb))
      for (const text of tnc.initStrings) {
        await call((cb) => port.write(Buffer.from(text, 'latin1'), cb))
        await call((cb) => port.drain(cb))
        await sleep(clock, tnc.initDelayMs, signal)
      }
      if (tnc.initStrings.length > 0) await call((cb) => port.flush(cb)) // the TNC's echo and prompts
    } catch (e) {
      if (port.isOpen) port.close(() => undefined)
      throw e
    }
    return new SerialKissPort(port, description, tnc, device, clock)
  }
}

/** Promise around a serialport callback. */
function call(fn: (cb: (e?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((e) => (e === null || e === undefined ? resolve() : reject(e))))
}
