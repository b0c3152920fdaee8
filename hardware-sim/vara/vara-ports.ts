/**
 * The two TCP servers of a simulated VARA modem: the command port (CR-terminated ASCII lines both
 * ways) and the data port (raw session bytes). Several clients may connect; output goes to all of
 * them (real VARA takes one client per port).
 *
 * @packageDocumentation
 */
import type { Socket } from 'node:net'
import { CR, LineSplitter } from '../../codecs/line-splitter.js'
import type { TimerGroup } from '../sim-clock.js'
import { openTcpListener, type TcpListener } from '../tcp-listener.js'

/** Longest command line accepted, bytes; a longer one is dropped and answered WRONG. */
const MAX_LINE = 512
/** Session bytes held while no data client is connected, bytes. */
const MAX_PENDING_DATA = 1 << 20

/** Writes `chunk` to every client of `listener`. */
function writeAll(listener: TcpListener, chunk: string | Uint8Array): void {
  for (const s of listener.sockets) if (!s.destroyed) s.write(chunk)
}

/** Options of {@link openCommandPort}. */
export interface CommandPortOptions {
  readonly host: string
  readonly port: number
  /** Called once per received line (CR removed, LF ignored, blank lines skipped). */
  readonly onLine: (line: string) => void
  /** Called for a line longer than the limit (dropped). */
  readonly onOverlong: () => void
  /** Timers for the split-line misbehaviour. */
  readonly timers: TimerGroup
  /** Gap between the two halves of a split line, simulated ms. */
  readonly splitDelayMs: number
}

/** The command port. */
export interface CommandPort {
  readonly port: number
  /** When true, every outgoing line is sent as two TCP writes `splitDelayMs` apart. */
  splitLines: boolean
  /** Sends one line (CR appended). */
  send(line: string): void
  close(): Promise<void>
}

/** Opens the command port. */
export async function openCommandPort(o: CommandPortOptions): Promise<CommandPort> {
  const onClient = (socket: Socket): void => {
    const splitter = new LineSplitter({ delimiter: CR, maxLineBytes: MAX_LINE })
    socket.on('data', (chunk: Buffer) => {
      for (const event of splitter.push(chunk)) {
        if ('error' in event) o.onOverlong()
        else {
          const line = Buffer.from(event.line).toString('latin1').replace(/\n/g, '').trim()
          if (line !== '') o.onLine(line)
        }
      }
    })
  }
  const listener = await openTcpListener({ host: o.host, port: o.port, onClient })
  let held: string[] | undefined // lines queued behind a split line's second half
  const port: CommandPort = {
    port: listener.port,
    splitLines: false,
    send(line) {
      const text = `${line}\r`
      if (held !== undefined) return void held.push(text)
      if (!port.splitLines) return writeAll(listener, text)
      const mid = Math.ceil(text.length / 2)
      writeAll(listener, text.slice(0, mid))
      held = [text.slice(mid)]
      o.timers.setTimeout(() => {
        const rest = (held ?? []).join('')
        held = undefined
        writeAll(listener, rest)
      }, o.splitDelayMs)
    },
    close: () => listener.close(),
  }
  return port
}

/** The data port. */
export interface DataPort {
  readonly port: number
  /** Sends session bytes to the client(s); held (bounded) while none is connected. */
  write(bytes: Uint8Array): void
  close(): Promise<void>
}

/** Opens the data port; `onData` gets every byte chunk a client writes. */
export async function openDataPort(host: string, port: number, onData: (bytes: Uint8Array) => void): Promise<DataPort> {
  let pending: Buffer[] = []
  let pendingBytes = 0
  const onClient = (socket: Socket): void => {
    socket.on('data', (chunk: Buffer) => onData(new Uint8Array(chunk)))
    if (pending.length > 0) socket.write(Buffer.concat(pending))
    pending = []
    pendingBytes = 0
  }
  const listener = await openTcpListener({ host, port, onClient })
  return {
    port: listener.port,
    write(bytes) {
      if (listener.sockets.size > 0) return writeAll(listener, bytes)
      if (pendingBytes + bytes.length > MAX_PENDING_DATA) return
      pending.push(Buffer.from(bytes))
      pendingBytes += bytes.length
    },
    close: () => listener.close(),
  }
}
