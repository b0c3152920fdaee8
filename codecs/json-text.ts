/**
 * A small strict JSON reader over UTF-8 bytes with serde_json's rules and error texts.
 *
 * It is a pull reader, not a tree builder: `SerdeReader` drives it field by field, so a multi-MB
 * `Chain` line is decoded in one pass with no intermediate tree. Strings follow the full JSON
 * grammar (the eight short escapes, `\uXXXX` with surrogate pairs, raw control characters
 * rejected). Skipped values are iterative, like serde's `ignore_value`: nesting costs one byte of
 * an explicit stack per level, never the call stack, so hostile nesting cannot overflow it.
 *
 * @packageDocumentation
 */
import { Buffer } from 'node:buffer'
import { isDigit, JsonCursor, SYNTAX } from './json-cursor.js'
import { attempt, type Result } from './result.js'

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const COMMA = 0x2c

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  const lower = c | 0x20
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1
}

/** {@link JsonCursor} plus strings and skipping of unknown values. */
export class JsonReader extends JsonCursor {
  /** Offset of the first byte after the opening quote of the last string scanned. */
  tokenStart = 0
  /** Offset of the closing quote of the last string scanned. */
  tokenEnd = 0
  /** True when the last decoded string had escapes, its text then sits in the scratch buffer. */
  escaped = false
  #scratch = Buffer.allocUnsafe(64)
  #scratchLen = 0
  #frames = new Uint8Array(64)

  /**
   * Scans a string at {@link pos} (the opening quote) through its closing quote. With `decode`
   * (serde's `parse_str`) escapes are decoded into the scratch buffer and surrogates must pair;
   * without (serde's `ignore_str`) escapes are only checked for form.
   */
  scanString(decode: boolean): void {
    const src = this.src
    const end = this.end
    let p = this.pos + 1
    let start = p
    this.tokenStart = p
    this.escaped = false
    this.#scratchLen = 0
    for (;;) {
      let c = 0
      while (p < end && (c = src[p]!) !== QUOTE && c !== BACKSLASH && c >= 0x20) p++
      if (p >= end) this.#stringError(end, SYNTAX.eofString)
      if (c === QUOTE) break
      // serde's parse_str reports a raw control character after it, ignore_str before it
      if (c !== BACKSLASH) this.#stringError(decode ? p + 1 : p, SYNTAX.control)
      if (decode) this.#append(src, start, p)
      this.escaped = true
      this.pos = p + 1
      this.#escape(decode)
      start = p = this.pos
    }
    if (decode && this.escaped) this.#append(src, start, p)
    this.tokenEnd = p
    this.pos = p + 1
  }

