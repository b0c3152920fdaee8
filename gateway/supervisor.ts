/**
 * Keeps a transport up: starts it, and whenever it goes down (or a start fails) waits with backoff
 * and jitter, then starts it again, forever, until stopped. Reconnection lives here and nowhere else,
 * so every link retries with the same politeness and a transport's own code stays one attempt long.
 *
 * @packageDocumentation
 */
import { Backoff, type BackoffOptions } from './backoff.js'
import type { Logger } from './log.js'
import type { StateChange, Transport } from '../transports/types.js'

/** Options of a {@link Supervisor}. */
export interface SupervisorOptions {
  /** Restart schedule (default: 1 s doubling to 60 s, half jitter). */
  backoff?: BackoffOptions
  /** A link that stays up this long has its backoff reset, ms. */
  stableAfterMs?: number
  /** Uniform [0, 1) source for the jitter; injected in tests. */
  random?: () => number
}

/** Restarts one transport whenever it fails. */
export class Supervisor {
  private readonly backoff: Backoff
  private timer?: NodeJS.Timeout
  private upSince?: number
  private running = false
  private starting?: Promise<void>
  private readonly onState = (s: StateChange): void => this.stateChanged(s)

  /**
   * @param transport - the link to keep up
   * @param log - component logger
   */
  constructor(
    readonly transport: Transport,
    private readonly log: Logger,
    private readonly options: SupervisorOptions = {},
  ) {
    this.backoff = new Backoff({ initialMs: 1_000, maxMs: 60_000, ...options.backoff }, options.random)
  }

  /** Number of failed starts or drops since the link was last stable. */
  get failures(): number {
    return this.backoff.failures
  }

  /** Starts supervising: the first start attempt runs now; resolves after it (up or not). */
  async start(): Promise<void> {
    if (this.running) return
    this.running = true
    this.transport.on('state', this.onState)
    await this.attempt()
  }

  /** Stops supervising and stops the transport. */
  async stop(): Promise<void> {
    this.running = false
    clearTimeout(this.timer)
    this.transport.off('state', this.onState)
    await this.starting?.catch(() => undefined)
    await this.transport.stop()
  }

  private attempt(): Promise<void> {
    this.timer = undefined
    this.starting = this.transport.start().then(
      () => {
        this.upSince = Date.now()
      },
      (e: Error) => this.retry(`start failed: ${e.message}`),
    )
    return this.starting
  }

  private stateChanged(s: StateChange): void {
    if (s.to !== 'down' || !this.running) return
    if (this.upSince !== undefined && Date.now() - this.upSince >= (this.options.stableAfterMs ?? 300_000)) this.backoff.reset()
    this.upSince = undefined
    this.retry(s.error === undefined ? s.reason : `${s.reason}: ${s.error.message}`)
  }

  private retry(why: string): void {
    if (!this.running || this.timer !== undefined) return
    const delay = this.backoff.next()
    this.log.warn({ transport: this.transport.id, why, retryInMs: delay, failures: this.backoff.failures }, 'link down; will restart it')
    this.timer = setTimeout(() => void this.attempt(), delay)
  }
}
