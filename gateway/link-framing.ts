/**
 * Between the router and the transports: wire messages become envelopes cut to each link's MTU
 * (one fragment when it fits: the fragment layer carries the CRC-32), and fragments coming back are
 * reassembled per link and sender, checked and decoded. Bounded in memory and time by the reassembler.
 *
 * @packageDocumentation
 */
import type { CodecError } from '../codecs/errors.js'
import { decodeEnvelope, encodeEnvelope, type WireMessage } from '../codecs/envelope.js'
import { fragmentMessage, MESSAGE_ID_LIMIT, Reassembler, type ReassemblerOptions, type ReassemblerStats } from '../codecs/fragment.js'
import { unwrap } from '../codecs/result.js'

/** A wire message decoded from a link, or why a fragment was dropped. */
export type InboundResult = { message: WireMessage; bytes: number } | { error: CodecError } | { pending: true }

/** Encodes and fragments outbound messages; reassembles and decodes inbound fragments. */
export class LinkFraming {
  private readonly reassemblers = new Map<string, Reassembler>()
  private readonly nextId = new Map<string, number>()

  /**
   * @param options - reassembly limits per link
   * @param now - clock for reassembly expiry, ms
   */
  constructor(
    private readonly options: ReassemblerOptions = {},
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The fragments that carry `msg` to `peer` over `link` with at most `mtu` bytes each.
   *
   * @param compress - deflate with the preset dictionary when that makes it smaller
   */
  outbound(msg: WireMessage, link: string, peer: string, mtu: number, compress = true): Uint8Array[] {
    const envelope = encodeEnvelope(msg, { compress: compress ? 'auto' : 'never' })
    const key = `${link}\u0000${peer}`
    const id = this.nextId.get(key) ?? 0
    this.nextId.set(key, (id + 1) % MESSAGE_ID_LIMIT)
    return unwrap(fragmentMessage(envelope, mtu, id))
  }

  /** Takes one fragment received on `link` from `from`. */
  inbound(fragment: Uint8Array, link: string, from: string): InboundResult {
    const pushed = this.reassembler(link).push(fragment, from)
    if (!pushed.ok) return { error: pushed.error }
    if (pushed.value.status !== 'complete') return { pending: true }
    const decoded = decodeEnvelope(pushed.value.message)
    return decoded.ok ? { message: decoded.value, bytes: pushed.value.message.length } : { error: decoded.error }
  }

  /** Reassembly holdings and counters per link. */
  stats(): Record<string, ReassemblerStats> {
    return Object.fromEntries([...this.reassemblers].map(([link, r]) => [link, r.stats()]))
  }

  private reassembler(link: string): Reassembler {
    let r = this.reassemblers.get(link)
    if (r === undefined) {
      r = new Reassembler(this.options, this.now)
      this.reassemblers.set(link, r)
    }
    return r
  }
}
