/**
 * The client side of VARA's command port: CR-terminated ASCII lines both ways (radio.md §3.1).
 *
 * - Lines go through a real framer with a carry-over buffer, so a line split across two TCP reads
 *   arrives whole (Pat-Vara splits each read on CR and loses the pieces, style.md §1.E).
 * - Each command is matched to its OK or WRONG in order (VARA answers one per command).
 * - A command without an answer in time means the modem is hung: the port closes with
 *   `command-timeout`, and the owner treats that like any other loss of the modem.
 * - Unknown lines are logged once per distinct text and ignored, never fatal.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { CR, LineSplitter } from '../../codecs/line-splitter.js'
import type { Logger } from '../../gateway/log.js'
import { TransportError } from '../errors.js'
import { afterPendingIo, type Clock, type ClockTimer } from '../clock.js'
import { VaraLinkError } from './vara-link-error.js'
import { parseVaraMessage, type VaraMessage, type VaraMessageKind } from './vara-messages.js'

/** Longest line accepted from the modem, bytes (real lines are under 80). */
const MAX_LINE_BYTES = 1024
/** Distinct unknown lines logged before we stop noting new ones (bounds memory). */
const MAX_UNKNOWN_REMEMBERED = 64

/** Events of the command port. */
export interface CommandPortEvents {
  /** Every line from the modem, parsed (OK and WRONG included). */
  message: [message: VaraMessage]
  /** The port is closed for good; the error's reason is `device-closed`, `command-timeout` or `closed`. */
  close: [error: VaraLinkError]
}

interface Pending {
  readonly line: string
  readonly resolve: () => void
  readonly reject: (e: TransportError) => void
  readonly timer: ClockTimer
}

interface Waiter {
  readonly kind: VaraMessageKind
  readonly resolve: (m: VaraMessage | undefined) => void
  readonly timer: ClockTimer
}

/** A connected command port. */
export class VaraCommandPort extends EventEmitter<CommandPortEvents> {
  private readonly splitter = new LineSplitter({ delimiter: CR, maxLineBytes: MAX_LINE_BYTES })
  private readonly pending: Pending[] = []
  private readonly waiters = new Set<Waiter>()
  private readonly unknownSeen = new Set<string>()
  private closed = false

  /**
   * @param socket - connected to the command port
   * @param clock - for command timeouts
   * @param log - component logger
   * @param timeoutMs - deadline of each command's answer, ms
   */
  constructor(
    private readonly socket: Socket,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {
    super()
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (e) => this.fail(new VaraLinkError('device-closed', 'ERR_DEVICE', `VARA command port failed: ${e.message}`, { cause: e })))
    socket.on('close', () => this.fail(new VaraLinkError('device-closed', 'ERR_DEVICE', 'VARA closed the command port (modem exited or restarted)')))
  }

  /**
   * Sends a command; resolves on OK, rejects with `ERR_CONFIG` on WRONG, or with the
   * {@link VaraLinkError} that closed the port.
   */
  send(line: string): Promise<void> {
    if (this.closed) return Promise.reject(new VaraLinkError('closed', 'ERR_DEVICE', `VARA command port is closed; cannot send ${line}`))
    return new Promise((resolve, reject) => {
      const timeout = (): void => {
        if (!this.pending.includes(entry)) return // answered after all
        this.fail(new VaraLinkError('command-timeout', 'ERR_TIMEOUT', `VARA did not answer "${line}" within ${this.timeoutMs} ms`))
      }
      const entry: Pending = { line, resolve, reject, timer: this.clock.setTimeout(() => afterPendingIo(timeout), this.timeoutMs) }
      this.pending.push(entry)
      this.write(line)
    })
  }

  /** Sends a line that is answered by a message of `kind` instead of OK (VERSION); undefined when none comes in time. */
  request(line: string, kind: VaraMessageKind): Promise<VaraMessage | undefined> {
    if (this.closed) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      const waiter: Waiter = { kind, resolve, timer: this.clock.setTimeout(() => this.settleWaiter(waiter, undefined), this.timeoutMs) }
      this.waiters.add(waiter)
      this.write(line)
    })
  }

  /** Closes the port (idempotent). */
  close(): void {
    this.fail(new VaraLinkError('closed', 'ERR_STOPPED', 'VARA command port closed by us'))
  }

  private write(line: string): void {
    this.log.debug({ line }, 'to VARA')
    this.socket.write(`${line}\r`)
  }

  private onData(chunk: Buffer): void {
    for (const event of this.splitter.push(chunk)) {
      if ('error' in event) {
        this.log.warn({ err: event.error.message }, 'VARA sent an over-long command-port line; dropped it')
        continue
      }
      const line = Buffer.from(event.line).toString('latin1').replace(/\n/g, '').trim()
      if (line !== '') this.onLine(line)
      if (this.closed) return
    }
  }

  private onLine(line: string): void {
    const message = parseVaraMessage(line)
    this.log.debug({ line }, 'from VARA')
    if (message.kind === 'ok' || message.kind === 'wrong') this.answer(message.kind === 'ok')
    else if (message.kind === 'unknown') this.noteUnknown(line)
    for (const w of this.waiters) if (w.kind === message.kind) this.settleWaiter(w, message)
    this.emit('message', message)
  }

  private answer(ok: boolean): void {
    const head = this.pending.shift()
    if (head === undefined) return void this.log.debug({ ok }, 'VARA answered with no command outstanding; ignored')
    head.timer.cancel()
    if (ok) head.resolve()
    else head.reject(new TransportError('ERR_CONFIG', `VARA answered WRONG to "${head.line}"`))
  }

  private noteUnknown(line: string): void {
    if (this.unknownSeen.has(line) || this.unknownSeen.size >= MAX_UNKNOWN_REMEMBERED) return
    this.unknownSeen.add(line)
    this.log.warn({ line }, 'unknown message from VARA; ignoring it (logged once)')
  }

  private settleWaiter(w: Waiter, m: VaraMessage | undefined): void {
    if (!this.waiters.delete(w)) return
    w.timer.cancel()
    w.resolve(m)
  }

  private fail(error: VaraLinkError): void {
    if (this.closed) return
    this.closed = true
    this.socket.destroy()
    for (const p of this.pending.splice(0)) {
      p.timer.cancel()
      p.reject(error)
    }
    for (const w of [...this.waiters]) this.settleWaiter(w, undefined)
    this.emit('close', error)
  }
}
