import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Reassembler } from '../../codecs/fragment.js'
import { js8HuffmanFrames } from '../../codecs/js8-huffman.js'
import { isCodecError } from '../../codecs/errors.js'
import { unwrap } from '../../codecs/result.js'
import { directedMessageText, parseDirected, parseJs8Line } from '../../transports/js8call/api-messages.js'
import { planFragments } from '../../transports/js8call/fragment-plan.js'
import { decodeLinkFrame, encodeLinkFrame, linkFrameText, parseLinkFrameText, type LinkFrame } from '../../transports/js8call/link-frame.js'
import { dataFrames, estimateTransmission, headerFrames, speedFromCode } from '../../transports/js8call/speed.js'

const id = fc.integer({ min: 0, max: 127 })
const linkFrame: fc.Arbitrary<LinkFrame> = fc.oneof(
  fc.uint8Array({ minLength: 3, maxLength: 80 }).map((fragment) => ({ kind: 'data' as const, fragment })),
  fc.record({ messageId: id, payload: fc.uint8Array({ maxLength: 80 }) }).map((r) => ({ kind: 'whole' as const, ...r })),
  fc.uniqueArray(id, { minLength: 1, maxLength: 16 }).map((messageIds) => ({ kind: 'ack' as const, messageIds })),
  fc.record({ messageId: id, missing: fc.uniqueArray(fc.integer({ min: 0, max: 4095 }), { minLength: 1, maxLength: 20 }) })
    .map((r) => ({ kind: 'nack' as const, messageId: r.messageId, missing: [...r.missing].sort((a, b) => a - b) })),
  fc.record({ messageId: id, count: fc.integer({ min: 1, max: 4096 }) }).map((r) => ({ kind: 'poll' as const, ...r })),
)

