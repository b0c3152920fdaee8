import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeArqFrame, encodeArqFrame, seqDiff, type ArqFrame } from '../../transports/ax25/arq-frames.js'
import { ArqReceiver } from '../../transports/ax25/arq-receiver.js'
import { ArqSender, type ArqSenderOptions } from '../../transports/ax25/arq-sender.js'

/**
 * A tiny discrete-event world: one half-duplex 1200 bit/s channel between a sender and a receiver,
 * frames on air one at a time in FIFO order, each lost with a seeded probability.
 */
class World {
  now = 0
  private events: { t: number; seq: number; fn: () => void }[] = []
  private seq = 0
  private channelFreeAt = 0
  private rng: () => number
  readonly delivered: Uint8Array[] = []
  readonly failed: { ids: number[]; reason: string }[] = []
  readonly done: number[] = []
  readonly rtts: number[] = []
  readonly problems: string[] = []
  maxInFlight = 0
  sender: ArqSender
  receiver: ArqReceiver

  constructor(
    opts: Partial<ArqSenderOptions> = {},
    private loss = 0,
    seed = 1,
    private mtu = 65_536,
  ) {
    let s = seed >>> 0 || 1
    this.rng = () => {
      s ^= s << 13
      s >>>= 0
      s ^= s >>> 17
      s ^= s << 5
      s >>>= 0
      return s / 4294967296
    }
    const options: ArqSenderOptions = {
      window: 8, segmentBytes: 100, retries: 10, t1: { initialMs: 3000, minMs: 1000, maxMs: 30000 },
      keepaliveMs: 300_000, idleDisconnectMs: 1_200_000, ...opts,
    }
    this.sender = new ArqSender(options, {
      transmit: (f) => this.air('a', f),
      delivered: (id) => this.done.push(id),
      failed: (ids, reason) => this.failed.push({ ids, reason }),
      rtt: (ms) => this.rtts.push(ms),
    }, this.rng, 0)
    this.receiver = new ArqReceiver(this.mtu, {
      deliver: (m) => this.delivered.push(m),
      transmit: (f) => this.air('b', f),
      problem: (r) => this.problems.push(r),
    }, 0)
  }

  /** Puts a frame on air after whatever is on air now; 0.3 s keyup per frame, 20 bytes HDLC overhead. */
  air(from: 'a' | 'b', frame: ArqFrame): void {
    const bytes = encodeArqFrame(frame)
    const start = Math.max(this.now, this.channelFreeAt)
    const end = start + 300 + ((bytes.length + 36) * 8 * 1000) / 1200
    this.channelFreeAt = end
    if (frame.type === 'data') {
      // segments the receiver has not acknowledged cumulatively yet, as the sender sees them
      this.maxInFlight = Math.max(this.maxInFlight, seqDiff(frame.seq, this.ackedNext) + 1)
    }
    const lost = this.rng() < this.loss
    const pollNo = frame.type === 'poll' || (frame.type === 'data' && frame.poll) ? frame.pollNo : undefined
    this.at(end, () => {
      if (from === 'a' && pollNo !== undefined) this.sender.pollSent(pollNo, end)
      if (lost) return
      const decoded = decodeArqFrame(bytes)
      if (!decoded.ok) throw decoded.error
      const f = decoded.value
      if (from === 'b' && f.type === 'ack') {
        if (seqDiff(f.next, this.ackedNext) > 0) this.ackedNext = f.next
        this.sender.onAck(f, this.now)
      } else if (from === 'a' && f.type !== 'ack' && f.type !== 'datagram') this.receiver.onFrame(f, this.now)
    })
  }

  private ackedNext = 0

  at(t: number, fn: () => void): void {
    this.events.push({ t, seq: this.seq++, fn })
    this.events.sort((x, y) => x.t - y.t || x.seq - y.seq)
  }

  /** Runs events and the sender's timer until `until` ms or nothing is left to do. */
  run(until: number): void {
    for (let steps = 0; ; steps++) {
      if (steps > 1_000_000) throw new Error('the ARQ did not settle (livelock)')
      const deadline = this.sender.nextDeadline()
      const head = this.events[0]
      const t = Math.min(head?.t ?? Infinity, deadline ?? Infinity)
      if (t === Infinity || t > until) return
      this.now = Math.max(this.now, t)
      if (head !== undefined && head.t === t) {
        this.events.shift()
        head.fn()
      } else this.sender.onTimer(this.now)
    }
  }
}

const bytesOf = (n: number, fill: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + fill) & 0xff)

