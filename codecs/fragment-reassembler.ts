/**
 * Reassembly of the fragments `fragmentMessage` (fragment.ts) cuts, from any number of senders,
 * bounded in memory and time; the fragment format and the CRC-32 are in fragment-header.ts.
 *
 * @packageDocumentation
 */
import { concatBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'
import { CodecError } from './errors.js'
import { CHECK_BYTES, crc32, parseFragmentHeader } from './fragment-header.js'
import { hexNumber } from './hex.js'
import { err, ok, type Result } from './result.js'

/** Limits of a {@link Reassembler}; every field has a default. */
export const ReassemblerOptionsSchema = z
  .object({
    /** Partial messages held at once; a new one evicts the one idle longest. */
    maxMessages: z.number().int().min(1).default(16),
    /** Largest message accepted, bytes (without the CRC). */
    maxMessageBytes: z.number().int().min(1).default(256 * 1024),
    /** Payload bytes held over all partial messages. */
    maxTotalBytes: z.number().int().min(1).default(1024 * 1024),
    /** A partial message with no new fragment for this long is dropped, ms. */
    expireAfterMs: z.number().int().min(1).default(10 * 60_000),
  })
  .refine((o) => o.maxMessageBytes + CHECK_BYTES <= o.maxTotalBytes, {
    message: 'maxTotalBytes must hold at least one message of maxMessageBytes plus its CRC',
  })
/** Reassembler limits as given (defaults filled in by the schema). */
export type ReassemblerOptions = z.input<typeof ReassemblerOptionsSchema>
type Limits = z.output<typeof ReassemblerOptionsSchema>

/** What {@link Reassembler.push} did with a fragment. */
export type ReassemblyOutcome =
  | { readonly status: 'complete'; readonly messageId: number; readonly from: string; readonly message: Uint8Array }
  | { readonly status: 'partial'; readonly messageId: number; readonly from: string; readonly received: number; readonly count: number }
  | { readonly status: 'duplicate'; readonly messageId: number; readonly from: string }

/** Counters since construction, for metrics. */
export interface ReassemblerStats {
  /** Partial messages held now. */
  partials: number
  /** Payload bytes held now. */
  bytes: number
  /** Partial messages dropped to make room. */
  evicted: number
  /** Partial messages dropped for idleness. */
  expired: number
}

/** What is remembered of a completed message, to recognise late duplicates of its fragments. */
interface Completed {
  readonly count: number
  /** CRC-32 of each fragment's payload, by index. */
  readonly checks: Uint32Array
  readonly at: number // ms, when it completed
}

interface Partial {
  readonly messageId: number
  readonly from: string
  readonly count: number
  /** Payload bytes of every fragment but the last, once one has arrived. */
  size: number | undefined
  /** Payload bytes of the last fragment, once it has arrived. */
  lastSize: number | undefined
  readonly parts: Map<number, Uint8Array>
  bytes: number
  updatedAt: number // ms, clock of the reassembler
}

/**
 * Reassembles fragments from any number of senders (`from` keeps their message ids apart).
 *
 * Bounds: at most `maxMessages` partial messages and `maxTotalBytes` payload bytes; a message larger
 * than `maxMessageBytes` is refused as soon as a fragment shows it (`ERR_REASSEMBLY_LIMIT`). Eviction:
 * when a new message or a fragment does not fit, the partial message idle longest (oldest last
 * fragment) goes first; a partial idle for `expireAfterMs` is dropped at the next `push`, `missing`
 * or `expire`. Duplicates are ignored (the first copy stays), also after completion: the last
 * `maxMessages` completed messages are remembered for `expireAfterMs` by the CRC-32 of each fragment,
 * so a retransmission is reported as `duplicate` while an id reused for new content starts afresh.
 * A fragment that disagrees with its partial message about count or payload size is `ERR_FRAGMENT`
 * and drops that partial too (one of them is wrong, or an id was reused). No timers: time is read
 * from `now` (ms) when called.
 */
export class Reassembler {
  private readonly limits: Limits
  private readonly partials = new Map<string, Partial>()
  private readonly completed = new Map<string, Completed>() // oldest first
  private totalBytes = 0 // payload bytes held
  private evictedCount = 0
  private expiredCount = 0

  /**
   * @param options - limits, see {@link ReassemblerOptionsSchema} (throws a ZodError if invalid)
   * @param now - clock in ms; inject a fake one in tests
   */
  constructor(
    options: ReassemblerOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = ReassemblerOptionsSchema.parse(options)
  }

  /** Takes one fragment received from `from` (a callsign or address; '' if there is only one peer). */
  push(fragment: Uint8Array, from = ''): Result<ReassemblyOutcome> {
    const parsed = parseFragmentHeader(fragment)
    if (!parsed.ok) return parsed
    const { messageId, index, count, headerBytes } = parsed.value
    this.expire()
    const payload = fragment.slice(headerBytes)
    const k = key(from, messageId)
    if (this.isLateDuplicate(k, index, count, payload)) return ok({ status: 'duplicate', messageId, from })
    if (count === 1) return this.finish(k, messageId, from, [payload])
    const existing = this.partials.get(k)
    const partial = existing ?? this.fresh(messageId, from, count)
    const problem = this.check(partial, index, count, payload.length)
    if (problem) {
      this.drop(k)
      return err(problem)
    }
    if (partial.parts.has(index)) return ok({ status: 'duplicate', messageId, from })
    if (!existing) this.admit(k, partial)
    if (!this.makeRoom(partial, payload.length)) {
      this.drop(k)
      return err(new CodecError('ERR_REASSEMBLY_LIMIT', `message ${messageId} from '${from}' does not fit in ${this.limits.maxTotalBytes} bytes`))
    }
    this.store(partial, index, payload)
    if (partial.parts.size < count) return ok({ status: 'partial', messageId, from, received: partial.parts.size, count })
    this.drop(k)
    return this.finish(k, messageId, from, Array.from({ length: count }, (_, i) => partial.parts.get(i) ?? new Uint8Array(0)))
  }

  /**
   * Indices still missing for a message, ascending (what an ARQ asks the sender for); `undefined`
   * if no partial message has that id (never seen, complete, expired or evicted).
   */
  missing(messageId: number, from = ''): number[] | undefined {
    this.expire()
    const p = this.partials.get(key(from, messageId))
    if (!p) return undefined
    return Array.from({ length: p.count }, (_, i) => i).filter((i) => !p.parts.has(i))
  }

  /** Drops every partial message idle for `expireAfterMs` or more; returns their ids and senders. */
  expire(): { messageId: number; from: string }[] {
    const cutoff = this.now() - this.limits.expireAfterMs
    for (const [k, c] of this.completed) if (c.at <= cutoff) this.completed.delete(k)
    const gone = [...this.partials].filter(([, p]) => p.updatedAt <= cutoff)
    for (const [k] of gone) this.drop(k)
    this.expiredCount += gone.length
    return gone.map(([, p]) => ({ messageId: p.messageId, from: p.from }))
  }

  /** Current holdings and counters. */
  stats(): ReassemblerStats {
    return { partials: this.partials.size, bytes: this.totalBytes, evicted: this.evictedCount, expired: this.expiredCount }
  }

  /** A fragment of a message completed within `expireAfterMs`, identical to the one received then. */
  private isLateDuplicate(k: string, index: number, count: number, payload: Uint8Array): boolean {
    const done = this.completed.get(k)
    if (!done) return false
    if (done.count === count && done.checks[index] === crc32(payload)) return true
    this.completed.delete(k) // different content: the sender has reused the id for a new message
    return false
  }

  private remember(k: string, parts: readonly Uint8Array[]): void {
    this.completed.delete(k)
    this.completed.set(k, { count: parts.length, checks: Uint32Array.from(parts, crc32), at: this.now() })
    for (const oldest of this.completed.keys()) {
      if (this.completed.size <= this.limits.maxMessages) break
      this.completed.delete(oldest)
    }
  }

  private fresh(messageId: number, from: string, count: number): Partial {
    return { messageId, from, count, size: undefined, lastSize: undefined, parts: new Map(), bytes: 0, updatedAt: this.now() }
  }

  private admit(k: string, p: Partial): void {
    while (this.partials.size >= this.limits.maxMessages) if (!this.evictIdlest()) break
    this.partials.set(k, p)
  }

  /** Consistency of a new fragment with what its partial message already says. */
  private check(p: Partial, index: number, count: number, length: number): CodecError | undefined {
    const id = `message ${p.messageId} from '${p.from}'`
    if (count !== p.count) {
      return new CodecError('ERR_FRAGMENT', `${id}: fragment ${index} says ${count} fragments, earlier ones ${p.count}`)
    }
    const isLast = index === p.count - 1
    const size = isLast ? p.size : length
    const lastSize = isLast ? length : p.lastSize
    if (!isLast && p.size !== undefined && p.size !== length) {
      return new CodecError('ERR_FRAGMENT', `${id}: fragment ${index} has ${length} payload bytes, earlier ones ${p.size}`)
    }
    if (size !== undefined && lastSize !== undefined && lastSize > size) {
      return new CodecError('ERR_FRAGMENT', `${id}: last fragment has ${lastSize} payload bytes, more than the others' ${size}`)
    }
    // smallest total the header and sizes allow: every fragment but the last holds at least lastSize
    const least = (p.count - 1) * (size ?? lastSize ?? 1) + (lastSize ?? 1) - CHECK_BYTES
    if (least > this.limits.maxMessageBytes) {
      return new CodecError('ERR_REASSEMBLY_LIMIT', `${id}: at least ${least} bytes, over the ${this.limits.maxMessageBytes}-byte limit`)
    }
    return undefined
  }

  /** Evicts idle partials (never `p`) until `extra` more bytes fit; false if they cannot. */
  private makeRoom(p: Partial, extra: number): boolean {
    if (p.bytes + extra > this.limits.maxTotalBytes) return false
    while (this.totalBytes + extra > this.limits.maxTotalBytes) if (!this.evictIdlest(p)) break
    return this.totalBytes + extra <= this.limits.maxTotalBytes
  }

  /** Drops the partial idle longest other than `keep`; false if there is none. */
  private evictIdlest(keep?: Partial): boolean {
    let idlest: [string, Partial] | undefined
    for (const entry of this.partials) if (entry[1] !== keep && (!idlest || entry[1].updatedAt < idlest[1].updatedAt)) idlest = entry
    if (!idlest) return false
    this.drop(idlest[0])
    this.evictedCount++
    return true
  }

  private store(p: Partial, index: number, payload: Uint8Array): void {
    p.parts.set(index, payload)
    if (index === p.count - 1) p.lastSize = payload.length
    else p.size = payload.length
    p.bytes += payload.length
    this.totalBytes += payload.length
    p.updatedAt = this.now()
  }

  private drop(k: string): void {
    const p = this.partials.get(k)
    if (!p) return
    this.totalBytes -= p.bytes
    this.partials.delete(k)
  }

  /** Joins the fragments' payloads, checks the CRC and strips it. */
  private finish(k: string, messageId: number, from: string, parts: readonly Uint8Array[]): Result<ReassemblyOutcome> {
    const stream = concatBytes(...parts)
    const bodyLength = stream.length - CHECK_BYTES
    if (bodyLength < 0) {
      return err(new CodecError('ERR_FRAGMENT', `message ${messageId}: ${stream.length} bytes cannot hold the ${CHECK_BYTES}-byte CRC`))
    }
    if (bodyLength > this.limits.maxMessageBytes) {
      return err(new CodecError('ERR_REASSEMBLY_LIMIT', `message ${messageId}: ${bodyLength} bytes, over the ${this.limits.maxMessageBytes}-byte limit`))
    }
    const message = stream.subarray(0, bodyLength)
    const sent = new DataView(stream.buffer, stream.byteOffset + bodyLength, CHECK_BYTES).getUint32(0)
    const actual = crc32(message)
    if (sent !== actual) {
      return err(new CodecError('ERR_CHECKSUM', `message ${messageId} from '${from}': CRC-32 ${hexNumber(actual, 8)}, sender said ${hexNumber(sent, 8)}`))
    }
    this.remember(k, parts)
    return ok({ status: 'complete', messageId, from, message })
  }
}

function key(from: string, messageId: number): string {
  return `${messageId}/${from}`
}
