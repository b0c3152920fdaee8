import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { JS8_ALPHABET } from '../../codecs/js8-text.js'
import { js8HuffmanFrames } from '../../codecs/js8-huffman.js'
import { createRfChannel, type RfChannel, type RfChannelOptions } from '../../hardware-sim/rf-channel.js'
import { js8MessageAirtimeMs, js8Speed, nextPeriodStartMs } from '../../hardware-sim/js8call/js8-airtime.js'
import {
  formatJs8ApiMessage, JS8_ID_EPOCH_MS, parseJs8ApiLine, requestJs8Id,
} from '../../hardware-sim/js8call/js8-api-envelope.js'
import { js8Checksum16 } from '../../hardware-sim/js8call/js8-directed.js'
import { decodeJs8AirFrame, encodeJs8AirFrame, js8FrameTones } from '../../hardware-sim/js8call/js8-frames.js'
import { buildJs8Message, js8HuffmanChunks } from '../../hardware-sim/js8call/js8-message.js'
import { startSimJs8Call, type SimJs8Call, type SimJs8CallOptions } from '../../hardware-sim/js8call/sim-js8call.js'
import { Js8ApiClient, pollFor, wallSleep, type ApiMessage } from '../helpers/js8call.js'

const sims: SimJs8Call[] = []
const channels: RfChannel[] = []
const clients: Js8ApiClient[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  await Promise.all(sims.splice(0).map((s) => s.close()))
  for (const ch of channels.splice(0)) ch.close()
  vi.useRealTimers()
})

/** UTC at simulated time 0: 2026-11-26T12:00:00Z. */
const UTC0 = Date.UTC(2026, 10, 26, 12, 0, 0)
const FRESH_ID = UTC0 - JS8_ID_EPOCH_MS // what JS8Call makes up at simulated time 0
const HF = { profile: 'hf-good', lossProbability: 0, timeScale: 1000 } as const
const NORMAL = js8Speed(0)
const LATENCY = 20 // ms: hf-good's delivery latency

function channelOf(options: RfChannelOptions = {}): RfChannel {
  const ch = createRfChannel(options)
  channels.push(ch)
  return ch
}

async function sim(channel: RfChannel, options: Partial<SimJs8CallOptions> = {}): Promise<SimJs8Call> {
  const s = await startSimJs8Call({ port: 0, pingMs: 0, utcEpochMs: UTC0, ...options, channel })
  sims.push(s)
  return s
}

async function client(s: SimJs8Call): Promise<Js8ApiClient> {
  const c = await Js8ApiClient.connect(s.port)
  clients.push(c)
  return c
}

const ofType = (type: string) => (m: ApiMessage): boolean => m.type === type
const utcOf = (m: ApiMessage): number => m.params.UTC as number

/** Fake Date and timers (sockets stay real), so fresh ids and PING times are exact. */
function fakeTime(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: UTC0 })
}