describe('link frames', () => {
  it('round-trip through JS8 text, and every text starts with E (never a JS8 command)', () => {
    fc.assert(
      fc.property(linkFrame, (frame) => {
        const text = linkFrameText(frame)
        expect(text.startsWith('E')).toBe(true)
        expect(unwrap(parseLinkFrameText(text))).toEqual(frame)
        expect(unwrap(parseLinkFrameText(` ${text.toLowerCase()} `))).toEqual(frame) // JS8Call trims and upper-cases
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('refuses unknown kinds, short frames and damaged text without throwing', () => {
    expect(decodeLinkFrame(Uint8Array.of(0x90, 1, 2, 3))).toMatchObject({ ok: false, error: { code: 'ERR_UNKNOWN_VARIANT' } })
    expect(decodeLinkFrame(Uint8Array.of(0x80, 0, 0))).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_LENGTH' } })
    expect(decodeLinkFrame(Uint8Array.of(0x81))).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_LENGTH' } })
    expect(decodeLinkFrame(Uint8Array.of(0x82, 5, 0))).toMatchObject({ ok: false, error: { code: 'ERR_FRAGMENT' } }) // nack of nothing
    expect(decodeLinkFrame(Uint8Array.of(0x83, 5, 0, 0))).toMatchObject({ ok: false, error: { code: 'ERR_FRAGMENT' } }) // poll of 0
    expect(decodeLinkFrame(Uint8Array.of(0x84, 200))).toMatchObject({ ok: false, error: { code: 'ERR_FRAGMENT' } }) // id > 127
    expect(decodeLinkFrame(new Uint8Array())).toMatchObject({ ok: false })
    const text = linkFrameText({ kind: 'whole', messageId: 3, payload: Uint8Array.of(1, 2, 3, 4) })
    expect(parseLinkFrameText(text.slice(0, -2))).toMatchObject({ ok: false }) // a lost character
    expect(parseLinkFrameText('HELLO FROM A HUMAN')).toMatchObject({ ok: false })
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        expect(typeof parseLinkFrameText(s).ok).toBe('boolean')
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('refuses to write frames that cannot be read back', () => {
    const write = (f: LinkFrame) => () => encodeLinkFrame(f)
    expect(write({ kind: 'ack', messageIds: [] })).toThrow(/1–16 ids/)
    expect(write({ kind: 'nack', messageId: 1, missing: [] })).toThrow(/at least one/)
    expect(write({ kind: 'poll', messageId: 128, count: 1 })).toThrow(/message id 128/)
    const thrown = (() => {
      try {
        write({ kind: 'ack', messageIds: [1.5] })()
      } catch (e) {
        return e
      }
    })()
    expect(isCodecError(thrown, 'ERR_FRAGMENT')).toBe(true)
  })
})

describe('fragment plan', () => {
  it('sends a payload that fits in one transmission whole, without fragment header or CRC-32', () => {
    const frames = unwrap(planFragments(new Uint8Array(20), 9, 10, 'normal'))
    expect(frames).toEqual([{ kind: 'whole', messageId: 9, payload: new Uint8Array(20) }])
  })

  it('cuts larger payloads so every transmission fits, and they reassemble', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 60, maxLength: 600 }), fc.integer({ min: 3, max: 16 }), id, (payload, max, messageId) => {
        const frames = unwrap(planFragments(payload, messageId, max, 'normal'))
        const r = new Reassembler()
        let done: Uint8Array | undefined
        for (const f of frames) {
          expect(js8HuffmanFrames(linkFrameText(f))).toBeLessThanOrEqual(max)
          if (f.kind === 'whole') done = f.payload
          if (f.kind !== 'data') continue
          const out = unwrap(r.push(f.fragment, 'K1AAA'))
          if (out.status === 'complete') done = out.message
        }
        expect(done).toEqual(payload)
      }),
      { seed: 42, numRuns: 60 },
    )
  })

  it('uses as few transmissions as the frame limit allows (a 145-byte transaction: 2 at 10 frames)', () => {
    const tx = new Uint8Array(145).map((_, i) => (i * 151) & 0xff)
    expect(unwrap(planFragments(tx, 0, 10, 'normal'))).toHaveLength(2)
    expect(unwrap(planFragments(tx, 0, 24, 'normal'))).toHaveLength(1)
    expect(unwrap(planFragments(tx, 0, 4, 'normal')).length).toBeGreaterThan(4)
  })
})

describe('JS8 costs', () => {
  it('counts one header frame for standard calls and two for compound ones or custom groups', () => {
    expect(headerFrames('K1ABC', 'VE3XYZ')).toBe(1)
    expect(headerFrames('N0CALL', 'K1ABC')).toBe(2) // four-letter suffix: compound (real-peers.md)
    expect(headerFrames('K1ABC', '@BNKR')).toBe(2)
  })

  it('estimates JSC speeds above the Huffman count, and airtime per frame with PTT margin', () => {
    const text = linkFrameText({ kind: 'whole', messageId: 0, payload: new Uint8Array(40).fill(0x5a) })
    expect(dataFrames(text, 'normal')).toBe(js8HuffmanFrames(text))
    expect(dataFrames(text, 'turbo')).toBeGreaterThan(js8HuffmanFrames(text))
    const e = estimateTransmission('K1ABC', 'K2DEF', text, 'normal')
    expect(e.airtimeMs).toBe(e.frames * (12_640 + 500))
    expect([0, 1, 2, 4, 8].map(speedFromCode)).toEqual(['normal', 'fast', 'turbo', 'slow', undefined])
  })
})

describe('JS8Call API messages', () => {
  it('reads a real RX.DIRECTED (JS8Call 2.2.0 transcript): body without addressing or EOT', () => {
    const line =
      '{"params":{"CMD":" ","FROM":"N1CALL","GRID":" FN31","SNR":19,"TEXT":"N1CALL: N0CALL  HI FROM B ♢ ","TO":"N0CALL","OFFSET":1500,"_ID":-1},"type":"RX.DIRECTED","value":"N1CALL: N0CALL  HI FROM B ♢ "}'
    expect(parseDirected(unwrap(parseJs8Line(line)))).toEqual({ from: 'N1CALL', to: 'N0CALL', cmd: '', body: 'HI FROM B', snrDb: 19 })
  })

  it('writes directed messages as CALL TEXT, without a colon (a colon makes JS8Call send plain text)', () => {
    expect(directedMessageText('K2BBB', 'EQRR')).toBe('K2BBB EQRR')
  })

  it('reports lines that are not API messages as typed errors', () => {
    expect(parseJs8Line('not json')).toMatchObject({ ok: false, error: { code: 'ERR_JSON_SYNTAX' } })
    expect(parseJs8Line('[1,2]')).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_TYPE' } })
    expect(unwrap(parseJs8Line('{"type":"PING"}'))).toEqual({ type: 'PING', value: '', params: {} })
    expect(parseDirected(unwrap(parseJs8Line('{"type":"RX.DIRECTED","params":{"TO":"X"}}')))).toBeUndefined()
  })
})
