import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JsonReader, validateJsonText } from '../../codecs/json-text.js'

function jsonParseAccepts(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

function errorOf(text: string | Uint8Array): { code: string; message: string } {
  const r = validateJsonText(text)
  if (r.ok) throw new Error(`expected ${JSON.stringify(text)} to be rejected`)
  return { code: r.error.code, message: r.error.message }
}

/** Tokens that make near-valid JSON far more often than random characters do. */
const jsonishToken = fc.constantFrom(
  '{', '}', '[', ']', ',', ':', '"', '\\', 'u', '0', '1', '9', '-', '+', '.', 'e', 'E', ' ', '\n', '\t', '\r',
  'true', 'false', 'null', 'nul', '"a"', '"\\u00e9"', '\\ud800', '\u0001', 'é', '\ufeff', 'x', '007', '1e400', '"k":',
)

describe('validateJsonText agrees with JSON.parse on what is JSON', () => {
  it('accepts every JSON text fast-check generates', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(validateJsonText(text).ok).toBe(true)
      }),
      { seed: 42, numRuns: 500 },
    )
  })

  it('accepts and rejects exactly what JSON.parse does on near-JSON token soup', () => {
    fc.assert(
      fc.property(fc.array(jsonishToken, { maxLength: 24 }), (tokens) => {
        const text = tokens.join('')
        expect(validateJsonText(text).ok).toBe(jsonParseAccepts(text))
      }),
      { seed: 42, numRuns: 3000 },
    )
  })

  it('agrees on single-character mutations of valid JSON', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('', ',', '"', '}', ']', '0', '-', ' ', '\u0000'), (text, at, ch) => {
        const i = at % (text.length + 1)
        const mutated = text.slice(0, i) + ch + text.slice(i + 1)
        expect(validateJsonText(mutated).ok).toBe(jsonParseAccepts(mutated))
      }),
      { seed: 42, numRuns: 2000 },
    )
  })
})

describe('syntax errors read like serde_json, with line and column', () => {
  it.each([
    ['{"a" 1}', 'expected `:` at line 1 column 6'],
    ['[1 2]', 'expected `,` or `]` at line 1 column 4'],
    ['{"a":1 "b":2}', 'expected `,` or `}` at line 1 column 8'],
    ['[1,]', 'expected value at line 1 column 4'],
    ['{1:2}', 'key must be a string at line 1 column 2'],
    ['"abc', 'EOF while parsing a string at line 1 column 4'],
    ['"a\u0001"', 'control character (\\u0000-\\u001F) found while parsing a string at line 1 column 2'],
    ['"\\q"', 'invalid escape at line 1 column 3'],
    ['"\\u12G4"', 'invalid escape at line 1 column 6'],
    ['tru', 'EOF while parsing a value at line 1 column 3'],
    ['trux', 'expected ident at line 1 column 4'],
    ['01', 'invalid number at line 1 column 2'],
    ['-', 'invalid number at line 1 column 1'],
    ['1.', 'invalid number at line 1 column 2'],
    ['1e+', 'invalid number at line 1 column 3'],
    ['[', 'EOF while parsing a list at line 1 column 1'],
    ['{"a":1}\n  x', 'trailing characters at line 2 column 3'],
    ['\ufeff1', 'expected value at line 1 column 1'],
  ])('%j -> %s', (text, message) => {
    expect(errorOf(text).message).toBe(message)
  })

  it('codes: empty input, trailing characters, syntax, invalid UTF-8', () => {
    expect(errorOf('').code).toBe('ERR_EMPTY_LINE')
    expect(errorOf(' \r\n\t').code).toBe('ERR_EMPTY_LINE')
    expect(errorOf('1 2').code).toBe('ERR_TRAILING_CHARACTERS')
    expect(errorOf('[1,]').code).toBe('ERR_JSON_SYNTAX')
    const badUtf8 = Uint8Array.of(0x22, 0xc3, 0x28, 0x22) // "\xc3(" : a lead byte without its continuation
    expect(errorOf(badUtf8)).toEqual({ code: 'ERR_JSON_SYNTAX', message: 'stream did not contain valid UTF-8' })
  })

  it('reads bytes and strings the same way', () => {
    const text = ' {"k": ["é", 1.5e-3, -0, true, null, {}]} '
    expect(validateJsonText(Buffer.from(text)).ok).toBe(true)
    expect(validateJsonText(text).ok).toBe(true)
  })
})

