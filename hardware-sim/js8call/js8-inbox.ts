/**
 * A simulated JS8Call's message inbox, as INBOX.STORE_MESSAGE / INBOX.GET_MESSAGES see it.
 *
 * Observed on JS8Call 2.2.0: a stored message is returned as
 * `{"params":{"CMD":" MSG ","DIAL":0,"FREQ":0,"FROM":<MYCALL>,"OFFSET":0,"PATH":<MYCALL>,"SNR":0,
 * "SUBMODE":<speed>,"TDRIFT":0,"TEXT":…,"TO":…,"UTC":"yyyy-MM-dd hh:mm:ss","_ID":"<fresh id>"},
 * "type":"STORE","value":""}`; ids count up from 1; CALLSIGN and TEXT are stored as given (no upper
 * casing), and both must be non-empty. GET_MESSAGES with a CALLSIGN returns the messages whose TO
 * is exactly that callsign; without one, all of them.
 *
 * @packageDocumentation
 */
import { freshJs8Id } from './js8-api-envelope.js'

/** What INBOX.STORE_MESSAGE stores. */
export interface Js8InboxEntry {
  readonly from: string
  readonly to: string
  readonly text: string
  /** SPEED code at the time of storing. */
  readonly speed: number
  /** ms since the Unix epoch. */
  readonly utcMs: number
}

/** Messages kept; the oldest is forgotten beyond this. */
const MAX_MESSAGES = 1000

/** The inbox. */
export class Js8Inbox {
  private readonly entries: { readonly id: number; readonly entry: Js8InboxEntry }[] = []
  private nextId = 1

  /** Stores a message; returns its id. */
  store(entry: Js8InboxEntry): number {
    const id = this.nextId++
    this.entries.push({ id, entry })
    if (this.entries.length > MAX_MESSAGES) this.entries.shift()
    return id
  }

  /** INBOX.MESSAGES' `MESSAGES`: all messages, or those to `callsign`. */
  messages(callsign?: string): unknown[] {
    return this.entries.filter(({ entry }) => callsign === undefined || entry.to === callsign).map(({ entry: e }) => ({
      type: 'STORE',
      value: '',
      params: {
        CMD: ' MSG ', DIAL: 0, FREQ: 0, FROM: e.from, OFFSET: 0, PATH: e.from, SNR: 0, SUBMODE: e.speed, TDRIFT: 0,
        TEXT: e.text, TO: e.to, UTC: new Date(e.utcMs).toISOString().slice(0, 19).replace('T', ' '), _ID: freshJs8Id(e.utcMs),
      },
    }))
  }
}
