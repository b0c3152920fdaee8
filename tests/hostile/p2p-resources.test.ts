/**
 * Hostile peers that go after the P2P service's memory and connection slots: a 100 MB line, hundreds
 * of connections, a peer that never reads. Two honest peers on 127.0.0.1 keep relaying meanwhile.
 */
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { closed, connectFrom, Flood, MiB, repeatLines, ResourceProbe } from '../helpers/hostile.js'
import { waitFor } from '../helpers/raw-peer.js'
import { freshTx, HONEST_RTT_BOUND_MS, HonestPair, startGateway, type Defer } from './p2p-fixtures.js'

const cleanups: (() => Promise<void> | void)[] = []
const defer: Defer = (c) => cleanups.push(c)
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function connectAttacker(port: number, from: string, options?: { read?: boolean }): Promise<Socket> {
  const socket = await connectFrom(port, from, options)
  defer(() => void socket.destroy())
  return socket
}

/** Resolves once everything written to `socket` so far has been handed to the kernel. */
function flushed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.write('', () => resolve()))
}

describe('hostile P2P peer: a 100 MB line', () => {
  const maxLineBytes = MiB
  /**
   * Held memory tolerated while the line streams in, bytes: the splitter keeps at most one
   * `maxLineBytes` buffer and drops the rest of the line, plus socket reads in flight.
   */
  const LINE_HELD_BOUND = 4 * maxLineBytes + 4 * MiB

  it('cuts the line off at the limit without buffering it, and reads on after the newline', async () => {
    const { svc, port, logs } = await startGateway(defer, { limits: { maxLineBytes } })
    const honest = await HonestPair.connect(defer, svc, port)
    const socket = await connectAttacker(port, '127.0.0.2')
    const answers: string[] = []
    socket.on('data', (d: Buffer) => answers.push(d.toString('latin1')))
    const probe = await ResourceProbe.start()
    const relay = honest.keepRelaying(500)

    // 'x' × 100 MiB without a newline, in two halves, measuring what is held in between.
    const half = 50 * MiB
    const xs = Buffer.alloc(MiB, 0x78)
    const first = new Flood(socket, xs, half)
    await waitFor(() => first.written >= half, 10_000, 'half the line to be written')
    await flushed(socket)
    const heldMidLine = await probe.heldGrowth()
    const second = new Flood(socket, xs, half)
    await waitFor(() => second.written >= half, 10_000, 'the whole line to be written')
    socket.write('\n"GetMempool"\n')
    await waitFor(() => answers.join('').includes('{"Mempool"'), 10_000, 'the line after the long one to be answered')
    await relay
    const { peakGrowth, maxStallMs } = probe.stop()

    expect(heldMidLine).toBeLessThan(LINE_HELD_BOUND)
    expect(await probe.heldGrowth()).toBeLessThan(LINE_HELD_BOUND)
    expect(peakGrowth).toBeLessThan(2 * half) // garbage included: whatever V8 has not collected yet is still less than the line
    expect(logs.find('dropped a bad line').map((r) => r.code)).toEqual(['ERR_LINE_TOO_LONG'])
    expect(closed(socket)).toBe(false) // one over-long line is one strike, not a disconnect
    expect(honest.maxRttMs).toBeLessThan(HONEST_RTT_BOUND_MS)
    expect(maxStallMs).toBeLessThan(HONEST_RTT_BOUND_MS)
  })
})

