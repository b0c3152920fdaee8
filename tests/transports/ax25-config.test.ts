import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { channelAccessSlackMs, DutyCycleLimiter, frameAirtimeMs } from '../../transports/ax25/airtime.js'
import { Ax25Transport } from '../../transports/ax25/ax25-transport.js'
import { Ax25TransportOptionsSchema } from '../../transports/ax25/config.js'
import { isTransportError } from '../../transports/errors.js'

const serial = { type: 'serial', path: '/dev/serial/by-id/usb-tnc' } as const

describe('AX.25 transport options', () => {
  it('fills packet-radio defaults and normalises the callsign', () => {
    const cfg = Ax25TransportOptionsSchema.parse({ callsign: ' n0call-7 ', tnc: serial })
    expect(cfg.callsign).toEqual({ callsign: 'N0CALL', ssid: 7 })
    expect(cfg.group).toEqual({ callsign: 'BUNKER', ssid: 0 })
    expect(cfg.tnc).toEqual({ ...serial, baudRate: 9600, rtscts: false, initStrings: [], initDelayMs: 500, devicePollMs: 1000 })
    expect(cfg.kiss).toEqual({ apply: true, port: 0, txDelayMs: 300, persistence: 63, slotTimeMs: 100, txTailMs: 100, fullDuplex: false })
    expect(cfg.arq).toEqual({ window: 32, paclen: 256, t1InitialMs: 3000, t1MinMs: 1000, t1MaxMs: 30_000, retries: 10, keepaliveMs: 300_000, idleDisconnectMs: 1_200_000, maxPeers: 32 })
    expect(cfg.aprs).toMatchObject({ enabled: false, tocall: 'APZBKC', path: [{ callsign: 'WIDE2', ssid: 1 }] })
    expect(Ax25TransportOptionsSchema.parse({ callsign: 'N0CALL', tnc: { type: 'tcp' } }).tnc).toEqual({ type: 'tcp', host: '127.0.0.1', port: 8001, connectTimeoutMs: 5000 })
  })

  it('names the field and the reason for a bad value', () => {
    const problems = (input: unknown): string => {
      const r = Ax25TransportOptionsSchema.safeParse(input)
      return r.success ? '' : z.prettifyError(r.error)
    }
    expect(problems({ callsign: 'N0CALL-16', tnc: serial })).toMatch(/SSID 16 out of range 0–15[\s\S]*at callsign/)
    expect(problems({ callsign: 'TOOLONG1', tnc: serial })).toMatch(/more than 6 characters/)
    expect(problems({ callsign: 'N0CALL', group: 'bad group', tnc: serial })).toMatch(/group/)
    expect(problems({ callsign: 'N0CALL', tnc: serial, aprs: { tocall: 'APRS' } })).toMatch(/experimental APRS tocall/)
    expect(problems({ callsign: 'N0CALL', tnc: serial, arq: { t1MinMs: 5000 } })).toMatch(/t1MinMs ≤ t1InitialMs/)
    expect(problems({ callsign: 'N0CALL', tnc: serial, arq: { paclen: 4096 } })).toMatch(/paclen/)
    expect(problems({ callsign: 'N0CALL', tnc: { type: 'usb' } })).toMatch(/tnc/)
  })

  it('refuses APRS without a provider for its answers', () => {
    let error: unknown
    try {
      new Ax25Transport({ callsign: 'N0CALL', tnc: serial, aprs: { enabled: true } })
    } catch (e) {
      error = e
    }
    expect(isTransportError(error, 'ERR_CONFIG')).toBe(true)
  })
})

describe('airtime and the duty-cycle cap', () => {
  it('follows Direwolf\'s cost model: a 256-byte info field is 1.84 s at 1200 bit/s', () => {
    expect(frameAirtimeMs(16 + 256, 1200)).toBeCloseTo(1840, 0)
    expect(channelAccessSlackMs({ slotTimeMs: 100, persistence: 63, fullDuplex: false })).toBe(1200)
    expect(channelAccessSlackMs({ slotTimeMs: 100, persistence: 63, fullDuplex: true })).toBe(0)
  })

  it('never lets a window hold more than its budget (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.9, noNaN: true }),
        fc.array(fc.tuple(fc.integer({ min: 50, max: 5000 }), fc.integer({ min: 0, max: 20_000 })), { minLength: 1, maxLength: 40 }),
        (fraction, txs) => {
          const windowMs = 60_000
          const limiter = new DutyCycleLimiter({ maxFraction: fraction, windowMs })
          const budget = fraction * windowMs
          let now = 0
          const done: { start: number; end: number }[] = []
          for (const [airtime, gap] of txs) {
            now = Math.max(now + gap, done.at(-1)?.end ?? 0)
            const start = now + limiter.delayFor(airtime, now)
            limiter.record(start, airtime)
            done.push({ start, end: start + airtime })
            now = start
          }
          for (const w of done) {
            const used = done.reduce((n, t) => n + Math.max(0, Math.min(t.end, w.end) - Math.max(t.start, w.end - windowMs)), 0)
            // a single transmission longer than the budget is allowed alone in its window
            expect(used).toBeLessThanOrEqual(Math.max(budget, w.end - w.start) + 1)
          }
        },
      ),
      { seed: 42, numRuns: 200 },
    )
  })

  it('waits exactly until the oldest airtime leaves the window', () => {
    const limiter = new DutyCycleLimiter({ maxFraction: 0.1, windowMs: 10_000 }) // 1 s budget
    limiter.record(0, 800)
    expect(limiter.delayFor(200, 800)).toBe(0)
    limiter.record(800, 200)
    // 500 ms more fits once 500 ms of the first transmission is older than 10 s: ends at 10 500
    const delay = limiter.delayFor(500, 1000)
    expect(delay).toBeGreaterThanOrEqual(9000) // exact to 1 ms
    expect(delay).toBeLessThanOrEqual(9001)
    expect(new DutyCycleLimiter({ maxFraction: 1, windowMs: 1 }).delayFor(1e9, 0)).toBe(0)
  })
})
