import { readFileSync } from 'node:fs'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CURRENT_DICTIONARY_ID,
  deflateWithDictionary,
  inflateWithDictionary,
  NO_DICTIONARY,
  PRESET_DICTIONARIES,
} from '../../codecs/compress.js'
import { DICTIONARY_1, DICTIONARY_1_BLAKE3 } from '../../codecs/dictionary.js'
import { isCodecError } from '../../codecs/errors.js'
import { unwrap } from '../../codecs/result.js'
import { encodeWireBody } from '../../codecs/wire-model.js'
import {
  blake3Hex,
  buildDictionary,
  DICTIONARY_MODULE,
  MAX_DICTIONARY_BYTES,
  renderDictionaryModule,
  sampleMessages,
} from '../../scripts/build-dictionary.js'

const MIB = 1024 * 1024

describe('preset dictionary', () => {
  it('is exactly what scripts/build-dictionary.ts generates, and its hash is the documented one', () => {
    const built = buildDictionary()
    expect(built).toEqual(DICTIONARY_1)
    expect(blake3Hex(DICTIONARY_1)).toBe(DICTIONARY_1_BLAKE3)
    expect(readFileSync(DICTIONARY_MODULE, 'utf8')).toBe(renderDictionaryModule(built))
  })

  it('is published in docs/PROTOCOL.md, hex and hash', () => {
    const doc = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8')
    expect(doc).toContain(DICTIONARY_1_BLAKE3)
    const appendix = doc.slice(doc.indexOf('## Appendix A'))
    const hex = /```\n([0-9a-f\n]+)```/.exec(appendix)?.[1]?.replace(/\n/g, '')
    expect(hex).toBe(Buffer.from(DICTIONARY_1).toString('hex'))
  })

  it('stays small and holds the structure every header shares', () => {
    expect(DICTIONARY_1.length).toBeGreaterThan(0)
    expect(DICTIONARY_1.length).toBeLessThanOrEqual(MAX_DICTIONARY_BYTES)
    const hex = Buffer.from(DICTIONARY_1).toString('hex')
    expect(hex).toContain('8901') // a header array, version 1
    expect(hex).toContain('192710') // difficulty 10000
  })

  it('samples deterministically from the seed', () => {
    const a = sampleMessages(7, 20).map(encodeWireBody)
    expect(sampleMessages(7, 20).map(encodeWireBody)).toEqual(a)
    expect(sampleMessages(8, 20).map(encodeWireBody)).not.toEqual(a)
    expect(new Set(sampleMessages(7, 60).map((m) => m.type))).toEqual(new Set(['tx', 'block', 'blocks']))
  })

  it('makes typical messages smaller than deflate without it', () => {
    const bodies = sampleMessages(12_345, 80).map(encodeWireBody)
    const total = (id: number): number => bodies.reduce((n, b) => n + deflateWithDictionary(b, id).length, 0)
    expect(total(CURRENT_DICTIONARY_ID)).toBeLessThan(total(NO_DICTIONARY))
  })
})

describe('deflate with a preset dictionary', () => {
  it('round-trips with every dictionary and is plain raw deflate (readable by any zlib)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.constantFrom(...PRESET_DICTIONARIES.keys()), (data, id) => {
        const packed = deflateWithDictionary(data, id)
        expect(unwrap(inflateWithDictionary(packed, id, data.length))).toEqual(new Uint8Array(data))
        const dictionary = PRESET_DICTIONARIES.get(id) ?? new Uint8Array(0)
        const external = inflateRawSync(packed, dictionary.length > 0 ? { dictionary } : {})
        expect(new Uint8Array(external)).toEqual(new Uint8Array(data))
      }),
      { seed: 42, numRuns: 100 },
    )
  })

  it('caps the output: exactly the cap is fine, one byte less is ERR_DECOMPRESS', () => {
    const data = new Uint8Array(5000).fill(7)
    const packed = deflateWithDictionary(data, CURRENT_DICTIONARY_ID)
    expect(unwrap(inflateWithDictionary(packed, CURRENT_DICTIONARY_ID, 5000)).length).toBe(5000)
    const r = inflateWithDictionary(packed, CURRENT_DICTIONARY_ID, 4999)
    expect(r.ok || r.error.code).toBe('ERR_DECOMPRESS')
    const empty = deflateWithDictionary(new Uint8Array(0), NO_DICTIONARY)
    expect(unwrap(inflateWithDictionary(empty, NO_DICTIONARY, 0))).toEqual(new Uint8Array(0))
    expect(inflateWithDictionary(packed, CURRENT_DICTIONARY_ID, 0).ok).toBe(false)
  })

  it('stops a bomb at the cap instead of inflating it', () => {
    const bomb = deflateRawSync(new Uint8Array(64 * MIB))
    expect(bomb.length).toBeLessThan(70_000)
    const r = inflateWithDictionary(bomb, NO_DICTIONARY, MIB)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/exceeds 1048576 bytes/)
  })

  it('refuses the wrong dictionary, unknown ids and trailing bytes', () => {
    const body = DICTIONARY_1.slice(-200) // all of it is a back-reference into the dictionary
    const packed = deflateWithDictionary(body, CURRENT_DICTIONARY_ID)
    expect(packed.length).toBeLessThan(20)
    const wrong = inflateWithDictionary(packed, NO_DICTIONARY, MIB)
    expect(wrong.ok || wrong.error.message).toMatch(/too far back/)
    expect(inflateWithDictionary(packed, 6, MIB).ok).toBe(false)
    expect(() => deflateWithDictionary(body, 6)).toThrow(expect.objectContaining({ code: 'ERR_DECOMPRESS' }))
    const trailing = inflateWithDictionary(Uint8Array.of(...packed, 1, 2), CURRENT_DICTIONARY_ID, MIB)
    expect(trailing.ok || trailing.error.message).toMatch(/2 bytes after the end/)
  })

  it('never throws on garbage (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.integer({ min: -1, max: 8 }), (data, id) => {
        const r = inflateWithDictionary(data, id, 64 * 1024)
        if (!r.ok) expect(isCodecError(r.error, 'ERR_DECOMPRESS')).toBe(true)
        else expect(r.value.length).toBeLessThanOrEqual(64 * 1024)
      }),
      { seed: 42, numRuns: 1000 },
    )
  })
})
