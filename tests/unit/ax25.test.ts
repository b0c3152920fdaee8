import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatCallsign, parseCallsign } from '../../codecs/ax25-address.js'
import {
  AX25_S_KINDS,
  AX25_U_CONTROL,
  AX25_U_KINDS_WITH_INFO,
  AX25_U_KINDS_WITHOUT_INFO,
  decodeControl,
  encodeControl,
  type Ax25Control,
  type Ax25Modulo,
} from '../../codecs/ax25-control.js'
import { AX25_DEFAULT_MAX_INFO_LENGTH, decodeAx25Frame, encodeAx25Frame, type Ax25Frame } from '../../codecs/ax25.js'
import { checkFcs } from '../../codecs/fcs.js'
import { encodeKissFrame, KissCommand } from '../../codecs/kiss.js'
import { ax25Fixtures, UI_HELLO } from '../helpers/ax25-fixtures.js'
import { fromHex, toHex } from '../helpers/vectors.js'

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)
/** The UI fixture with its kind known to the type checker, for spreading. */
const HELLO = UI_HELLO.frame as Extract<Ax25Frame, { kind: 'UI' }>

/** Decode that must fail; returns the error code and message. */
function decodeError(bytes: Uint8Array, modulo: Ax25Modulo = 8, maxInfoLength?: number): { code: string; message: string } {
  const r = decodeAx25Frame(bytes, { modulo, maxInfoLength })
  if (r.ok) throw new Error(`expected a decode error, got ${JSON.stringify(r.value)}`)
  return { code: r.error.code, message: r.error.message }
}

/** The callsign error message for `text`, or the parsed address. */
function callsignMessage(text: string): string {
  const r = parseCallsign(text)
  if (r.ok) throw new Error(`expected ${text} to be rejected`)
  expect(r.error.code).toBe('ERR_CALLSIGN')
  return r.error.message
}

describe('fixed vectors', () => {
  for (const fixture of ax25Fixtures) {
    it(`${fixture.name}: encodes to the hand-derived bytes and decodes back`, () => {
      expect(toHex(encodeAx25Frame(fixture.frame))).toBe(fixture.hex)
      expect(decodeAx25Frame(fromHex(fixture.hex), { modulo: fixture.modulo })).toEqual({ ok: true, value: fixture.frame })
      const kiss = encodeKissFrame({ port: 0, command: KissCommand.Data, data: fromHex(fixture.hex) })
      expect(toHex(kiss)).toBe(fixture.kissHex)
    })
  }

  it('decodes a published APRS frame with two digipeaters and v1 C bits', () => {
    // VK4TEC>APU25N,RELAY,WIDE <UI>, hex as posted and taken apart byte by byte by Henk de Groot on
    // the TAPR aprssig list, 2004-09-04: http://lists.tapr.org/pipermail/aprssig_lists.tapr.org/2004-September/000661.html
    const hex = '82a0aa646a9c60' + 'ac9668a88a8660' + 'a48a9882b24060' + 'ae92888a404061' + '03f00d'
    const expected: Ax25Frame = {
      kind: 'UI',
      destination: { callsign: 'APU25N', ssid: 0 },
      source: { callsign: 'VK4TEC', ssid: 0 },
      digipeaters: [
        { callsign: 'RELAY', ssid: 0, repeated: false },
        { callsign: 'WIDE', ssid: 0, repeated: false },
      ],
      commandResponse: 'v1-00',
      pf: false,
      pid: 0xf0,
      info: Uint8Array.of(0x0d),
    }
    expect(decodeAx25Frame(fromHex(hex), { modulo: 8 })).toEqual({ ok: true, value: expected })
    expect(toHex(encodeAx25Frame(expected))).toBe(hex)
  })

  it('decodes a published off-air frame once its FCS checks', () => {
    // ACOM16-4>MADEUS, from "What kind of CRC16 is this?" (https://www.devhide.com/what-kind-of-crc16-is-this-77089953).
    const onAir = fromHex('9a82888aaaa660' + '82869e9a626c69' + '03f0' + toHex(ascii('this is a test message.')) + '0ac5')
    expect(checkFcs(onAir)).toBe(true)
    const r = decodeAx25Frame(onAir.subarray(0, -2), { modulo: 8 })
    expect(r.ok && [r.value.source, r.value.destination, r.value.kind]).toEqual([
      { callsign: 'ACOM16', ssid: 4 },
      { callsign: 'MADEUS', ssid: 0 },
      'UI',
    ])
  })
})

