import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { startAx25SimPair, startBoth, type Ax25SimPair } from '../../bench/ax25-goodput.js'
import { decodeAx25Frame, encodeAx25Frame, type Ax25Frame } from '../../codecs/ax25.js'
import { isCodecError } from '../../codecs/errors.js'
import { appendFcs, checkFcs } from '../../codecs/fcs.js'
import { silentLogger } from '../../gateway/log.js'
import { AprsGateway, type AprsInfoProvider } from '../../transports/ax25/aprs-gateway.js'
import { encodeAprsAck, encodeAprsMessage, encodeAprsStatus, parseAprsMessage } from '../../transports/ax25/aprs-message.js'
import { AprsOptionsSchema } from '../../transports/ax25/config.js'
import type { Clock } from '../../transports/clock.js'

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1')
const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1')

describe('APRS message codec', () => {
  it('pads the addressee to 9 characters and appends the message number', () => {
    expect(text(encodeAprsMessage({ addressee: 'N0CALL-7', text: 'tip 12 abcd', id: '42' }))).toBe(':N0CALL-7 :tip 12 abcd{42')
    expect(text(encodeAprsAck('WB4APR', '7'))).toBe(':WB4APR   :ack7')
    expect(text(encodeAprsAck('WB4APR', 'AB1', 'rej'))).toBe(':WB4APR   :rejAB1')
    expect(text(encodeAprsStatus('Bunkercoin gateway tip 1 00ff'))).toBe('>Bunkercoin gateway tip 1 00ff')
  })

  it('refuses text APRS forbids', () => {
    expect(() => encodeAprsMessage({ addressee: 'N0CALL', text: 'a{b' })).toThrow(/must not contain/)
    expect(() => encodeAprsMessage({ addressee: 'N0CALL', text: 'x'.repeat(68) })).toThrow()
    expect(() => encodeAprsMessage({ addressee: 'TOOLONGCALL', text: 'x' })).toThrow(/addressee/)
    expect(() => encodeAprsMessage({ addressee: 'N0CALL', text: 'x', id: '123456' })).toThrow(/message number/)
    expect(() => encodeAprsStatus('x'.repeat(63))).toThrow(/62/)
  })

  it('parses messages, numbers, reply-acks, acks and rejections', () => {
    expect(parseAprsMessage(ascii(':N0CALL-7 :?TIP{12'))).toEqual({ ok: true, value: { kind: 'message', addressee: 'N0CALL-7', text: '?TIP', id: '12' } })
    expect(parseAprsMessage(ascii(':N0CALL   :hello'))).toEqual({ ok: true, value: { kind: 'message', addressee: 'N0CALL', text: 'hello' } })
    expect(parseAprsMessage(ascii(':N0CALL   :hi{MM}AA'))).toEqual({ ok: true, value: { kind: 'message', addressee: 'N0CALL', text: 'hi', id: 'MM', replyAck: 'AA' } })
    expect(parseAprsMessage(ascii(':N0CALL   :ack12'))).toEqual({ ok: true, value: { kind: 'ack', addressee: 'N0CALL', id: '12' } })
    expect(parseAprsMessage(ascii(':N0CALL   :rej3}'))).toEqual({ ok: true, value: { kind: 'rej', addressee: 'N0CALL', id: '3' } })
  })

  it('rejects malformed input with ERR_AX25_INFO and never throws (property)', () => {
    for (const bad of [':short:x', '>status', ':N0CALL   :x{toolong', ':         :x', ':N0CALL   :\u0001']) {
      const r = parseAprsMessage(ascii(bad))
      expect(r.ok).toBe(false)
      if (!r.ok) expect(isCodecError(r.error, 'ERR_AX25_INFO')).toBe(true)
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => void parseAprsMessage(b)), { seed: 42, numRuns: 1000 })
  })

  it('round-trips every valid message (property)', () => {
    const printable = fc.string({ unit: fc.constantFrom(...' abcXYZ019?-.,:;!'.split('')), maxLength: 67 })
    const call = fc.stringMatching(/^[A-Z0-9]{1,6}(-[0-9]{1,2})?$/)
    const id = fc.option(fc.stringMatching(/^[A-Za-z0-9]{1,5}$/), { nil: undefined })
    fc.assert(
      fc.property(call, printable, id, (addressee, body, num) => {
        fc.pre(!/^(ack|rej)[A-Za-z0-9]{1,5}$/.test(body))
        const message = { addressee, text: body, ...(num === undefined ? {} : { id: num }) }
        expect(parseAprsMessage(encodeAprsMessage(message))).toEqual({ ok: true, value: { kind: 'message', ...message } })
      }),
      { seed: 42, numRuns: 300 },
    )
  })
})

