import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CodecError } from '../../codecs/errors.js'
import type { Result } from '../../codecs/result.js'
import { decodeSyncInfo, encodeSyncInfo, SyncInfoSchema, type SyncInfo } from '../../codecs/sync-info.js'
import { vectors } from '../helpers/vectors.js'

function codeOf(r: Result<SyncInfo>): string {
  if (r.ok) throw new Error('expected a failure')
  return r.error.code
}

const HASH = vectors.sync.latest_hash

describe('SyncInfo (GET /sync body)', () => {
  it('decodes and re-encodes the vectors byte for byte, empty chain included', () => {
    for (const json of [vectors.sync.json, vectors.sync.empty_chain_json]) {
      const r = decodeSyncInfo(json)
      expect(r.ok).toBe(true)
      if (r.ok) expect(encodeSyncInfo(r.value)).toBe(json)
    }
    expect(decodeSyncInfo(vectors.sync.json)).toEqual({ ok: true, value: { height: vectors.sync.height, latest_hash: HASH } })
    expect(encodeSyncInfo({ height: vectors.sync.height, latest_hash: HASH })).toBe(vectors.sync.json)
  })

  it('follows serde struct rules: any order, unknown fields ignored, whitespace, bytes', () => {
    const expected = { ok: true, value: { height: 6, latest_hash: HASH } }
    expect(decodeSyncInfo(` { "latest_hash" : "${HASH}", "peers": [1, {"a": null}], "height": 6 }\r`)).toEqual(expected)
    expect(decodeSyncInfo(Buffer.from(vectors.sync.json))).toEqual(expected)
    expect(decodeSyncInfo(`[6,"${HASH}"]`)).toEqual(expected)
  })

  it.each([
    ['missing field', `{"height":6}`, 'ERR_MISSING_FIELD'],
    ['duplicate field', `{"height":6,"height":7,"latest_hash":"${HASH}"}`, 'ERR_DUPLICATE_FIELD'],
    ['height as a string', `{"height":"6","latest_hash":"${HASH}"}`, 'ERR_INVALID_TYPE'],
    ['negative height', `{"height":-1,"latest_hash":"${HASH}"}`, 'ERR_NUMBER_RANGE'],
    ['height above 2^53-1', `{"height":9007199254740992,"latest_hash":"${HASH}"}`, 'ERR_NUMBER_RANGE'],
    ['upper-case hash', `{"height":6,"latest_hash":"${HASH.toUpperCase()}"}`, 'ERR_INVALID_TYPE'],
    ['short hash', `{"height":6,"latest_hash":"${HASH.slice(2)}"}`, 'ERR_INVALID_TYPE'],
    ['hash as bytes', `{"height":6,"latest_hash":[1,2]}`, 'ERR_INVALID_TYPE'],
    ['trailing characters', `${vectors.sync.json}x`, 'ERR_TRAILING_CHARACTERS'],
    ['empty body', '', 'ERR_EMPTY_LINE'],
  ])('rejects %s', (_name, text, code) => {
    expect(codeOf(decodeSyncInfo(text))).toBe(code)
  })

  it('names the field in an error', () => {
    const r = decodeSyncInfo(`{"height":6,"latest_hash":"xyz"}`)
    expect(r.ok ? '' : r.error.message).toBe('latest_hash: expected 64 lowercase hex characters (a 32-byte hash) at line 1 column 31')
  })

  it('refuses to encode what the schema refuses', () => {
    expect(() => encodeSyncInfo({ height: 1.5, latest_hash: HASH })).toThrow(CodecError)
    expect(() => encodeSyncInfo({ height: 1, latest_hash: 'not-hex' })).toThrow(/latest_hash/)
    expect(SyncInfoSchema.safeParse({ height: 0, latest_hash: '0'.repeat(64) }).success).toBe(true)
  })

  it('round-trips any valid SyncInfo (property)', () => {
    const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'))
    fc.assert(
      fc.property(fc.record({ height: fc.maxSafeNat(), latest_hash: hash }), (info) => {
        const text = encodeSyncInfo(info)
        expect(text).toBe(JSON.stringify(info))
        expect(decodeSyncInfo(text)).toEqual({ ok: true, value: info })
      }),
      { seed: 42, numRuns: 300 },
    )
  })
})
