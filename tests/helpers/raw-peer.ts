/**
 * A bare TCP peer for protocol tests: sends exact bytes, records every line it receives, and waits
 * for conditions with a deadline (no fixed sleeps).
 */
import { connect, type Socket } from 'node:net'

/** Polls `check` every 10 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** A raw line-oriented TCP client. */
export class RawPeer {
  /** Every complete line received (without the newline). */
  readonly lines: string[] = []
  closed = false
  private carry = ''

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (s: string) => {
      const parts = (this.carry + s).split('\n')
      this.carry = parts.pop() ?? ''
      this.lines.push(...parts)
    })
    socket.on('close', () => (this.closed = true))
    socket.on('error', () => undefined)
  }

  /** Connects to 127.0.0.1:`port`. */
  static connect(port: number, options: { read?: boolean } = {}): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        const peer = new RawPeer(socket)
        if (options.read === false) socket.pause()
        resolve(peer)
      })
      socket.once('error', reject)
    })
  }

  /** Writes `line` plus a newline. */
  send(line: string): void {
    this.socket.write(`${line}\n`)
  }

  /** Lines starting with `prefix`. */
  linesStarting(prefix: string): string[] {
    return this.lines.filter((l) => l.startsWith(prefix))
  }

  /** Waits until some line satisfies `match`. */
  async waitForLine(match: (line: string) => boolean, timeoutMs = 5_000): Promise<string> {
    await waitFor(() => this.lines.some(match), timeoutMs, 'a matching line')
    return this.lines.find(match) as string
  }

  /** Closes the socket. */
  close(): void {
    this.socket.destroy()
  }
}
