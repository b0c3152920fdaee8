import { Readable } from 'node:stream'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { isCodecError } from '../../codecs/errors.js'
import {
  encodeKissFrame,
  encodeSetHardware,
  FEND,
  FESC,
  KISS_DEFAULT_MAX_FRAME_LENGTH,
  kissCommand,
  KissCommand,
  kissReturn,
  parseSetHardware,
  parseTxBufReply,
  type KissFrame,
} from '../../codecs/kiss.js'
import { KISS_NOISE_CHUNK_LENGTH, KissDecoder, type KissDecoderOptions, type KissEvent } from '../../codecs/kiss-decoder.js'
import { KissDecodeStream } from '../../codecs/kiss-stream.js'
import { ax25Fixtures } from '../helpers/ax25-fixtures.js'
import { fromHex, toHex } from '../helpers/vectors.js'

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)
const data = (port: number, bytes: Uint8Array): KissFrame => ({ port, command: KissCommand.Data, data: bytes })
const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]))

/** Decodes `bytes` in one go, then ends the stream. */
function decodeAll(bytes: Uint8Array, options?: KissDecoderOptions): KissEvent[] {
  const decoder = new KissDecoder(options)
  return [...decoder.push(bytes), ...decoder.end()]
}

/** Decodes `bytes` cut at the given positions. */
function decodeChunked(bytes: Uint8Array, cuts: number[], options?: KissDecoderOptions): KissEvent[] {
  const decoder = new KissDecoder(options)
  const events: KissEvent[] = []
  let from = 0
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    events.push(...decoder.push(bytes.subarray(from, cut)))
    from = cut
  }
  return [...events, ...decoder.push(bytes.subarray(from)), ...decoder.end()]
}

const frames = (events: KissEvent[]): KissFrame[] => events.flatMap((e) => (e.type === 'frame' ? [e.frame] : []))
const codes = (events: KissEvent[]): string[] => events.flatMap((e) => (e.type === 'error' ? [e.error.code] : []))
const noiseText = (events: KissEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'noise' ? [Buffer.from(e.bytes).toString('latin1')] : []))

/** Events as one string: deep-comparing 256 events a thousand times is slow, comparing strings is not. */
const fingerprint = (events: KissEvent[]): string =>
  events
    .map((e) => (e.type === 'frame' ? `${e.frame.port}/${e.frame.command}:${toHex(e.frame.data)}` : e.type === 'noise' ? `~${toHex(e.bytes)}` : e.error.code))
    .join(' ')

const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i)
const singleByteFrames = [...allBytes].map((b) => data(0, Uint8Array.of(b)))

describe('encodeKissFrame', () => {
  it('escapes FEND and FESC in the data, and does not re-escape what it wrote', () => {
    expect(toHex(encodeKissFrame(data(0, Uint8Array.of(0x01, FEND, FESC, 0x02))))).toBe('c00001dbdcdbdd02c0')
    // A literal DB DC in the data must come out as DB DD DC, not be mistaken for an escape.
    expect(toHex(encodeKissFrame(data(0, Uint8Array.of(0xdb, 0xdc))))).toBe('c000dbdddcc0')
  })

  it('escapes the two type bytes that collide: port 12 data (0xC0) and port 13 command 11 (0xDB)', () => {
    expect(toHex(encodeKissFrame(data(12, Uint8Array.of(0x42))))).toBe('c0dbdc42c0')
    expect(toHex(encodeKissFrame({ port: 13, command: 11, data: new Uint8Array(0) }))).toBe('c0dbddc0')
    expect(toHex(encodeKissFrame(data(13, new Uint8Array(0))))).toBe('c0d0c0')
    const escaped: number[] = []
    for (let port = 0; port < 16; port++) {
      for (let command = 0; command < 16; command++) {
        if (port === 15 && command === 15) continue
        const wire = encodeKissFrame({ port, command, data: new Uint8Array(0) })
        if (wire.length === 4) escaped.push((port << 4) | command)
        expect(frames(decodeAll(wire))).toEqual([{ port, command, data: new Uint8Array(0) }])
      }
    }
    expect(escaped).toEqual([0xc0, 0xdb])
  })

  it('can leave out the leading FEND', () => {
    expect(toHex(encodeKissFrame(data(1, Uint8Array.of(7)), { leadingFend: false }))).toBe('1007c0')
  })

  it('rejects out-of-range ports and commands, and the two spellings of Return mixed up', () => {
    const bad: KissFrame[] = [
      data(16, new Uint8Array(0)),
      { port: 0, command: 16, data: new Uint8Array(0) },
      { port: 0, command: KissCommand.Return, data: new Uint8Array(0) },
      { port: 15, command: 15, data: new Uint8Array(0) },
    ]
    for (const frame of bad) expect(() => encodeKissFrame(frame)).toThrow(expect.objectContaining({ code: 'ERR_KISS_PROTOCOL' }))
  })
})

