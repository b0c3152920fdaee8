/**
 * The KISS layer over an open {@link KissPort}: sets the KISS parameters when the link comes up,
 * writes AX.25 frames in order under the duty-cycle cap, asks Direwolf's `TXBUF:` while frames
 * wait in the TNC, and turns received bytes into AX.25 frames.
 *
 * Robustness, each with its reason:
 * - every write has a deadline (`writeTimeoutMs`): a TNC that stops reading (RTS/CTS held, hung
 *   USB) takes the link down instead of hanging every sender;
 * - a partial frame followed by `interByteTimeoutMs` of silence is dropped, so a frame cut off by a
 *   reset or left in the port buffer cannot swallow the FEND of the next good one;
 * - bytes outside frames (banners, `cmd:` prompts) and frames that do not decode are counted and
 *   logged at debug level, never fatal;
 * - a TNC that does not answer `TXBUF:` within `txbufTimeoutMs` is driven on airtime estimates.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import { decodeAx25Frame, encodeAx25Frame, type Ax25Frame } from '../../codecs/ax25.js'
import { KissDecoder, type KissEvent } from '../../codecs/kiss-decoder.js'
import { encodeKissFrame, encodeSetHardware, kissCommand, KissCommand, parseTxBufReply, type KissParameterCommand } from '../../codecs/kiss.js'
import type { Logger } from '../../gateway/log.js'
import { TransportError } from '../errors.js'
import { channelAccessSlackMs, DutyCycleLimiter } from './airtime.js'
import type { Ax25Config } from './config.js'
import type { KissPort, PortClosed } from './kiss-port.js'
import { sleep, withTimeout, type Clock, type ClockTimer } from '../clock.js'
import { TncQueue } from './tnc-queue.js'

/** Events of a {@link TncLink}. */
export interface TncLinkEvents {
  /** An AX.25 frame received on our KISS port. */
  frame: [frame: Ax25Frame]
  /** The port is gone or failed; emitted once, never after `close()`. */
  down: [reason: string, error: TransportError]
  /** Bytes waiting in the TNC: after a TXBUF reply, and after a batch of frames was written. */
  queue: [bytes: number]
}

/** Counters of the KISS layer since the link came up. */
export interface TncLinkStats {
  framesIn: number
  framesOut: number
  /** Bytes outside any KISS frame. */
  noiseBytes: number
  /** KISS protocol errors and dropped partial or over-long frames. */
  kissErrors: number
  /** KISS data frames that are not valid AX.25. */
  badFrames: number
}

interface Outgoing {
  readonly bytes: Uint8Array // AX.25 frame
  readonly onLeft: ((endMs: number) => void) | undefined
  resolve(): void
  reject(e: unknown): void
}

/** Which KISS parameter command carries which option, in 10 ms units where timed. */
const PARAMETERS: readonly [KissParameterCommand, (k: Ax25Config['kiss']) => number][] = [
  [KissCommand.TxDelay, (k) => tens(k.txDelayMs)],
  [KissCommand.Persistence, (k) => k.persistence],
  [KissCommand.SlotTime, (k) => tens(k.slotTimeMs)],
  [KissCommand.TxTail, (k) => tens(k.txTailMs)],
  [KissCommand.FullDuplex, (k) => (k.fullDuplex ? 1 : 0)],
]

function tens(ms: number): number {
  return Math.min(255, Math.round(ms / 10))
}

/** KISS framing, TNC parameters, TXBUF and the duty cycle over one open port. */
export class TncLink extends EventEmitter<TncLinkEvents> {
  private readonly decoder: KissDecoder
  private readonly queue: TncQueue
  private readonly limiter: DutyCycleLimiter
  private readonly life = new AbortController()
  private readonly outbox: Outgoing[] = []
  private writeChain: Promise<void> = Promise.resolve()
  private pumping = false
  private ended = false
  private txbuf: 'unknown' | 'yes' | 'no' = 'unknown'
  private readonly queries: { writtenBefore: number; timer: ClockTimer }[] = []
  private pollTimer: ClockTimer | undefined
  private readonly counters: TncLinkStats = { framesIn: 0, framesOut: 0, noiseBytes: 0, kissErrors: 0, badFrames: 0 }

