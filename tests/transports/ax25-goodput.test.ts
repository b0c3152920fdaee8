/**
 * Reliable-unicast goodput on the simulated 1200 bit/s channel against the airtime bound
 * (bitrate / 8), compared with Direwolf's published connected-mode figures (reference radio.md
 * §2.5: 91 % clean with v2.2, 59 % at 10 % frame loss with v2.0). Simulated time: the numbers do
 * not depend on the host's speed. The benchmark (bench/ax25-goodput.ts) reports the full table.
 */
import { describe, expect, it } from 'vitest'
import { measureAx25Goodput } from '../../bench/ax25-goodput.js'

describe('AX.25 reliable unicast goodput (simulated 1200 bit/s channel, Direwolf channel access)', () => {
  it('reaches at least 90 % of the airtime bound on a clean channel (Direwolf: 91 %)', async () => {
    const r = await measureAx25Goodput('vhf-1200', 0)
    expect(r.boundBytesPerSec).toBe(150)
    expect(r.efficiency).toBeGreaterThanOrEqual(0.9)
    expect(r.efficiency).toBeGreaterThan(0.91)
    expect(r.framesRetried).toBe(0)
    expect(r.keyups).toBeLessThan(10) // windows of 63 frames go out in one keyup each
  })

  it('reaches at least 65 % at 10 % frame loss, on every one of five seeds (Direwolf: 59 %)', async () => {
    const runs = await Promise.all([1, 2, 3, 4, 5].map((seed) => measureAx25Goodput('vhf-1200', 0.1, { seed })))
    for (const r of runs) {
      expect(r.efficiency).toBeGreaterThanOrEqual(0.65)
      expect(r.framesLost).toBeGreaterThan(0) // the loss really happened and was repaired
    }
  })

  it('moves the whole transfer intact in the packet-radio default configuration too', async () => {
    const r = await measureAx25Goodput('vhf-1200', 0.1, { paclen: 256, window: 32 })
    expect(r.bytes).toBe(64_000)
    expect(r.efficiency).toBeGreaterThan(0.59)
  })
})