describe('command helpers', () => {
  it('builds parameter commands and Return', () => {
    expect(toHex(kissCommand(0, KissCommand.TxDelay, 30))).toBe('c0011ec0')
    expect(toHex(kissCommand(3, KissCommand.Persistence, 63))).toBe('c0323fc0')
    expect(toHex(kissCommand(1, KissCommand.SlotTime, 10))).toBe('c0130ac0')
    expect(toHex(kissCommand(0, KissCommand.TxTail, 0xc0))).toBe('c004dbdcc0')
    expect(toHex(kissCommand(0, KissCommand.FullDuplex, 1))).toBe('c00501c0')
    expect(toHex(kissReturn())).toBe('c0ffc0')
    expect(frames(decodeAll(kissReturn()))).toEqual([{ port: 15, command: KissCommand.Return, data: new Uint8Array(0) }])
  })

  it('rejects values outside one byte', () => {
    for (const value of [-1, 256, 1.5]) {
      expect(() => kissCommand(0, KissCommand.TxDelay, value)).toThrow(expect.objectContaining({ code: 'ERR_KISS_PROTOCOL' }))
    }
  })

  it('builds Direwolf SetHardware queries and parses the replies', () => {
    expect(toHex(encodeSetHardware(0, 'TXBUF'))).toBe(`c006${toHex(ascii('TXBUF:'))}c0`)
    expect(parseTxBufReply(ascii('TXBUF:1234'))).toEqual({ ok: true, value: 1234 })
    expect(parseSetHardware(ascii('TNC:DIREWOLF 9.9'))).toEqual({ ok: true, value: { name: 'TNC', value: 'DIREWOLF 9.9' } })
    // Direwolf's code answers TNC: without the prefix.
    expect(parseSetHardware(ascii('DIREWOLF 1.7'))).toEqual({ ok: true, value: { name: undefined, value: 'DIREWOLF 1.7' } })
  })

  it('reports malformed SetHardware texts as ERR_KISS_PROTOCOL', () => {
    for (const reply of [ascii('TXBUF:'), ascii('TXBUF:12a'), ascii('TNC:1'), Uint8Array.of(0x54, 0x00), new Uint8Array(300).fill(0x41)]) {
      const r = parseTxBufReply(reply)
      expect(!r.ok && r.error.code).toBe('ERR_KISS_PROTOCOL')
    }
    expect(() => encodeSetHardware(0, 'txbuf')).toThrow(expect.objectContaining({ code: 'ERR_KISS_PROTOCOL' }))
    expect(() => encodeSetHardware(0, 'TXBUF', 'a\rb')).toThrow(expect.objectContaining({ code: 'ERR_KISS_PROTOCOL' }))
  })
})

