/**
 * Bytes ↔ text that JS8Call carries unchanged, spending about one on-air bit per data bit.
 *
 * JS8Call (Normal speed) sends free text with a fixed Huffman code over 44 characters (see
 * `js8-huffman.ts`). That code is complete, so reading our data bits as a walk down JS8's code tree
 * and writing out the leaves gives text that JS8's coder turns back into exactly our bits: one on-air
 * bit per data bit, where Base64 text costs JS8 far more (see {@link base64Js8Text}).
 *
 * Format (bytes → text):
 * 1. payload = bytes ‖ CRC-16 of the bytes (big-endian, {@link js8TextChecksum});
 * 2. bit stream = payload MSB-first, then one `1` bit (the end marker), then `0`s for ever;
 * 3. walk JS8's code tree with the stream, writing each leaf, until the end marker is used and
 *    the last character is not a space.
 * No length field: the decoder drops the trailing `0`s and the end marker, and the rest must be
 * whole bytes. A wrong length (lost characters) thus shows up as a non-byte count or a bad CRC.
 *
 * Spaces: JS8Call strips leading and trailing whitespace (`Varicode::lstrip`/`rstrip` on the
 * buffered message, and after `MSG`), and runs of spaces are the first thing a text pipeline
 * mangles. So a space never starts or ends the text and never follows a space: right after a space
 * (and at the start) the space leaf is cut out of the tree, its sibling subtree moving up one level.
 * That costs half a bit after each space on average (≈2 % overall); the end rule costs one extra
 * `R` in the rare case the stream ends just after a space.
 *
 * What the text must survive, and does: upper-casing (there are no lower-case letters to lose; the
 * decoder accepts a–z), whitespace around it (trimmed), and JS8's own framing (characters are never
 * split across frames). Everything else is an error, including non-canonical text (e.g. extra
 * characters after the end marker), so each byte string has exactly one accepted text.
 *
 * Send it as the body of a directed message (`DEST MSG <text>`): JS8Call only parses callsigns,
 * commands (`?`, `>`, `HB`, `CQ` …) at the start of a message, and the body then goes out as plain
 * data frames. Sent bare, the start of the text could be read as a callsign or heartbeat.
 *
 * Checksum size: JS8 already guards every 72-bit frame with LDPC and a CRC-12, so ours only has to
 * catch what happens between frames and programs (a lost or foreign frame, trimming, an edited TX
 * box). 16 bits miss 1 in 65 536 of those and cost 2/9 of one frame; 32 bits would add another 16
 * on-air bits to every message (over 1 % of a 168-byte transaction) for little gain.
 *
 * JSC: at Normal speed JS8Call also packs each frame with its dictionary coder JSC and sends
 * whichever frame holds more characters. Measured against JS8Call 2.2.0's own tables (offline, the
 * dictionary is not shipped here), it kept Huffman for about 95 % of our frames and never needed
 * more frames than Huffman alone (21 data frames for a 168-byte transaction, where pyjs8call's
 * Base64 text needs 27). At Fast/Turbo/Slow speed JS8Call uses JSC only: every character here is in
 * JSC's table, so the text still arrives intact, at 0.79 to 0.83 data bits per JSC bit (pyjs8call's
 * Base64 text: 0.71 to 0.79; as many or fewer frames in every case measured).
 *
 * @packageDocumentation
 */
import { CodecError } from './errors.js'
import { hexNumber } from './hex.js'
import { JS8_HUFFMAN_CODES, JS8_HUFFMAN_TABLE, js8UpperCase } from './js8-huffman.js'
import { attempt, type Result } from './result.js'

/** The characters {@link encodeJs8Text} emits: all of JS8's Huffman alphabet, space included. */
export const JS8_ALPHABET: string = JS8_HUFFMAN_TABLE.map(([char]) => char).join('')

/** Bytes of the CRC-16 appended to the data. */
const CHECKSUM_BYTES = 2 // bytes
/** Longest JS8 Huffman code, which bounds the bits one character can carry. */
const MAX_CODE_BITS = 8 // bits
const SPACE = ' '
/**
 * The 26 characters pyjs8call puts in place of Base64's `a`–`z` (its `JS8CALL_BASE64_ALPHABET`,
 * `pyjs8call/message.py`; `A`–`Z`, `0`–`9`, `+`, `/` and the `=` padding are kept).
 */
const PYJS8CALL_LOWER_CASE = ',.-"?!)(~:_&$%#@*><[]{}|;^'

/** A node of JS8's code tree: a leaf holds a character, an inner node both children. */
type CodeNode = { readonly leaf: string } | { readonly zero: CodeNode; readonly one: CodeNode }

const CHAR_BY_CODE: ReadonlyMap<string, string> = new Map(JS8_HUFFMAN_TABLE.map(([char, code]) => [code, char]))