  /**
   * @param port - the open port; this link owns it from now on
   * @param cfg - transport options
   * @param clock - timers
   * @param log - component logger
   */
  constructor(
    private readonly port: KissPort,
    private readonly cfg: Ax25Config,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    super()
    this.decoder = new KissDecoder({ interByteTimeoutMs: cfg.interByteTimeoutMs }, { now: () => clock.now() })
    this.queue = new TncQueue(
      { bitrateBps: cfg.bitrateBps, txDelayMs: cfg.kiss.txDelayMs, txTailMs: cfg.kiss.txTailMs },
      clock,
      (waitedMs) => log.warn({ waitedMs }, 'TNC still holds frames long after they should have been sent (busy channel or stuck TNC); assuming they went out'),
    )
    this.limiter = new DutyCycleLimiter(cfg.dutyCycle, channelAccessSlackMs(cfg.kiss))
    port.on('data', (chunk) => this.received(chunk))
    port.on('close', (info) => this.portClosed(info))
  }

  /** True once the TNC has answered `TXBUF:`. */
  get answersTxbuf(): boolean {
    return this.txbuf === 'yes'
  }

  /** Counters since the link came up. */
  stats(): TncLinkStats {
    return { ...this.counters }
  }

  /** Bytes waiting in the TNC (TXBUF when answered, else our estimate) plus our own outbox. */
  queuedBytes(): number {
    return this.queue.queuedBytes() + this.outbox.reduce((n, o) => n + o.bytes.length, 0)
  }

  /** Sends the configured KISS parameters, then asks once whether the TNC answers `TXBUF:`. */
  async configure(): Promise<void> {
    const k = this.cfg.kiss
    if (k.apply) for (const [command, value] of PARAMETERS) await this.write(kissCommand(k.port, command, value(k)))
    this.queryTxbuf()
  }

  /**
   * Queues an AX.25 frame for the TNC; resolves once it is written. `onLeft` is told the (estimated)
   * end of its transmission once the TNC has sent it.
   */
  send(frame: Ax25Frame, onLeft?: (endMs: number) => void): Promise<void> {
    if (this.ended) return Promise.reject(new TransportError('ERR_NOT_UP', `${this.port.description} is closed`))
    const bytes = encodeAx25Frame(frame)
    return new Promise((resolve, reject) => {
      this.outbox.push({ bytes, onLeft, resolve, reject })
      void this.pump()
    })
  }

  /** Closes the port and drops everything queued (rejected with ERR_STOPPED); emits no `down`. */
  async close(): Promise<void> {
    if (this.ended) return
    this.end(new TransportError('ERR_STOPPED', 'the AX.25 link was stopped'))
    await this.port.close()
  }

  /** Writes queued frames in order, each when the duty cycle allows. */
  private async pump(): Promise<void> {
    if (this.pumping) return
    this.pumping = true
    let wrote = false
    try {
      while (this.outbox.length > 0 && !this.ended) {
        const next = this.outbox[0] as Outgoing
        const { startMs, airtimeMs } = this.queue.nextTransmission(next.bytes.length)
        const delay = this.limiter.delayFor(airtimeMs, startMs)
        if (delay > 0) {
          await sleep(this.clock, startMs + delay - this.clock.now(), this.life.signal).catch(() => undefined)
          continue
        }
        this.outbox.shift()
        this.limiter.record(startMs, airtimeMs)
        const kiss = encodeKissFrame({ port: this.cfg.kiss.port, command: KissCommand.Data, data: next.bytes })
        try {
          await this.write(kiss, { after: () => this.queue.add(next.bytes.length, next.onLeft) })
          this.counters.framesOut++
          wrote = true
          next.resolve()
        } catch (e) {
          next.reject(e)
        }
        this.schedulePoll()
      }
    } finally {
      this.pumping = false
    }
    if (wrote && !this.ended) this.emit('queue', this.queuedBytes()) // once per batch, not per frame
  }

  /** Writes bytes after every earlier write, with the write deadline; a failure takes the link down. */
  private write(bytes: Uint8Array, hooks: { before?: () => void; after?: () => void } = {}): Promise<void> {
    const step = async (): Promise<void> => {
      if (this.ended) throw new TransportError('ERR_NOT_UP', `${this.port.description} is closed`)
      hooks.before?.()
      const timeout = this.cfg.writeTimeoutMs
      await withTimeout(this.clock, this.port.write(bytes), timeout, () => new TransportError('ERR_TIMEOUT', `${this.port.description} took no data for ${timeout} ms`))
      hooks.after?.()
    }
    const done = this.writeChain.then(step)
    this.writeChain = done.catch(() => undefined)
    return done.catch((e: unknown) => {
      if (this.ended) throw e
      const timedOut = e instanceof TransportError && e.code === 'ERR_TIMEOUT'
      const error = new TransportError('ERR_DEVICE', `${this.port.description}: write failed: ${(e as Error).message}`, { cause: e })
      this.fail(timedOut ? 'device-write-timeout' : 'device-write-failed', error)
      throw error
    })
  }