describe('KissDecoder golden round trips (all 256 byte values)', () => {
  const oneFrame = data(0, allBytes)
  const streams = {
    'one frame of 0x00..0xFF, leading FEND': { wire: encodeKissFrame(oneFrame), expected: [oneFrame], options: {} },
    'one frame of 0x00..0xFF, no leading FEND': {
      wire: encodeKissFrame(oneFrame, { leadingFend: false }),
      expected: [oneFrame],
      options: { requireLeadingFend: false },
    },
    '256 single-byte frames, leading FEND': {
      wire: concat(singleByteFrames.map((f) => encodeKissFrame(f))),
      expected: singleByteFrames,
      options: {},
    },
    '256 single-byte frames, no leading FEND': {
      wire: concat(singleByteFrames.map((f) => encodeKissFrame(f, { leadingFend: false }))),
      expected: singleByteFrames,
      options: { requireLeadingFend: false },
    },
  }

  for (const [name, { wire, expected, options }] of Object.entries(streams)) {
    it(`${name}: whole, split at every position, and byte by byte`, () => {
      const whole = decodeAll(wire, options)
      expect(whole.every((e) => e.type === 'frame')).toBe(true)
      expect(frames(whole)).toEqual(expected)
      const print = fingerprint(whole)
      for (let cut = 1; cut < wire.length; cut++) {
        if (fingerprint(decodeChunked(wire, [cut], options)) !== print) expect.fail(`split at ${cut} decodes differently`)
      }
      expect(decodeChunked(wire, Array.from({ length: wire.length }, (_, i) => i), options)).toEqual(whole)
    })
  }

  it('escapes exactly the 0xC0 and 0xDB data bytes (2 extra bytes for the full range)', () => {
    expect(encodeKissFrame(oneFrame).length).toBe(2 + 1 + 256 + 2)
  })
})