/** Builds the subtree under `path`; fails at load time if the table is not a complete prefix code. */
function buildTree(path: string): CodeNode {
  const leaf = CHAR_BY_CODE.get(path)
  if (leaf !== undefined) return { leaf }
  if (path.length >= MAX_CODE_BITS) throw new Error(`JS8 Huffman table is not a complete prefix code (at ${path})`)
  return { zero: buildTree(`${path}0`), one: buildTree(`${path}1`) }
}

/** Follows `path` from `node`; only called with paths that exist in the table. */
function nodeAt(node: CodeNode, path: string): CodeNode {
  let at = node
  for (const bit of path) {
    if ('leaf' in at) throw new Error(`JS8 Huffman path ${path} runs past a leaf`)
    at = bit === '1' ? at.one : at.zero
  }
  return at
}

const ROOT = buildTree('')
/**
 * JS8's space is `01`: it hangs under node `0`, next to the subtree `00`. After a space the walk
 * goes from `0` straight to `00` without reading a bit, so codes under `00` carry one bit less.
 */
const SPACE_PARENT_PATH = '0'
const SPACE_SIBLING_PATH = '00'
const SPACE_PARENT = nodeAt(ROOT, SPACE_PARENT_PATH)
const SPACE_SIBLING = nodeAt(ROOT, SPACE_SIBLING_PATH)

/**
 * The checksum the text carries: CRC-16/IBM-3740 (a.k.a. CCITT-FALSE: polynomial 0x1021, initial
 * value 0xFFFF, no reflection; check value 0x29B1 for ASCII `123456789`). The non-zero start makes
 * leading zero bytes count.
 */
export function js8TextChecksum(bytes: Uint8Array): number {
  let crc = 0xffff
  for (const byte of bytes) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit++) crc = (crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1) & 0xffff
  }
  return crc
}

/** The data bits of a message: `bytes ‖ CRC` MSB-first, the end marker `1`, then `0`s for ever. */
class PayloadBits {
  private readonly payload: Uint8Array
  private readonly end: number // bits: index of the end marker
  private pos = 0 // bits read so far

  constructor(bytes: Uint8Array) {
    const crc = js8TextChecksum(bytes)
    this.payload = new Uint8Array(bytes.length + CHECKSUM_BYTES)
    this.payload.set(bytes)
    this.payload[bytes.length] = crc >> 8
    this.payload[bytes.length + 1] = crc & 0xff
    this.end = this.payload.length * 8
  }

  /** True once the end marker has been read. */
  get done(): boolean {
    return this.pos > this.end
  }

  next(): number {
    const i = this.pos++
    if (i === this.end) return 1
    return i < this.end ? ((this.payload[i >> 3] ?? 0) >> (7 - (i & 7))) & 1 : 0
  }
}

/** Reads one character's worth of bits: the leaf the walk reaches, skipping the space after a space. */
function readChar(bits: PayloadBits, afterSpace: boolean): string {
  let node = ROOT
  while (!('leaf' in node)) {
    node = afterSpace && node === SPACE_PARENT ? SPACE_SIBLING : bits.next() === 1 ? node.one : node.zero
  }
  return node.leaf
}

/**
 * Encodes bytes as JS8-safe text (see the module comment for the format). Never fails. The text
 * uses only {@link JS8_ALPHABET} and has no leading, trailing or double spaces. JS8's Huffman coder
 * spends on it the `8·(n + 2) + 1` bits it carries, plus half a bit per space and the unfinished
 * last character: about 1.03 on-air bits per data bit.
 */
export function encodeJs8Text(bytes: Uint8Array): string {
  const bits = new PayloadBits(bytes)
  let text = ''
  let afterSpace = true // the text never starts with a space
  while (!bits.done || afterSpace) {
    const char = readChar(bits, afterSpace)
    text += char
    afterSpace = char === SPACE
  }
  return text
}

/** Appends bits into a buffer sized for the worst case up front. */
class BitSink {
  private readonly buf: Uint8Array
  private length = 0 // bits written

  constructor(maxBits: number) {
    this.buf = new Uint8Array(Math.ceil(maxBits / 8))
  }

  push(code: string, skip: number): void {
    for (let i = 0; i < code.length; i++) {
      if (i === skip) continue
      const byte = this.length >> 3
      if (code.charCodeAt(i) === 0x31) this.buf[byte] = (this.buf[byte] ?? 0) | (0x80 >> (this.length & 7))
      this.length++
    }
  }

