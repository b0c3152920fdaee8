import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeLengthPrefixed, LengthPrefixDecoder, MAX_LENGTH_PREFIXED_FRAME } from '../../codecs/length-prefix.js'

function frames(events: ReturnType<LengthPrefixDecoder['push']>): number[][] {
  return events.map((e) => ('frame' in e ? [...e.frame] : [-1]))
}

describe('length-prefixed frames', () => {
  it('uses 1, 2 and 3 byte prefixes at the varint boundaries', () => {
    expect([...encodeLengthPrefixed(new Uint8Array(0))]).toEqual([0])
    expect(encodeLengthPrefixed(new Uint8Array(127))[0]).toBe(127)
    expect([...encodeLengthPrefixed(new Uint8Array(128)).subarray(0, 2)]).toEqual([0x80, 0x01])
    expect([...encodeLengthPrefixed(new Uint8Array(16384)).subarray(0, 3)]).toEqual([0x80, 0x80, 0x01])
    expect(() => encodeLengthPrefixed(new Uint8Array(MAX_LENGTH_PREFIXED_FRAME + 1))).toThrow(/exceeds/)
  })

  it('decodes a stream split at every position', () => {
    const payloads = [new Uint8Array([1, 2, 3]), new Uint8Array(200).fill(7), new Uint8Array(0), new Uint8Array([9])]
    const stream = Buffer.concat(payloads.map(encodeLengthPrefixed))
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new LengthPrefixDecoder(1000)
      const out = [...frames(d.push(stream.subarray(0, cut))), ...frames(d.push(stream.subarray(cut)))]
      expect(out).toEqual(payloads.map((p) => [...p]))
      expect(d.bufferedBytes).toBe(0)
    }
  })

  it('round-trips arbitrary frames under arbitrary chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), fc.array(fc.nat(50), { minLength: 1 }), (payloads, cuts) => {
        const stream = Buffer.concat(payloads.map(encodeLengthPrefixed))
        const d = new LengthPrefixDecoder(300)
        const out: number[][] = []
        let at = 0
        for (const c of cuts) {
          out.push(...frames(d.push(stream.subarray(at, at + c))))
          at += c
        }
        out.push(...frames(d.push(stream.subarray(at))))
        expect(out).toEqual(payloads.map((p) => [...p]))
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('fails the stream on an over-long or malformed length, without allocating it', () => {
    const d = new LengthPrefixDecoder(100)
    const [e] = d.push(Uint8Array.from([0xff, 0xff, 0x7f]))
    expect(e !== undefined && 'error' in e && e.error.code).toBe('ERR_FRAME_TOO_LONG')
    expect(d.push(encodeLengthPrefixed(new Uint8Array(1)))).toEqual([])
    const d2 = new LengthPrefixDecoder(100)
    expect(frames(d2.push(Uint8Array.from([0x80, 0x00])))).toEqual([[-1]])
    const d3 = new LengthPrefixDecoder(1 << 20)
    expect(frames(d3.push(Uint8Array.from([0xff, 0xff, 0xff, 0x01])))).toEqual([[-1]])
  })

  it('never throws on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => {
        const d = new LengthPrefixDecoder(64)
        for (const e of d.push(bytes)) if ('frame' in e) expect(e.frame.length).toBeLessThanOrEqual(64)
      }),
      { seed: 42, numRuns: 500 },
    )
  })
})
