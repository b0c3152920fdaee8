import { afterEach, describe, expect, it } from 'vitest'
import { createTransaction, buildNextBlock } from '../../codecs/producer.js'
import { encodeP2PMessage, encodeTransactionJson } from '../../codecs/ndjson.js'
import { publicKeyFromSecret } from '../../codecs/ed25519.js'
import type { Block, Transaction } from '../../codecs/model.js'
import { ChainState } from '../../gateway/node-link/chain-state.js'
import { P2PService, type P2PServiceOptions } from '../../gateway/node-link/p2p-service.js'
import { GATEWAY_ACCEPT_LINE, GATEWAY_OFFER_LINE } from '../../gateway/node-link/handshake.js'
import { SimNode } from '../../hardware-sim/node/sim-node.js'
import { captureLog, type CapturedLog } from '../helpers/log-capture.js'
import { RawPeer, waitFor } from '../helpers/raw-peer.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const alice = new Uint8Array(32).fill(7)
const bob = publicKeyFromSecret(new Uint8Array(32).fill(8))

function tx(nonce: bigint, amount = 1000n): Transaction {
  return createTransaction({ secretKey: alice, recipient: bob, amount, nonce })
}

async function gateway(options: Partial<P2PServiceOptions> = {}, state = new ChainState()): Promise<{ svc: P2PService; port: number; logs: CapturedLog; state: ChainState }> {
  const logs = captureLog()
  const svc = new P2PService(state, { listen: { host: '127.0.0.1', port: 0 }, redial: { initialMs: 50, maxMs: 200 }, ...options }, logs.log)
  await svc.start()
  cleanups.push(() => svc.stop())
  return { svc, port: svc.peers.address()?.port ?? 0, logs, state }
}

async function node(options: ConstructorParameters<typeof SimNode>[0] = {}): Promise<SimNode> {
  const n = new SimNode({ p2pPort: 0, httpPort: null, ...options })
  await n.start()
  cleanups.push(() => n.stop())
  return n
}

async function peer(port: number, options?: { read?: boolean }): Promise<RawPeer> {
  const p = await RawPeer.connect(port, options)
  cleanups.push(() => p.close())
  return p
}

/** Connects `n` raw peers and waits until the gateway has accepted all of them. */
async function rawPeers(svc: P2PService, port: number, n: number): Promise<RawPeer[]> {
  const list = await Promise.all(Array.from({ length: n }, () => peer(port)))
  await waitFor(() => svc.peers.connections().length === n, 2_000, `${n} accepted connections`)
  return list
}

function chainOf(n: number, txsPerBlock = 1): Block[] {
  const blocks: Block[] = []
  let nonce = 100n
  for (let i = 0; i < n; i++) {
    const txs = Array.from({ length: txsPerBlock }, () => tx(nonce++))
    blocks.push(buildNextBlock(blocks.at(-1) ?? null, txs, { timestamp: 1704067200n + 30n * BigInt(i) }))
  }
  return blocks
}

