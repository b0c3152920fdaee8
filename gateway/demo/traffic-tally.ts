/**
 * What went over each link during the demo, from both gateways' `sent` events, and the summary
 * table: messages and bytes per link, and the payloads (transactions and blocks) against what the
 * same data costs as the node's NDJSON.
 *
 * @packageDocumentation
 */
import type { SentEvent } from '../router/router.js'
import { formatTable } from '../text-table.js'
import { count, linkWords, percent } from './plain-words.js'

/** Traffic of one link. */
interface LinkTraffic {
  messages: number
  /** Bytes handed to the link, every fragment with its header. */
  bytes: number
  /** Transactions and blocks sent, and their bytes. */
  payloads: number
  payloadBytes: number
  /** The same payloads as the node's NDJSON lines, bytes. */
  ndjsonBytes: number
}

const empty = (): LinkTraffic => ({ messages: 0, bytes: 0, payloads: 0, payloadBytes: 0, ndjsonBytes: 0 })

/** Counts what each link carried. */
export class TrafficTally {
  private readonly links = new Map<string, LinkTraffic>()

  /** @param linkIds - links to list even when they carry nothing, in this order */
  constructor(linkIds: readonly string[]) {
    for (const id of linkIds) this.links.set(id, empty())
  }

  /** Counts one sent message; `ndjsonBytes` when it carries a transaction or block (its NDJSON size). */
  add(e: SentEvent, ndjsonBytes?: number): void {
    const t = this.links.get(e.link) ?? empty()
    this.links.set(e.link, t)
    t.messages++
    t.bytes += e.bytes
    if (ndjsonBytes === undefined) return
    t.payloads++
    t.payloadBytes += e.bytes
    t.ndjsonBytes += ndjsonBytes
  }

  /** Messages sent on `link` so far. */
  messages(link: string): number {
    return this.links.get(link)?.messages ?? 0
  }

  /** The summary table, one line per link and a total. */
  table(): string[] {
    const total = empty()
    const rows = [...this.links].map(([id, t]) => {
      for (const k of Object.keys(total) as (keyof LinkTraffic)[]) total[k] += t[k]
      return row(linkWords(id), t)
    })
    const header = ['link', 'messages', 'bytes', 'tx+blocks', 'their bytes', 'as NDJSON', 'share']
    return formatTable([header, ...rows, row('total', total)])
  }
}

function row(name: string, t: LinkTraffic): string[] {
  return [name, count(t.messages), count(t.bytes), count(t.payloads), count(t.payloadBytes), count(t.ndjsonBytes), percent(t.payloadBytes, t.ndjsonBytes)]
}