/** A clock tests move by hand. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0
  const timers: { at: number; fn: () => void; live: boolean }[] = []
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const t = { at: now + ms, fn, live: true }
      timers.push(t)
      return { cancel: () => void (t.live = false) }
    },
    advance(ms) {
      const until = now + ms
      for (;;) {
        const due = timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0]
        if (due === undefined) break
        due.live = false
        now = due.at
        due.fn()
      }
      now = until
    },
  }
}

function gateway(provider: AprsInfoProvider = { chainTip: () => ({ height: 1234n, hash: 'ab'.repeat(32) }) }) {
  const sent: Ax25Frame[] = []
  const clock = manualClock()
  const gw = new AprsGateway({
    station: { callsign: 'N0GW', ssid: 7 }, options: AprsOptionsSchema.parse({ enabled: true }), provider, clock, log: silentLogger(),
    send: async (f) => void sent.push(f),
  })
  const from = (info: string): Ax25Frame => ({
    kind: 'UI', destination: { callsign: 'APRS', ssid: 0 }, source: { callsign: 'W1AW', ssid: 9 }, digipeaters: [],
    commandResponse: 'command', pf: false, pid: 0xf0, info: ascii(info),
  })
  const texts = (): string[] => sent.map((f) => (f.kind === 'UI' ? text(f.info) : ''))
  return { gw, sent, clock, from, texts }
}

describe('APRS gateway', () => {
  it('beacons its chain tip under its callsign to an experimental tocall via WIDE2-1, every 30 minutes', async () => {
    const { gw, sent, clock, texts } = gateway()
    gw.start()
    await Promise.resolve()
    await Promise.resolve()
    expect(texts()).toEqual([`>Bunkercoin gateway tip 1234 ${'ab'.repeat(8)}`])
    expect(sent[0]).toMatchObject({ destination: { callsign: 'APZBKC', ssid: 0 }, source: { callsign: 'N0GW', ssid: 7 }, digipeaters: [{ callsign: 'WIDE2', ssid: 1, repeated: false }] })
    clock.advance(29 * 60_000)
    expect(sent).toHaveLength(1)
    clock.advance(60_000)
    await Promise.resolve()
    await Promise.resolve()
    expect(sent).toHaveLength(2)
    gw.stop()
  })

  it('acknowledges and answers a numbered query; rejects what it does not understand', async () => {
    const { gw, from, texts } = gateway({
      chainTip: () => ({ height: 7, hash: '0011223344556677889900' }),
      txStatus: (h) => (h.startsWith('deadbeef') ? { state: 'confirmed', height: 5 } : { state: 'unknown' }),
    })
    await gw.onFrame(from(':N0GW-7   :?tip{1'))
    await gw.onFrame(from(':N0GW-7   :?TX DEADBEEF00{2'))
    await gw.onFrame(from(':N0GW-7   :what is this{3'))
    await gw.onFrame(from(':N0GW-7   :hello')) // unnumbered and not a query: ignored
    expect(texts()).toEqual([':W1AW-9   :ack1', ':W1AW-9   :tip 7 0011223344556677', ':W1AW-9   :ack2', ':W1AW-9   :rej3'])
  })

  it('answers a repeated message once, and one station at most every 10 s', async () => {
    const { gw, from, clock, texts } = gateway()
    await gw.onFrame(from(':N0GW-7   :?TIP{9'))
    await gw.onFrame(from(':N0GW-7   :?TIP{9')) // our ack was lost: ack again, answer once
    expect(texts()).toEqual([':W1AW-9   :ack9', `:W1AW-9   :tip 1234 ${'ab'.repeat(8)}`, ':W1AW-9   :ack9'])
    clock.advance(5_000)
    await gw.onFrame(from(':N0GW-7   :?TIP{10'))
    expect(texts()).toHaveLength(4) // acknowledged, not answered
    clock.advance(6_000)
    await gw.onFrame(from(':N0GW-7   :?TIP{11'))
    expect(texts()).toHaveLength(6)
  })

  it('ignores messages to others, acks and rejections', async () => {
    const { gw, from, sent } = gateway()
    await gw.onFrame(from(':N0GW-8   :?TIP{1'))
    await gw.onFrame(from(':N0GW-7   :ack4'))
    await gw.onFrame(from('>just a status'))
    expect(sent).toEqual([])
  })
})

describe('APRS through the transport', () => {
  let pair: Ax25SimPair | undefined
  afterEach(async () => {
    await pair?.close()
    pair = undefined
  })

  it('beacons on link up and answers a message heard on the channel', async () => {
    const aprsInfo: AprsInfoProvider = { chainTip: () => ({ height: 99, hash: 'cafe'.repeat(16) }) }
    pair = await startAx25SimPair({ lossRate: 0, options: { aprs: { enabled: true, path: [] } }, components: { aprsInfo } })
    const heard: string[] = []
    const user = pair.channel.attach({
      id: 'aprs-user',
      mode: 'ax25-1200',
      onFrame: (rf) => {
        if (rf.payload.length === 0 || !checkFcs(rf.payload)) return
        const d = decodeAx25Frame(rf.payload.subarray(0, rf.payload.length - 2), { modulo: 8 })
        if (d.ok && d.value.kind === 'UI' && d.value.destination.callsign === 'APZBKC') heard.push(`${d.value.source.callsign}-${d.value.source.ssid} ${text(d.value.info)}`)
      },
    })
    await startBoth(pair)
    await pair.time.run(() => heard.length >= 2, 60_000)
    expect(heard).toContain(`N0AAA-1 >Bunkercoin gateway tip 99 ${'cafe'.repeat(4)}`)
    const query: Ax25Frame = {
      kind: 'UI', destination: { callsign: 'APRS', ssid: 0 }, source: { callsign: 'W1AW', ssid: 0 }, digipeaters: [],
      commandResponse: 'command', pf: false, pid: 0xf0, info: ascii(':N0AAA-1  :?TIP{5'),
    }
    await pair.time.run(() => pair?.channel.isBusy() === false, 60_000) // our user does no CSMA: wait for the beacons' tails
    user.transmit(appendFcs(encodeAx25Frame(query)), { extraBytes: 2 })
    await pair.time.run(() => heard.length >= 4, 60_000)
    expect(heard.slice(2)).toEqual(['N0AAA-1 :W1AW     :ack5', `N0AAA-1 :W1AW     :tip 99 ${'cafe'.repeat(4)}`])
  })
})
