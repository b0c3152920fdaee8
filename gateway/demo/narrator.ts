/**
 * Tells what the gateways do, one line per event, in plain words, with the time since the demo
 * began: every message a gateway sends (what, which link, how many bytes, and against the node's
 * NDJSON when it carries a transaction or block), every change of link, every transaction and
 * block accepted and handed to a node. It also counts the traffic for the summary.
 *
 * @packageDocumentation
 */
import type { Gateway, GatewayEvents } from '../gateway.js'
import type { LinkSample, StateChange } from '../../transports/types.js'
import type { SentEvent } from '../router/router.js'
import { count, linkWords, MESSAGE_WORDS, percent, reasonWords, shortHash } from './plain-words.js'
import { TrafficTally } from './traffic-tally.js'

/** Where the narration goes, one line at a time. */
export type Print = (line: string) => void

/** A transaction or block the story has set going, with its NDJSON size to compare against. */
export interface Cargo {
  /** What to call it, e.g. `transaction 3f2a91c0…` or `block 2 (b14c9815…)`. */
  readonly name: string
  /** The same data as the node's NDJSON line, bytes. */
  readonly ndjsonBytes: number
}

/** A gateway and what to call the node behind it. */
export interface Followed {
  readonly gateway: Gateway
  readonly station: string
  /** e.g. `node A`. */
  readonly nodeName: string
}

/** Message types that carry a transaction (what the NDJSON comparison is about). */
export const TX_TYPES: ReadonlySet<string> = new Set(['tx'])
/** Message types that carry a block. */
export const BLOCK_TYPES: ReadonlySet<string> = new Set(['cmpctblock', 'block'])

/** The demo's voice. */
export class Narrator {
  private readonly startedAt: number
  /** Traffic per link, for the summary. */
  readonly tally: TrafficTally
  /** The transaction and block under way (set by the story, read when they are sent). */
  readonly cargo: { tx?: Cargo; block?: Cargo } = {}
  /** Undoes every {@link Narrator.follow}. */
  private readonly unfollows: (() => void)[] = []
  /** `station link peer` where the link's last word about the peer was a failure. */
  private readonly failing = new Set<string>()

  /**
   * @param print - where lines go
   * @param linkIds - the links, in the order the summary lists them
   * @param dwellMs - the policy's dwell time, ms (said when traffic waits for it)
   * @param now - clock, ms
   */
  constructor(
    private readonly print: Print,
    linkIds: readonly string[],
    private readonly dwellMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now()
    this.tally = new TrafficTally(linkIds)
  }

  /** A line stamped with the seconds since the start. */
  say(text: string): void {
    const s = ((this.now() - this.startedAt) / 1000).toFixed(1)
    this.print(`${s.padStart(6)} s  ${text}`)
  }

  /** A line that continues the one before (indented, no time). */
  detail(text: string): void {
    this.print(`          ${text}`)
  }

  /** A blank line and a chapter title. */
  chapter(title: string): void {
    this.print('')
    this.print(title)
  }

  /** Plain text as it is (the summary table). */
  plain(text: string): void {
    this.print(text)
  }

  /** Narrates every event of `f.gateway` from now on (until {@link Narrator.unfollow}). */
  follow(f: Followed): void {
    const g = f.gateway
    const kind = (k: 'tx' | 'block'): string => (k === 'tx' ? 'transaction' : 'block')
    this.listen(g, 'sent', (e) => this.sent(f, e))
    this.listen(g, 'failover', (e) => this.say(`${f.station}: traffic for ${e.peer} moves from ${linkWords(e.from)} to ${linkWords(e.to)}`))
    this.listen(g, 'accepted', (e) => {
      if (e.from === 'node') this.say(`${f.station} took ${kind(e.kind)} ${shortHash(e.hash)} from ${f.nodeName} and queued it for its peer`)
      else this.say(`${f.station} checked ${kind(e.kind)} ${shortHash(e.hash)} from ${e.from}: valid, accepted`)
    })
    this.listen(g, 'rejected', (e) => this.say(`${f.station} refused ${kind(e.kind)} ${shortHash(e.hash)} from ${e.from}: ${e.reason}`))
    this.listen(g, 'delivered', (e) => this.say(`${f.station} handed ${kind(e.kind)} ${shortHash(e.hash)} to ${f.nodeName}`))
    for (const t of g.transports.values()) {
      // only the changes between up and not up: a supervisor retrying a dead modem says "down" each time
      const onState = (s: StateChange): void => {
        if (s.from === 'up') this.say(`${f.station}: ${linkWords(t.id)} went down (${s.reason})`)
        if (s.to === 'up') this.say(`${f.station}: ${linkWords(t.id)} is up again`)
      }
      const onSample = (sample: LinkSample): void => this.sample(f, t.id, sample)
      t.on('state', onState).on('sample', onSample)
      this.unfollows.push(() => t.off('state', onState).off('sample', onSample))
    }
  }

  /** Says when a link cannot get through to a peer (once, until it gets through again). */
  private sample(f: Followed, link: string, s: LinkSample): void {
    if (s.peer === undefined || s.sendOk === undefined) return
    const key = `${f.station} ${link} ${s.peer}`
    if (s.sendOk) return void this.failing.delete(key)
    if (this.failing.has(key)) return
    this.failing.add(key)
    this.say(`${f.station}: ${linkWords(link)} cannot get through to ${s.peer}; what it had not confirmed will be sent again`)
  }

  /** Stops narrating the gateways (before they are stopped). */
  unfollow(): void {
    for (const off of this.unfollows.splice(0)) off()
  }

  private listen<K extends keyof GatewayEvents>(g: Gateway, event: K, fn: (...args: GatewayEvents[K]) => void): void {
    const listener = fn as never
    g.on(event, listener)
    this.unfollows.push(() => g.off(event, listener))
  }

  private sent(f: Followed, e: SentEvent): void {
    const cargo = TX_TYPES.has(e.type) ? this.cargo.tx : BLOCK_TYPES.has(e.type) ? this.cargo.block : undefined
    this.tally.add(e, cargo?.ndjsonBytes)
    // The event comes once the link has taken the whole message (on ARQ links: once it is acknowledged
    // on air), so the far side may already have said it got it: hence "sent", in the past.
    const to = e.peer === '*' ? 'everyone listening' : e.peer
    const what = cargo === undefined ? MESSAGE_WORDS[e.type] : e.type === 'tx' ? cargo.name : `${MESSAGE_WORDS[e.type]} of ${cargo.name}`
    const pieces = e.fragments > 1 ? ` in ${e.fragments} fragments` : ''
    const versus = cargo === undefined ? '' : ` (the node's NDJSON: ${count(cargo.ndjsonBytes)} bytes; this is ${percent(e.bytes, cargo.ndjsonBytes)} of it)`
    const why = reasonWords(e.reason, this.dwellMs)
    this.say(`${f.station} sent ${to} ${what} over ${linkWords(e.link)}: ${count(e.bytes)} bytes${pieces}${versus}${why === undefined ? '' : `; ${why}`}`)
  }
}
