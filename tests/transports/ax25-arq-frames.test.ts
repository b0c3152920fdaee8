import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isCodecError } from '../../codecs/errors.js'
import { decodeArqFrame, encodeArqFrame, isArqInfo, seqAdd, seqDiff, type ArqFrame } from '../../transports/ax25/arq-frames.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const u16 = fc.integer({ min: 0, max: 0xffff })
const pollNo = fc.integer({ min: 0, max: 63 })
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max })

const frameArb: fc.Arbitrary<ArqFrame> = fc.oneof(
  bytes(1, 300).map((fragment) => ({ type: 'datagram' as const, fragment })),
  fc.record({ session: u16, seq: u16, poll: fc.boolean(), end: fc.boolean(), pollNo, payload: bytes(1, 300) }).map((f) => ({ type: 'data' as const, ...f })),
  fc.record({ session: u16, pollNo, next: u16, offsets: fc.uniqueArray(fc.integer({ min: 1, max: 256 }), { maxLength: 40 }) }).map(({ offsets, ...f }) => ({
    type: 'ack' as const, ...f, selective: [...offsets].sort((a, b) => a - b).map((o) => seqAdd(f.next, o)),
  })),
  fc.record({ session: u16, pollNo, next: u16 }).map((f) => ({ type: 'poll' as const, ...f })),
  u16.map((session) => ({ type: 'close' as const, session })),
)

describe('ARQ frame codec', () => {
  it('encodes the documented example byte for byte (docs/PROTOCOL.md §13.2)', () => {
    const ack = encodeArqFrame({ type: 'ack', session: 0x1234, pollNo: 5, next: 5, selective: [6, 8] })
    expect(hex(ack)).toBe('b21412340005' + '05')
    const data = encodeArqFrame({ type: 'data', session: 0xabcd, seq: 0xfffe, poll: true, end: true, pollNo: 63, payload: Uint8Array.of(0xc0) })
    expect(hex(data)).toBe('b1ffabcdfffec0')
    expect(hex(encodeArqFrame({ type: 'poll', session: 1, pollNo: 2, next: 3 }))).toBe('b30800010003')
    expect(hex(encodeArqFrame({ type: 'close', session: 0x0102 }))).toBe('b4000102')
    expect(hex(encodeArqFrame({ type: 'datagram', fragment: Uint8Array.of(1, 2, 3) }))).toBe('b0010203')
  })

  it('round-trips every frame (property)', () => {
    fc.assert(
      fc.property(frameArb, (frame) => {
        const decoded = decodeArqFrame(encodeArqFrame(frame))
        expect(decoded.ok && decoded.value).toEqual(frame)
      }),
      { seed: 42, numRuns: 500 },
    )
  })

  it('never throws on arbitrary input and reports ERR_AX25_INFO (property)', () => {
    fc.assert(
      fc.property(bytes(0, 64), (input) => {
        const decoded = decodeArqFrame(input)
        if (!decoded.ok) expect(isCodecError(decoded.error, 'ERR_AX25_INFO')).toBe(true)
      }),
      { seed: 42, numRuns: 2000 },
    )
  })

  it('rejects truncated, over-long and foreign information fields with a reason', () => {
    const cases: [string, string][] = [
      ['', 'not an ARQ frame'],
      ['3a4e30', 'not an ARQ frame'], // APRS ":N0"
      ['b5000000', 'unknown ARQ frame type 5'],
      ['b1000001', 'shorter than its 6-byte header'],
      ['b10000010002', 'without payload'],
      ['b300000100020a', 'expected 6'],
      ['b0', 'datagram without a fragment'],
      [`b20000010002${'ff'.repeat(33)}`, 'exceeds 32'],
    ]
    for (const [input, why] of cases) {
      const decoded = decodeArqFrame(Buffer.from(input, 'hex'))
      expect(decoded.ok).toBe(false)
      if (!decoded.ok) expect(decoded.error.message).toContain(why)
    }
  })

  it('refuses to encode a selective ack outside the bitmap or an empty data segment', () => {
    expect(() => encodeArqFrame({ type: 'ack', session: 1, pollNo: 0, next: 10, selective: [10] })).toThrow(/not within 1–256/)
    expect(() => encodeArqFrame({ type: 'ack', session: 1, pollNo: 0, next: 10, selective: [267] })).toThrow(/not within 1–256/)
    expect(() => encodeArqFrame({ type: 'data', session: 1, seq: 0, poll: false, end: false, pollNo: 0, payload: new Uint8Array(0) })).toThrow(/at least one byte/)
  })

  it('tells our frames from APRS by the marker nibble and does sequence arithmetic mod 65536', () => {
    expect(isArqInfo(Uint8Array.of(0xb2))).toBe(true)
    expect(isArqInfo(Uint8Array.of(0x3a))).toBe(false)
    expect(seqDiff(2, 0xfffe)).toBe(4)
    expect(seqDiff(0xfffe, 2)).toBe(-4)
    expect(seqAdd(0xffff, 2)).toBe(1)
  })
})
