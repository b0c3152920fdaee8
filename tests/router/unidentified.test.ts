import { describe, expect, it } from 'vitest'
import type { Inbound } from '../../gateway/router/router.js'
import { Unidentified } from '../../gateway/router/unidentified.js'

const T0 = 1_700_000_000_000 // ms
/** The bounds of unidentified.ts. */
const MAX_HELD = 64
const MAX_HELD_BYTES = 256 * 1024 // bytes
const HOLD_MS = 30_000

/** A held message numbered `n` from `from` on `link`. */
function held(n: number, from = '10.0.0.9:5555', link = 'tcp', bytes = 100): Omit<Inbound, 'peer'> {
  return { link, from, msg: { type: 'ack', tx: [new Uint8Array(32).fill(n)], block: [] }, bytes, receivedAt: T0 + n }
}

function numbers(ms: Omit<Inbound, 'peer'>[]): number[] {
  return ms.map((m) => (m.msg.type === 'ack' ? (m.msg.tx[0]?.[0] ?? -1) : -1))
}

describe('Unidentified', () => {
  it('releases what one sender sent on one link, oldest first, once', () => {
    const u = new Unidentified()
    u.hold(held(1), T0)
    u.hold(held(2, '10.0.0.7:4000'), T0)
    u.hold(held(3), T0)
    u.hold(held(4, '10.0.0.9:5555', 'other-tcp'), T0)
    u.hold(held(5), T0)
    const mine = u.release('tcp', '10.0.0.9:5555', T0)
    expect(numbers(mine)).toEqual([1, 3, 5])
    expect(mine[0]).toEqual(held(1)) // as received, without the hold time
    expect(u.release('tcp', '10.0.0.9:5555', T0)).toEqual([])
    expect(numbers(u.release('other-tcp', '10.0.0.9:5555', T0))).toEqual([4])
    expect(numbers(u.release('tcp', '10.0.0.7:4000', T0))).toEqual([2])
  })

  it('holds at most 64 messages; a release makes room again', () => {
    const u = new Unidentified()
    for (let n = 0; n < MAX_HELD; n++) expect(u.hold(held(n % 200), T0)).toBe(true)
    expect(u.hold(held(1, 'other:1'), T0)).toBe(false)
    expect(u.release('tcp', '10.0.0.9:5555', T0)).toHaveLength(MAX_HELD)
    expect(u.hold(held(1, 'other:1'), T0)).toBe(true)
  })

  it('holds at most 256 KiB; a release gives the bytes back', () => {
    const u = new Unidentified()
    expect(u.hold(held(1, 'a:1', 'tcp', MAX_HELD_BYTES - 10), T0)).toBe(true)
    expect(u.hold(held(2, 'b:1', 'tcp', 11), T0)).toBe(false)
    expect(u.hold(held(3, 'b:1', 'tcp', 10), T0)).toBe(true)
    u.release('tcp', 'a:1', T0)
    expect(u.hold(held(4, 'b:1', 'tcp', MAX_HELD_BYTES - 10), T0)).toBe(true)
    expect(u.hold(held(5, 'c:1', 'tcp', MAX_HELD_BYTES + 1), T0 + 1)).toBe(false)
  })

  it('drops what waited longer than 30 s, freeing its room', () => {
    const u = new Unidentified()
    expect(u.hold(held(1, 'a:1', 'tcp', MAX_HELD_BYTES), T0)).toBe(true)
    expect(u.hold(held(2, 'b:1'), T0 + HOLD_MS)).toBe(false) // still within its time
    expect(u.hold(held(3, 'b:1'), T0 + HOLD_MS + 1)).toBe(true)
    expect(u.release('tcp', 'a:1', T0 + HOLD_MS + 1)).toEqual([])
    expect(numbers(u.release('tcp', 'b:1', T0 + HOLD_MS + 1))).toEqual([3])
  })

  it('never releases a message that waited longer than 30 s, even with no hold since', () => {
    const u = new Unidentified()
    u.hold(held(1), T0)
    u.hold(held(2), T0 + 20_000)
    expect(numbers(u.release('tcp', '10.0.0.9:5555', T0 + HOLD_MS + 1))).toEqual([2])
  })
})
