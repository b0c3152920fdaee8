import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CodecError } from '../../codecs/errors.js'
import {
  JS8_DATA_FRAME_HEADER_BITS,
  JS8_FRAME_PAYLOAD_BITS,
  JS8_HUFFMAN_CODES,
  JS8_HUFFMAN_TABLE,
  js8HuffmanFrames,
} from '../../codecs/js8-huffman.js'
import {
  JS8_ALPHABET,
  base64Js8Text,
  decodeJs8Text,
  encodeJs8Text,
  js8AirBits,
  js8Efficiency,
  js8TextChecksum,
} from '../../codecs/js8-text.js'
import { fromHex, vectors } from '../helpers/vectors.js'

const SEED = 42
const tx = vectors.transactions[0]
if (tx === undefined) throw new Error('no transaction vector')
const txBytes = fromHex(tx.bincode)

/** Deterministic bytes (LCG) so efficiency figures are reproducible. */
function pseudoRandomBytes(n: number, seed: number): Uint8Array {
  let s = seed >>> 0
  return new Uint8Array(n).map(() => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    return s >>> 24
  })
}

function roundTrip(bytes: Uint8Array): Uint8Array {
  const r = decodeJs8Text(encodeJs8Text(bytes))
  if (!r.ok) throw r.error
  return r.value
}

function errorOf(text: string): CodecError {
  const r = decodeJs8Text(text)
  if (r.ok) throw new Error(`expected ${JSON.stringify(text)} to be rejected`)
  return r.error
}

