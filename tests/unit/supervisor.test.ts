import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Supervisor } from '../../gateway/supervisor.js'
import { TransportError } from '../../transports/errors.js'
import { TransportBase } from '../../transports/transport-base.js'
import { captureLog } from '../helpers/log-capture.js'

/** A transport whose start fails while `broken` is set, and that can be knocked down. */
class FlakyTransport extends TransportBase {
  broken = false
  starts = 0
  constructor() {
    super('flaky', { kind: 'tcp', mtu: 10, nominalBitrateBps: 1, broadcast: false, reliable: true, halfDuplex: false, publicMedium: false })
  }
  async start(): Promise<void> {
    this.starts++
    this.setState('starting', 'start')
    if (this.broken) {
      this.setState('down', 'device-missing')
      throw new TransportError('ERR_DEVICE', 'no device')
    }
    this.setState('up', 'started')
  }
  async send(): Promise<void> {}
  async stop(): Promise<void> {
    this.setState('stopped', 'stopped')
  }
  drop(): void {
    this.setState('down', 'device-closed')
  }
}

describe('Supervisor', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('restarts a dropped link with growing delays and resets once stable', async () => {
    const t = new FlakyTransport()
    const logs = captureLog()
    const s = new Supervisor(t, logs.log, { backoff: { initialMs: 1000, maxMs: 8000, jitter: 0 }, stableAfterMs: 60_000 })
    await s.start()
    expect(t.state).toBe('up')
    t.broken = true
    t.drop()
    await vi.advanceTimersByTimeAsync(999)
    expect(t.starts).toBe(1)
    await vi.advanceTimersByTimeAsync(1) // 1 s: fails
    await vi.advanceTimersByTimeAsync(2000) // 2 s: fails
    expect(t.starts).toBe(3)
    t.broken = false
    await vi.advanceTimersByTimeAsync(4000) // 4 s: up
    expect(t.starts).toBe(4)
    expect(t.state).toBe('up')
    expect(logs.find('will restart').map((r) => r.retryInMs)).toEqual([1000, 2000, 4000])
    await vi.advanceTimersByTimeAsync(60_000)
    t.drop()
    expect(s.failures).toBe(1) // reset after a stable minute, then this drop
    await s.stop()
  })

  it('stops retrying when stopped', async () => {
    const t = new FlakyTransport()
    t.broken = true
    const s = new Supervisor(t, captureLog().log, { backoff: { initialMs: 1000, jitter: 0 } })
    await s.start()
    await s.stop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(t.starts).toBe(1)
    expect(t.state).toBe('stopped')
  })
})