describe('KissDecoder framing rules', () => {
  it('decodes several frames in one chunk, ports in the high nibble', () => {
    const wire = concat([encodeKissFrame(data(0, ascii('a'))), encodeKissFrame(data(5, ascii('b'))), kissCommand(2, KissCommand.TxDelay, 50)])
    expect(frames(decodeAll(wire))).toEqual([
      data(0, ascii('a')),
      data(5, ascii('b')),
      { port: 2, command: KissCommand.TxDelay, data: Uint8Array.of(50) },
    ])
  })

  it('treats back-to-back FENDs as no frame', () => {
    expect(decodeAll(fromHex('c0c0c0000102c0c0c0'))).toEqual([{ type: 'frame', frame: data(0, Uint8Array.of(1, 2)) }])
    // An idle FEND, then a frame: the second FEND opens it.
    expect(frames(decodeAll(fromHex('c0c00007c0')))).toEqual([data(0, Uint8Array.of(7))])
    expect(decodeAll(fromHex('c0c0'))).toEqual([])
  })

  it('reports init strings and banners outside frames as noise, line by line, never as frames', () => {
    const ui = fromHex(ax25Fixtures[0]!.kissHex)
    const wire = concat([ascii('KISS ON\rRESTART\r'), ui, ascii('cmd:'), ui])
    const events = decodeAll(wire)
    expect(events.map((e) => e.type)).toEqual(['noise', 'noise', 'frame', 'noise', 'frame'])
    expect(noiseText(events)).toEqual(['KISS ON\r', 'RESTART\r', 'cmd:'])
    expect(frames(events).map((f) => toHex(f.data))).toEqual([ax25Fixtures[0]!.hex, ax25Fixtures[0]!.hex])
  })

  it('bounds noise: at most 64 bytes per event, all bytes accounted for', () => {
    const events = decodeAll(new Uint8Array(1000).fill(0x41))
    expect(events.every((e) => e.type === 'noise' && e.bytes.length <= KISS_NOISE_CHUNK_LENGTH)).toBe(true)
    expect(events.reduce((n, e) => n + (e.type === 'noise' ? e.bytes.length : 0), 0)).toBe(1000)
  })

  it('loses every other frame of a shared-FEND sender as noise by default, and none with requireLeadingFend: false', () => {
    const wire = fromHex('c00001c00002c00003c00004c0')
    expect(frames(decodeAll(wire)).map((f) => f.data[0])).toEqual([1, 3])
    expect(noiseText(decodeAll(wire))).toEqual(['\x00\x02', '\x00\x04'])
    expect(frames(decodeAll(wire, { requireLeadingFend: false })).map((f) => f.data[0])).toEqual([1, 2, 3, 4])
  })

  it('reports a byte after FESC that is not TFEND/TFESC, keeps it and goes on (spec: no action taken)', () => {
    const events = decodeAll(fromHex('c0000141db4202c0'))
    expect(codes(events)).toEqual(['ERR_KISS_PROTOCOL'])
    expect(events[0]?.type).toBe('error')
    expect(frames(events)).toEqual([data(0, Uint8Array.of(0x01, 0x41, 0x42, 0x02))])
  })

  it('reports FESC right before the closing FEND and delivers the frame without it', () => {
    const events = decodeAll(fromHex('c00001dbc0c00002c0'))
    expect(codes(events)).toEqual(['ERR_KISS_PROTOCOL'])
    expect(frames(events)).toEqual([data(0, Uint8Array.of(1)), data(0, Uint8Array.of(2))])
  })

  it('drops an over-long frame with one ERR_FRAME_TOO_LONG and resyncs at the next FEND', () => {
    const options = { maxFrameLength: 8 }
    const atCap = data(0, new Uint8Array(8).fill(1))
    const over = data(0, new Uint8Array(50).fill(0xc0)) // escaped: 100 wire bytes
    const after = data(3, ascii('ok'))
    const events = decodeAll(concat([over, atCap, over, after].map((f) => encodeKissFrame(f))), options)
    expect(events.map((e) => (e.type === 'error' ? e.error.code : e.type))).toEqual([
      'ERR_FRAME_TOO_LONG',
      'frame',
      'ERR_FRAME_TOO_LONG',
      'frame',
    ])
    expect(frames(events)).toEqual([atCap, after])
  })

  it('by default takes the largest AX.25 frame (2121 bytes) and no more', () => {
    expect(KISS_DEFAULT_MAX_FRAME_LENGTH).toBe(10 * 7 + 2 + 1 + 2048)
    const largest = data(0, new Uint8Array(KISS_DEFAULT_MAX_FRAME_LENGTH).fill(0xdb))
    expect(frames(decodeAll(encodeKissFrame(largest)))).toEqual([largest])
    const tooLong = encodeKissFrame(data(0, new Uint8Array(KISS_DEFAULT_MAX_FRAME_LENGTH + 1)))
    expect(codes(decodeAll(tooLong))).toEqual(['ERR_FRAME_TOO_LONG'])
  })

  it('reports a frame cut off by the end of the stream as ERR_TRUNCATED, and flushes noise', () => {
    const decoder = new KissDecoder()
    expect(decoder.push(fromHex('4b49c0000102'))).toEqual([{ type: 'noise', bytes: fromHex('4b49') }])
    const end = decoder.end()
    expect(codes(end)).toEqual(['ERR_TRUNCATED'])
    expect(end[0]?.type === 'error' && end[0].error.message).toContain('3 bytes')
    // The decoder starts afresh after end().
    expect(frames(decoder.push(fromHex('c00009c0')))).toEqual([data(0, Uint8Array.of(9))])
  })

  it('with an inter-byte timeout, abandons a frame after a silence and hunts for the next FEND', () => {
    let now = 0
    const decoder = new KissDecoder({ interByteTimeoutMs: 500 }, { now: () => now })
    expect(decoder.push(fromHex('c00001'))).toEqual([])
    now += 400
    expect(decoder.push(fromHex('02'))).toEqual([])
    now += 600
    const events = decoder.push(fromHex('03c0c00004c0'))
    expect(events.map((e) => e.type)).toEqual(['error', 'noise', 'frame'])
    expect(codes(events)).toEqual(['ERR_TRUNCATED'])
    expect(frames(events)).toEqual([data(0, Uint8Array.of(4))])
  })

  it('ignores a silence between frames', () => {
    let now = 0
    const decoder = new KissDecoder({ interByteTimeoutMs: 500 }, { now: () => now })
    decoder.push(fromHex('c00001c0'))
    now += 10_000
    expect(decoder.push(fromHex('c00002c0'))).toEqual([{ type: 'frame', frame: data(0, Uint8Array.of(2)) }])
  })
})

/** Any valid KISS frame: Return only as 0xFF on port 15. */
const arbFrame: fc.Arbitrary<KissFrame> = fc.oneof(
  fc.record({
    port: fc.integer({ min: 0, max: 15 }),
    command: fc.integer({ min: 0, max: 15 }),
    data: fc.uint8Array({ maxLength: 300 }),
  }).filter((f) => !(f.port === 15 && f.command === 15)),
  fc.record({ port: fc.constant(15), command: fc.constant(KissCommand.Return), data: fc.uint8Array({ maxLength: 4 }) }),
)