  #stringError(pos: number, text: string): never {
    this.pos = pos
    return this.syntax(text, pos)
  }

  /** The last string scanned with `decode`, as text. */
  tokenText(): string {
    if (this.escaped) return this.#scratch.toString('utf8', 0, this.#scratchLen)
    return this.src.toString('utf8', this.tokenStart, this.tokenEnd)
  }

  /** True when the last string scanned with `decode` equals `key` (UTF-8 bytes). */
  tokenEquals(key: Uint8Array): boolean {
    const buf = this.escaped ? this.#scratch : this.src
    const from = this.escaped ? 0 : this.tokenStart
    const len = this.escaped ? this.#scratchLen : this.tokenEnd - this.tokenStart
    if (len !== key.length) return false
    for (let i = 0; i < len; i++) if (buf[from + i] !== key[i]) return false
    return true
  }

  #escape(decode: boolean): void {
    if (this.pos >= this.end) this.syntax(SYNTAX.eofString, this.pos)
    const c = this.src[this.pos++]!
    let unit: number
    if (c === QUOTE || c === BACKSLASH || c === 0x2f) unit = c
    else if (c === 0x62) unit = 0x08
    else if (c === 0x66) unit = 0x0c
    else if (c === 0x6e) unit = 0x0a
    else if (c === 0x72) unit = 0x0d
    else if (c === 0x74) unit = 0x09
    else if (c === 0x75) unit = decode ? this.#pairSurrogates(this.#hex4()) : this.#hex4()
    else return this.syntax(SYNTAX.escape, this.pos)
    if (decode) this.#appendCodePoint(unit)
  }

  #hex4(): number {
    if (this.pos + 4 > this.end) this.#stringError(this.end, SYNTAX.eofString)
    let n = 0
    for (let i = 0; i < 4; i++) {
      const v = hexValue(this.src[this.pos++]!)
      if (v < 0) this.syntax(SYNTAX.escape, this.pos)
      n = n * 16 + v
    }
    return n
  }

  /** serde rejects lone surrogates in strings it decodes (keys, variant names). */
  #pairSurrogates(high: number): number {
    if (high >= 0xdc00 && high <= 0xdfff) this.syntax(SYNTAX.loneSurrogate, this.pos)
    if (high < 0xd800 || high > 0xdbff) return high
    for (const want of [BACKSLASH, 0x75]) {
      if (this.pos >= this.end) this.syntax(SYNTAX.eofString, this.pos)
      if (this.src[this.pos++] !== want) this.syntax(SYNTAX.hexEnd, this.pos)
    }
    const low = this.#hex4()
    if (low < 0xdc00 || low > 0xdfff) this.syntax(SYNTAX.loneSurrogate, this.pos)
    return 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00)
  }

  #reserve(extra: number): void {
    const need = this.#scratchLen + extra
    if (need <= this.#scratch.length) return
    const grown = Buffer.allocUnsafe(Math.max(need, this.#scratch.length * 2))
    this.#scratch.copy(grown, 0, 0, this.#scratchLen)
    this.#scratch = grown
  }

  #append(from: Uint8Array, start: number, stop: number): void {
    this.#reserve(stop - start)
    this.#scratch.set(from.subarray(start, stop), this.#scratchLen)
    this.#scratchLen += stop - start
  }

  #appendCodePoint(cp: number): void {
    this.#reserve(4)
    this.#scratchLen += this.#scratch.write(String.fromCodePoint(cp), this.#scratchLen, 'utf8')
  }

  /** Skips one value of any shape, like serde's `ignore_value` (no depth limit, no recursion). */
  skipValue(): void {
    let depth = 0
    for (;;) {
      const b = this.ws()
      if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
        if (depth === this.#frames.length) this.#growFrames()
        this.#frames[depth++] = b
        this.pos++
      } else this.#skipScalar(b)
      let acceptComma = b !== OPEN_ARRAY && b !== OPEN_OBJECT
      if (depth === 0) return
      let frame = this.#frames[depth - 1]!
      for (;;) {
        const c = this.ws()
        if (c === COMMA && acceptComma) {
          this.pos++
          break
        }
        if ((c === CLOSE_ARRAY && frame === OPEN_ARRAY) || (c === CLOSE_OBJECT && frame === OPEN_OBJECT)) {
          this.pos++
          if (--depth === 0) return
          frame = this.#frames[depth - 1]!
          acceptComma = true
          continue
        }
        const inArray = frame === OPEN_ARRAY
        if (c === -1) this.syntax(inArray ? SYNTAX.eofList : SYNTAX.eofObject, this.peekPos())
        if (acceptComma) this.syntax(inArray ? SYNTAX.listCommaOrEnd : SYNTAX.objectCommaOrEnd, this.peekPos())
        break
      }
      if (frame === OPEN_OBJECT) this.#skipKey()
    }
  }

  #skipScalar(b: number): void {
    if (b === QUOTE) this.scanString(false)
    else if (b === 0x2d || isDigit(b)) this.scanNumber(true)
    else if (b === 0x6e || b === 0x74 || b === 0x66) {
      this.pos++
      this.ident(b === 0x6e ? 'ull' : b === 0x74 ? 'rue' : 'alse')
    } else this.syntax(b === -1 ? SYNTAX.eofValue : SYNTAX.value, this.peekPos())
  }

  #skipKey(): void {
    const c = this.ws()
    if (c !== QUOTE) this.syntax(c === -1 ? SYNTAX.eofObject : SYNTAX.keyString, this.peekPos())
    this.scanString(false)
    this.colon()
  }

  #growFrames(): void {
    const grown = new Uint8Array(this.#frames.length * 2)
    grown.set(this.#frames)
    this.#frames = grown
  }
}

/**
 * Checks that `input` is exactly one well-formed JSON value with only whitespace around it, as
 * `serde_json::from_str::<IgnoredAny>` does. Bounded: linear time, no recursion.
 */
export function validateJsonText(input: string | Uint8Array): Result<void> {
  return attempt(() => {
    const r = new JsonReader(input)
    r.beginTop()
    r.skipValue()
    r.finish()
  })
}