  // ---- TXBUF ----------------------------------------------------------------------------------

  private queryTxbuf(): void {
    if (this.ended || this.txbuf === 'no' || this.queries.length > 0) return
    const query = encodeSetHardware(this.cfg.kiss.port, 'TXBUF')
    const entry = { writtenBefore: 0, timer: this.clock.setTimeout(() => this.txbufTimedOut(), this.cfg.txbufTimeoutMs) }
    this.queries.push(entry)
    this.write(query, { before: () => (entry.writtenBefore = this.queue.written) }).catch(() => undefined)
  }

  private txbufReply(bytes: number): void {
    const query = this.queries.shift()
    if (query === undefined) return // unsolicited, or answered after we gave up on it
    query.timer.cancel()
    if (this.txbuf !== 'yes') {
      this.log.info({ tnc: this.port.description }, 'TNC answers TXBUF: queued airtime comes from the TNC')
      this.txbuf = 'yes'
      this.queue.useTxbuf()
    }
    this.queue.onTxbuf(bytes, query.writtenBefore)
    this.emit('queue', this.queuedBytes())
    this.schedulePoll()
  }

  private txbufTimedOut(): void {
    for (const q of this.queries.splice(0)) q.timer.cancel()
    if (this.ended) return
    this.log.info(
      { tnc: this.port.description, waitedMs: this.cfg.txbufTimeoutMs },
      this.txbuf === 'yes'
        ? 'TNC stopped answering TXBUF; falling back to airtime estimates'
        : 'TNC does not answer TXBUF (not Direwolf, or Direwolf at its 3-client limit); using airtime estimates',
    )
    this.txbuf = 'no'
    this.queue.useEstimates()
  }

  /** While frames wait in a TXBUF-answering TNC, asks again every `txbufPollMs`. */
  private schedulePoll(): void {
    if (this.txbuf !== 'yes' || this.pollTimer !== undefined || !this.queue.pending || this.ended) return
    this.pollTimer = this.clock.setTimeout(() => {
      this.pollTimer = undefined
      this.queue.expireStuck()
      this.queryTxbuf()
    }, this.cfg.txbufPollMs)
  }

  // ---- receiving ------------------------------------------------------------------------------

  private received(chunk: Uint8Array): void {
    if (this.ended) return
    for (const event of this.decoder.push(chunk)) this.handle(event)
  }

  private handle(event: KissEvent): void {
    if (event.type === 'noise') {
      this.counters.noiseBytes += event.bytes.length
      this.log.debug({ bytes: event.bytes.length, text: Buffer.from(event.bytes).toString('latin1') }, 'bytes from the TNC outside any KISS frame ignored')
      return
    }
    if (event.type === 'error') {
      this.counters.kissErrors++
      this.log.debug({ code: event.error.code, err: event.error.message }, 'KISS stream error; frame dropped')
      return
    }
    const { port, command, data } = event.frame
    if (port !== this.cfg.kiss.port) return // another radio on a multi-port TNC
    if (command === KissCommand.SetHardware) {
      const txbuf = parseTxBufReply(data)
      if (txbuf.ok) this.txbufReply(txbuf.value)
      return
    }
    if (command !== KissCommand.Data) return
    const decoded = decodeAx25Frame(data, { modulo: 8 })
    if (!decoded.ok) {
      this.counters.badFrames++
      this.log.debug({ err: decoded.error.message }, 'KISS data frame is not valid AX.25; dropped')
      return
    }
    this.counters.framesIn++
    this.emit('frame', decoded.value)
  }

  // ---- ending ---------------------------------------------------------------------------------

  private portClosed(info: PortClosed): void {
    if (this.ended) return
    const why = info.error === undefined ? info.reason : `${info.reason}: ${info.error.message}`
    this.fail(info.reason, new TransportError('ERR_DEVICE', `${this.port.description}: ${why}`, info.error === undefined ? {} : { cause: info.error }))
  }

  private fail(reason: string, error: TransportError): void {
    if (this.ended) return
    this.end(error)
    void this.port.close()
    this.emit('down', reason, error)
  }

  private end(error: TransportError): void {
    this.ended = true
    this.life.abort()
    this.pollTimer?.cancel()
    for (const q of this.queries.splice(0)) q.timer.cancel()
    this.queue.close()
    for (const o of this.outbox.splice(0)) o.reject(error)
  }
}
