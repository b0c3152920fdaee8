/**
 * Two AX.25 transports through two real Direwolf 1.6 TNCs that hear each other BOTH ways over
 * AFSK 1200 audio (tests/helpers/direwolf-pair.ts): a broadcast UI payload each way, then a
 * reliable unicast payload of a few hundred bytes each way. The unicast send resolves only once
 * the peer's acknowledgements have come back over the other direction's audio, so it proves the
 * duplex link. Needs `direwolf` (Debian package `direwolf`); with CI=true its absence fails.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Ax25LinkSample } from '../../transports/ax25/ax25-transport.js'
import type { InboundFrame } from '../../transports/types.js'
import { startAx25DirewolfLink, type Ax25DirewolfLink } from '../helpers/direwolf-pair.js'
import { waitFor } from '../helpers/raw-peer.js'
import { requireProgram } from '../helpers/require-program.js'

/** Bytes of each unicast payload: two 256-byte segments. */
const UNICAST_BYTES = 400
/** Deadline of each delivery, ms (one exchange takes well under a second on the FIFO link). */
const DELIVERY_MS = 20_000

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** Bytes that differ from position to position (a shifted or truncated copy would not match). */
function payload(bytes: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: bytes }, (_, i) => (i * 31 + seed) & 0xff)
}

async function link(): Promise<Ax25DirewolfLink & { atA: InboundFrame[]; atB: InboundFrame[] }> {
  const l = await startAx25DirewolfLink()
  cleanups.push(() => l.stop())
  const atA: InboundFrame[] = []
  const atB: InboundFrame[] = []
  l.a.on('frame', (f) => atA.push(f))
  l.b.on('frame', (f) => atB.push(f))
  return { ...l, atA, atB }
}

describe.runIf(requireProgram('direwolf'))('two transports through two real Direwolf 1.6 linked by audio both ways', () => {
  it('carry a broadcast each way', async () => {
    const { a, b, atA, atB, pair } = await link()
    const fromA = new TextEncoder().encode('tip 1234 from A')
    const fromB = new TextEncoder().encode('tip 1234 from B')
    await a.send(fromA)
    await waitFor(() => atB.length === 1, DELIVERY_MS, `A's broadcast at B\n${pair.logs().b}`)
    await b.send(fromB)
    await waitFor(() => atA.length === 1, DELIVERY_MS, `B's broadcast at A\n${pair.logs().a}`)
    expect(atB[0]).toMatchObject({ payload: fromA, from: 'N0AAA-1' })
    expect(atA[0]).toMatchObject({ payload: fromB, from: 'N0BBB-2' })
    // Direwolf's monitor lines show each station's frame transmitted and decoded on the other side.
    expect(pair.logs().b).toMatch(/N0AAA-1>BUNKER/)
    expect(pair.logs().a).toMatch(/N0BBB-2>BUNKER/)
  }, 60_000)

  it('deliver a reliable unicast each way, acknowledged over the return audio', async () => {
    const { a, b, atA, atB, pair } = await link()
    const samplesA: Ax25LinkSample[] = []
    a.on('sample', (s) => samplesA.push(s))
    const toB = payload(UNICAST_BYTES, 1)
    const toA = payload(UNICAST_BYTES, 2)

    const started = performance.now()
    await a.send(toB, { to: 'N0BBB-2' }) // resolves only on B's acknowledgement
    const aToBMs = performance.now() - started
    expect(atB).toHaveLength(1)
    expect(atB[0]).toMatchObject({ payload: toB, from: 'N0AAA-1' })

    await b.send(toA, { to: 'N0AAA-1' })
    expect(atA).toHaveLength(1)
    expect(atA[0]).toMatchObject({ payload: toA, from: 'N0BBB-2' })

    // Measured ~1 s A→B and 2–3 s B→A (A's ack waits while A's transmitter still holds the
    // channel for its segments' airtime, ~3.8 s); a lost segment would add at least T1.
    expect(aToBMs).toBeLessThan(DELIVERY_MS)
    expect(samplesA.some((s) => s.sendOk === true && s.peer === 'N0BBB-2')).toBe(true)
    expect(a.stats().peers['N0BBB-2']).toMatchObject({ framesAcked: 2, framesLost: 0 })
    expect(b.stats().peers['N0AAA-1']).toMatchObject({ framesAcked: 2, framesLost: 0 })
    expect(pair.logs().a).toMatch(/N0BBB-2>N0AAA-1/) // B's acks (and data) decoded by direwolf A
  }, 60_000)
})
