/**
 * Hostile peers against the gateway-to-gateway TCP transport (plain TCP, as on a LAN; with TLS a peer
 * without a pinned certificate never gets this far): broken length prefixes, garbage at full speed,
 * hundreds of connections, a peer that never reads. An honest gateway keeps exchanging frames.
 */
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { isTransportError } from '../../transports/errors.js'
import { TcpTransport } from '../../transports/tcp/tcp-transport.js'
import type { TcpTransportOptions } from '../../transports/tcp/config.js'
import { closed, connectFrom, Flood, MiB, ResourceProbe } from '../helpers/hostile.js'
import { waitFor } from '../helpers/raw-peer.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** Longest honest frame delivery tolerated while an attack runs, ms (measured: a few ms). */
const HONEST_DELIVERY_BOUND_MS = 1_000

/** Frames from anyone but 127.0.0.1, counted rather than kept (keeping them would fill the test's memory). */
interface Junk {
  count: number
  longest: number
  /** IP addresses they came from. */
  addresses: Set<string>
}

async function transport(options: TcpTransportOptions): Promise<{ t: TcpTransport; port: number; frames: Buffer[]; junk: Junk }> {
  const t = new TcpTransport({ listen: { host: '127.0.0.1', port: 0 }, ...options })
  const frames: Buffer[] = []
  const junk: Junk = { count: 0, longest: 0, addresses: new Set() }
  t.on('frame', (f) => {
    const from = String(f.from)
    if (from.startsWith('127.0.0.1:')) frames.push(Buffer.from(f.payload))
    else {
      junk.count++
      junk.longest = Math.max(junk.longest, f.payload.length)
      junk.addresses.add(from.slice(0, from.lastIndexOf(':')))
    }
  })
  await t.start()
  cleanups.push(() => t.stop())
  return { t, port: t.address()?.port ?? 0, frames, junk }
}

/** The gateway under attack (`b`) and an honest gateway (`a`) that both listen and send. */
async function gateways(options: TcpTransportOptions = {}): Promise<{ a: Awaited<ReturnType<typeof transport>>; b: Awaited<ReturnType<typeof transport>>; roundTrip: () => Promise<number>; rtts: number[] }> {
  const b = await transport({ id: 'b', ...options })
  const a = await transport({ id: 'a' })
  const rtts: number[] = []
  let n = 0
  /** a → b and b → a, one distinct frame each way; the slower leg, ms. */
  const roundTrip = async (): Promise<number> => {
    const payload = Buffer.from(`honest frame ${n++}`)
    const started = performance.now()
    await a.t.send(payload, { to: `127.0.0.1:${b.port}` })
    await b.t.send(payload, { to: `127.0.0.1:${a.port}` })
    const arrived = (frames: Buffer[]): boolean => frames.some((f) => f.equals(payload))
    await waitFor(() => arrived(a.frames) && arrived(b.frames), 5_000, 'the honest frames')
    const rtt = performance.now() - started
    rtts.push(rtt)
    return rtt
  }
  await roundTrip()
  return { a, b, roundTrip, rtts }
}

async function attacker(port: number, from = '127.0.0.2', options?: { read?: boolean }): Promise<Socket> {
  const socket = await connectFrom(port, from, options)
  cleanups.push(() => void socket.destroy())
  return socket
}

/** Relays honest frames every 20 ms or so for `ms`. */
async function keepRoundTripping(roundTrip: () => Promise<number>, ms: number): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    await roundTrip()
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** A deterministic stream of pseudo-random bytes (xorshift32), `n` long. */
function garbage(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n)
  let x = seed >>> 0 || 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