describe('js8 message facts', () => {
  it('computes the checksum the real JS8Call sent (`HELLO WORLD` → `5GA`)', () => {
    expect(js8Checksum16('HELLO WORLD')).toBe('5GA')
    expect(js8Checksum16('')).toBe('000')
  })

  it('frames directed messages as JS8Call 2.2.0 did (ALL.TXT of the real program)', () => {
    // The real one sent `HELLO WORLD 5GA` in one frame with JSC; Huffman alone needs two.
    expect(buildJs8Message('N0AAA', 'n1bbb msg hello world').frames).toEqual(['N0AAA: N1BBB MSG ', 'HELLO WORLD 5', 'GA'])
    expect(buildJs8Message('N0AAA', 'N1BBB SNR?').frames).toEqual(['N0AAA: N1BBB SNR? '])
    // N0CALL has a 4-letter suffix: compound frame first, then the directed frame.
    const compound = buildJs8Message('N0CALL', 'N1CALL hello {world} é ~x')
    expect(compound.frames).toEqual(['N0CALL: ', 'N1CALL  ', 'HELLO WORLD  X'])
    expect(compound.directed).toEqual({ to: 'N1CALL', cmd: ' ' })
  })

  it('drops our own call, treats `CALL:` as plain text, and frames groups', () => {
    expect(buildJs8Message('N0AAA', 'N0AAA: N1BBB SNR?').directed).toEqual({ to: 'N1BBB', cmd: ' SNR?' })
    const plain = buildJs8Message('N0AAA', 'N1BBB: HELLO')
    expect(plain.directed).toBeUndefined()
    expect(plain.frames).toEqual(['N0AAA: ', 'N1BBB HELLO'])
    expect(buildJs8Message('N0AAA', '@ALLCALL HI').frames).toEqual(['N0AAA: @ALLCALL  ', 'HI'])
    expect(buildJs8Message('N0AAA', '@BUNKER HI').frames).toEqual(['N0AAA: ', '@BUNKER  ', 'HI'])
  })

  it('splits text into as many frames as js8HuffmanFrames counts, losing nothing', () => {
    const text = fc.string({ unit: fc.constantFrom(...JS8_ALPHABET), maxLength: 300 })
    fc.assert(
      fc.property(text, (t) => {
        const chunks = js8HuffmanChunks(t)
        expect(chunks.join('')).toBe(t)
        expect(chunks.length).toBe(js8HuffmanFrames(t))
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('times messages on period boundaries', () => {
    expect(nextPeriodStartMs(15_000, 15_000)).toBe(15_000)
    expect(nextPeriodStartMs(15_001, 15_000)).toBe(30_000)
    expect(js8MessageAirtimeMs(3, NORMAL, 1_000)).toBe(14_000 + 2 * 15_000 + 12_640)
  })

  it('builds 79-tone frames around the Costas arrays seen on the real program', () => {
    const normal = js8FrameTones(new Uint8Array([1, 2, 3]), 0)
    expect(normal).toHaveLength(79)
    expect(normal.slice(0, 7)).toEqual([4, 2, 5, 6, 1, 3, 0])
    expect(normal.slice(72)).toEqual([4, 2, 5, 6, 1, 3, 0])
    const fast = js8FrameTones(new Uint8Array([1, 2, 3]), 1)
    expect([fast.slice(0, 7), fast.slice(36, 43), fast.slice(72)]).toEqual([[0, 6, 2, 3, 5, 4, 1], [1, 5, 0, 2, 3, 6, 4], [2, 5, 0, 6, 4, 1, 3]])
    expect(normal.every((t) => Number.isInteger(t) && t >= 0 && t <= 7)).toBe(true)
  })

  it('decodes any bytes heard on the channel without throwing', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => void decodeJs8AirFrame(b)), { seed: 42, numRuns: 300 })
    const frame = { msg: 3, index: 1, last: true, kind: 'data', from: 'N0AAA', grid: '', speed: 0, offset: 1500, text: 'HI' } as const
    expect(decodeJs8AirFrame(encodeJs8AirFrame(frame))).toEqual({ ok: true, value: frame })
  })
})

describe('js8 API envelope', () => {
  const line = (s: string) => parseJs8ApiLine(new TextEncoder().encode(s))

  it('reads requests as JS8Call does', () => {
    expect(line('  {"type":"X","value":"v","params":{"_ID":1}}  ')).toEqual({ ok: true, value: { type: 'X', value: 'v', params: { _ID: 1 } } })
    expect(line('{"type":5,"value":[],"params":[]}')).toEqual({ ok: true, value: { type: '', value: '', params: {} } })
    expect(line('   ')).toBeUndefined()
    expect(line('not json')).toMatchObject({ ok: false, error: { code: 'ERR_JSON_SYNTAX' } })
    expect(line('"str"')).toMatchObject({ ok: false, error: { code: 'ERR_JSON_SYNTAX' } })
    expect(line('[1,2]')).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_TYPE' } })
    expect(parseJs8ApiLine(new Uint8Array([0x7b, 0xff, 0x7d]))).toMatchObject({ ok: false })
  })

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => void parseJs8ApiLine(b)), { seed: 42, numRuns: 500 })
    fc.assert(fc.property(fc.json(), (j) => void parseJs8ApiLine(new TextEncoder().encode(j))), { seed: 42, numRuns: 300 })
  })

  it('answers with the id JS8Call 2.2.0 answered with', () => {
    const utc = JS8_ID_EPOCH_MS + 5_000
    expect(requestJs8Id({ _ID: 12345 }, utc)).toBe(12345)
    expect(requestJs8Id({ _ID: -5 }, utc)).toBe(-5)
    expect(requestJs8Id({ _ID: 1.5 }, utc)).toBe(2)
    expect(requestJs8Id({ _ID: '123' }, utc)).toBe(123)
    expect(requestJs8Id({ _ID: true }, utc)).toBe(1)
    for (const id of ['abc', 0, null, undefined, {}]) expect(requestJs8Id({ _ID: id }, utc)).toBe(5_000)
  })

  it('writes compact JSON with keys sorted at every level', () => {
    const text = formatJs8ApiMessage({ value: '', type: 'T', params: { _ID: -1, B: { z: 1, a: [{ y: 1, x: 2 }] }, A: 1 } })
    expect(text).toBe('{"params":{"A":1,"B":{"a":[{"x":2,"y":1}],"z":1},"_ID":-1},"type":"T","value":""}')
  })
})

