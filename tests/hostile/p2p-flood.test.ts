/**
 * Hostile peers flooding the node-facing P2P service with lines at full speed, valid and invalid,
 * while two honest peers on 127.0.0.1 keep relaying transactions through it.
 */
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { Block } from '../../codecs/model.js'
import { encodeP2PMessage } from '../../codecs/ndjson.js'
import { buildNextBlock } from '../../codecs/producer.js'
import type { ChainState } from '../../gateway/node-link/chain-state.js'
import { DEFAULT_P2P_LIMITS } from '../../gateway/node-link/p2p-connection.js'
import { closed, connectFrom, Flood, MiB, repeatLines, ResourceProbe } from '../helpers/hostile.js'
import { waitFor } from '../helpers/raw-peer.js'
import { freshTx, HONEST_RTT_BOUND_MS, HonestPair, startGateway, txLine, type Defer } from './p2p-fixtures.js'

const cleanups: (() => Promise<void> | void)[] = []
const defer: Defer = (c) => cleanups.push(c)
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** Retained memory tolerated after a flood, bytes: the line budget keeps the backlog to one socket read. */
const FLOOD_HELD_BOUND = 16 * MiB

/**
 * Most `Mempool` answers the address budget allows in `elapsedS` when each request costs one line
 * plus one per `answerBytesPerLine` of an answer at least `answerBytes` long (the mempool only grows).
 */
function allowedAnswers(answerBytes: number, elapsedS: number): number {
  const { lineBurst, maxLinesPerSecond, answerBytesPerLine } = DEFAULT_P2P_LIMITS
  return Math.ceil((lineBurst + maxLinesPerSecond * elapsedS) / (1 + answerBytes / answerBytesPerLine))
}

function mempoolAnswerBytes(state: ChainState): number {
  return Buffer.byteLength(encodeP2PMessage({ type: 'Mempool', transactions: state.transactions() }))
}

/** An attacker on 127.0.0.2 that reads, keeping the first bytes of each line it is sent. */
async function attacker(port: number): Promise<{ socket: Socket; lines: string[] }> {
  const socket = await connectFrom(port, '127.0.0.2')
  defer(() => void socket.destroy())
  const lines: string[] = []
  let carry = ''
  socket.setEncoding('utf8')
  socket.on('data', (s: string) => {
    const parts = (carry + s).split('\n')
    carry = parts.pop() ?? ''
    for (const p of parts) lines.push(p.slice(0, 16)) // the prefix says what it was; keep memory small
  })
  return { socket, lines }
}

describe('hostile P2P peer: floods', () => {
  it('throttles a flood of valid lines to its address budget while honest peers keep relaying', async () => {
    const { svc, port, state } = await startGateway(defer)
    const known = freshTx()
    state.addTransaction(known)
    for (let i = 1; i < 100; i++) state.addTransaction(freshTx()) // a Mempool answer of about 54 kB
    const answerBytes = mempoolAnswerBytes(state)
    const honest = await HonestPair.connect(defer, svc, port)
    const { socket, lines } = await attacker(port)
    // Requests for big answers, duplicates, empty requests: all valid, none an offence.
    const flood = new Flood(socket, repeatLines(['"GetMempool"', txLine(known), '"GetChain"'], MiB))
    const probe = await ResourceProbe.start()
    const started = Date.now()
    const relayed = await honest.keepRelaying(2_000)
    flood.stop()
    const elapsedS = (Date.now() - started) / 1000
    const { maxStallMs, peakGrowth } = probe.stop()

    // The gateway stopped reading, so TCP stopped the attacker once the socket buffers were full.
    expect(flood.written).toBeGreaterThan(MiB)
    expect(relayed).toBeGreaterThan(20)
    expect(honest.maxRttMs).toBeLessThan(HONEST_RTT_BOUND_MS)
    expect(maxStallMs).toBeLessThan(HONEST_RTT_BOUND_MS)
    // Unthrottled, thousands of GetMempool lines would each have been answered.
    const answers = lines.filter((l) => l.startsWith('{"Mempool"')).length
    expect(answers).toBeGreaterThan(0) // throttled, not refused: the lines are valid
    expect(answers).toBeLessThanOrEqual(allowedAnswers(answerBytes, elapsedS) + 1)
    expect(closed(socket)).toBe(false)
    expect(await probe.heldGrowth()).toBeLessThan(FLOOD_HELD_BOUND)
    expect(peakGrowth).toBeLessThan(4 * FLOOD_HELD_BOUND)
  })

  it('shares the budget across connections: more sockets from one address get no more lines through', async () => {
    const { svc, port, state } = await startGateway(defer)
    for (let i = 0; i < 100; i++) state.addTransaction(freshTx())
    const answerBytes = mempoolAnswerBytes(state)
    const honest = await HonestPair.connect(defer, svc, port)
    const attackers = await Promise.all(Array.from({ length: 6 }, () => attacker(port)))
    const floods = attackers.map(({ socket }) => new Flood(socket, repeatLines(['"GetMempool"'], MiB)))
    const started = Date.now()
    await honest.keepRelaying(1_500)
    for (const f of floods) f.stop()
    const elapsedS = (Date.now() - started) / 1000
    const answers = attackers.reduce((n, a) => n + a.lines.filter((l) => l.startsWith('{"Mempool"')).length, 0)
    expect(answers).toBeGreaterThan(0)
    // One budget for the address: six sockets get what one would (each may have one answer in flight).
    expect(answers).toBeLessThanOrEqual(allowedAnswers(answerBytes, elapsedS) + attackers.length)
    expect(honest.maxRttMs).toBeLessThan(HONEST_RTT_BOUND_MS)
  })

  it('disconnects and bans a peer flooding a mix of valid and invalid lines, and refuses it on reconnect', async () => {
    const { svc, port, logs } = await startGateway(defer)
    const honest = await HonestPair.connect(defer, svc, port)
    const { socket } = await attacker(port)
    const probe = await ResourceProbe.start()
    // Mostly valid duplicates, one garbage line in fifty: the strikes still add up within the window.
    const known = txLine(freshTx())
    const pattern = [...Array.from({ length: 49 }, () => known), '{"NewTransaction":garbage}']
    const flood = new Flood(socket, repeatLines(pattern, 256 * 1024))
    const relay = honest.keepRelaying(1_000)
    await waitFor(() => closed(socket), 3_000, 'the attacker to be dropped')
    flood.stop()
    await relay
    expect(logs.find('peer disconnected').filter((r) => String(r.peer).startsWith('127.0.0.2:')).map((r) => r.reason)).toEqual(['garbage'])
    expect(logs.find('banned peer').map((r) => r.peer)).toEqual(['127.0.0.2'])
    // Reconnecting is refused at once while the ban lasts; the honest address is untouched.
    const again = await connectFrom(port, '127.0.0.2')
    defer(() => void again.destroy())
    await waitFor(() => closed(again), 2_000, 'the banned address to be refused')
    expect(await honest.roundTrip()).toBeLessThan(HONEST_RTT_BOUND_MS)
    expect(honest.maxRttMs).toBeLessThan(HONEST_RTT_BOUND_MS)
    expect(probe.stop().maxStallMs).toBeLessThan(HONEST_RTT_BOUND_MS)
    expect(await probe.heldGrowth()).toBeLessThan(FLOOD_HELD_BOUND)
  })
})

