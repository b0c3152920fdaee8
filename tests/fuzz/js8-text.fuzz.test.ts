/**
 * Fuzzing of JS8 text (codecs/js8-text.ts) and the Huffman counters next to it (codecs/js8-huffman.ts):
 * any text decodes to the bytes whose canonical text it is, or fails with `ERR_JS8_TEXT` /
 * `ERR_CHECKSUM`; mangled real texts (lost, added, swapped characters) almost never decode to other
 * bytes than were sent; bytes round-trip through upper- and lower-case text with whitespace around it;
 * the counters return a count or Infinity, never throw.
 */
import fc from 'fast-check'
import { describe, expect } from 'vitest'
import { js8HuffmanFrames, js8UpperCase } from '../../codecs/js8-huffman.js'
import { decodeJs8Text, encodeJs8Text, js8AirBits, JS8_ALPHABET } from '../../codecs/js8-text.js'
import { checkProperty, expectEqual, fuzzTest, LARGE_INPUT_TIME_BOUND_MS, mutatedText, valueOrTypedError, withinTime } from './harness.js'

/** Text that is mostly JS8's alphabet, with lower case, whitespace and a few strangers. */
const js8ishArb = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...JS8_ALPHABET) }, fc.constantFrom('a', 'z', '\t', '\n', '♢', '=', 'é')), maxLength })

/** Decodes `text` within `boundMs`; a success must be the bytes whose canonical text `text` is. */
function check(text: string, boundMs?: number): Uint8Array | undefined {
  const bytes = valueOrTypedError(withinTime(() => decodeJs8Text(text), boundMs), ['ERR_JS8_TEXT', 'ERR_CHECKSUM'])
  if (bytes !== undefined) expect(encodeJs8Text(bytes)).toBe(js8UpperCase(text.trim()))
  return bytes
}

/** What we send: texts of random payloads, the seeds of mutation. */
const SENT = fc.sample(fc.uint8Array({ maxLength: 40 }), { seed: 9, numRuns: 50 })
const TEXTS = SENT.map(encodeJs8Text)
const SENT_HEX = new Set(SENT.map((b) => Buffer.from(b).toString('hex')))
const TOKENS = [' ', 'E', 'T', '/', '7', 'e', '  ', '\u2662']

describe('decodeJs8Text', () => {
  fuzzTest('arbitrary text: the bytes it canonically encodes, or a typed error', 3500, 0.1, (runs) => {
    checkProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 120 }), js8ishArb(120)), (t) => void check(t), runs)
  })

  fuzzTest('mutated real texts: a typed error, or (all but a CRC-16 miss) bytes that were sent', 4000, 0.1, (runs) => {
    let foreign = 0 // mangled texts that decoded to bytes nobody sent: CRC-16 and canonical-text misses
    checkProperty(
      mutatedText(TEXTS, TOKENS),
      (text) => {
        const bytes = check(text)
        if (bytes !== undefined && !SENT_HEX.has(Buffer.from(bytes).toString('hex'))) foreign++
      },
      runs,
    )
    expect(foreign / runs).toBeLessThan(1e-3)
  })

  fuzzTest('long texts stay within the time bound', 200, 5, (runs) => {
    const longArb = fc.tuple(fc.constantFrom(...JS8_ALPHABET), fc.integer({ min: 1, max: 100_000 })).map(([c, n]) => c.repeat(n))
    checkProperty(longArb, (t) => void check(t, LARGE_INPUT_TIME_BOUND_MS), runs)
  })

  fuzzTest('decode(encode(bytes)) round-trips, also lower-cased and with whitespace around', 2000, 0.1, (runs) => {
    checkProperty(
      fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.constantFrom('', ' ', '\t \n')),
      ([bytes, lower, pad]) => {
        const text = encodeJs8Text(bytes)
        expectEqual(decodeJs8Text(`${pad}${lower ? text.toLowerCase() : text}${pad}`), { ok: true, value: bytes })
      },
      runs,
    )
  })
})

describe('js8AirBits and js8HuffmanFrames', () => {
  fuzzTest('any text: a count, or Infinity when a character is outside the table', 300, 0.1, (runs) => {
    checkProperty(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), js8ishArb(200)),
      (text) => {
        const bits = withinTime(() => js8AirBits(text))
        const frames = withinTime(() => js8HuffmanFrames(text))
        expect(Number.isFinite(bits)).toBe(Number.isFinite(frames))
        if (Number.isFinite(bits)) expect(bits >= 0 && Number.isInteger(frames) && frames >= 0).toBe(true)
      },
      runs,
    )
  })
})
