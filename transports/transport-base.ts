/**
 * What every transport does the same way: state bookkeeping with reasons, the checks every `send`
 * makes before touching a device, and typed event helpers. One place, so every link fails the same
 * way and the contract suite tests it once per transport.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import { TransportError } from './errors.js'
import type { InboundFrame, LinkSample, LinkState, SendOptions, TransportCapabilities, TransportEvents } from './types.js'

/** Shared base of the transports; subclasses implement start/send/stop. */
export abstract class TransportBase extends EventEmitter<TransportEvents> {
  private current: LinkState = 'stopped'

  /**
   * @param id - config name of the link
   * @param capabilities - what the link can do
   */
  constructor(
    readonly id: string,
    readonly capabilities: TransportCapabilities,
  ) {
    super()
  }

  /** Current state. */
  get state(): LinkState {
    return this.current
  }

  /** Moves to `to` and emits `state` (nothing when already there). */
  protected setState(to: LinkState, reason: string, error?: TransportError): void {
    const from = this.current
    if (from === to) return
    this.current = to
    this.emit('state', error === undefined ? { from, to, reason } : { from, to, reason, error })
  }

  /** Throws the error a send must reject with, if any: aborted, not up, or over the MTU. */
  protected checkSend(payload: Uint8Array, options: SendOptions = {}): void {
    if (options.signal?.aborted === true) throw new TransportError('ERR_ABORTED', `${this.id}: send aborted`, { cause: options.signal.reason })
    if (this.current !== 'up') throw new TransportError('ERR_NOT_UP', `${this.id}: link is ${this.current}`)
    if (payload.length > this.capabilities.mtu) {
      throw new TransportError('ERR_MTU_EXCEEDED', `${this.id}: ${payload.length} bytes exceed the ${this.capabilities.mtu}-byte MTU`)
    }
  }

  /** Emits a received frame. */
  protected emitFrame(frame: InboundFrame): void {
    this.emit('frame', frame)
  }

  /** Emits a link sample stamped now. */
  protected emitSample(sample: Omit<LinkSample, 'at'>): void {
    this.emit('sample', { at: Date.now(), ...sample })
  }
}

/** Rejects with `ERR_ABORTED` when `signal` fires before `promise` settles. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal === undefined) return promise
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new TransportError('ERR_ABORTED', `${what} aborted`, { cause: signal.reason }))
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}