describe('JS8 Huffman table facts', () => {
  it('covers space, A–Z, 0–9 and . - + ? ! " / with 2–8 bit codes (space 2, E 3)', () => {
    const chars = JS8_HUFFMAN_TABLE.map(([c]) => c).sort().join('')
    expect(chars).toBe([...' !"+-./0123456789?ABCDEFGHIJKLMNOPQRSTUVWXYZ'].sort().join(''))
    expect(JS8_HUFFMAN_CODES.size).toBe(44)
    expect(JS8_HUFFMAN_CODES.get(' ')).toBe('01')
    expect(JS8_HUFFMAN_CODES.get('E')).toBe('100')
    for (const [, code] of JS8_HUFFMAN_TABLE) {
      expect(code).toMatch(/^[01]{2,8}$/)
    }
  })

  it('is a complete prefix code (Kraft sum exactly 1, no code a prefix of another)', () => {
    const codes = JS8_HUFFMAN_TABLE.map(([, code]) => code)
    expect(codes.reduce((sum, code) => sum + 2 ** -code.length, 0)).toBe(1)
    for (const a of codes) {
      for (const b of codes) if (a !== b) expect(b.startsWith(a)).toBe(false)
    }
  })

  it('fills frames like packHuffMessage: characters while header + bits < 72', () => {
    expect(JS8_FRAME_PAYLOAD_BITS - JS8_DATA_FRAME_HEADER_BITS).toBe(70)
    expect(js8HuffmanFrames('')).toBe(0)
    // 2 header bits + 34 spaces = 70 bits < 72; a 35th space would make 72, which does not fit.
    expect(js8HuffmanFrames(' '.repeat(34))).toBe(1)
    expect(js8HuffmanFrames(' '.repeat(35))).toBe(2)
    expect(js8HuffmanFrames('hello')).toBe(1)
    expect(js8HuffmanFrames('A=B')).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('encodeJs8Text / decodeJs8Text', () => {
  it('round-trips every single byte value and all 256 values together', () => {
    for (let b = 0; b < 256; b++) expect(roundTrip(Uint8Array.of(b))).toEqual(Uint8Array.of(b))
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    expect(roundTrip(all)).toEqual(all)
  })

  it('encodes the empty input as CRC 0xFFFF plus end marker: "OOO+"', () => {
    // 1111 1111 1111 1111 | 1 | 0…: O=11111 three times, then 1 1 + 00000 = '+' (1100000).
    expect(encodeJs8Text(new Uint8Array())).toBe('OOO+')
    expect(roundTrip(new Uint8Array())).toEqual(new Uint8Array())
  })

  it('round-trips random bytes of length 0..300', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        expect(roundTrip(bytes)).toEqual(bytes)
      }),
      { seed: SEED, numRuns: 300 },
    )
  })

  it('emits only JS8 Huffman characters, never a leading, trailing or double space', () => {
    expect(JS8_ALPHABET.length).toBe(44)
    expect([...JS8_ALPHABET].every((c) => JS8_HUFFMAN_CODES.has(c))).toBe(true)
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        const text = encodeJs8Text(bytes)
        expect([...text].every((c) => JS8_ALPHABET.includes(c))).toBe(true)
        expect(text).toBe(text.trim())
        expect(text).not.toContain('  ')
        expect(js8AirBits(text)).toBeLessThan(Number.POSITIVE_INFINITY)
      }),
      { seed: SEED, numRuns: 300 },
    )
  })

  it('uses the whole alphabet, space included', () => {
    const text = encodeJs8Text(pseudoRandomBytes(2000, 1))
    expect(new Set(text)).toEqual(new Set(JS8_ALPHABET))
  })

  it('tolerates lower case and surrounding whitespace, as JS8Call may deliver it', () => {
    const text = encodeJs8Text(txBytes)
    for (const variant of [text.toLowerCase(), `  ${text}  `, `\r\n${text}\t\n`, ` ${text.toLowerCase()}\r\n`]) {
      const r = decodeJs8Text(variant)
      expect(r.ok && r.value).toEqual(txBytes)
    }
  })

  it('rejects characters outside the alphabet, naming them', () => {
    const text = encodeJs8Text(txBytes)
    const cases: Array<[string, RegExp]> = [
      [`${text.slice(0, 5)}\t${text.slice(5)}`, /U\+0009 at position 5/],
      [`${text.slice(0, 3)}=${text.slice(3)}`, /U\+003D at position 3/],
      [`${text} ♢`, /U\+2662/],
      [`${text.slice(0, 7)}é${text.slice(7)}`, /U\+00E9 at position 7/],
    ]
    for (const [bad, message] of cases) {
      const e = errorOf(bad)
      expect(e.code).toBe('ERR_JS8_TEXT')
      expect(e.message).toMatch(message)
    }
  })

  it('rejects a double space', () => {
    const text = encodeJs8Text(txBytes)
    const at = text.indexOf(' ')
    expect(at).toBeGreaterThan(0)
    const e = errorOf(`${text.slice(0, at)} ${text.slice(at)}`)
    expect(e.code).toBe('ERR_JS8_TEXT')
    expect(e.message).toMatch(`two spaces in a row at position ${at + 1}`)
  })

  it('rejects every truncation of a message', () => {
    const text = encodeJs8Text(txBytes)
    for (let n = 0; n < text.length; n++) {
      const prefix = text.slice(0, n).trimEnd()
      const e = errorOf(prefix)
      expect(['ERR_JS8_TEXT', 'ERR_CHECKSUM']).toContain(e.code)
    }
    expect(errorOf('').message).toMatch(/no end marker/)
    expect(errorOf('E').message).toMatch(/fewer than the 2-byte checksum/)
  })

  it('reports a changed character as a checksum mismatch', () => {
    const text = encodeJs8Text(txBytes)
    // R (00000) and H (00011) carry the same number of bits, so the length survives and the CRC must catch it.
    const at = text.indexOf('R')
    expect(at).toBeGreaterThanOrEqual(0)
    const e = errorOf(`${text.slice(0, at)}H${text.slice(at + 1)}`)
    expect(e.code).toBe('ERR_CHECKSUM')
    expect(e.message).toMatch(/checksum mismatch over 168 bytes/)
  })

  it('rejects characters after the end marker (non-canonical text)', () => {
    const text = encodeJs8Text(txBytes)
    const e = errorOf(`${text}R`) // R = 00000: only zero padding, so data and CRC still match
    expect(e.code).toBe('ERR_JS8_TEXT')
    expect(e.message).toMatch(/canonical/)
  })

  it('never throws on arbitrary strings, and fails only with its two codes', () => {
    const alphabetText = fc
      .array(fc.constantFrom(...JS8_ALPHABET, 'a', 'z', '\t'), { maxLength: 400 })
      .map((chars) => chars.join(''))
    const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), alphabetText)
    fc.assert(
      fc.property(anyText, (text) => {
        const r = decodeJs8Text(text)
        if (!r.ok) {
          expect(r.error).toBeInstanceOf(CodecError)
          expect(['ERR_JS8_TEXT', 'ERR_CHECKSUM']).toContain(r.error.code)
        } else {
          expect(encodeJs8Text(r.value)).toBe(text.trim().toUpperCase())
        }
      }),
      { seed: SEED, numRuns: 1000 },
    )
    expect(decodeJs8Text('E'.repeat(100_000)).ok).toBe(false)
  })

  it('checksums with CRC-16/IBM-3740 (check value 0x29B1)', () => {
    expect(js8TextChecksum(new TextEncoder().encode('123456789'))).toBe(0x29b1)
    expect(js8TextChecksum(new Uint8Array())).toBe(0xffff)
    expect(js8TextChecksum(Uint8Array.of(0, 1))).not.toBe(js8TextChecksum(Uint8Array.of(1)))
  })
})

