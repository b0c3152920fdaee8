/**
 * The cursor half of the strict JSON reader: bytes, offset, whitespace, literals, numbers, and
 * errors worded and positioned the way serde_json words them (`at line 1 column 298`, column =
 * bytes since the last `\n`), so a rejection here reads like the node's own log line.
 *
 * The grammar is RFC 8259 as serde_json applies it: whitespace is only space, tab, LF and CR; no
 * BOM; numbers `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`. Strings and skipping live in
 * `json-text.ts`.
 *
 * @packageDocumentation
 */
import { Buffer, isUtf8 } from 'node:buffer'
import { CodecError, type CodecErrorCode } from './errors.js'

/** serde_json's syntax error texts (`ErrorCode` Display), reused verbatim in our messages. */
export const SYNTAX = {
  eofValue: 'EOF while parsing a value',
  eofList: 'EOF while parsing a list',
  eofObject: 'EOF while parsing an object',
  eofString: 'EOF while parsing a string',
  colon: 'expected `:`',
  listCommaOrEnd: 'expected `,` or `]`',
  objectCommaOrEnd: 'expected `,` or `}`',
  ident: 'expected ident',
  value: 'expected value',
  escape: 'invalid escape',
  number: 'invalid number',
  numberRange: 'number out of range',
  control: 'control character (\\u0000-\\u001F) found while parsing a string',
  keyString: 'key must be a string',
  loneSurrogate: 'lone leading surrogate in hex escape',
  hexEnd: 'unexpected end of hex escape',
  trailingComma: 'trailing comma',
  trailingCharacters: 'trailing characters',
} as const

const COLON = 0x3a