  /** Index of the last `1` bit, or -1 if there is none. */
  lastOne(): number {
    for (let i = this.length - 1; i >= 0; i--) if (((this.buf[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) return i
    return -1
  }

  /** The first `n` whole bytes. */
  bytes(n: number): Uint8Array {
    return this.buf.slice(0, n)
  }
}

/** What JS8Call may do to the text on the way that we undo: surrounding whitespace, lower case. */
function normalize(text: string): string {
  return js8UpperCase(text.trim())
}

/** Turns the characters back into the data bits they were read from. */
function textToBits(text: string): BitSink {
  const sink = new BitSink(text.length * MAX_CODE_BITS)
  let afterSpace = true
  let position = 0 // characters
  for (const char of text) {
    const code = JS8_HUFFMAN_CODES.get(char)
    if (code === undefined) {
      const hex = (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')
      throw new CodecError('ERR_JS8_TEXT', `character U+${hex} at position ${position} is not in the JS8 alphabet`)
    }
    if (afterSpace && char === SPACE) {
      throw new CodecError('ERR_JS8_TEXT', `two spaces in a row at position ${position}: JS8 text has none`)
    }
    // After a space the sibling subtree sat one level up, so its codes carry one bit less.
    const skip = afterSpace && code.startsWith(SPACE_SIBLING_PATH) ? SPACE_PARENT_PATH.length : -1
    sink.push(code, skip)
    afterSpace = char === SPACE
    position++
  }
  return sink
}

/** Splits the bits into data and CRC, checks both, and checks that `text` is the canonical encoding. */
function decodeOrThrow(input: string): Uint8Array {
  const text = normalize(input)
  const sink = textToBits(text)
  const marker = sink.lastOne() // bits of payload before the end marker
  if (marker < 0) {
    throw new CodecError('ERR_JS8_TEXT', `no end marker in ${text.length} characters: empty or truncated text`)
  }
  if (marker % 8 !== 0) {
    const detail = `${marker} data bits before the end marker, not whole bytes`
    throw new CodecError('ERR_JS8_TEXT', `truncated or corrupted: ${detail}`)
  }
  const payload = sink.bytes(marker / 8)
  if (payload.length < CHECKSUM_BYTES) {
    const detail = `${payload.length} bytes before the end marker, fewer than the ${CHECKSUM_BYTES}-byte checksum`
    throw new CodecError('ERR_JS8_TEXT', `truncated: ${detail}`)
  }
  const data = payload.subarray(0, payload.length - CHECKSUM_BYTES)
  const carried = ((payload[data.length] ?? 0) << 8) | (payload[data.length + 1] ?? 0)
  const computed = js8TextChecksum(data)
  if (carried !== computed) {
    const detail = `carried ${hexNumber(carried, 4)}, computed ${hexNumber(computed, 4)}`
    throw new CodecError('ERR_CHECKSUM', `JS8 text checksum mismatch over ${data.length} bytes: ${detail}`)
  }
  if (encodeJs8Text(data) !== text) {
    throw new CodecError('ERR_JS8_TEXT', 'not the canonical encoding of its bytes (extra characters at the end?)')
  }
  return data.slice()
}

/**
 * Decodes text made by {@link encodeJs8Text}. Tolerates what JS8Call does on the way: surrounding
 * whitespace and lower-case letters. Fails with `ERR_JS8_TEXT` for a character outside
 * {@link JS8_ALPHABET} (including tabs, newlines and JS8's end-of-message `♢`, which the caller
 * strips), a double space, a truncated or non-canonical text; with `ERR_CHECKSUM` when the CRC does
 * not match. Linear in the input; never throws.
 */
export function decodeJs8Text(text: string): Result<Uint8Array> {
  return attempt(() => decodeOrThrow(text))
}

/**
 * Bits JS8's Huffman coder spends on `text` (sum of code lengths, letters upper-cased as JS8Call
 * does). `Infinity` if a character is outside the Huffman table: JS8Call then cannot use Huffman
 * at all and falls back to JSC. JS8's frame headers and padding are not counted (see
 * `js8HuffmanFrames`).
 */
export function js8AirBits(text: string): number {
  let bits = 0
  for (const char of js8UpperCase(text)) {
    const code = JS8_HUFFMAN_CODES.get(char)
    if (code === undefined) return Number.POSITIVE_INFINITY
    bits += code.length
  }
  return bits
}

/**
 * Useful bits per on-air Huffman bit for `bytes` sent with {@link encodeJs8Text}: `8·n` divided by
 * {@link js8AirBits} of the text, so our checksum, end marker and padding count against it. 0 for
 * empty input.
 */
export function js8Efficiency(bytes: Uint8Array): number {
  return (8 * bytes.length) / js8AirBits(encodeJs8Text(bytes))
}

/**
 * Reference for comparison: the pyjs8call way to send bytes, standard Base64 (with `=` padding)
 * with `a`–`z` replaced by punctuation. 21 of those 26 are not in JS8's Huffman table, so JS8Call
 * must send such text with JSC ({@link js8AirBits} is `Infinity`).
 */
export function base64Js8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('base64')
    .replace(/[a-z]/g, (c) => PYJS8CALL_LOWER_CASE.charAt(c.charCodeAt(0) - 0x61))
}