describe('efficiency against JS8 Huffman', () => {
  it('counts Huffman code lengths, upper-casing, and Infinity outside the table', () => {
    expect(js8AirBits('')).toBe(0)
    expect(js8AirBits('E E')).toBe(3 + 2 + 3)
    expect(js8AirBits('e/')).toBe(3 + 8)
    expect(js8AirBits('A,B')).toBe(Number.POSITIVE_INFINITY)
    expect(js8Efficiency(new Uint8Array())).toBe(0)
  })

  it('spends about one on-air bit per data bit; pyjs8call Base64 cannot use Huffman at all', () => {
    // 168-byte signed transaction: 1344 useful bits in 1390 Huffman bits (0.967), 21 data frames.
    const text = encodeJs8Text(txBytes)
    expect(txBytes.length).toBe(168)
    expect(js8AirBits(text)).toBe(1390)
    expect(js8Efficiency(txBytes)).toBeGreaterThan(0.96)
    expect(js8HuffmanFrames(text)).toBe(21)

    // Random data: 0.975 over 20 kB.
    const random = pseudoRandomBytes(20_000, 7)
    expect(js8Efficiency(random)).toBeGreaterThan(0.97)

    // The same data the pyjs8call way: 21 of its 26 stand-ins for a–z are not in the Huffman
    // table, so JS8Call must fall back to JSC (measured offline: 27 frames for the transaction).
    for (const bytes of [txBytes, random]) {
      const b64 = base64Js8Text(bytes)
      expect(js8AirBits(b64)).toBe(Number.POSITIVE_INFINITY)
      expect(8 * bytes.length / js8AirBits(b64)).toBe(0)
      expect(js8Efficiency(bytes)).toBeGreaterThan(8 * bytes.length / js8AirBits(b64))
    }
  })

  it('maps Base64 the pyjs8call way', () => {
    // "hello" → aGVsbG8= → a→',' s→'<' b→'.'
    expect(base64Js8Text(new TextEncoder().encode('hello'))).toBe(',GV<.G8=')
    const allSymbols = Buffer.from('abcdefghijklmnopqrstuvwxyz0189+/', 'base64') // 32 symbols = 24 bytes, no padding
    expect(base64Js8Text(allSymbols)).toBe(',.-"?!)(~:_&$%#@*><[]{}|;^0189+/')
  })
})