describe('P2P service: sync with plain nodes', () => {
  it('syncs chain and mempool both ways between two plain nodes through the gateway', async () => {
    const a = await node()
    for (let i = 0; i < 3; i++) a.mine()
    a.send(bob, 5n)
    const b = await node()
    const bTx = b.send(bob, 6n)
    const { state } = await gateway({ peers: [`127.0.0.1:${a.p2pPort}`, `127.0.0.1:${b.p2pPort}`] })

    await waitFor(() => b.state.tip().height === 3 && state.tip().height === 3, 5_000, 'chain to reach the gateway and b')
    expect(b.state.tip().hash).toBe(a.state.tip().hash)
    await waitFor(() => a.state.transactions().length === 2 && b.state.transactions().length === 2, 5_000, 'mempools to merge')
    expect(a.state.transactions().some((t) => encodeTransactionJson(t) === encodeTransactionJson(bTx))).toBe(true)
  })

  it('relays a transaction to every other peer exactly once, never back to the sender', async () => {
    const { svc, port } = await gateway()
    const [p1, p2, p3] = (await rawPeers(svc, port, 3)) as [RawPeer, RawPeer, RawPeer]
    const line = encodeP2PMessage({ type: 'NewTransaction', transaction: tx(1n) })
    p1.send(line)
    await p2.waitForLine((l) => l === line)
    await p3.waitForLine((l) => l === line)
    // p2 echoes it back (as a node's broadcast_to_peers would); then a marker transaction goes through.
    p2.send(line)
    const marker = encodeP2PMessage({ type: 'NewTransaction', transaction: tx(2n) })
    p1.send(marker)
    await p3.waitForLine((l) => l === marker)
    await p2.waitForLine((l) => l === marker)
    expect(p2.lines.filter((l) => l === line)).toHaveLength(1)
    expect(p3.lines.filter((l) => l === line)).toHaveLength(1)
    expect(p1.lines.filter((l) => l === line || l === marker)).toHaveLength(0)
  })

  it('never relays an invalid transaction or block, and says why with the peer named', async () => {
    const { svc, port, logs } = await gateway()
    const [p1, p2] = (await rawPeers(svc, port, 2)) as [RawPeer, RawPeer]
    const bad = tx(3n)
    bad.signature[0] = (bad.signature[0] ?? 0) ^ 1
    p1.send(encodeP2PMessage({ type: 'NewTransaction', transaction: bad }))
    const [good] = chainOf(1)
    const badBlock = structuredClone(good as Block)
    badBlock.header.vdf_output[5] = (badBlock.header.vdf_output[5] ?? 0) ^ 0x10
    p1.send(encodeP2PMessage({ type: 'NewBlock', block: badBlock }))
    const marker = encodeP2PMessage({ type: 'NewTransaction', transaction: tx(4n) })
    p1.send(marker)
    await p2.waitForLine((l) => l === marker)
    expect(p2.lines).toEqual([marker])
    const txLog = logs.find('rejected transaction')[0]
    expect(txLog?.reason).toBe('BAD_SIGNATURE')
    expect(String(txLog?.peer)).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(logs.find('rejected block')[0]?.reason).toBe('VDF_MISMATCH')
  })

  it('relays a block with a header nonce above 2^53 bit for bit', async () => {
    const { svc, port, state } = await gateway()
    const [p1, p2] = (await rawPeers(svc, port, 2)) as [RawPeer, RawPeer]
    const [block] = chainOf(1)
    expect((block as Block).header.nonce > 2n ** 53n).toBe(true)
    const line = encodeP2PMessage({ type: 'NewBlock', block: block as Block })
    p1.send(line)
    expect(await p2.waitForLine((l) => l.startsWith('{"NewBlock"'))).toBe(line)
    expect(state.tipBlock()?.header.nonce).toBe((block as Block).header.nonce)
    // And GetChain answers with the same bytes inside the Chain.
    p2.send('"GetChain"')
    expect(await p2.waitForLine((l) => l.startsWith('{"Chain"'))).toBe(`{"Chain":[${line.slice('{"NewBlock":'.length, -1)}]}`)
  })
})

describe('P2P service: bad input', () => {
  it('gives each malformed line its own error and keeps the connection', async () => {
    const { port, logs } = await gateway({ limits: { maxLineBytes: 4096, maxStrikes: 10 } })
    const p = await peer(port)
    const good = encodeP2PMessage({ type: 'NewTransaction', transaction: tx(5n) })
    const short = tx(6n)
    short.sender = short.sender.slice(0, 31)
    p.send('x'.repeat(10_000)) // over-long
    p.send(good.slice(0, 100)) // truncated
    p.send('{"NewTransaction":"hello"}') // wrong type
    p.send(good.replace(/"amount":\d+/, '"amount":18446744073709551616')) // 2^64
    p.send(encodeP2PMessage({ type: 'NewTransaction', transaction: short })) // 31-byte key
    p.send('"GetMempool"')
    await p.waitForLine((l) => l.startsWith('{"Mempool"'))
    const codes = logs.find('dropped a bad line').map((r) => r.code)
    expect(codes).toEqual(['ERR_LINE_TOO_LONG', 'ERR_JSON_SYNTAX', 'ERR_INVALID_TYPE', expect.stringMatching(/ERR_NUMBER_RANGE|ERR_INVALID_TYPE/)])
    expect(logs.find('rejected transaction').map((r) => r.reason)).toEqual(['BAD_PUBLIC_KEY_LENGTH'])
    expect(p.closed).toBe(false)
  })

  it('disconnects and bans a peer that keeps sending garbage', async () => {
    const { port, logs } = await gateway({ limits: { maxStrikes: 3 } })
    const p = await peer(port)
    for (let i = 0; i < 3; i++) p.send('garbage')
    await waitFor(() => p.closed, 2_000, 'the garbage peer to be dropped')
    expect(logs.find('banned peer')).toHaveLength(1)
    const again = await peer(port)
    await waitFor(() => again.closed, 2_000, 'the banned peer to be refused')
    const honest = logs.find('peer disconnected').map((r) => r.reason)
    expect(honest).toContain('garbage')
  })

  it('drops a peer that does not read instead of queueing without bound', async () => {
    const { svc, port, logs } = await gateway({ limits: { maxWriteQueueBytes: 64 * 1024 } })
    for (const b of chainOf(2, 30)) svc.deliverBlock(b) // a Chain answer of about 32 kB
    const slow = await peer(port, { read: false })
    // 400 answers of 32 kB: far more than the kernel's loopback buffers take, so our queue must fill.
    for (let i = 0; i < 400; i++) slow.send('"GetChain"')
    await waitFor(() => logs.find('peer disconnected').some((r) => r.reason === 'slow-reader'), 10_000, 'slow reader drop')
    // The gateway still serves an honest peer.
    const honest = await peer(port)
    honest.send('"GetMempool"')
    expect(await honest.waitForLine((l) => l.startsWith('{"Mempool"'))).toBe('{"Mempool":[]}')
  })
})