describe('sim-js8call: API transcript', () => {
  it('answers every request with the exact shape JS8Call 2.2.0 used', async () => {
    fakeTime()
    const c = await client(await sim(channelOf()))
    const requests: [string, string, Record<string, unknown>][] = [
      ['STATION.GET_CALLSIGN', '', { _ID: 1 }], ['STATION.GET_GRID', '', { _ID: 2 }], ['STATION.GET_INFO', '', { _ID: 3 }],
      ['STATION.GET_STATUS', '', { _ID: 4 }], ['STATION.SET_GRID', 'FN31', { _ID: 5 }], ['STATION.SET_INFO', 'MY INFO', { _ID: 6 }],
      ['STATION.SET_STATUS', 'MY STATUS', { _ID: 7 }], ['STATION.SET_CALLSIGN', 'N1CALL', { _ID: 8 }],
      ['RIG.GET_FREQ', '', { _ID: 9 }], ['RIG.SET_FREQ', '', { _ID: 10, DIAL: 7078000, OFFSET: 1200 }],
      ['RIG.GET_FREQ', '', { _ID: 11 }], ['MODE.GET_SPEED', '', { _ID: 12 }],
      ['RX.GET_CALL_ACTIVITY', '', { _ID: 15 }], ['RX.GET_CALL_SELECTED', '', { _ID: 16 }],
      ['RX.GET_BAND_ACTIVITY', '', { _ID: 17 }], ['RX.GET_TEXT', '', { _ID: 18 }], ['TX.GET_TEXT', '', { _ID: 19 }],
      ['TX.SET_TEXT', 'HELLO', { _ID: 20 }], ['TX.GET_TEXT', '', { _ID: 21 }], ['INBOX.GET_MESSAGES', '', { _ID: 22 }],
      ['INBOX.STORE_MESSAGE', '', { _ID: 23, CALLSIGN: 'N2CALL', TEXT: 'STORED TEXT' }],
      ['INBOX.STORE_MESSAGE', '', { _ID: 24, CALLSIGN: 'N2CALL' }], ['INBOX.GET_MESSAGES', '', { _ID: 25, CALLSIGN: 'N9ZZZ' }],
      ['INBOX.GET_MESSAGES', '', { _ID: 26, CALLSIGN: 'N2CALL' }], ['PING', '', { _ID: 27 }], ['WINDOW.RAISE', '', { _ID: 28 }],
      ['FOO.BAR', '', { _ID: 29 }], ['TX.SEND_MESSAGE', '', { _ID: 30 }],
    ]
    for (const [type, value, params] of requests) c.request(type, value, params)
    c.write('not json\n[1,2]\n{"value":"no type"}\n\n')
    c.request('STATION.GET_GRID', '', { _ID: 99 })
    await c.reply(99)
    const stored = `{"params":{"CMD":" MSG ","DIAL":0,"FREQ":0,"FROM":"N0CALL","OFFSET":0,"PATH":"N0CALL","SNR":0,"SUBMODE":0,"TDRIFT":0,"TEXT":"STORED TEXT","TO":"N2CALL","UTC":"2026-11-26 12:00:00","_ID":"${FRESH_ID}"},"type":"STORE","value":""}`
    expect(c.lines).toEqual([
      '{"params":{"_ID":1},"type":"STATION.CALLSIGN","value":"N0CALL"}',
      '{"params":{"_ID":2},"type":"STATION.GRID","value":"FN42"}',
      '{"params":{"_ID":3},"type":"STATION.INFO","value":""}',
      '{"params":{"_ID":4},"type":"STATION.STATUS","value":"IDLE <MYIDLE> VERSION <MYVERSION>"}',
      '{"params":{"_ID":5},"type":"STATION.GRID","value":"FN42"}',
      '{"params":{"_ID":6},"type":"STATION.INFO","value":""}',
      '{"params":{"_ID":7},"type":"STATION.STATUS","value":"IDLE <MYIDLE> VERSION <MYVERSION>"}',
      '{"params":{"DIAL":14078000,"FREQ":14079500,"OFFSET":1500,"_ID":9},"type":"RIG.FREQ","value":""}',
      '{"params":{"BAND":"40m","DIAL":7078000,"FREQ":7079200,"OFFSET":1200,"_ID":-1},"type":"RIG.FREQ","value":""}',
      '{"params":{"DIAL":7078000,"FREQ":7079200,"OFFSET":1200,"_ID":11},"type":"RIG.FREQ","value":""}',
      '{"params":{"SPEED":0,"_ID":12},"type":"MODE.SPEED","value":""}',
      '{"params":{"_ID":15},"type":"RX.CALL_ACTIVITY","value":""}',
      '{"params":{"_ID":16},"type":"RX.CALL_SELECTED","value":""}',
      '{"params":{"_ID":17},"type":"RX.BAND_ACTIVITY","value":""}',
      '{"params":{"_ID":18},"type":"RX.TEXT","value":""}',
      '{"params":{"_ID":19},"type":"TX.TEXT","value":""}',
      '{"params":{"_ID":20},"type":"TX.TEXT","value":"HELLO"}',
      '{"params":{"_ID":21},"type":"TX.TEXT","value":"HELLO"}',
      '{"params":{"MESSAGES":[],"_ID":22},"type":"INBOX.MESSAGES","value":""}',
      '{"params":{"ID":1,"_ID":23},"type":"INBOX.MESSAGE","value":""}',
      '{"params":{"MESSAGES":[],"_ID":25},"type":"INBOX.MESSAGES","value":""}',
      `{"params":{"MESSAGES":[${stored}],"_ID":26},"type":"INBOX.MESSAGES","value":""}`,
      `{"params":{"_ID":"${FRESH_ID}"},"type":"API.ERROR","value":"Invalid JSON (unparsable)"}`,
      `{"params":{"_ID":"${FRESH_ID}"},"type":"API.ERROR","value":"Invalid JSON (not an object)"}`,
      '{"params":{"_ID":99},"type":"STATION.GRID","value":"FN42"}',
    ])
  })

  it('echoes _ID as JS8Call does, fills a missing one, and sends id ≤ 0 replies to every client', async () => {
    fakeTime()
    const s = await sim(channelOf())
    const [a, b] = [await client(s), await client(s)]
    a.write('{"type":"STATION.GET_CALLSIGN"}\r\n')
    a.request('STATION.GET_CALLSIGN', '', { _ID: 'abc' })
    a.request('STATION.GET_CALLSIGN', '', { _ID: '77' })
    a.request('STATION.GET_CALLSIGN', '', { _ID: 2.5 })
    a.request('STATION.GET_CALLSIGN', '', { _ID: -5 })
    await b.waitFor(ofType('STATION.CALLSIGN'))
    await a.waitFor(ofType('STATION.CALLSIGN'), 5_000, 5)
    expect(a.messages.map((m) => m.params._ID)).toEqual([FRESH_ID, FRESH_ID, 77, 3, -5])
    expect(b.messages.map((m) => m.params._ID)).toEqual([-5])
  })

  it('answers garbage with API.ERROR and keeps the connection, with CRLF and split lines', async () => {
    const s = await sim(channelOf(), { maxLineBytes: 1024 })
    const c = await client(s)
    c.write('{bad json\r\n"just a string"\n[]\n')
    c.write(`{"type":"STATION.GET_GRID","value":"${'x'.repeat(2000)}"}\n`) // longer than maxLineBytes
    c.write('{"type":"STATION.GET_CALL')
    c.write('SIGN","value":"","params":{"_ID":8}}\r\n')
    const reply = await c.reply(8)
    expect(reply).toEqual({ type: 'STATION.CALLSIGN', value: 'N0CALL', params: { _ID: 8 } })
    expect(c.ofType('API.ERROR').map((m) => m.value)).toEqual([
      'Invalid JSON (unparsable)', 'Invalid JSON (unparsable)', 'Invalid JSON (not an object)', 'Invalid JSON (unparsable)',
    ])
    expect(c.messages).toHaveLength(5)
  })

  it('refuses a client beyond maxConnections with API.ERROR "Connections Full"', async () => {
    const s = await sim(channelOf(), { maxConnections: 1 })
    await client(s)
    const extra = await client(s)
    await extra.closed
    expect(extra.messages.map((m) => [m.type, m.value])).toEqual([['API.ERROR', 'Connections Full']])
  })
})

