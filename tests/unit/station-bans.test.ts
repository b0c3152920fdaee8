import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { StationBans, StationBansOptionsSchema } from '../../gateway/router/bans.js'

/** A settable clock, ms. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: (ms) => void (t += ms) }
}

describe('StationBans', () => {
  it('bans at the third strike within the window, for banMs, doubling per further ban up to maxBanMs', () => {
    const c = clock()
    const bans = new StationBans({ strikes: 3, windowMs: 60_000, banMs: 1_000, maxBanMs: 3_000 }, c.now)
    const struck = () => [1, 2, 3].map(() => bans.strike('N0EVL', 'BAD_SIGNATURE'))
    const first = struck()
    expect(first.slice(0, 2)).toEqual([undefined, undefined])
    expect(first[2]).toEqual({ station: 'N0EVL', durationMs: 1_000, until: c.now() + 1_000 })
    expect(bans.banned('N0EVL')).toBe(true)
    expect(bans.banned('N0OTHER')).toBe(false)
    expect(bans.strike('N0EVL', 'BAD_SIGNATURE')).toBeUndefined() // while banned: no strike, no longer ban
    c.advance(1_000)
    expect(bans.banned('N0EVL')).toBe(false)
    expect(struck()[2]?.durationMs).toBe(2_000)
    c.advance(2_000)
    expect(struck()[2]?.durationMs).toBe(3_000) // 4 000 capped
    expect(bans.list()).toEqual([{ station: 'N0EVL', durationMs: 3_000, until: c.now() + 3_000 }])
  })

  it('forgets strikes older than the window', () => {
    const c = clock()
    const bans = new StationBans({ strikes: 2, windowMs: 10_000 }, c.now)
    bans.strike('N0EVL', 'BAD_SIGNATURE')
    c.advance(10_000)
    expect(bans.strike('N0EVL', 'BAD_SIGNATURE')).toBeUndefined()
    c.advance(9_999)
    expect(bans.strike('N0EVL', 'BAD_SIGNATURE')?.station).toBe('N0EVL')
  })

  it('counts no strike for rejections an honest node may relay, nor against exempt stations', () => {
    const bans = new StationBans({ strikes: 1 }, Date.now, (s) => s === 'N0PEER')
    for (const reason of ['ZERO_AMOUNT', 'BAD_RECIPIENT_LENGTH', 'VDF_TOO_EXPENSIVE']) expect(bans.strike('N0EVL', reason)).toBeUndefined()
    expect(bans.strike('N0PEER', 'BAD_SIGNATURE')).toBeUndefined()
    expect(bans.banned('N0PEER')).toBe(false)
    expect(bans.strike('N0EVL', 'MERKLE_ROOT_MISMATCH')?.station).toBe('N0EVL')
  })

  it('remembers at most maxStations, keeping banned stations over merely struck ones', () => {
    const c = clock()
    const bans = new StationBans({ strikes: 2, maxStations: 3 }, c.now)
    bans.strike('BANNED', 'BAD_SIGNATURE')
    bans.strike('BANNED', 'BAD_SIGNATURE')
    for (let i = 0; i < 10; i++) bans.strike(`CALL${i}`, 'BAD_SIGNATURE')
    expect(bans.size).toBe(3)
    expect(bans.banned('BANNED')).toBe(true)
  })

  it('has documented defaults: 3 strikes in 1 h, 1 h first ban, 24 h at most, 1 024 stations', () => {
    expect(StationBansOptionsSchema.parse({})).toEqual({ strikes: 3, windowMs: 3_600_000, banMs: 3_600_000, maxBanMs: 86_400_000, maxStations: 1_024 })
  })

  it('stays bounded and bans only within [banMs, maxBanMs] for any sequence of strikes (property)', () => {
    const limits = { strikes: 2, windowMs: 5_000, banMs: 1_000, maxBanMs: 8_000, maxStations: 16 }
    const step = fc.record({ station: fc.integer({ min: 0, max: 40 }), advanceMs: fc.integer({ min: 0, max: 3_000 }) })
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        const c = clock()
        const bans = new StationBans(limits, c.now)
        for (const s of steps) {
          c.advance(s.advanceMs)
          const ban = bans.strike(`S${s.station}`, 'BAD_SIGNATURE')
          if (ban !== undefined) {
            expect(ban.durationMs).toBeGreaterThanOrEqual(limits.banMs)
            expect(ban.durationMs).toBeLessThanOrEqual(limits.maxBanMs)
            expect(bans.banned(ban.station)).toBe(true)
          }
          expect(bans.size).toBeLessThanOrEqual(limits.maxStations)
        }
      }),
      { seed: 42, numRuns: 200 },
    )
  })
})