describe('hostile P2P peer: hundreds of connections', () => {
  it('caps the connections of one address and keeps a slot for a newcomer from elsewhere', async () => {
    const maxPeersPerAddress = 8
    const { svc, port, logs } = await startGateway(defer, { maxPeers: 64, maxPeersPerAddress })
    const honest = await HonestPair.connect(defer, svc, port)
    const probe = await ResourceProbe.start()
    const sockets = await Promise.all(Array.from({ length: 300 }, () => connectAttacker(port, '127.0.0.2')))
    await waitFor(() => sockets.filter((s) => !closed(s)).length === maxPeersPerAddress, 5_000, 'all but the capped connections to be refused')
    const fromAttacker = svc.peers.connections().filter((c) => c.address === '127.0.0.2')
    expect(fromAttacker).toHaveLength(maxPeersPerAddress)
    expect(logs.find('too many connections from its address')).toHaveLength(300 - maxPeersPerAddress)

    // A newcomer from another address is accepted and served; the pair already connected still relays.
    const newcomer = await HonestPair.connect(defer, svc, port, 2 + maxPeersPerAddress + 2)
    await newcomer.roundTrip()
    await honest.keepRelaying(300)
    expect(Math.max(honest.maxRttMs, newcomer.maxRttMs)).toBeLessThan(HONEST_RTT_BOUND_MS)
    expect(probe.stop().maxStallMs).toBeLessThan(HONEST_RTT_BOUND_MS)
    expect(await probe.heldGrowth()).toBeLessThan(16 * MiB)
  })

  it('never holds more than maxPeers connections, however many addresses dial in', async () => {
    const maxPeers = 16
    const { svc, port, logs } = await startGateway(defer, { maxPeers, maxPeersPerAddress: 4 })
    const honest = await HonestPair.connect(defer, svc, port)
    const probe = await ResourceProbe.start()
    const addresses = Array.from({ length: 30 }, (_, i) => `127.0.1.${i + 1}`)
    const sockets = await Promise.all(addresses.flatMap((a) => Array.from({ length: 10 }, () => connectAttacker(port, a))))
    await waitFor(() => sockets.filter((s) => !closed(s)).length === maxPeers - 2, 5_000, 'the attackers to fill the free slots and no more')
    expect(svc.peers.connections()).toHaveLength(maxPeers)
    expect(logs.find('peer limit reached').length + logs.find('too many connections from its address').length).toBe(sockets.length - (maxPeers - 2))
    // The peers connected before the flood are never evicted and still relay.
    await honest.keepRelaying(300)
    expect(honest.maxRttMs).toBeLessThan(HONEST_RTT_BOUND_MS)
    expect(probe.stop().maxStallMs).toBeLessThan(HONEST_RTT_BOUND_MS)
    expect(await probe.heldGrowth()).toBeLessThan(16 * MiB)
  })
})

describe('hostile P2P peer: never reads', () => {
  it('drops a peer that asks for big answers and never reads them, with the queue bounded', async () => {
    const maxWriteQueueBytes = MiB
    // A dearer answer budget than the default only makes the queue fill sooner (the default lets it
    // grow by at most 200 lines/s × 8 KiB = 1.6 MB/s), so the test is quick.
    const { svc, port, logs, state } = await startGateway(defer, { limits: { maxWriteQueueBytes, answerBytesPerLine: 64 * 1024 } })
    for (let i = 0; i < 300; i++) state.addTransaction(freshTx()) // Mempool answers of about 160 kB
    const honest = await HonestPair.connect(defer, svc, port)
    const socket = await connectAttacker(port, '127.0.0.2', { read: false })
    await waitFor(() => svc.peers.connections().length === 3, 2_000, 'the attacker to be accepted')
    const attackerConn = svc.peers.connections().find((c) => c.address === '127.0.0.2')
    const probe = await ResourceProbe.start()
    let maxQueued = 0
    const watch = setInterval(() => (maxQueued = Math.max(maxQueued, attackerConn?.queuedBytes ?? 0)), 5)
    defer(() => clearInterval(watch))
    const flood = new Flood(socket, repeatLines(['"GetMempool"'], 64 * 1024))
    const relay = honest.keepRelaying(1_000)
    await waitFor(() => logs.find('peer disconnected').some((r) => r.reason === 'slow-reader'), 8_000, 'the slow reader to be dropped')
    flood.stop()
    await relay
    await honest.roundTrip()

    expect(attackerConn?.open).toBe(false)
    expect(maxQueued).toBeLessThanOrEqual(maxWriteQueueBytes)
    expect(await probe.heldGrowth()).toBeLessThan(maxWriteQueueBytes + 8 * MiB)
    expect(honest.maxRttMs).toBeLessThan(HONEST_RTT_BOUND_MS)
    expect(probe.stop().maxStallMs).toBeLessThan(HONEST_RTT_BOUND_MS)
    // Slowness is not an offence: the address may come back.
    expect(logs.find('banned peer')).toEqual([])
  })
})
