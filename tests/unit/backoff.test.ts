import { describe, expect, it } from 'vitest'
import { Backoff } from '../../gateway/backoff.js'

describe('Backoff', () => {
  it('grows exponentially up to the cap without jitter', () => {
    const b = new Backoff({ initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0 })
    expect([1, 2, 3, 4, 5, 6, 7].map(() => b.next())).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000])
    expect(b.failures).toBe(7)
    b.reset()
    expect(b.next()).toBe(1000)
  })

  it('keeps jittered delays within [delay*(1-jitter), delay]', () => {
    const values = [0, 0.999, 0.5]
    let i = 0
    const b = new Backoff({ initialMs: 4000, maxMs: 4000, jitter: 0.5 }, () => values[i++ % values.length] ?? 0)
    expect(b.next()).toBe(4000)
    expect(b.next()).toBe(2002)
    expect(b.next()).toBe(3000)
  })

  it('rejects nonsense options', () => {
    expect(() => new Backoff({ initialMs: -1 })).toThrow()
    expect(() => new Backoff({ jitter: 2 })).toThrow()
  })
})
