/**
 * A gateway run the way systemd runs it: `bunker-gateway run --config FILE` as its own process
 * (`node --import tsx gateway/cli.ts`, one process, so SIGKILL hits the gateway itself and not a
 * wrapper such as npx). It can be killed with SIGKILL in the middle of its work and started again on
 * the same state directory; its resident memory is sampled from /proc/<pid>/status (VmRSS).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, readFileSync } from 'node:fs'

/** How often VmRSS is sampled, ms. */
const RSS_SAMPLE_MS = 250
/** Longest wait for the `ready` log line, ms (tsx compiles on start; a loaded CI host is slow). */
const READY_TIMEOUT_MS = 30_000

/** Resident set size of `pid` from /proc, KiB; undefined once the process is gone. */
export function vmRssKiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m?.[1] === undefined ? undefined : Number(m[1])
  } catch {
    return undefined
  }
}

/** A gateway in a child process; its log lines go to `logFile`. */
export class ChildGateway {
  /** Largest VmRSS seen over every run, KiB. */
  peakRssKiB = 0
  /** Starts so far. */
  starts = 0
  private child?: ChildProcess
  private sampler?: NodeJS.Timeout

  /**
   * @param configFile - the TOML configuration
   * @param logFile - where stdout and stderr are appended
   */
  constructor(
    private readonly configFile: string,
    private readonly logFile: string,
  ) {}

  /** The running process id, if running. */
  get pid(): number | undefined {
    const c = this.child
    return c !== undefined && c.exitCode === null && c.signalCode === null ? c.pid : undefined
  }

  /** Spawns the gateway and resolves once it logs `ready`. */
  async start(): Promise<void> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BUNKER_GATEWAY_') && k !== 'NOTIFY_SOCKET'))
    const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/cli.ts', 'run', '--config', this.configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    this.child = child
    this.starts++
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child gateway not ready within ${READY_TIMEOUT_MS} ms; see ${this.logFile}`)), READY_TIMEOUT_MS)
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`child gateway exited before ready (code ${code}, signal ${signal}); see ${this.logFile}`))
      })
      child.stdout?.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8')
        appendFileSync(this.logFile, text)
        if (text.includes('"msg":"ready')) {
          clearTimeout(timer)
          child.removeAllListeners('exit')
          resolve()
        }
      })
    })
    child.stderr?.on('data', (chunk: Buffer) => appendFileSync(this.logFile, chunk))
    this.sampler = setInterval(() => this.sample(), RSS_SAMPLE_MS)
    await ready
  }

  /** SIGKILL: no shutdown, no flush, the store's file handle dropped mid-write. */
  async kill(): Promise<void> {
    await this.end('SIGKILL')
  }

  /** SIGTERM and wait for the exit (the clean stop). */
  async stop(): Promise<void> {
    await this.end('SIGTERM')
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child
    clearInterval(this.sampler)
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    this.sample()
    child.kill(signal)
    await exited
  }

  private sample(): void {
    const pid = this.pid
    const rss = pid === undefined ? undefined : vmRssKiB(pid)
    if (rss !== undefined) this.peakRssKiB = Math.max(this.peakRssKiB, rss)
  }
}
