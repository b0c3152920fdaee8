/**
 * How the simulated JS8Call turns a TX.SEND_MESSAGE text into frames, and how a receiver shows the
 * reassembled message.
 *
 * What the sender does (JS8Call 2.2 `Varicode::buildMessageFrames`, observed on the real program):
 * - The text is upper-cased. A leading `MYCALL:`/`MYCALL ` is removed (JS8Call adds it itself).
 * - `DEST CMD body` (DEST a callsign or `@GROUP`, CMD one of `js8-directed.ts`, `' '` for free
 *   text) is a directed message. On air it reads `FROM: DEST CMD body`: one directed frame when both
 *   calls fit a standard frame, else a compound frame `FROM: ` (with the sender's grid) plus a
 *   directed frame. `DEST: text` (colon) is *not* directed: JS8Call sends it as plain text and
 *   receivers only see RX.ACTIVITY (real-peers.md's format gotcha).
 * - Buffered commands (MSG, MSG TO:, QUERY…, CMD, `>`) get their body's leading spaces stripped and
 *   a 3-character checksum appended (`body CHK`).
 * - The body goes out in data frames, one per TX period, filled with whole characters while the
 *   Huffman bits stay below 72 (as `js8HuffmanFrames` counts them).
 *
 * Characters outside JS8's Huffman alphabet (space, A–Z, 0–9, `. - + ? ! " /`) are **dropped** from
 * the body. Real JS8Call keeps them and sends such frames with its dictionary coder JSC instead
 * (observed: `{WORLD} É ~X` went out as typed, upper-cased); JSC's tables are not reproduced here,
 * so the simulator cannot size those frames. Dropping makes any use of such characters visible in
 * tests (the receiver gets different text) instead of silently assuming a frame count. For the same
 * reason frames are always counted with the Huffman code, at every speed: real JS8Call uses JSC at
 * Fast/Turbo/Slow and whichever holds more at Normal, so it may need fewer frames for dictionary
 * words (observed: `HELLO WORLD 5GA` fit one frame; Huffman needs two). The gateway's own text
 * (`codecs/js8-text.ts`) uses the Huffman alphabet only.
 *
 * @packageDocumentation
 */
import { JS8_DATA_FRAME_HEADER_BITS, JS8_FRAME_PAYLOAD_BITS, JS8_HUFFMAN_CODES, js8UpperCase } from '../../codecs/js8-huffman.js'
import {
  isBufferedCommand, isChecksummedCommand, isJs8Destination, isStandardJs8Call, js8Checksum16, JS8_CHECKSUM_CHARS,
  matchJs8Command,
} from './js8-directed.js'

/** JS8Call's end-of-message mark as shown in RX text (its default EOT setting). */
export const JS8_EOT = '♢'

/** The directed part of a message. */
export interface Js8Directed {
  /** Destination callsign or `@GROUP`. */
  readonly to: string
  /** Command with JS8Call's leading space (`' MSG'`, `' SNR?'`, `' '` for free text). */
  readonly cmd: string
}

/** A message ready to go on air. */
export interface Js8Outgoing {
  readonly from: string
  /** Absent for plain (undirected) text. */
  readonly directed?: Js8Directed
  /** Body as the receiver will show it (filtered, without checksum). */
  readonly body: string
  /** Frame texts in transmission order, as RX.ACTIVITY shows them. */
  readonly frames: readonly string[]
  /** Frames that carry the callsigns (1 or 2); the rest carry the body. */
  readonly headerFrames: number
}

/** Keeps only characters JS8's Huffman code can send (see the module comment). */
export function js8FilterText(text: string): string {
  let out = ''
  for (const ch of js8UpperCase(text)) if (JS8_HUFFMAN_CODES.has(ch)) out += ch
  return out
}

/**
 * Splits text into data frames the way JS8Call fills them with its Huffman code: after the 2-bit
 * header, whole characters while the total stays below 72 bits. Characters must be in the table.
 */
export function js8HuffmanChunks(text: string): string[] {
  const chunks: string[] = []
  let chunk = ''
  let used = JS8_DATA_FRAME_HEADER_BITS // bits in the current frame
  for (const ch of text) {
    const bits = JS8_HUFFMAN_CODES.get(ch)?.length ?? 0
    if (chunk !== '' && used + bits >= JS8_FRAME_PAYLOAD_BITS) {
      chunks.push(chunk)
      chunk = ''
      used = JS8_DATA_FRAME_HEADER_BITS
    }
    chunk += ch
    used += bits
  }
  if (chunk !== '') chunks.push(chunk)
  return chunks
}

/** Splits `text` (upper-cased, trimmed) into a directed header and the rest, if it is directed. */
function parseDirected(text: string): { directed: Js8Directed; rest: string } | undefined {
  const match = /^(@?[A-Z0-9/]+)(.*)$/s.exec(text)
  if (match === null) return undefined
  const [, to = '', after = ''] = match
  const cmd = matchJs8Command(after)
  if (!isJs8Destination(to) || cmd === undefined) return undefined
  return { directed: { to, cmd }, rest: after.slice(cmd.length) }
}

/**
 * Builds the frames of a TX.SEND_MESSAGE text sent by `from` (see the module comment).
 *
 * @param from - the sending station's callsign (upper case)
 * @param value - the API request's `value`
 */
export function buildJs8Message(from: string, value: string): Js8Outgoing {
  let text = js8UpperCase(value).trim()
  if (text.startsWith(`${from}:`) || text.startsWith(`${from} `)) text = text.slice(from.length + 1).trimStart()
  const parsed = parseDirected(text)
  if (parsed === undefined) {
    const body = js8FilterText(text).trim()
    return { from, body, headerFrames: 1, frames: [`${from}: `, ...js8HuffmanChunks(body)] }
  }
  const { directed, rest } = parsed
  const body = js8FilterText(isBufferedCommand(directed.cmd) ? rest.trimStart() : rest).trim()
  const onAir = isChecksummedCommand(directed.cmd) && body !== '' ? `${body} ${js8Checksum16(body)}` : body
  const compound = !isStandardJs8Call(from) || !isStandardJs8Call(directed.to)
  const header = `${directed.to}${directed.cmd} `
  const headerFrames = compound ? [`${from}: `, header] : [`${from}: ${header}`]
  return { from, directed, body, headerFrames: headerFrames.length, frames: [...headerFrames, ...js8HuffmanChunks(onAir)] }
}

/**
 * Recovers the body from the data frames' text: strips and checks the checksum of a checksummed
 * command. Returns undefined when the checksum does not match (JS8Call then drops the message).
 */
export function js8BodyFromData(cmd: string, data: string): string | undefined {
  if (!isChecksummedCommand(cmd) || data === '') return data
  const body = data.slice(0, -(JS8_CHECKSUM_CHARS + 1))
  return data === `${body} ${js8Checksum16(body)}` ? body : undefined
}

/**
 * The text JS8Call shows for a complete directed message (RX.DIRECTED `value` and `TEXT`):
 * `FROM: TO CMD body ♢ ` (e.g. `N0CALL: N1CALL SNR? ♢ `, `N1CALL: N0CALL  HI FROM B ♢ `).
 */
export function js8DirectedText(from: string, directed: Js8Directed, body: string): string {
  return `${from}: ${`${directed.to}${directed.cmd} ${body}`.trimEnd()} ${JS8_EOT} `
}