describe('bounded on hostile input', () => {
  it('skips 100 000 levels of nesting without recursion', () => {
    const depth = 100_000
    expect(validateJsonText('['.repeat(depth) + ']'.repeat(depth)).ok).toBe(true)
    expect(validateJsonText('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)).ok).toBe(true)
    expect(errorOf('['.repeat(depth)).message).toBe(`EOF while parsing a list at line 1 column ${depth}`)
  })

  it('skips a 2 MB string and a 1 MB number', () => {
    expect(validateJsonText(`["${'a'.repeat(2_000_000)}", 1${'0'.repeat(1_000_000)}]`).ok).toBe(true)
  })
})

describe('JsonReader strings', () => {
  function decode(text: string): string {
    const r = new JsonReader(text)
    r.scanString(true)
    return r.tokenText()
  }

  it('decodes every escape, including surrogate pairs, and keeps raw UTF-8', () => {
    expect(decode('"\\u0047et\\n\\t\\r\\b\\f\\/\\\\\\"x"')).toBe('Get\n\t\r\b\f/\\"x')
    expect(decode('"\\ud83d\\ude00 é 😀"')).toBe('😀 é 😀')
  })

  it('rejects lone surrogates when decoding, but only checks their form when skipping', () => {
    expect(() => decode('"\\udc00"')).toThrow('lone leading surrogate in hex escape')
    expect(() => decode('"\\ud800"')).toThrow('unexpected end of hex escape')
    expect(() => decode('"\\ud800\\u0041"')).toThrow('lone leading surrogate in hex escape')
    expect(validateJsonText('"\\ud800"').ok).toBe(true)
  })

  it('compares a key with or without escapes against raw bytes', () => {
    const plain = new JsonReader('"amount"')
    plain.scanString(true)
    expect(plain.tokenEquals(Buffer.from('amount'))).toBe(true)
    expect(plain.tokenEquals(Buffer.from('amounts'))).toBe(false)
    const escaped = new JsonReader('"\\u0061mount"')
    escaped.scanString(true)
    expect(escaped.escaped).toBe(true)
    expect(escaped.tokenEquals(Buffer.from('amount'))).toBe(true)
    expect(escaped.tokenEquals(Buffer.from('amoun'))).toBe(false)
  })
})

describe('JsonReader numbers', () => {
  function scan(text: string): JsonReader {
    const r = new JsonReader(text)
    r.scanNumber(false)
    return r
  }

  it('classifies integers and floats the way serde parses them', () => {
    expect(scan('18446744073709551615')).toMatchObject({ numNeg: false, numFloat: false, numDigits: 20, pos: 20 })
    expect(scan('123,')).toMatchObject({ numSmall: 123, numFloat: false, pos: 3 })
    expect(scan('-0')).toMatchObject({ numNeg: true, numFloat: false, numSmall: 0 })
    expect(scan('1.0')).toMatchObject({ numFloat: true, pos: 3 })
    expect(scan('1E-7]')).toMatchObject({ numFloat: true, pos: 4 })
  })

  it('reports a number cut short at the end as EOF when parsing it, as invalid when skipping it', () => {
    expect(() => scan('1.')).toThrow('EOF while parsing a value at line 1 column 2')
    expect(() => scan('1e')).toThrow('EOF while parsing a value at line 1 column 2')
    expect(errorOf('1e').message).toBe('invalid number at line 1 column 2')
  })
})