describe('sim-js8call: PING and misbehaviour', () => {
  it('sends PING every 15 s with NAME, VERSION and UTC, and none while frozen', async () => {
    fakeTime()
    const s = await sim(channelOf(), { pingMs: 15_000 })
    const c = await client(s)
    await vi.advanceTimersByTimeAsync(14_999)
    c.request('STATION.GET_GRID', '', { _ID: 1 })
    await c.reply(1)
    expect(c.ofType('PING')).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    const ping = await c.waitFor(ofType('PING'))
    expect(ping).toEqual({
      type: 'PING', value: '',
      params: { NAME: 'JS8Call', UTC: UTC0 + 15_000, VERSION: '2.2.1-devel', _ID: String(FRESH_ID + 15_000) },
    })
    await vi.advanceTimersByTimeAsync(15_000)
    expect(utcOf(await c.waitFor(ofType('PING'), 5_000, 2))).toBe(UTC0 + 30_000)
    s.freeze(true)
    await vi.advanceTimersByTimeAsync(45_000)
    c.request('STATION.GET_GRID', '', { _ID: 2 }) // unanswered while frozen
    await wallSleep(50)
    s.freeze(false)
    c.request('STATION.GET_GRID', '', { _ID: 3 })
    await c.reply(3)
    expect(c.ofType('PING')).toHaveLength(2)
    expect(c.messages.some((m) => m.params._ID === 2)).toBe(false)
  })

  it('restarts the API socket on the same port', async () => {
    const s = await sim(channelOf())
    const c = await client(s)
    const port = s.port
    await s.restartApi()
    await c.closed
    expect(s.port).toBe(port)
    const again = await client(s)
    again.request('STATION.GET_CALLSIGN', '', { _ID: 4 })
    expect((await again.reply(4)).value).toBe('N0CALL')
  })
})