/** True for an ASCII digit. */
export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** `a.b[3].c` from a path of field names and element indices. */
function formatPath(path: readonly (string | number)[]): string {
  let out = ''
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`
  return out
}

/** Cursor over one JSON text. Methods throw {@link CodecError}; callers wrap them in `attempt`. */
export class JsonCursor {
  /** The UTF-8 text. */
  readonly src: Buffer
  /** Length of {@link src}, bytes. */
  readonly end: number
  /** Byte offset of the next unread byte. */
  pos = 0
  /** Field names and element indices leading to the value being read, for error messages. */
  readonly path: (string | number)[] = []
  /** Offset where the last number scanned by {@link scanNumber} starts. */
  numStart = 0
  /** The last number had a minus sign. */
  numNeg = false
  /** The last number had a fraction or an exponent (serde makes it an f64). */
  numFloat = false
  /** Digits in the last number's integer part. */
  numDigits = 0
  /** Value of the last number's integer part; exact only while {@link numDigits} <= 15. */
  numSmall = 0

  /**
   * @param input - JSON text; a `Uint8Array` must be valid UTF-8 (the node's `lines()` refuses
   *   anything else), a string is encoded as UTF-8
   */
  constructor(input: string | Uint8Array) {
    if (typeof input === 'string') {
      this.src = Buffer.from(input, 'utf8')
    } else {
      if (!isUtf8(input)) throw new CodecError('ERR_JSON_SYNTAX', 'stream did not contain valid UTF-8')
      this.src = Buffer.from(input.buffer, input.byteOffset, input.byteLength)
    }
    this.end = this.src.length
  }

  /** Throws a {@link CodecError}: `path: text at line L column C (hint)`; `at` is a byte offset. */
  fail(code: CodecErrorCode, text: string, at?: number, hint?: string): never {
    const path = formatPath(this.path)
    let msg = path === '' ? text : `${path}: ${text}`
    if (at !== undefined) {
      const lineStart = at === 0 ? 0 : this.src.lastIndexOf(0x0a, at - 1) + 1
      let line = 1
      for (let i = this.src.indexOf(0x0a); i !== -1 && i < lineStart; i = this.src.indexOf(0x0a, i + 1)) line++
      msg += ` at line ${line} column ${at - lineStart}`
    }
    throw new CodecError(code, hint === undefined ? msg : `${msg} (${hint})`)
  }

  /** Throws an `ERR_JSON_SYNTAX` error. */
  syntax(text: string, at: number): never {
    return this.fail('ERR_JSON_SYNTAX', text, at)
  }

  /** serde's `peek_position`: the offset one past the next byte (bounded by the end). */
  peekPos(): number {
    return Math.min(this.end, this.pos + 1)
  }

  /** Skips whitespace; returns the next byte (not consumed) or -1 at the end. */
  ws(): number {
    const src = this.src
    let p = this.pos
    while (p < this.end) {
      const c = src[p]!
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        this.pos = p
        return c
      }
      p++
    }
    this.pos = p
    return -1
  }

  /** Before a top-level value: only whitespace left is an empty line. */
  beginTop(): void {
    if (this.ws() === -1) this.fail('ERR_EMPTY_LINE', SYNTAX.eofValue, this.peekPos(), 'empty input')
  }

  /** After a top-level value: only whitespace may follow (serde's `Deserializer::end`). */
  finish(): void {
    if (this.ws() !== -1) this.fail('ERR_TRAILING_CHARACTERS', SYNTAX.trailingCharacters, this.peekPos())
  }

  /** Consumes the rest of `null`, `true` or `false` after its first byte. */
  ident(rest: string): void {
    for (let i = 0; i < rest.length; i++) {
      if (this.pos >= this.end) this.syntax(SYNTAX.eofValue, this.pos)
      if (this.src[this.pos++] !== rest.charCodeAt(i)) this.syntax(SYNTAX.ident, this.pos)
    }
  }

  /** Consumes the `:` between a key and its value. */
  colon(): void {
    const c = this.ws()
    if (c === COLON) this.pos++
    else this.syntax(c === -1 ? SYNTAX.eofObject : SYNTAX.colon, this.peekPos())
  }

  /**
   * Scans a number at {@link pos} (a `-` or a digit) into the `num*` fields. `ignoring` picks
   * serde's `ignore_integer` texts for a number cut short at the end of input.
   */
  scanNumber(ignoring: boolean): void {
    const src = this.src
    const end = this.end
    const start = this.pos
    const neg = src[start] === 0x2d
    let p = neg ? start + 1 : start
    if (p >= end) this.#numberError(p, ignoring ? SYNTAX.number : SYNTAX.eofValue, p)
    let c = src[p++]!
    let digits = 1
    let small = c - 0x30
    if (c === 0x30) {
      // one leading zero only: serde reports it at the peeked digit
      if (p < end && isDigit(src[p]!)) this.#numberError(p, SYNTAX.number, p + 1)
    } else if (isDigit(c)) {
      while (p < end && isDigit((c = src[p]!))) {
        if (digits < 15) small = small * 10 + (c - 0x30)
        digits++
        p++
      }
    } else this.#numberError(p, SYNTAX.number, p)
    const afterInt = p
    if (p < end && src[p] === 0x2e) {
      const fracStart = ++p
      while (p < end && isDigit(src[p]!)) p++
      if (p === fracStart) this.#numberError(p, p < end || ignoring ? SYNTAX.number : SYNTAX.eofValue, Math.min(end, p + 1))
    }
    if (p < end && (src[p] === 0x65 || src[p] === 0x45)) {
      p++
      if (p < end && (src[p] === 0x2b || src[p] === 0x2d)) p++
      if (p >= end) this.#numberError(p, ignoring ? SYNTAX.number : SYNTAX.eofValue, p)
      if (!isDigit(src[p++]!)) this.#numberError(p, SYNTAX.number, p)
      while (p < end && isDigit(src[p]!)) p++
    }
    this.pos = p
    this.numStart = start
    this.numNeg = neg
    this.numFloat = p !== afterInt
    this.numDigits = digits
    this.numSmall = small
  }

  #numberError(pos: number, text: string, at: number): never {
    this.pos = pos
    return this.syntax(text, at)
  }

  /** Text of the last scanned number. */
  numberText(): string {
    return this.src.toString('latin1', this.numStart, this.pos)
  }
}