describe('selective-repeat ARQ: sender and receiver', () => {
  it('delivers messages in order on a clean channel with one poll per batch and no retries', () => {
    const w = new World({ window: 8 })
    const messages = [bytesOf(250, 1), bytesOf(1, 2), bytesOf(0, 3), bytesOf(1000, 4)]
    messages.forEach((m, i) => w.sender.enqueue(i, m, 0))
    w.sender.flush()
    w.run(200_000) // before the first keepalive
    expect(w.delivered.map((m) => Buffer.from(m).toString('hex'))).toEqual(messages.map((m) => Buffer.from(m).toString('hex')))
    expect(w.done).toEqual([0, 1, 2, 3])
    const s = w.sender.stats()
    expect(s.segmentsRetried).toBe(0)
    expect(s.segmentsLost).toBe(0)
    expect(s.polls).toBe(0)
    // 254 + 5 + 4 + 1004 bytes of stream in 100-byte segments: 3 + 1 + 1 + 11 = 16 segments
    expect(s.segmentsSent).toBe(16)
    expect(s.bytesDelivered).toBe(1251)
    expect(w.rtts.length).toBeGreaterThan(0)
    expect(w.maxInFlight).toBeLessThanOrEqual(8)
  })

  it('adapts T1 to the measured round trip', () => {
    const w = new World({ window: 2, t1: { initialMs: 3000, minMs: 100, maxMs: 30000 } })
    w.sender.enqueue(0, bytesOf(2000, 0), 0)
    w.sender.flush()
    w.run(200_000)
    // an ack here is 0.3 s keyup + 42 bytes at 1200 bit/s = 580 ms after the poll ends
    expect(w.sender.srttMs).toBeCloseTo(580, 0)
    expect(w.sender.t1Ms).toBeLessThan(1000)
  })

  it('recovers every message, in order, under heavy seeded loss (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 16 }),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        fc.integer({ min: 1, max: 1 << 30 }),
        (sizes, window, loss, seed) => {
          const w = new World({ window, retries: 30 }, loss, seed)
          const messages = sizes.map((n, i) => bytesOf(n, i))
          messages.forEach((m, i) => w.sender.enqueue(i, m, 0))
          w.sender.flush()
          w.run(10_000_000)
          expect(w.failed).toEqual([])
          expect(w.delivered.map((m) => Buffer.from(m).toString('hex'))).toEqual(messages.map((m) => Buffer.from(m).toString('hex')))
          expect(w.done).toEqual(messages.map((_, i) => i))
          expect(w.maxInFlight).toBeLessThanOrEqual(window)
          expect(w.sender.busy()).toBe(false)
        },
      ),
      { seed: 42, numRuns: 150 },
    )
  })

  it('retransmits only what was lost', () => {
    const w = new World({ window: 16 }, 0.2, 7)
    w.sender.enqueue(0, bytesOf(3000, 9), 0)
    w.sender.flush()
    w.run(10_000_000)
    const s = w.sender.stats()
    expect(w.delivered).toHaveLength(1)
    expect(s.segmentsLost).toBeGreaterThan(0)
    expect(s.segmentsRetried).toBe(s.segmentsLost) // each inferred loss is sent again exactly once
  })

  it('declares an unreachable peer after `retries` unanswered polls and fails every message', () => {
    const w = new World({ window: 4, retries: 3, t1: { initialMs: 1000, minMs: 1000, maxMs: 4000 } }, 1)
    w.sender.enqueue(7, bytesOf(500, 0), 0)
    w.sender.enqueue(8, bytesOf(10, 0), 0)
    w.sender.flush()
    w.run(10_000_000)
    expect(w.failed).toEqual([{ ids: [7, 8], reason: 'no answer to 3 polls' }])
    expect(w.sender.stats().polls).toBe(3)
    expect(w.sender.busy()).toBe(false)
    // T1 backs off 1 s, 2 s, 4 s, 4 s (capped), plus airtime: done within a minute
    expect(w.now).toBeLessThan(60_000)
  })

  it('starts a new session after giving up, and the receiver follows it', () => {
    const w = new World({ window: 4, retries: 1, t1: { initialMs: 1000, minMs: 1000, maxMs: 1000 } }, 1)
    const first = w.sender.sessionId
    w.sender.enqueue(1, bytesOf(50, 1), 0)
    w.sender.flush()
    w.run(1_000_000)
    expect(w.failed).toHaveLength(1)
    expect(w.sender.sessionId).not.toBe(first)
    ;(w as unknown as { loss: number }).loss = 0
    w.sender.enqueue(2, bytesOf(50, 2), w.now)
    w.sender.flush()
    w.run(2_000_000)
    expect(w.done).toEqual([2])
    expect(Buffer.from(w.delivered[0] ?? []).equals(Buffer.from(bytesOf(50, 2)))).toBe(true)
  })

  it('probes an idle peer after keepaliveMs and closes the session after idleDisconnectMs', () => {
    const w = new World({ keepaliveMs: 10_000, idleDisconnectMs: 35_000 })
    const frames: ArqFrame['type'][] = []
    const air = w.air.bind(w)
    w.air = (from, f) => {
      if (from === 'a') frames.push(f.type)
      air(from, f)
    }
    w.sender.enqueue(0, bytesOf(10, 0), 0)
    w.sender.flush()
    w.run(100_000)
    expect(w.done).toEqual([0])
    expect(frames).toEqual(['data', 'poll', 'poll', 'poll', 'close'])
    expect(w.sender.nextDeadline()).toBeUndefined()
    expect(w.failed).toEqual([])
  })

  it('reports a keepalive that goes unanswered as a failure with no messages', () => {
    const w = new World({ keepaliveMs: 10_000, retries: 2, t1: { initialMs: 1000, minMs: 1000, maxMs: 2000 } })
    w.sender.enqueue(0, bytesOf(10, 0), 0)
    w.sender.flush()
    w.run(5_000)
    expect(w.done).toEqual([0])
    ;(w as unknown as { loss: number }).loss = 1
    w.run(100_000)
    expect(w.failed).toEqual([{ ids: [], reason: 'no answer to 2 polls' }])
  })

  it('cancels a message that has not started, but not one in flight', () => {
    const w = new World({ window: 1 })
    w.sender.enqueue(0, bytesOf(300, 0), 0)
    w.sender.enqueue(1, bytesOf(300, 1), 0)
    w.sender.flush()
    expect(w.sender.cancel(0)).toBe(false)
    expect(w.sender.cancel(1)).toBe(true)
    w.run(200_000)
    expect(w.done).toEqual([0])
    expect(w.delivered).toHaveLength(1)
  })
})

