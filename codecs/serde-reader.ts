/**
 * serde's rules for Rust values on top of the JSON reader, so TypeScript accepts and rejects
 * exactly what the node's `serde_json::from_str` does, with the same error texts and positions
 * (structs are in `serde-struct.ts`):
 * - `[u8; N]` is an array of exactly N numbers, `Vec<T>` an array of any length;
 * - integers are range-checked; a fraction or exponent (`1.0`, `1e3`), `-0`, or anything past
 *   2^64-1 is an f64 to serde and never an integer.
 *
 * Error codes: wrong JSON kind `ERR_INVALID_TYPE`; integer out of range `ERR_NUMBER_RANGE`;
 * wrong element count `ERR_INVALID_LENGTH`.
 *
 * @packageDocumentation
 */
import { isDigit, SYNTAX } from './json-cursor.js'
import { JsonReader } from './json-text.js'
import { U32_MAX, U64_MAX } from './model.js'
import { attempt, type Result } from './result.js'

const QUOTE = 0x22
const COMMA = 0x2c
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const I64_MIN_MAGNITUDE = 1n << 63n
/** Longest string quoted back in an error message, characters (serde quotes it whole). */
const MAX_QUOTED_CHARS = 200

/** Rust's `{:?}` of a str (serde's `Unexpected::Str`), cut to {@link MAX_QUOTED_CHARS}. */
function rustDebugString(s: string): string {
  const cut = s.length > MAX_QUOTED_CHARS
  let out = '"'
  for (const ch of cut ? s.slice(0, MAX_QUOTED_CHARS) : s) {
    const cp = ch.codePointAt(0) ?? 0
    if (ch === '"' || ch === '\\') out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (cp === 0) out += '\\0'
    else if (cp < 0x20 || cp === 0x7f) out += `\\u{${cp.toString(16)}}`
    else out += ch
  }
  return cut ? `${out}…"` : `${out}"`
}

/** Rust's `{}` of an f64: shortest round-trip digits, never an exponent. */
function rustFloat(x: number): string {
  if (Object.is(x, -0)) return '-0'
  const s = String(x)
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s)
  if (m === null) return s
  const [, sign = '', lead = '', frac = '', expText = '0'] = m
  const exp = Number(expText)
  if (exp >= 0) return sign + lead + frac + '0'.repeat(Math.max(0, exp - frac.length))
  return `${sign}0.${'0'.repeat(-exp - 1)}${lead}${frac}`
}

/** A {@link JsonReader} that deserializes Rust types the way serde-derived code does. */
export class SerdeReader extends JsonReader {
  #bytes = new Uint8Array(256)

  /** serde's `peek_invalid_type`: consumes the scalar found (not a container) and reports it. */
  invalidType(expected: string): never {
    const b = this.pos < this.end ? this.src[this.pos]! : -1
    let found: string
    if (b === -1) return this.syntax(SYNTAX.eofValue, this.peekPos())
    if (b === 0x6e || b === 0x74 || b === 0x66) {
      this.pos++
      this.ident(b === 0x6e ? 'ull' : b === 0x74 ? 'rue' : 'alse')
      found = b === 0x6e ? 'null' : `boolean \`${b === 0x74}\``
    } else if (b === 0x2d || isDigit(b)) {
      this.scanNumber(false)
      found = this.#unexpectedNumber().text
    } else if (b === QUOTE) {
      this.scanString(true)
      found = `string ${rustDebugString(this.tokenText())}`
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      found = b === OPEN_ARRAY ? 'sequence' : 'map'
    } else return this.syntax(SYNTAX.value, this.peekPos())
    return this.fail('ERR_INVALID_TYPE', `invalid type: ${found}, expected ${expected}`, this.pos)
  }

