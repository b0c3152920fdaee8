/**
 * The receiving half of the router: a frame from a link becomes a decoded message from a named
 * peer, or a reason it was dropped. Fragments are reassembled per link and sender; a banned station
 * is refused before anything is decoded (it costs no more CPU); the sender is named by its hello,
 * by config, or on radio by its callsign; messages from a TCP sender not yet named are held briefly
 * for its hello.
 *
 * @packageDocumentation
 */
import type { InboundFrame, Transport } from '../../transports/types.js'
import type { LinkFraming } from '../link-framing.js'
import type { PeerDirectory } from '../peer-directory.js'
import type { StationBans } from './bans.js'
import type { Inbound } from './router.js'
import { Unidentified } from './unidentified.js'

/** What came of one frame. */
export type Intake = { messages: Inbound[] } | { dropped: string } | { pending: true }

/** Turns frames into messages from named peers. */
export class Inbox {
  private readonly unidentified = new Unidentified()

  /**
   * @param framing - reassembly and decoding
   * @param directory - who is behind an address
   * @param bans - stations whose frames are refused
   * @param now - clock, ms
   */
  constructor(
    private readonly framing: LinkFraming,
    private readonly directory: PeerDirectory,
    private readonly bans: StationBans,
    private readonly now: () => number,
  ) {}

  /** Takes one frame received on `t`. */
  take(t: Transport, f: InboundFrame): Intake {
    const from = f.from ?? ''
    const banned = this.refused(this.directory.identify(t.id, from) ?? from)
    if (banned !== undefined) return banned
    const r = this.framing.inbound(f.payload, t.id, from)
    if ('pending' in r) return r
    if ('error' in r) return { dropped: `${r.error.code}: ${r.error.message}` }
    const peer = r.message.type === 'hello' ? r.message.station : this.identify(t, from)
    const late = this.refused(peer) // a banned station's hello from a new address
    if (late !== undefined) return late
    const inbound = { link: t.id, from, msg: r.message, bytes: r.bytes, receivedAt: f.receivedAt }
    if (peer === undefined) {
      // a TCP peer's first frames may overtake its hello (a transaction goes before control)
      return this.unidentified.hold(inbound, this.now()) ? { pending: true } : { dropped: 'sender unknown: no hello yet' }
    }
    if (r.message.type !== 'hello') return { messages: [{ ...inbound, peer }] }
    this.directory.heard(peer, t.id, from, f.receivedAt)
    const held = this.unidentified.release(t.id, from, this.now()).map((m) => ({ ...m, peer }))
    return { messages: [{ ...inbound, peer }, ...held] }
  }

  private refused(station: string | undefined): { dropped: string } | undefined {
    return station !== undefined && this.bans.banned(station) ? { dropped: `station ${station} is banned` } : undefined
  }

  /** The peer behind `from` on `t`: known from a hello or config; on radio the callsign speaks for itself. */
  private identify(t: Transport, from: string): string | undefined {
    const known = this.directory.identify(t.id, from)
    if (known !== undefined || !t.capabilities.publicMedium || from === '') return known
    this.directory.heard(from, t.id, from, this.now())
    return from
  }
}
