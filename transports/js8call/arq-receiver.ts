/**
 * The receiving half of our ARQ over JS8 (JS8 itself has none): reassembles messages per sender,
 * and decides the reply each frame calls for.
 *
 * - A message complete (or a copy of one completed earlier, its ack having been lost) is acked when
 *   it was directed to us; group messages are never acked (every member would answer at once).
 * - The last fragment of a message arriving (new or again) with others missing asks for exactly
 *   those (nack), for group messages too: the sender has finished and listens.
 * - A poll ("what are you missing?") is answered with an ack or a nack; with nothing of the message
 *   heard at all, the nack names every fragment.
 *
 * Pure: time comes from the clock; bounded by the Reassembler's limits and `maxCompleted`.
 *
 * @packageDocumentation
 */
import { crc32, parseFragmentHeader, Reassembler, type ReassemblerOptions } from '../../codecs/fragment.js'
import type { CodecError } from '../../codecs/errors.js'
import type { Clock } from '../clock.js'
import type { LinkFrame } from './link-frame.js'

/** What to do about one received frame. */
export interface ReceiveOutcome {
  /** A complete new message. */
  deliver?: { messageId: number; payload: Uint8Array }
  /** A frame to send back to the sender (directed). */
  reply?: LinkFrame
  /** Why the frame was refused (bad fragment, over a limit). */
  error?: CodecError
}

/** Options of an {@link ArqReceiver}. */
export interface ArqReceiverOptions {
  /** Completed messages remembered to re-ack and to answer polls, ms. */
  retainMs: number
  /** Completed messages remembered at most. */
  maxCompleted?: number
  reassembly?: ReassemblerOptions
}

interface Completed {
  readonly crc: number
  readonly at: number // ms
}

/** Reassembly and reply decisions for every sender. */
export class ArqReceiver {
  private readonly reassembler: Reassembler
  private readonly completed = new Map<string, Completed>() // oldest first
  private readonly maxCompleted: number

  /**
   * @param clock - time source
   * @param options - memory limits
   */
  constructor(
    private readonly clock: Clock,
    private readonly options: ArqReceiverOptions,
  ) {
    this.reassembler = new Reassembler({ expireAfterMs: options.retainMs, ...options.reassembly }, () => clock.now())
    this.maxCompleted = options.maxCompleted ?? 256
  }

  /**
   * Takes a data, whole or poll frame from `from`; `directed` when it was addressed to us (not to
   * the group). Acks and nacks are for the sender and are not handled here.
   */
  receive(from: string, directed: boolean, frame: LinkFrame): ReceiveOutcome {
    switch (frame.kind) {
      case 'whole':
        return this.whole(from, directed, frame.messageId, frame.payload)
      case 'data':
        return this.fragment(from, directed, frame.fragment)
      case 'poll':
        return directed ? this.poll(from, frame.messageId, frame.count) : {}
      default:
        return {}
    }
  }

  private whole(from: string, directed: boolean, messageId: number, payload: Uint8Array): ReceiveOutcome {
    const ack = directed ? this.ack(messageId) : {}
    const done = this.recall(from, messageId)
    const crc = crc32(payload)
    if (done?.crc === crc) return ack // a copy: the sender missed our ack
    this.remember(from, messageId, crc)
    return { deliver: { messageId, payload }, ...ack }
  }

  private fragment(from: string, directed: boolean, fragment: Uint8Array): ReceiveOutcome {
    const header = parseFragmentHeader(fragment)
    if (!header.ok) return { error: header.error }
    const { messageId, index, count } = header.value
    const pushed = this.reassembler.push(fragment, from)
    if (!pushed.ok) return { error: pushed.error }
    const outcome = pushed.value
    if (outcome.status === 'complete') {
      this.remember(from, messageId, crc32(outcome.message))
      return { deliver: { messageId, payload: outcome.message }, ...(directed ? this.ack(messageId) : {}) }
    }
    const missing = this.reassembler.missing(messageId, from)
    if (missing === undefined) return directed && this.recall(from, messageId) !== undefined ? this.ack(messageId) : {}
    return index === count - 1 && missing.length > 0 ? { reply: { kind: 'nack', messageId, missing } } : {}
  }

  private poll(from: string, messageId: number, count: number): ReceiveOutcome {
    const partial = this.reassembler.missing(messageId, from)
    if (partial === undefined && this.recall(from, messageId) !== undefined) return this.ack(messageId)
    return { reply: { kind: 'nack', messageId, missing: partial ?? Array.from({ length: count }, (_, i) => i) } }
  }

  private ack(messageId: number): ReceiveOutcome {
    return { reply: { kind: 'ack', messageIds: [messageId] } }
  }

  private recall(from: string, messageId: number): Completed | undefined {
    const done = this.completed.get(`${messageId}/${from}`)
    return done !== undefined && this.clock.now() - done.at < this.options.retainMs ? done : undefined
  }

  private remember(from: string, messageId: number, crc: number): void {
    const key = `${messageId}/${from}`
    this.completed.delete(key)
    this.completed.set(key, { crc, at: this.clock.now() })
    for (const oldest of this.completed.keys()) {
      if (this.completed.size <= this.maxCompleted) break
      this.completed.delete(oldest)
    }
  }
}
