/**
 * The byte stream to a KISS TNC, whatever carries it: a serial port (`serial-kiss-port.ts`), a TCP
 * connection to Direwolf's KISS port (`tcp-kiss-port.ts`) or, in tests and the benchmark, memory
 * (`memory-kiss-port.ts`). The transport above sees only this interface, so both real paths run
 * the same code.
 *
 * @packageDocumentation
 */
import type { EventEmitter } from 'node:events'

/** Why a port closed. */
export interface PortClosed {
  /** Short stable reason: `device-unplugged`, `device-error`, `tnc-closed-connection`, `closed`. */
  reason: string
  /** What the OS or peer said, if anything. */
  error?: Error
}

/** Events of a {@link KissPort}. */
export interface KissPortEvents {
  /** Bytes from the TNC, in any chunking. */
  data: [chunk: Uint8Array]
  /** The port is gone (unplugged, TNC restarted, or closed by us); emitted once. */
  close: [info: PortClosed]
}

/** An open byte stream to a TNC. */
export interface KissPort extends EventEmitter<KissPortEvents> {
  /** For people: `serial /dev/ttyUSB0 @ 9600` or `tcp 127.0.0.1:8001`. */
  readonly description: string
  /** Writes bytes; resolves once the device or the kernel has taken them. */
  write(bytes: Uint8Array): Promise<void>
  /** Closes; idempotent; emits `close` with reason `closed` if still open. */
  close(): Promise<void>
}

/** Opens a port: one attempt, rejecting when the device is absent or refuses. */
export type KissPortOpener = (signal?: AbortSignal) => Promise<KissPort>
