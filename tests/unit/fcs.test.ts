import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { appendFcs, checkFcs, fcs16 } from '../../codecs/fcs.js'
import { fromHex, toHex } from '../helpers/vectors.js'

/** Bit-at-a-time CRC-16/X-25 straight from the definition, to check the table-driven version. */
function slowFcs(bytes: Uint8Array): number {
  let crc = 0xffff
  for (const byte of bytes) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1
  }
  return crc ^ 0xffff
}

/**
 * An AX.25 UI frame with its FCS as captured off air, ACOM16-4>MADEUS "this is a test message.",
 * published in the question "What kind of CRC16 is this?" (mirror:
 * https://www.devhide.com/what-kind-of-crc16-is-this-77089953); the last two bytes 0A C5 are the FCS.
 */
const PUBLISHED_FRAME =
  '9a82888aaaa660' + '82869e9a626c69' + '03f0' + '7468697320697320612074657374206d6573736167652e' + '0ac5'

describe('fcs16 (CRC-16/X-25)', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(fcs16(new TextEncoder().encode('123456789'))).toBe(0x906e)
  })

  it('gives 0x0000 for no bytes (0xFFFF inverted)', () => {
    expect(fcs16(new Uint8Array(0))).toBe(0x0000)
  })

  it('matches the FCS of a published AX.25 frame, sent low byte first', () => {
    const frame = fromHex(PUBLISHED_FRAME)
    expect(fcs16(frame.subarray(0, -2))).toBe(0xc50a)
    expect(checkFcs(frame)).toBe(true)
    expect(toHex(appendFcs(frame.subarray(0, -2)))).toBe(PUBLISHED_FRAME)
  })

  it('agrees with the bit-at-a-time definition on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => fcs16(bytes) === slowFcs(bytes)),
      { seed: 42, numRuns: 300 },
    )
  })
})

describe('appendFcs / checkFcs', () => {
  it('appends two bytes, low byte first, without touching the input', () => {
    const body = new TextEncoder().encode('123456789')
    const framed = appendFcs(body)
    expect(toHex(framed.subarray(9))).toBe('6e90')
    expect(framed.subarray(0, 9)).toEqual(body)
    expect(body.length).toBe(9)
  })

  it('accepts what appendFcs produced and rejects any single bit flip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), (body, flip) => {
        const framed = appendFcs(body)
        expect(checkFcs(framed)).toBe(true)
        const bit = flip % (framed.length * 8)
        framed[bit >> 3]! ^= 1 << (bit & 7)
        expect(checkFcs(framed)).toBe(false)
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('rejects input shorter than the FCS', () => {
    expect(checkFcs(new Uint8Array(0))).toBe(false)
    expect(checkFcs(Uint8Array.of(0xff))).toBe(false)
    // Two bytes is an empty body whose FCS is 0x0000.
    expect(checkFcs(Uint8Array.of(0, 0))).toBe(true)
  })
})