describe('P2P service: peers and handshake', () => {
  it('redials a peer that restarts and resyncs from it', async () => {
    const a = await node()
    a.mine()
    const port = a.p2pPort
    const { state } = await gateway({ peers: [`127.0.0.1:${port}`] })
    await waitFor(() => state.tip().height === 1, 5_000, 'first sync')
    await a.stop()
    const a2 = await node({ p2pPort: port })
    for (const b of a.state.chain()) a2.submitBlock(b)
    a2.mine()
    a2.mine()
    await waitFor(() => state.tip().height === 3, 5_000, 'resync after restart')
    expect(state.tip().hash).toBe(a2.state.tip().hash)
  })

  it('lets two gateways recognise each other while a plain node only ever sees seed messages', async () => {
    const g1 = await gateway()
    const g2 = await gateway({ peers: [`127.0.0.1:${g1.port}`] })
    await waitFor(() => g2.svc.peers.connections().some((c) => g2.svc.kindOf(c) === 'gateway'), 5_000, 'g2 to see a gateway')
    await waitFor(() => g1.svc.peers.connections().some((c) => g1.svc.kindOf(c) === 'gateway'), 5_000, 'g1 to see a gateway')
    // A raw listener standing in for a plain node: what the gateway sends must all be seed lines.
    const { createServer } = await import('node:net')
    const seen: string[] = []
    const server = createServer((s) => s.on('data', (d) => seen.push(...d.toString('utf8').split('\n').filter(Boolean))))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())))
    const port = (server.address() as { port: number }).port
    await gateway({ peers: [`127.0.0.1:${port}`] })
    await waitFor(() => seen.length >= 2, 5_000, 'the opening lines')
    expect(seen).toEqual([GATEWAY_OFFER_LINE, '"GetMempool"'])
    expect(JSON.parse(GATEWAY_OFFER_LINE)).toBe('GetChain')
    expect(JSON.parse(GATEWAY_ACCEPT_LINE)).toBe('GetMempool')
  })
})

describe('P2P service: socket limits', () => {
  it('refuses connections beyond the peer limit and keeps serving the others', async () => {
    const { svc, port, logs } = await gateway({ maxPeers: 2 })
    const [p1] = await rawPeers(svc, port, 2)
    const extra = await peer(port)
    await waitFor(() => extra.closed, 2_000, 'the extra peer to be refused')
    expect(logs.find('peer limit reached')).toHaveLength(1)
    ;(p1 as RawPeer).send('"GetMempool"')
    expect(await (p1 as RawPeer).waitForLine((l) => l.startsWith('{"Mempool"'))).toBe('{"Mempool":[]}')
  })

  it('closes a connection that stays silent past the idle timeout', async () => {
    const { port, logs } = await gateway({ limits: { idleTimeoutMs: 150 } })
    const p = await peer(port)
    await waitFor(() => p.closed, 3_000, 'the idle peer to be closed')
    expect(logs.find('peer disconnected').map((r) => r.reason)).toContain('idle')
  })

  it('does not let an unreachable peer delay a reachable one', async () => {
    const a = await node()
    a.mine()
    // A port nothing listens on: connections are refused and redialled with backoff.
    const dead = await node()
    const deadPort = dead.p2pPort
    await dead.stop()
    const started = Date.now()
    const { state } = await gateway({ peers: [`127.0.0.1:${deadPort}`, `127.0.0.1:${a.p2pPort}`], redial: { initialMs: 5_000, maxMs: 5_000 } })
    await waitFor(() => state.tip().height === 1, 2_000, 'sync with the reachable peer')
    expect(Date.now() - started).toBeLessThan(2_000)
  })
})