describe('hostile P2P peer: invalid content', () => {
  function badSignatureTx(): string {
    const tx = freshTx()
    tx.signature[0] = (tx.signature[0] ?? 0) ^ 1
    return txLine(tx)
  }

  function badBlocks(): string[] {
    const good = buildNextBlock(null, [freshTx()], { timestamp: 1704067200n })
    const badVdf = structuredClone(good)
    badVdf.header.vdf_output[3] = (badVdf.header.vdf_output[3] ?? 0) ^ 0x40
    const badMerkle: Block = { ...structuredClone(good), transactions: [freshTx()] }
    return [badVdf, badMerkle].map((block) => encodeP2PMessage({ type: 'NewBlock', block }))
  }

  it('never relays an invalid transaction or block, and bans the peer once its strikes add up', async () => {
    const { svc, port, logs, state } = await startGateway(defer)
    const honest = await HonestPair.connect(defer, svc, port)
    const { socket } = await attacker(port)
    // Zero-amount transactions pass the node's own verify(): not relayed by us, but no strike either.
    const zeroAmount = [1, 2, 3].map(() => txLine(freshTx(0n)))
    const invalid = [badSignatureTx(), ...badBlocks(), badSignatureTx()]
    for (const line of [...zeroAmount, ...invalid]) socket.write(`${line}\n`)
    await waitFor(() => logs.find('rejected').length === zeroAmount.length + invalid.length, 3_000, 'every item to be judged')
    expect(closed(socket)).toBe(false) // four strikes of five
    const last = badSignatureTx()
    socket.write(`${last}\n`)
    await waitFor(() => closed(socket), 2_000, 'the fifth strike to drop the attacker')
    expect(logs.find('banned peer').map((r) => r.peer)).toEqual(['127.0.0.2'])

    await honest.roundTrip() // a later honest relay arrives, so anything relayed earlier would have too
    for (const line of [...zeroAmount, ...invalid, last]) {
      expect(honest.receiver.lines).not.toContain(line)
      expect(honest.sender.lines).not.toContain(line)
    }
    expect(honest.receiver.lines.filter((l) => l.startsWith('{"NewBlock"'))).toEqual([])
    expect(state.tip().height).toBe(0)
    expect(state.transactions()).toHaveLength(honest.rtts.length)
    const reasons = logs.find('rejected').map((r) => r.reason)
    expect(reasons).toEqual(['ZERO_AMOUNT', 'ZERO_AMOUNT', 'ZERO_AMOUNT', 'BAD_SIGNATURE', 'VDF_MISMATCH', 'MERKLE_ROOT_MISMATCH', 'BAD_SIGNATURE', 'BAD_SIGNATURE'])
  })
})