  /** How serde shows the number just scanned: `integer` while it fits u64/i64, else `floating point`. */
  #unexpectedNumber(): { text: string; float: boolean } {
    const text = this.numberText()
    if (!this.numFloat && this.numDigits <= 20) {
      const magnitude = BigInt(this.numNeg ? text.slice(1) : text)
      const fits = this.numNeg ? magnitude > 0n && magnitude <= I64_MIN_MAGNITUDE : magnitude <= U64_MAX
      if (fits) return { text: `integer \`${text}\``, float: false }
    }
    const f = Number(text)
    if (!Number.isFinite(f)) this.fail('ERR_NUMBER_RANGE', SYNTAX.numberRange, this.pos)
    return { text: `floating point \`${rustFloat(f)}\``, float: true }
  }

  /** The number just scanned is not a valid `expected`: say why, as serde's visitor would. */
  #numberError(expected: string): never {
    const { text, float } = this.#unexpectedNumber()
    if (!float) return this.fail('ERR_NUMBER_RANGE', `invalid value: ${text}, expected ${expected}`, this.pos)
    const negativeZero = this.numNeg && this.numDigits === 1 && this.numSmall === 0
    // an integer literal past 2^64-1 (or below -2^63) is a range problem, though serde calls it a float
    const tooBig = !this.numFloat && !negativeZero
    const msg = `invalid type: ${text}, expected ${expected}`
    return this.fail(tooBig ? 'ERR_NUMBER_RANGE' : 'ERR_INVALID_TYPE', msg, this.pos, tooBig ? 'integer out of range' : undefined)
  }

  #scanInteger(expected: string): void {
    const b = this.ws()
    if (b !== 0x2d && !isDigit(b)) this.invalidType(expected)
    this.scanNumber(false)
  }

  /** Reads a Rust integer no wider than 32 bits (`u8`, `u32`) as a number. */
  readUint(expected: string, max: number): number {
    this.#scanInteger(expected)
    if (!this.numNeg && !this.numFloat && this.numDigits <= 15 && this.numSmall <= max) return this.numSmall
    return this.#numberError(expected)
  }

  /** Reads a Rust `u8`. */
  readU8(): number {
    return this.readUint('u8', 0xff)
  }

  /** Reads a Rust `u32`. */
  readU32(): number {
    return this.readUint('u32', U32_MAX)
  }

  /** Reads a Rust `u64` (or a 64-bit `usize`) as a bigint, without a detour through number. */
  readU64(expected = 'u64'): bigint {
    this.#scanInteger(expected)
    if (!this.numNeg && !this.numFloat) {
      if (this.numDigits <= 15) return BigInt(this.numSmall)
      if (this.numDigits <= 20) {
        const v = BigInt(this.numberText())
        if (v <= U64_MAX) return v
      }
    }
    return this.#numberError(expected)
  }

  /** Reads a Rust `String`. */
  readString(): string {
    if (this.ws() !== QUOTE) this.invalidType('a string')
    this.scanString(true)
    return this.tokenText()
  }

  /** Reads `()`: only `null`. */
  readUnit(): void {
    if (this.ws() !== 0x6e) this.invalidType('unit')
    this.pos++
    this.ident('ull')
  }

  /** Reads a `Vec<u8>` (`fixed` undefined) or a `[u8; fixed]`. */
  readBytes(fixed?: number): Uint8Array {
    if (this.ws() !== OPEN_ARRAY) this.invalidType(fixed === undefined ? 'a sequence' : `an array of length ${fixed}`)
    this.pos++
    let out: Uint8Array = fixed === undefined ? this.#bytes : new Uint8Array(fixed)
    let n = 0
    const last = this.path.push(0) - 1
    while (n !== fixed && this.nextElement(n === 0)) {
      this.path[last] = n
      if (n === out.length) out = this.#growBytes()
      const v = this.#plainU8()
      out[n++] = v >= 0 ? v : this.readU8()
    }
    this.path.pop()
    if (n === fixed) {
      this.endSeq(`more than ${fixed} elements`)
      return out
    }
    this.pos++ // the `]`
    if (fixed !== undefined) this.fail('ERR_INVALID_LENGTH', `invalid length ${n}, expected an array of length ${fixed}`, this.pos)
    return out.slice(0, n)
  }

  /**
   * Fast path for the common byte element `0`..`255` with nothing number-like after it; -1 sends
   * anything else (and every error) through {@link readU8}. Bytes are most of a chain's text.
   */
  #plainU8(): number {
    const src = this.src
    const start = this.pos
    const stop = Math.min(this.end, start + 3)
    let p = start
    let v = 0
    while (p < stop && isDigit(src[p]!)) v = v * 10 + (src[p++]! - 0x30)
    const digits = p - start
    if (digits === 0 || v > 0xff || (digits > 1 && src[start] === 0x30)) return -1
    const next = p < this.end ? src[p]! : -1
    if (isDigit(next) || next === 0x2e || next === 0x65 || next === 0x45) return -1
    this.pos = p
    return v
  }

  #growBytes(): Uint8Array {
    const grown = new Uint8Array(this.#bytes.length * 2)
    grown.set(this.#bytes)
    return (this.#bytes = grown)
  }

  /** Reads a `Vec<T>`, each element with `item`. */
  readSeq<T>(item: (r: SerdeReader) => T): T[] {
    if (this.ws() !== OPEN_ARRAY) this.invalidType('a sequence')
    this.pos++
    const out: T[] = []
    const last = this.path.push(0) - 1
    while (this.nextElement(out.length === 0)) {
      this.path[last] = out.length
      out.push(item(this))
    }
    this.path.pop()
    this.pos++ // the `]`
    return out
  }

  /** serde's `next_element`: false at `]` (left unread), else leaves the element next. */
  nextElement(first: boolean): boolean {
    let b = this.ws()
    if (b === CLOSE_ARRAY) return false
    if (b === -1) this.syntax(SYNTAX.eofList, this.peekPos())
    if (!first) {
      if (b !== COMMA) this.syntax(SYNTAX.listCommaOrEnd, this.peekPos())
      this.pos++
      b = this.ws()
      if (b === CLOSE_ARRAY) this.syntax(SYNTAX.trailingComma, this.peekPos())
      if (b === -1) this.syntax(SYNTAX.eofValue, this.peekPos())
    }
    return true
  }

  /** serde's `end_seq` after a fixed number of elements; `hint` explains a longer array. */
  endSeq(hint: string): void {
    const b = this.ws()
    if (b === CLOSE_ARRAY) {
      this.pos++
      return
    }
    if (b !== COMMA) this.syntax(b === -1 ? SYNTAX.eofList : SYNTAX.trailingCharacters, this.peekPos())
    this.pos++
    const c = this.ws()
    if (c === CLOSE_ARRAY) this.syntax(SYNTAX.trailingComma, this.peekPos())
    if (c === -1) this.syntax(SYNTAX.trailingCharacters, this.peekPos())
    this.fail('ERR_INVALID_LENGTH', SYNTAX.trailingCharacters, this.peekPos(), hint)
  }
}

/**
 * Decodes `input` as exactly one value read by `read`, with only whitespace around it, like
 * `serde_json::from_str`. Never throws: every failure is a `CodecError` in the result.
 */
export function decodeJsonText<T>(input: string | Uint8Array, read: (r: SerdeReader) => T): Result<T> {
  return attempt(() => {
    const r = new SerdeReader(input)
    r.beginTop()
    const value = read(r)
    r.finish()
    return value
  })
}
