/**
 * A KISS port in memory: the transport on one end, a simulated TNC (or a test) on the other. Bytes
 * are handed over on the next microtask, so nothing is re-entrant and nothing waits for wall time:
 * the goodput benchmark runs on simulated time only.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import type { KissPort, KissPortEvents, KissPortOpener, PortClosed } from './kiss-port.js'

/** The far end of a memory port: what a simulated TNC holds. */
export interface MemoryPortDevice {
  /** Sends bytes to the transport. */
  write(bytes: Uint8Array): void
  /** Receives what the transport writes. */
  onData(fn: (chunk: Uint8Array) => void): void
  /** Unplugs the device: the transport's port closes with `reason`. */
  unplug(reason?: string): void
  /** True while the transport has the port open. */
  readonly open: boolean
}

class MemoryKissPort extends EventEmitter<KissPortEvents> implements KissPort {
  closed = false

  constructor(
    readonly description: string,
    private readonly toDevice: (bytes: Uint8Array) => void,
  ) {
    super()
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.description} is closed`))
    const copy = bytes.slice()
    queueMicrotask(() => this.toDevice(copy))
    return Promise.resolve()
  }

  close(): Promise<void> {
    this.finish({ reason: 'closed' })
    return Promise.resolve()
  }

  finish(info: PortClosed): void {
    if (this.closed) return
    this.closed = true
    this.emit('close', info)
  }
}

/**
 * A device and an opener for the transport. Each `open` makes a fresh port (the previous one is
 * unplugged); opening while `present` is false fails as a missing device would.
 */
export function createMemoryKissPort(name = 'memory'): { device: MemoryPortDevice & { present: boolean }; open: KissPortOpener } {
  let port: MemoryKissPort | undefined
  const listeners: ((chunk: Uint8Array) => void)[] = []
  const device = {
    present: true,
    get open() {
      return port !== undefined && !port.closed
    },
    write(bytes: Uint8Array) {
      const target = port
      const copy = bytes.slice()
      if (target !== undefined) queueMicrotask(() => !target.closed && target.emit('data', copy))
    },
    onData(fn: (chunk: Uint8Array) => void) {
      listeners.push(fn)
    },
    unplug(reason = 'device-unplugged') {
      port?.finish({ reason, error: new Error(`${name} unplugged`) })
    },
  }
  const open: KissPortOpener = (signal) => {
    if (signal?.aborted === true) return Promise.reject(new Error('open aborted'))
    if (!device.present) return Promise.reject(new Error(`${name}: no such device`))
    port?.finish({ reason: 'closed' })
    const fresh = new MemoryKissPort(`memory ${name}`, (bytes) => {
      if (port === fresh && !fresh.closed) for (const fn of listeners) fn(bytes)
    })
    port = fresh
    return Promise.resolve(fresh)
  }
  return { device, open }
}