describe('callsigns', () => {
  it('parses and formats CALL and CALL-SSID', () => {
    expect(parseCallsign('N0CALL-7')).toEqual({ ok: true, value: { callsign: 'N0CALL', ssid: 7 } })
    expect(parseCallsign('K1A')).toEqual({ ok: true, value: { callsign: 'K1A', ssid: 0 } })
    expect(parseCallsign('N0CALL-15')).toEqual({ ok: true, value: { callsign: 'N0CALL', ssid: 15 } })
    expect(formatCallsign({ callsign: 'N0CALL', ssid: 7 })).toBe('N0CALL-7')
    expect(formatCallsign({ callsign: 'N0CALL', ssid: 0 })).toBe('N0CALL')
  })

  it('names what is wrong', () => {
    expect(callsignMessage('n0call-7')).toContain('lower-case letters')
    expect(callsignMessage('N0CALLXX')).toContain('more than 6 characters (8)')
    expect(callsignMessage('N0CALL-16')).toContain('SSID 16 out of range 0–15')
    expect(callsignMessage('N0CALL-')).toContain('is not a number')
    expect(callsignMessage('N0CALL-1-2')).toContain('is not a number')
    expect(callsignMessage('N0/CAL')).toContain('invalid character "/"')
    expect(callsignMessage('')).toContain('empty')
    expect(callsignMessage('-3')).toContain('empty')
    // Several problems at once are all named.
    const both = callsignMessage('n0callxx')
    expect(both).toContain('more than 6 characters')
    expect(both).toContain('lower-case letters')
  })

  it('normalises typed input only when asked', () => {
    expect(parseCallsign(' n0call-7 ', { normalise: true })).toEqual({ ok: true, value: { callsign: 'N0CALL', ssid: 7 } })
    expect(parseCallsign(' N0CALL').ok).toBe(false)
  })

  it('refuses to encode an invalid callsign with a message naming it', () => {
    const frame = { ...UI_HELLO.frame, source: { callsign: 'n0call', ssid: 1 } }
    expect(() => encodeAx25Frame(frame)).toThrow(/lower-case letters[\s\S]*at source\.callsign/)
    expect(() => encodeAx25Frame(frame)).toThrow(expect.objectContaining({ code: 'ERR_AX25_FRAME' }))
    expect(() => encodeAx25Frame({ ...UI_HELLO.frame, source: { callsign: 'N0CALL', ssid: 16 } })).toThrow(/SSID out of range/)
  })
})

describe('control field', () => {
  it('has the AX.25 U frame values, P/F at 0x10', () => {
    const bytes = (kind: keyof typeof AX25_U_CONTROL, pf: boolean): string => toHex(Uint8Array.from(encodeControl({ kind, pf })))
    expect(Object.keys(AX25_U_CONTROL).map((k) => bytes(k as keyof typeof AX25_U_CONTROL, false))).toEqual([
      '6f', '2f', '43', '0f', '63', '87', '03', 'af', 'e3',
    ])
    expect(bytes('SABM', true)).toBe('3f')
    expect(bytes('UI', true)).toBe('13')
  })

  it('lays out I and S frames for modulo 8 and 128', () => {
    const cases: [Ax25Control, string][] = [
      [{ kind: 'I', modulo: 8, ns: 3, nr: 5, pf: true }, 'b6'],
      [{ kind: 'I', modulo: 128, ns: 100, nr: 127, pf: false }, 'c8fe'],
      [{ kind: 'RR', modulo: 8, nr: 7, pf: false }, 'e1'],
      [{ kind: 'RNR', modulo: 8, nr: 0, pf: true }, '15'],
      [{ kind: 'REJ', modulo: 8, nr: 2, pf: false }, '49'],
      [{ kind: 'SREJ', modulo: 128, nr: 64, pf: true }, '0d81'],
    ]
    for (const [control, hex] of cases) {
      expect(toHex(Uint8Array.from(encodeControl(control)))).toBe(hex)
      const modulo = 'modulo' in control ? control.modulo : 8
      expect(decodeControl(fromHex(hex), 0, modulo)).toEqual({ ok: true, value: { control, length: hex.length / 2 } })
    }
  })

  it('keeps U frames at one byte in modulo 128', () => {
    expect(decodeControl(Uint8Array.of(0x7f), 0, 128)).toEqual({ ok: true, value: { control: { kind: 'SABME', pf: true }, length: 1 } })
  })

  it('rejects unknown U frames, reserved bits in modulo-128 S frames and a missing second byte', () => {
    for (const [bytes, modulo, text] of [
      [Uint8Array.of(0x07), 8, 'unknown U frame control byte 0x07'],
      [Uint8Array.of(0x21, 0x00), 128, 'reserved bits'],
      [Uint8Array.of(0x00), 128, 'needs 2 bytes'],
    ] as const) {
      const r = decodeControl(bytes, 0, modulo)
      expect(!r.ok && r.error.code).toBe('ERR_AX25_FRAME')
      expect(!r.ok && r.error.message).toContain(text)
    }
  })
})

