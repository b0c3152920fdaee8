/**
 * The systemd notification protocol (sd_notify) through the `systemd-notify` program: readiness,
 * watchdog pings and "stopping". Node cannot open the AF_UNIX datagram socket the protocol uses, so a
 * short-lived child sends each message. Without `$NOTIFY_SOCKET` (not started by systemd as
 * `Type=notify`) every call does nothing.
 *
 * The sender is the child, not the service's main process, so the unit must say `NotifyAccess=all`.
 * `systemd-notify --pid=` does not help: it can only claim another pid's credentials with
 * CAP_SYS_ADMIN, which the hardened unit does not grant, and it would fall back to its own pid.
 * systemd-notify (systemd ≥ 246) waits on a barrier until PID 1 has read the message, so a child
 * that exits at once is still attributed to the service.
 *
 * @packageDocumentation
 */
import { spawn } from 'node:child_process'
import { silentLogger, type Logger } from './log.js'

/** A `systemd-notify` that has not exited after this long is killed, ms (its own barrier waits 5 s). */
const CHILD_TIMEOUT_MS = 10_000

/** Options of {@link SdNotify}. */
export interface SdNotifyOptions {
  /** Where `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` come from; `process.env` by default. Also the child's environment. */
  env?: Readonly<Record<string, string | undefined>>
  log?: Logger
  /** The program to run; `systemd-notify` on PATH by default. */
  program?: string
  /** Our pid, compared with `WATCHDOG_PID`; `process.pid` by default. */
  pid?: number
}

/**
 * The watchdog ping interval: half of `$WATCHDOG_USEC` (systemd's advice), in ms; undefined when no
 * watchdog is asked for, or it is meant for another process (`$WATCHDOG_PID`, inherited by a child).
 */
export function watchdogIntervalMs(env: Readonly<Record<string, string | undefined>>, pid: number): number | undefined {
  const usec = Number(env.WATCHDOG_USEC)
  if (!Number.isSafeInteger(usec) || usec <= 0) return undefined
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && Number(env.WATCHDOG_PID) !== pid) return undefined
  return Math.max(1, Math.floor(usec / 2_000)) // µs → ms, halved
}

/** Tells systemd what the service is doing; every method is a no-op outside a `Type=notify` unit. */
export class SdNotify {
  /** True when `$NOTIFY_SOCKET` is set. */
  readonly enabled: boolean
  /** Watchdog ping interval, ms; undefined: no watchdog. */
  readonly watchdogIntervalMs: number | undefined
  private readonly env: Readonly<Record<string, string | undefined>>
  private readonly log: Logger
  private readonly program: string
  private watchdog: NodeJS.Timeout | undefined
  private pinging = false
  private broken = false

  /** @param options - see {@link SdNotifyOptions} */
  constructor(options: SdNotifyOptions = {}) {
    this.env = options.env ?? process.env
    this.log = options.log ?? silentLogger()
    this.program = options.program ?? 'systemd-notify'
    this.enabled = (this.env.NOTIFY_SOCKET ?? '') !== ''
    this.watchdogIntervalMs = this.enabled ? watchdogIntervalMs(this.env, options.pid ?? process.pid) : undefined
  }

  /** READY=1 with a status line: start-up is complete. */
  ready(status: string): Promise<void> {
    return this.send(['--ready', `--status=${status}`])
  }

  /** STOPPING=1 with a status line: shutdown has begun (systemd then waits up to TimeoutStopSec). */
  stopping(status: string): Promise<void> {
    this.stopWatchdog()
    return this.send(['STOPPING=1', `--status=${status}`])
  }

  /**
   * Pings WATCHDOG=1 every {@link watchdogIntervalMs} from the event loop, so a blocked loop misses
   * its pings and systemd restarts the service. The timer does not keep the process alive.
   */
  startWatchdog(): void {
    const interval = this.watchdogIntervalMs
    if (interval === undefined || this.watchdog !== undefined) return
    this.watchdog = setInterval(() => {
      if (this.pinging) return // the previous child is still waiting on its barrier
      this.pinging = true
      void this.send(['WATCHDOG=1']).finally(() => (this.pinging = false))
    }, interval)
    this.watchdog.unref()
  }

  /** Stops the pings. */
  stopWatchdog(): void {
    clearInterval(this.watchdog)
    this.watchdog = undefined
  }

  /** Runs the program once; never rejects (a lost notification is logged, and systemd's timeouts act on it). */
  private send(args: string[]): Promise<void> {
    if (!this.enabled || this.broken) return Promise.resolve()
    return new Promise((resolve) => {
      const child = spawn(this.program, args, { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(0, 500)))
      const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS)
      const finish = (problem?: Record<string, unknown>): void => {
        clearTimeout(timer)
        if (problem !== undefined) this.log.warn({ program: this.program, args, ...problem }, 'systemd-notify failed: systemd did not get this message (missed readiness or pings end in a timeout and a restart); continuing')
        resolve()
      }
      child.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') this.broken = true // no point spawning it every watchdog period
        child.removeAllListeners('close')
        finish({ err: e.message })
      })
      child.once('close', (code) => finish(code === 0 ? undefined : { code, stderr: stderr.trim() }))
    })
  }
}
