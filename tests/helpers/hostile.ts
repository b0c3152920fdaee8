/**
 * Probes and attackers for the hostile-peer tests: memory held by the process (after a forced GC),
 * event-loop stalls, connections from a loopback alias (127.0.0.2 and up, so bans and per-address
 * caps hit the attacker and not the honest peers on 127.0.0.1), and a writer that floods a socket
 * as fast as the kernel takes the bytes.
 */
import { connect, type Socket } from 'node:net'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** A full garbage collection: `--expose-gc` switched on at run time, since vitest's forks start without it. */
export const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc')
  const gc: unknown = runInNewContext('gc')
  if (typeof gc !== 'function') throw new Error('cannot expose the garbage collector')
  return () => (gc as () => void)()
})()

/**
 * Bytes held in JS objects and in buffers: the least of three readings, each after a full GC and a
 * 10 ms pause (V8 frees buffer memory on a background thread after the GC, so one reading can still
 * count buffers that are already garbage).
 */
export async function heldBytes(): Promise<number> {
  let least = Infinity
  for (let i = 0; i < 3; i++) {
    collectGarbage()
    await new Promise((r) => setTimeout(r, 10))
    const m = process.memoryUsage()
    least = Math.min(least, m.heapUsed + m.arrayBuffers)
  }
  return least
}

/** One MiB, bytes. */
export const MiB = 1024 * 1024

/**
 * Watches one attack: the memory held (after GC) compared with before it began, its peak sampled
 * every 20 ms without GC (garbage included, so an upper bound), and the longest event-loop stall.
 */
export class ResourceProbe {
  private peak = 0
  private readonly timer = setInterval(() => this.sample(), 20)
  private readonly loop = monitorEventLoopDelay({ resolution: 10 })

  private constructor(private readonly baseline: number) {
    this.loop.enable()
  }

  /** Takes the baseline and starts watching. */
  static async start(): Promise<ResourceProbe> {
    return new ResourceProbe(await heldBytes())
  }

  /** Bytes held now beyond the baseline (see {@link heldBytes}). */
  async heldGrowth(): Promise<number> {
    return (await heldBytes()) - this.baseline
  }

  /** Stops sampling; returns the peak growth (bytes, no GC) and the longest stall (ms). */
  stop(): { peakGrowth: number; maxStallMs: number } {
    clearInterval(this.timer)
    this.sample()
    this.loop.disable()
    return { peakGrowth: this.peak - this.baseline, maxStallMs: this.loop.max / 1e6 }
  }

  private sample(): void {
    const m = process.memoryUsage()
    this.peak = Math.max(this.peak, m.heapUsed + m.arrayBuffers)
  }
}

/** Connects to 127.0.0.1:`port` from `localAddress`; the socket reads and discards unless told not to. */
export function connectFrom(port: number, localAddress: string, options: { read?: boolean } = {}): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => {
      socket.off('error', reject)
      socket.on('error', () => undefined) // a refused or reset attacker is the expected outcome
      if (options.read === false) socket.pause()
      else socket.resume()
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

/** True once `socket` has closed (the far end refused, reset or dropped it). */
export function closed(socket: Socket): boolean {
  return socket.destroyed || socket.closed
}

/** Writes `chunk` again and again, as fast as the socket drains, until stopped or the socket closes. */
export class Flood {
  /** Bytes handed to the socket so far. */
  written = 0
  private stopped = false

  /**
   * @param socket - a connected socket
   * @param chunk - what to repeat
   * @param limitBytes - stop after this many bytes (default: never)
   */
  constructor(
    private readonly socket: Socket,
    private readonly chunk: Uint8Array,
    private readonly limitBytes = Infinity,
  ) {
    socket.on('drain', () => this.pump())
    this.pump()
  }

  /** Stops writing (the socket stays open). */
  stop(): void {
    this.stopped = true
  }

  private pump(): void {
    while (!this.stopped && !closed(this.socket) && this.written < this.limitBytes) {
      this.written += this.chunk.length
      if (!this.socket.write(this.chunk)) return
    }
  }
}

/** `lines` joined with newlines and repeated up to about `bytes`, as one buffer. */
export function repeatLines(lines: readonly string[], bytes: number): Buffer {
  const block = Buffer.from(lines.map((l) => `${l}\n`).join(''))
  return Buffer.concat(Array.from({ length: Math.max(1, Math.floor(bytes / block.length)) }, () => block))
}