interface Pair {
  readonly channel: RfChannel
  readonly a: SimJs8Call
  readonly ca: Js8ApiClient
  readonly cb: Js8ApiClient
}

/** N0AAA and N1BBB on an hf-good channel running 1000× real time. */
async function pair(channelOptions: RfChannelOptions = HF, b: Partial<SimJs8CallOptions> = {}): Promise<Pair> {
  const channel = channelOf(channelOptions)
  const a = await sim(channel, { callsign: 'N0AAA', grid: 'FN42' })
  const B = await sim(channel, { callsign: 'N1BBB', grid: 'FN31', ...b })
  return { channel, a, ca: await client(a), cb: await client(B) }
}

let probeId = 1000

/**
 * Waits until the sender's `frames`-th PTT off and the channel's clock past its delivery, then for
 * a round trip to each receiver, so every event written before it has arrived. Returns A's RIG.PTTs.
 */
async function sent(p: Pair, frames: number, ...receivers: Js8ApiClient[]): Promise<ApiMessage[]> {
  const off = await p.ca.waitFor((m) => m.type === 'RIG.PTT' && m.value === 'off', 10_000, frames)
  await pollFor(() => (p.a.utcMs() > utcOf(off) + LATENCY ? true : undefined), 5_000, 'delivery')
  for (const c of [p.cb, ...receivers]) {
    const id = ++probeId
    c.request('MODE.GET_SPEED', '', { _ID: id })
    await c.reply(id)
  }
  return p.ca.ofType('RIG.PTT')
}