describe('hostile TCP transport peer: broken length prefixes', () => {
  it('drops a peer announcing a 2 GB frame at once, allocating nothing for it', async () => {
    const { b, roundTrip, rtts } = await gateways()
    const probe = await ResourceProbe.start()
    // 2^31 as a varint is five bytes; three is the most a prefix may take (2 MiB - 1).
    const twoGb = await attacker(b.port)
    twoGb.write(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08]))
    const flood = new Flood(twoGb, Buffer.alloc(64 * 1024), 64 * MiB) // the "frame" it promised
    // The largest 3-byte prefix, 2 MiB - 1, is still far above the 64 KiB MTU.
    const overMtu = await attacker(b.port, '127.0.0.3')
    overMtu.write(Buffer.from([0xff, 0xff, 0x7f]))
    await waitFor(() => closed(twoGb) && closed(overMtu), 2_000, 'both attackers to be dropped')
    await roundTrip()

    expect(flood.written).toBeLessThan(64 * MiB) // cut off long before it could send its frame
    expect(b.junk.count).toBe(0)
    expect(Math.max(...rtts)).toBeLessThan(HONEST_DELIVERY_BOUND_MS)
    expect(await probe.heldGrowth()).toBeLessThan(4 * MiB)
    expect(probe.stop().maxStallMs).toBeLessThan(HONEST_DELIVERY_BOUND_MS)
  })

  it('survives garbage at full speed from peers that keep reconnecting; their junk frames carry their address', async () => {
    const { b, roundTrip, rtts } = await gateways()
    const probe = await ResourceProbe.start()
    let dropped = 0
    let stopped = false
    cleanups.push(() => void (stopped = true))
    const attack = async (seed: number): Promise<void> => {
      const bytes = garbage(MiB, seed)
      for (let at = 0; !stopped; at = (at + 4099) % (MiB / 2)) {
        // Not through attacker(): a thousand sockets kept for cleanup would be the test's own leak.
        const socket = await connectFrom(b.port, '127.0.0.2')
        const flood = new Flood(socket, bytes.subarray(at))
        await waitFor(() => closed(socket) || stopped, 5_000, 'the garbage peer to be dropped')
        flood.stop()
        if (closed(socket)) dropped++
        socket.destroy()
      }
    }
    const attacks = [attack(1), attack(1_000)]
    await keepRoundTripping(roundTrip, 1_000)
    stopped = true
    await Promise.all(attacks)

    // Random bytes soon make a prefix no stream may carry, and the connection goes; until then the
    // frames they happen to spell are delivered, as the link cannot tell, but marked as theirs, so
    // the envelope decoder above rejects them and blames the right peer.
    expect(dropped).toBeGreaterThan(10)
    expect(b.junk.count).toBeGreaterThan(0)
    expect([...b.junk.addresses]).toEqual(['127.0.0.2'])
    expect(b.junk.longest).toBeLessThanOrEqual(b.t.capabilities.mtu)
    expect(Math.max(...rtts)).toBeLessThan(HONEST_DELIVERY_BOUND_MS)
    expect(await probe.heldGrowth()).toBeLessThan(16 * MiB)
    expect(probe.stop().maxStallMs).toBeLessThan(HONEST_DELIVERY_BOUND_MS)
  })
})

describe('hostile TCP transport peer: resources', () => {
  it('holds at most maxInboundPerAddress connections from one address and maxInbound in all', async () => {
    const { a, b, roundTrip, rtts } = await gateways({ maxInbound: 24, maxInboundPerAddress: 4 })
    const probe = await ResourceProbe.start()
    const one = await Promise.all(Array.from({ length: 200 }, () => attacker(b.port, '127.0.0.2')))
    await waitFor(() => one.filter((s) => !closed(s)).length === 4, 5_000, 'all but 4 connections from one address to be refused')
    const many = await Promise.all(Array.from({ length: 100 }, (_, i) => attacker(b.port, `127.0.1.${(i % 25) + 1}`)))
    // 24 in all: a's connection, the 4 above, and 19 of the others.
    await waitFor(() => many.filter((s) => !closed(s)).length === 19, 5_000, 'the inbound cap to hold')
    expect(b.t.connectedPeers().filter((p) => p.startsWith('127.0.1.') || p.startsWith('127.0.0.2:'))).toHaveLength(23)
    // The honest gateway connected before the flood keeps its connection and its frames flow.
    await keepRoundTripping(roundTrip, 300)
    expect(b.t.connectedPeers()).toContain(`127.0.0.1:${a.port}`)
    expect(Math.max(...rtts)).toBeLessThan(HONEST_DELIVERY_BOUND_MS)
    expect(await probe.heldGrowth()).toBeLessThan(16 * MiB)
    expect(probe.stop().maxStallMs).toBeLessThan(HONEST_DELIVERY_BOUND_MS)
  })

  it('bounds the queue to a peer that never reads and drops it once it stalls; sends elsewhere go on', async () => {
    const maxQueueBytes = 256 * 1024
    const { b, roundTrip, rtts } = await gateways({ maxQueueBytes, stallTimeoutMs: 300 })
    const socket = await attacker(b.port, '127.0.0.2', { read: false })
    const peer = `127.0.0.2:${socket.localPort}`
    await waitFor(() => b.t.connectedPeers().includes(peer), 2_000, 'the attacker to be adopted')
    const probe = await ResourceProbe.start()
    const frame = Buffer.alloc(32 * 1024, 1)
    let sent = 0
    const sending = (async () => {
      for (;;) {
        await b.t.send(frame, { to: peer })
        sent += frame.length
      }
    })()
    const outcome = sending.then(
      () => 'resolved',
      (e: unknown) => e,
    )
    await keepRoundTripping(roundTrip, 600)
    const error = await outcome

    expect(isTransportError(error, 'ERR_UNREACHABLE')).toBe(true)
    await waitFor(() => !b.t.connectedPeers().includes(peer), 1_000, 'the slow reader to be forgotten')
    expect(sent).toBeGreaterThan(maxQueueBytes) // it did take bytes until the kernel buffers were full
    expect(await probe.heldGrowth()).toBeLessThan(maxQueueBytes + 8 * MiB)
    expect(Math.max(...rtts)).toBeLessThan(HONEST_DELIVERY_BOUND_MS)
    expect(probe.stop().maxStallMs).toBeLessThan(HONEST_DELIVERY_BOUND_MS)
  })
})