describe('decodeAx25Frame rejects malformed frames with a specific message', () => {
  const header = UI_HELLO.hex.slice(0, 28) // two addresses, extension bit on the source
  const withoutExtension = header.slice(0, 26) + '62' // source SSID byte with X cleared

  const cases: [string, string, RegExp, Ax25Modulo?][] = [
    ['14 bytes', header, /14 bytes, shorter than the 15-byte minimum/],
    ['no extension bit at all', withoutExtension + '03f0', /frame ends inside address 3/],
    ['no extension bit within 10 addresses', withoutExtension + withoutExtension.slice(0, 28).repeat(4) + '03f0', /within 10 addresses/],
    ['extension bit on the destination', UI_HELLO.hex.slice(0, 12) + 'e5' + UI_HELLO.hex.slice(14), /extension bit set on the destination/],
    ['"/" in a callsign', '5e' + UI_HELLO.hex.slice(2), /destination address, byte 0: 0x5E is "\/", not A–Z or 0–9/],
    ['lower-case in a callsign', UI_HELLO.hex.slice(0, 14) + 'dc' + UI_HELLO.hex.slice(16), /source address, byte 0: 0xDC is "n"/],
    ['low bit set in a callsign byte', '9d' + UI_HELLO.hex.slice(2), /low bit set/],
    ['letter after the space padding', '9c40' + UI_HELLO.hex.slice(4), /after the space padding/],
    ['all-space callsign', '404040404040' + UI_HELLO.hex.slice(12), /all spaces/],
    ['UI without PID', header + '03', /UI frame ends before its PID byte/],
    ['I without PID (modulo 128)', header + '0000', /I frame ends before its PID byte/, 128],
    ['SABM with an info byte', header + '2f00', /SABM frame must not have an information field, found 1 bytes/],
    ['RR with info', header + '0100', /RR frame must not have an information field/],
    ['unknown U frame', header + '07', /unknown U frame control byte 0x07/],
  ]
  for (const [name, hex, message, modulo] of cases) {
    it(name, () => {
      const e = decodeError(fromHex(hex), modulo)
      expect(e.code).toBe('ERR_AX25_FRAME')
      expect(e.message).toMatch(message)
    })
  }

  it('caps the information field (default 2048 bytes) with ERR_FRAME_TOO_LONG', () => {
    const frame = (n: number): Uint8Array => encodeAx25Frame({ ...HELLO, info: new Uint8Array(n) })
    expect(decodeAx25Frame(frame(AX25_DEFAULT_MAX_INFO_LENGTH), { modulo: 8 }).ok).toBe(true)
    expect(decodeError(frame(AX25_DEFAULT_MAX_INFO_LENGTH + 1))).toEqual({
      code: 'ERR_FRAME_TOO_LONG',
      message: 'AX.25 information field of 2049 bytes exceeds 2048',
    })
    expect(decodeError(frame(11), 8, 10).code).toBe('ERR_FRAME_TOO_LONG')
  })

  it('ignores the reserved SSID bits, as every implementation does', () => {
    const bytes = fromHex(UI_HELLO.hex)
    bytes[6]! &= ~0x60
    bytes[13]! &= ~0x60
    expect(decodeAx25Frame(bytes, { modulo: 8 })).toEqual({ ok: true, value: UI_HELLO.frame })
  })
})

