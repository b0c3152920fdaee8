/**
 * The demo's vocabulary: what each gateway message, link and routing reason is called when the
 * story is told to someone who has never seen the gateway.
 *
 * @packageDocumentation
 */
import type { WireMessageType } from '../../codecs/wire-model.js'
import type { SentEvent } from '../router/router.js'

/** Each gateway message type in plain words, with its article. */
export const MESSAGE_WORDS: Readonly<Record<WireMessageType, string>> = {
  tx: 'a transaction',
  block: 'a full block',
  blocks: 'a batch of blocks',
  hello: 'a hello (who it is, its chain tip, its links)',
  inv: 'an inventory (hashes of what it has)',
  getdata: 'a request for data by hash',
  notfound: 'a not-found answer',
  ack: 'an acknowledgement (stored, do not resend)',
  relay: 'a message relayed for another station',
  cmpctblock: 'a compact block (header and short transaction ids)',
  getblocktxn: 'a request for the transactions a compact block lacked',
  blocktxn: 'the transactions a compact block lacked',
  getheaders: 'a request for block headers',
  headers: 'block headers',
  getbodies: 'a request for block bodies',
  bodies: 'block bodies',
}

/** The demo's links in plain words, by link name. */
export const LINK_WORDS: Readonly<Record<string, string>> = {
  vara: 'VARA HF',
  packet: 'packet radio',
  js8: 'JS8Call',
}

/** A link's name in plain words (its config name when the demo has none). */
export function linkWords(id: string): string {
  return Object.hasOwn(LINK_WORDS, id) ? (LINK_WORDS[id] as string) : id
}

/** Why the router chose the link, when that is worth a word; undefined for the ordinary case. */
export function reasonWords(reason: SentEvent['reason'], dwellMs: number): string | undefined {
  switch (reason) {
    case 'failover':
      return 'failover: the link in use is down or failing'
    case 'stay':
      return `the better link is back, but must stay good for ${dwellMs / 1000} s first`
    case 'return-after-dwell':
      return `back on the better link: it stayed good for ${dwellMs / 1000} s`
    case 'stale-probe':
      return 'no link has heard the peer lately: trying the best one'
    case 'detour':
      return 'the usual link cannot carry this one'
    case 'last-resort':
      return 'last resort: every other link is failing'
    case 'probe':
      return 'probing whether the link works again'
    default:
      return undefined
  }
}

/** `n` with thin thousands separators, e.g. `12 345`. */
export function count(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ')
}

/** `part` as a share of `whole`, e.g. `31 %`. */
export function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${Math.round((100 * part) / whole)} %`
}

/** The first 8 hex digits of a hash and an ellipsis, e.g. `3f2a91c0…`. */
export function shortHash(hex: string): string {
  return `${hex.slice(0, 8)}…`
}
