/**
 * The receiving side of a simulated JS8Call: reassembles decoded frames into messages, and keeps
 * what RX.GET_CALL_ACTIVITY, RX.GET_BAND_ACTIVITY and RX.GET_TEXT report.
 *
 * A message completes only if every frame from its first to its Last-flagged one was decoded in
 * order; a missing frame loses the whole message (JS8 has no ARQ), and a checksummed command whose
 * checksum does not match is dropped, as JS8Call drops it.
 *
 * @packageDocumentation
 */
import type { Js8AirFrame } from './js8-frames.js'
import { js8BodyFromData, type Js8Directed } from './js8-message.js'

/** A complete message from another station. */
export interface Js8Received {
  readonly from: string
  /** Absent for plain text. */
  readonly directed?: Js8Directed
  /** Body as sent (checksum removed). */
  readonly body: string
  /** Sender's grid from a compound frame, '' otherwise. */
  readonly grid: string
  readonly speed: number
  /** Sender's audio offset, Hz. */
  readonly offset: number
  /** SNR of the last frame, dB. */
  readonly snrDb: number
  /** UTC of the first frame's decode, ms since the Unix epoch. */
  readonly utcMs: number
}

interface Partial {
  readonly first: Js8AirFrame
  readonly utcMs: number
  next: number // index of the frame expected next
  data: string
}

/** Stations whose unfinished message is remembered; the oldest is forgotten beyond this. */
const MAX_PARTIALS = 64
/** Longest message body kept while reassembling, characters (a frame adds ≤ ~36). */
const MAX_BODY_CHARS = 64 * 1024

/** Reassembles messages per sending callsign. */
export class Js8Assembler {
  private readonly partials = new Map<string, Partial>()

  /** Adds a decoded frame; returns the message it completes, if any. */
  push(frame: Js8AirFrame, snrDb: number, utcMs: number): Js8Received | undefined {
    const partial = this.advance(frame, utcMs)
    if (partial === undefined || !frame.last) return undefined
    this.partials.delete(frame.from)
    const { first } = partial
    const body = first.directed === undefined ? partial.data : js8BodyFromData(first.directed.cmd, partial.data)
    if (body === undefined) return undefined
    return {
      from: first.from, body, grid: first.grid, speed: first.speed, offset: first.offset, snrDb, utcMs: partial.utcMs,
      ...(first.directed === undefined ? {} : { directed: first.directed }),
    }
  }

  /** Starts, extends or (on a gap) forgets the sender's message; returns it when `frame` belongs to it. */
  private advance(frame: Js8AirFrame, utcMs: number): Partial | undefined {
    let partial = this.partials.get(frame.from)
    if (frame.index === 0) {
      partial = { first: frame, utcMs, next: 0, data: '' }
      this.partials.delete(frame.from) // re-insert: Map order is the eviction order
      this.partials.set(frame.from, partial)
      this.evict()
    } else if (partial === undefined || partial.first.msg !== frame.msg || partial.next !== frame.index) {
      this.partials.delete(frame.from) // a frame was lost: this message can never complete
      return undefined
    }
    partial.next = frame.index + 1
    if (frame.kind === 'data') partial.data += frame.text
    if (partial.data.length > MAX_BODY_CHARS) {
      this.partials.delete(frame.from)
      return undefined
    }
    return partial
  }

  private evict(): void {
    for (const key of this.partials.keys()) {
      if (this.partials.size <= MAX_PARTIALS) return
      this.partials.delete(key)
    }
  }
}

/** One heard callsign, as RX.CALL_ACTIVITY reports it. */
export interface Js8CallEntry {
  readonly SNR: number
  readonly GRID: string
  readonly UTC: number
}

/** One audio offset's recent text, as RX.BAND_ACTIVITY reports it. */
export interface Js8BandEntry {
  readonly FREQ: number
  readonly DIAL: number
  readonly OFFSET: number
  readonly TEXT: string
  readonly SNR: number
  readonly UTC: number
}

/** Callsigns and offsets remembered; the oldest is forgotten beyond this. */
const MAX_ACTIVITY = 256
/** Characters kept per offset and in the RX text. */
const MAX_TEXT_CHARS = 4096
/** Characters the API returns from the RX/TX text (JS8Call: `right(1024)`). */
export const JS8_API_TEXT_CHARS = 1024

const keepTail = (text: string): string => text.slice(-MAX_TEXT_CHARS)

/** Inserts `key` as the newest entry and forgets the oldest beyond {@link MAX_ACTIVITY}. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  map.set(key, value)
  for (const k of map.keys()) {
    if (map.size <= MAX_ACTIVITY) return
    map.delete(k)
  }
}

/** What the station has heard: calls, band activity per offset, and the RX text window. */
export class Js8Activity {
  private readonly calls = new Map<string, Js8CallEntry>()
  private readonly band = new Map<string, Js8BandEntry>()
  private rxText = ''

  /** Records a decoded frame heard at `dialHz`. */
  heard(frame: Js8AirFrame, snrDb: number, utcMs: number, dialHz: number): void {
    const grid = frame.grid === '' ? (this.calls.get(frame.from)?.GRID ?? '') : ` ${frame.grid}`
    remember(this.calls, frame.from, { SNR: snrDb, GRID: grid, UTC: utcMs })
    const key = String(frame.offset)
    const text = keepTail((this.band.get(key)?.TEXT ?? '') + frame.text)
    remember(this.band, key, { FREQ: dialHz + frame.offset, DIAL: dialHz, OFFSET: frame.offset, TEXT: text, SNR: snrDb, UTC: utcMs })
  }

  /** Appends a line to the RX text window, as JS8Call shows it: `\nHH:MM:SS - (OFFSET) - text`. */
  appendRxText(utcMs: number, offset: number, text: string): void {
    const hhmmss = new Date(utcMs).toISOString().slice(11, 19)
    this.rxText = keepTail(`${this.rxText}\n${hhmmss} - (${offset}) - ${text}`)
  }

  /** RX.CALL_ACTIVITY params (without `_ID`). */
  callActivity(): Record<string, Js8CallEntry> {
    return Object.fromEntries(this.calls)
  }

  /** RX.BAND_ACTIVITY params (without `_ID`). */
  bandActivity(): Record<string, Js8BandEntry> {
    return Object.fromEntries(this.band)
  }

  /** RX.TEXT value. */
  text(): string {
    return this.rxText.slice(-JS8_API_TEXT_CHARS)
  }
}