describe('encodeAx25Frame', () => {
  it('carries 8 digipeaters with their H bits and sets the extension bit on the last one only', () => {
    const digipeaters = Array.from({ length: 8 }, (_, i) => ({ callsign: `DIGI${i}`, ssid: i, repeated: i < 3 }))
    const frame: Ax25Frame = { ...UI_HELLO.frame, digipeaters }
    const bytes = encodeAx25Frame(frame)
    const ssidBytes = Array.from({ length: 10 }, (_, i) => bytes[i * 7 + 6]!)
    expect(ssidBytes.map((b) => b & 1)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    expect(ssidBytes.slice(2).map((b) => b >> 7)).toEqual([1, 1, 1, 0, 0, 0, 0, 0])
    expect(ssidBytes.every((b) => (b & 0x60) === 0x60)).toBe(true)
    expect(decodeAx25Frame(bytes, { modulo: 8 })).toEqual({ ok: true, value: frame })
  })

  it('rejects 9 digipeaters, sequence numbers beyond the modulo and a PID on a frame that has none', () => {
    const digi = { callsign: 'WIDE1', ssid: 1, repeated: false }
    expect(() => encodeAx25Frame({ ...UI_HELLO.frame, digipeaters: Array.from({ length: 9 }, () => digi) })).toThrow(
      expect.objectContaining({ code: 'ERR_AX25_FRAME' }),
    )
    const { pid, info, ...addressing } = HELLO
    const rr = { ...addressing, kind: 'RR', modulo: 8, nr: 8, pf: false } as const
    expect(() => encodeAx25Frame(rr)).toThrow(/N\(R\) 8 out of range 0–7 for modulo 8/)
    expect(() => encodeAx25Frame({ ...rr, kind: 'I', ns: 9, nr: 0, pid, info })).toThrow(/N\(S\) 9 out of range/)
    expect(encodeAx25Frame({ ...rr, nr: 8, modulo: 128 }).length).toBe(16)
    expect(() => encodeAx25Frame({ ...rr, nr: 0, pid } as Ax25Frame)).toThrow(/Unrecognized key.*pid/)
    expect(() => encodeAx25Frame({ ...addressing, kind: 'SABM', pf: true, info } as Ax25Frame)).toThrow(/Unrecognized key.*info/)
  })
})

const arbCallsign = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 1, maxLength: 6 })
const arbSsid = fc.integer({ min: 0, max: 15 })
const arbAddressing = fc.record({
  destination: fc.record({ callsign: arbCallsign, ssid: arbSsid }),
  source: fc.record({ callsign: arbCallsign, ssid: arbSsid }),
  digipeaters: fc.array(fc.record({ callsign: arbCallsign, ssid: arbSsid, repeated: fc.boolean() }), { maxLength: 8 }),
  commandResponse: fc.constantFrom('command', 'response', 'v1-00', 'v1-11' as const),
})
const arbInfo = fc.uint8Array({ maxLength: 300 })
const arbPid = fc.integer({ min: 0, max: 255 })
const arbSequenced = fc.constantFrom<Ax25Modulo>(8, 128).chain((modulo) =>
  fc.record({ modulo: fc.constant(modulo), ns: fc.nat(modulo - 1), nr: fc.nat(modulo - 1), pf: fc.boolean() }),
)
const arbKindPart = fc.oneof(
  arbSequenced.chain((s) => fc.record({ pid: arbPid, info: arbInfo }).map((rest) => ({ ...s, kind: 'I' as const, ...rest }))),
  arbSequenced.chain(({ modulo, nr, pf }) => fc.constantFrom(...AX25_S_KINDS).map((kind) => ({ kind, modulo, nr, pf }))),
  fc.record({ kind: fc.constant('UI' as const), pf: fc.boolean(), pid: arbPid, info: arbInfo }),
  fc.record({ kind: fc.constantFrom(...AX25_U_KINDS_WITH_INFO), pf: fc.boolean(), info: arbInfo }),
  fc.record({ kind: fc.constantFrom(...AX25_U_KINDS_WITHOUT_INFO), pf: fc.boolean() }),
)
const arbFrame: fc.Arbitrary<Ax25Frame> = fc.tuple(arbAddressing, arbKindPart).map(([a, k]) => ({ ...a, ...k }) as Ax25Frame)
const moduloOf = (frame: Ax25Frame): Ax25Modulo => ('modulo' in frame ? frame.modulo : 8)

/** Input bytes with the reserved SSID bits set, i.e. what re-encoding a decoded frame gives. */
function withReservedBits(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes)
  for (let at = 6; at < out.length; at += 7) {
    out[at]! |= 0x60
    if (out[at]! & 1) break
  }
  return out
}

describe('AX.25 properties', () => {
  it('decode(encode(frame)) = frame', () => {
    fc.assert(
      fc.property(arbFrame, (frame) => {
        expect(decodeAx25Frame(encodeAx25Frame(frame), { modulo: moduloOf(frame) })).toEqual({ ok: true, value: frame })
      }),
      { seed: 42, numRuns: 500 },
    )
  })

  it('never throws on garbage or damaged frames, and whatever it accepts re-encodes to the same bytes', () => {
    const damaged = fc
      .tuple(arbFrame, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.nat())
      .map(([frame, edits, cut]) => {
        const bytes = encodeAx25Frame(frame)
        for (const [at, value] of edits) bytes[at % bytes.length] = value
        return bytes.subarray(0, bytes.length - (cut % 3))
      })
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), damaged), fc.constantFrom<Ax25Modulo>(8, 128), (bytes, modulo) => {
        const r = decodeAx25Frame(bytes, { modulo })
        if (r.ok) expect(toHex(encodeAx25Frame(r.value))).toBe(toHex(withReservedBits(bytes)))
        else expect(['ERR_AX25_FRAME', 'ERR_FRAME_TOO_LONG']).toContain(r.error.code)
      }),
      { seed: 42, numRuns: 1000 },
    )
  })
})