describe('sim-js8call: two stations on one channel', () => {
  it('delivers a directed MSG in the right number of Normal frames and time', async () => {
    const p = await pair()
    const body = 'HELLO FROM THE BUNKER GATEWAY 42'
    const frames = 1 + js8HuffmanFrames(`${body} ${js8Checksum16(body)}`)
    p.ca.request('TX.SEND_MESSAGE', `N1BBB MSG ${body}`, { _ID: 5 })
    const directed = await p.cb.waitFor(ofType('RX.DIRECTED'), 10_000)
    const ptt = await sent(p, frames)

    expect(frames).toBe(4)
    expect(p.ca.ofType('TX.FRAME')).toHaveLength(frames)
    expect(p.ca.messages.some((m) => m.params._ID === 5)).toBe(false) // TX.SEND_MESSAGE has no reply
    const on = ptt.filter((m) => m.value === 'on').map(utcOf)
    const off = ptt.filter((m) => m.value === 'off').map(utcOf)
    const first = on[0] ?? 0
    expect((first - UTC0) % NORMAL.periodMs).toBe(0) // keyed on a period boundary
    expect(on).toEqual(Array.from({ length: frames }, (_, i) => first + i * NORMAL.periodMs))
    expect(off).toEqual(on.map((t) => t + NORMAL.txDurationMs))
    expect((off.at(-1) ?? 0) - first).toBe(js8MessageAirtimeMs(frames, NORMAL, 0))
    expect(ptt[0]).toEqual({ type: 'RIG.PTT', value: 'on', params: { PTT: true, UTC: first, _ID: -1 } })

    const text = `N0AAA: N1BBB MSG ${body} ♢ `
    expect(directed).toEqual({
      type: 'RX.DIRECTED', value: text,
      params: {
        CMD: ' MSG', DIAL: 14078000, EXTRA: '', FREQ: 14079500, FROM: 'N0AAA', GRID: '', OFFSET: 1500, SNR: 15, SPEED: 0,
        TDRIFT: 0, TEXT: text, TO: 'N1BBB', UTC: first + NORMAL.txDurationMs + LATENCY, _ID: -1,
      },
    })
    const activity = p.cb.ofType('RX.ACTIVITY')
    expect(activity.map((m) => m.value)).toEqual(buildJs8Message('N0AAA', `N1BBB MSG ${body}`).frames)
    expect(activity.map(utcOf)).toEqual(off.map((t) => t + LATENCY))
    expect(activity[0]?.params).toEqual({ DIAL: 14078000, FREQ: 14079500, OFFSET: 1500, SNR: 15, SPEED: 0, TDRIFT: 0, UTC: off[0]! + LATENCY, _ID: -1 })
    expect(utcOf(directed)).toBeLessThan(off.at(-1) ?? 0) // UTC of the first frame; it arrives after the last

    p.cb.request('RX.GET_CALL_ACTIVITY', '', { _ID: 6 })
    expect((await p.cb.reply(6)).params).toEqual({ N0AAA: { GRID: '', SNR: 15, UTC: off.at(-1)! + LATENCY }, _ID: 6 })
    p.cb.request('RX.GET_TEXT', '', { _ID: 7 })
    expect((await p.cb.reply(7)).value).toMatch(/^\n12:\d\d:\d\d - \(1500\) - N0AAA: N1BBB MSG HELLO FROM THE BUNKER GATEWAY 42 ♢ $/)
  })

  it('sends a group message to members only, and @ALLCALL to everyone', async () => {
    const p = await pair(HF, { groups: ['@BUNKER'] })
    const other = await client(await sim(p.channel, { callsign: 'N2CCC' }))
    p.ca.request('TX.SEND_MESSAGE', '@BUNKER HELLO MEMBERS')
    const directed = await p.cb.waitFor(ofType('RX.DIRECTED'), 10_000)
    await sent(p, 3, other) // compound group: `N0AAA: `, `@BUNKER  `, body
    expect(directed.value).toBe('N0AAA: @BUNKER  HELLO MEMBERS ♢ ')
    expect(directed.params).toMatchObject({ FROM: 'N0AAA', TO: '@BUNKER', CMD: ' ', GRID: ' FN42' })
    expect(other.ofType('RX.ACTIVITY')).toHaveLength(3)
    expect(other.ofType('RX.DIRECTED')).toHaveLength(0)

    p.ca.request('TX.SEND_MESSAGE', '@ALLCALL QRV')
    await other.waitFor(ofType('RX.DIRECTED'), 10_000)
    expect((await p.cb.waitFor(ofType('RX.DIRECTED'), 10_000, 2)).value).toBe('N0AAA: @ALLCALL  QRV ♢ ')
  })

  it('never completes a message whose frame was lost (no ARQ)', async () => {
    const p = await pair()
    p.a.dropFrame(1)
    p.ca.request('TX.SEND_MESSAGE', 'N1BBB MSG THIS MESSAGE LOSES ITS SECOND FRAME')
    const frames = buildJs8Message('N0AAA', 'N1BBB MSG THIS MESSAGE LOSES ITS SECOND FRAME').frames
    await sent(p, frames.length)
    expect(p.ca.ofType('TX.FRAME')).toHaveLength(frames.length) // keyed as usual
    expect(p.cb.ofType('RX.ACTIVITY').map((m) => m.value)).toEqual(frames.filter((_, i) => i !== 1))
    expect(p.cb.ofType('RX.DIRECTED')).toHaveLength(0)

    p.ca.request('TX.SEND_MESSAGE', 'N1BBB MSG NEXT ONE IS FINE') // the drop was one-shot
    expect((await p.cb.waitFor(ofType('RX.DIRECTED'), 10_000)).value).toBe('N0AAA: N1BBB MSG NEXT ONE IS FINE ♢ ')
  })

  it('changes speed: Turbo frames are 3.95 s on 6-s boundaries and need 5 dB more SNR', async () => {
    const p = await pair({ ...HF, snrDb: -22, snrFadeDb: 1 })
    p.ca.request('MODE.SET_SPEED', '', { SPEED: 2, _ID: 1 })
    expect((await p.ca.reply(1)).params).toEqual({ SPEED: 2, _ID: 1 })
    expect(p.ca.ofType('STATION.STATUS')[0]?.params).toMatchObject({ SPEED: 2, SELECTED: '', DIAL: 14078000 })
    p.ca.request('TX.SEND_MESSAGE', 'N1BBB SNR?')
    const [on, off] = (await sent(p, 1)).map(utcOf)
    expect(((on ?? 0) - UTC0) % 6_000).toBe(0)
    expect((off ?? 0) - (on ?? 0)).toBe(3_950)
    expect(p.cb.ofType('RX.ACTIVITY')).toHaveLength(0) // −22 dB is below Turbo's −20 dB floor

    p.ca.request('MODE.SET_SPEED', '', { SPEED: 0, _ID: 2 })
    await p.ca.reply(2)
    p.ca.request('TX.SEND_MESSAGE', 'N1BBB SNR?')
    const directed = await p.cb.waitFor(ofType('RX.DIRECTED'), 10_000) // above Normal's −25 dB
    expect(directed.params).toMatchObject({ SPEED: 0, SNR: -22, CMD: ' SNR?' })
  })

  it('drops a TX.SEND_MESSAGE that arrives while a message is on air, as JS8Call 2.2.0 does', async () => {
    const p = await pair()
    p.ca.request('TX.SEND_MESSAGE', 'N1BBB SNR?')
    p.ca.request('TX.SEND_MESSAGE', 'N1BBB GRID?')
    await p.ca.waitFor((m) => m.type === 'RIG.PTT' && m.value === 'on')
    p.ca.request('TX.GET_TEXT', '', { _ID: 3 })
    expect((await p.ca.reply(3)).value).toBe('N0AAA: N1BBB SNR?')
    await sent(p, 1)
    p.ca.request('TX.GET_TEXT', '', { _ID: 4 })
    expect((await p.ca.reply(4)).value).toBe('') // cleared once sent
    expect(p.cb.ofType('RX.DIRECTED').map((m) => m.params.CMD)).toEqual([' SNR?'])
  })
})