/** A stream of frames with 7-bit text noise (never a FEND) before some of them. */
const arbStream = fc.array(fc.tuple(arbFrame, fc.option(fc.string({ unit: 'binary-ascii', maxLength: 80 }))), { maxLength: 8 })

describe('KissDecoder properties', () => {
  it('decode(encode(frame)) = frame', () => {
    fc.assert(
      fc.property(arbFrame, fc.boolean(), (frame, leadingFend) => {
        const events = decodeAll(encodeKissFrame(frame, { leadingFend }), { requireLeadingFend: leadingFend })
        expect(events).toEqual([{ type: 'frame', frame }])
      }),
      { seed: 42, numRuns: 500 },
    )
  })

  it('random chunking gives the same events, and every frame survives noise between frames', () => {
    fc.assert(
      fc.property(arbStream, fc.array(fc.nat(), { maxLength: 20 }), (items, rawCuts) => {
        const wire = concat(items.flatMap(([frame, noise]) => [ascii(noise ?? ''), encodeKissFrame(frame)]))
        const whole = decodeAll(wire)
        expect(frames(whole)).toEqual(items.map(([frame]) => frame))
        expect(codes(whole)).toEqual([])
        const cuts = rawCuts.map((c) => c % (wire.length + 1))
        expect(decodeChunked(wire, cuts)).toEqual(whole)
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('never throws on garbage, and stays within its bounds', () => {
    const options = { maxFrameLength: 64 }
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }).chain((bytes) => fc.tuple(fc.constant(bytes), fc.array(fc.nat(bytes.length), { maxLength: 10 }))),
        fc.boolean(),
        ([bytes, cuts], requireLeadingFend) => {
          const events = decodeChunked(bytes, cuts, { ...options, requireLeadingFend })
          for (const event of events) {
            if (event.type === 'frame') expect(event.frame.data.length).toBeLessThanOrEqual(64)
            if (event.type === 'noise') expect(event.bytes.length).toBeLessThanOrEqual(KISS_NOISE_CHUNK_LENGTH)
            if (event.type === 'error') expect(isCodecError(event.error)).toBe(true)
          }
          expect(events.length).toBeLessThanOrEqual(bytes.length + 1)
        },
      ),
      { seed: 42, numRuns: 300 },
    )
  })
})

describe('KissDecodeStream', () => {
  let stream: KissDecodeStream | undefined

  afterEach(() => {
    stream?.destroy()
    stream = undefined
  })

  it('turns a byte stream in odd chunks into events, and reports a partial frame at the end', async () => {
    const wire = concat([ascii('KISS ON\r'), fromHex(ax25Fixtures[0]!.kissHex), fromHex('c00001')])
    const chunks = [wire.subarray(0, 3), wire.subarray(3, 12), wire.subarray(12, 13), wire.subarray(13)].map((c) => Buffer.from(c))
    stream = new KissDecodeStream()
    const events: KissEvent[] = []
    for await (const event of Readable.from(chunks).pipe(stream)) events.push(event as KissEvent)
    expect(events.map((e) => (e.type === 'error' ? e.error.code : e.type))).toEqual(['noise', 'frame', 'ERR_TRUNCATED'])
    expect(events[1]?.type === 'frame' && toHex(events[1].frame.data)).toBe(ax25Fixtures[0]!.hex)
  })

  it('passes its options to the decoder', async () => {
    stream = new KissDecodeStream({ maxFrameLength: 4 })
    const events: KissEvent[] = []
    stream.on('data', (e: KissEvent) => events.push(e))
    const done = new Promise((resolve) => stream!.on('end', resolve))
    stream.end(Buffer.from(fromHex('c00001020304050607c0c0000102c0')))
    await done
    expect(events.map((e) => (e.type === 'error' ? e.error.code : e.type))).toEqual(['ERR_FRAME_TOO_LONG', 'frame'])
  })
})