describe('ARQ receiver on its own', () => {
  const session = 0x1234
  const setup = (mtu = 100) => {
    const out = { messages: [] as Uint8Array[], acks: [] as ArqFrame[], problems: [] as string[] }
    const r = new ArqReceiver(mtu, { deliver: (m) => out.messages.push(m), transmit: (f) => out.acks.push(f), problem: (p) => out.problems.push(p) }, 0)
    return { r, out }
  }
  const data = (seq: number, payload: Uint8Array, end = false, poll = false, s = session): Extract<ArqFrame, { type: 'data' }> =>
    ({ type: 'data', session: s, seq, poll, pollNo: poll ? 5 : 0, end, payload })

  it('acks with next and a bitmap of what arrived past a gap', () => {
    const { r, out } = setup()
    r.onFrame(data(0, Uint8Array.of(1)), 0)
    r.onFrame(data(2, Uint8Array.of(3)), 0)
    r.onFrame(data(5, Uint8Array.of(6), false, true), 0)
    expect(out.acks).toEqual([{ type: 'ack', session, pollNo: 5, next: 1, selective: [2, 5] }])
  })

  it('drops a message whose CRC-32 does not match and one longer than the MTU', () => {
    const { r, out } = setup(4)
    r.onFrame(data(0, Uint8Array.of(1, 2, 0, 0, 0, 0), true), 0)
    expect(out.problems).toEqual(['message CRC-32 mismatch'])
    r.onFrame(data(1, new Uint8Array(6)), 0)
    r.onFrame(data(2, new Uint8Array(6), true), 0)
    expect(out.problems).toEqual(['message CRC-32 mismatch', 'message longer than 4 bytes'])
    expect(out.messages).toEqual([])
    expect(r.stats().dropped).toBe(2)
  })

  it('ignores a late frame of a session it has replaced', () => {
    const { r, out } = setup()
    r.onFrame(data(0, Uint8Array.of(1)), 0)
    r.onFrame({ type: 'poll', session: 0x9999, pollNo: 1, next: 0 }, 0)
    r.onFrame({ type: 'poll', session, pollNo: 2, next: 1 }, 0)
    expect(out.acks).toEqual([{ type: 'ack', session: 0x9999, pollNo: 1, next: 0, selective: [] }])
  })

  it('ignores segments beyond its receive window and counts duplicates', () => {
    const { r, out } = setup()
    r.onFrame(data(200, Uint8Array.of(1)), 0)
    r.onFrame(data(0, Uint8Array.of(1)), 0)
    r.onFrame(data(0, Uint8Array.of(1), false, true), 0)
    expect(out.acks).toEqual([{ type: 'ack', session, pollNo: 5, next: 1, selective: [] }])
    expect(r.stats()).toMatchObject({ segmentsReceived: 1, duplicates: 1 })
  })
})
