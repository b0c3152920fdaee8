import { blake3 } from '@noble/hashes/blake3.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { blake3Of32Into } from '../../codecs/blake3-32.js'
import { toHex } from '../../codecs/hex.js'

const hashOf = (input: Uint8Array): Uint8Array => {
  const out = new Uint8Array(32)
  blake3Of32Into(input, out)
  return out
}

describe('blake3Of32Into', () => {
  it('equals the general Blake3 of @noble/hashes on any 32 bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (input) => {
        expect(toHex(hashOf(input))).toBe(toHex(blake3(input)))
      }),
      { seed: 42, numRuns: 2_000 },
    )
  })

  it('equals it on the edge words: all zero, all 0xff, one bit set in each byte', () => {
    const inputs = [new Uint8Array(32), new Uint8Array(32).fill(0xff), ...Array.from({ length: 32 }, (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (i === j ? 0x80 : 0)))]
    for (const input of inputs) expect(toHex(hashOf(input))).toBe(toHex(blake3(input)))
  })

  it('hashes in place: input and output may be one array, as the VDF chain uses it', () => {
    const chain = new Uint8Array(32).fill(7)
    let reference = chain.slice()
    for (let i = 0; i < 100; i++) {
      blake3Of32Into(chain, chain)
      reference = blake3(reference)
    }
    expect(toHex(chain)).toBe(toHex(reference))
  })

  it('refuses arrays that are not 32 bytes', () => {
    expect(() => blake3Of32Into(new Uint8Array(31), new Uint8Array(32))).toThrow(RangeError)
    expect(() => blake3Of32Into(new Uint8Array(32), new Uint8Array(64))).toThrow(RangeError)
  })
})
