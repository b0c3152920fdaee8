/**
 * A node that lost what we handed it (it restarted, or the line died with the socket it was written
 * to) gets it again when we reconnect and its mempool shows it missing; nothing it kept, and nothing
 * handed on the new connection, goes twice.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { publicKeyFromSecret } from '../../codecs/ed25519.js'
import type { Transaction } from '../../codecs/model.js'
import { decodeP2PMessage, encodeP2PMessage } from '../../codecs/ndjson.js'
import { createTransaction } from '../../codecs/producer.js'
import { ChainState } from '../../gateway/node-link/chain-state.js'
import { P2PService } from '../../gateway/node-link/p2p-service.js'
import { captureLog } from '../helpers/log-capture.js'
import { waitFor } from '../helpers/raw-peer.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const alice = new Uint8Array(32).fill(21)
const bob = publicKeyFromSecret(new Uint8Array(32).fill(22))
const tx = (nonce: bigint): Transaction => createTransaction({ secretKey: alice, recipient: bob, amount: 10n, nonce })

/** One connection to the scripted node: the messages it received, by type. */
interface NodeConn {
  socket: Socket
  got: { type: string; nonce?: bigint }[]
}

/** A scripted node: records what each connection receives and answers nothing unless told to. */
async function scriptedNode(): Promise<{ port: number; conns: NodeConn[] }> {
  const conns: NodeConn[] = []
  const server: Server = createServer((socket) => {
    const conn: NodeConn = { socket, got: [] }
    conns.push(conn)
    let carry = ''
    socket.setEncoding('utf8')
    socket.on('error', () => undefined)
    socket.on('data', (s: string) => {
      const lines = (carry + s).split('\n')
      carry = lines.pop() ?? ''
      for (const line of lines) {
        const m = decodeP2PMessage(Buffer.from(line))
        if (m.ok) conn.got.push({ type: m.value.type, ...(m.value.type === 'NewTransaction' ? { nonce: m.value.transaction.nonce } : {}) })
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  cleanups.push(() => conns.forEach((c) => c.socket.destroy()))
  const a = server.address()
  return { port: typeof a === 'object' && a !== null ? a.port : 0, conns }
}

const mempool = (txs: Transaction[]): string => `${encodeP2PMessage({ type: 'Mempool', transactions: txs })}\n`
const handed = (c: NodeConn | undefined): (bigint | undefined)[] => (c?.got ?? []).filter((m) => m.type === 'NewTransaction').map((m) => m.nonce)

describe('P2P service: handing transactions again to a node that lost them', () => {
  it('after a reconnect, hands again what the node lacks of what went over the old connection, once', async () => {
    const node = await scriptedNode()
    const state = new ChainState()
    const [lostTx, keptTx, newTx] = [tx(1n), tx(2n), tx(3n)]
    for (const t of [lostTx, keptTx, newTx]) state.addTransaction(t)
    const logs = captureLog()
    const svc = new P2PService(state, { peers: [`127.0.0.1:${node.port}`], redial: { initialMs: 20, maxMs: 50 } }, logs.log)
    await svc.start()
    cleanups.push(() => svc.stop())
    await waitFor(() => node.conns[0]?.got.some((m) => m.type === 'GetMempool') === true, 2_000, 'the first GetMempool')
    node.conns[0]?.socket.write(mempool([])) // nothing handed yet: nothing to hand again
    expect(await svc.forward({ type: 'tx', transaction: lostTx })).toBe(true)
    expect(await svc.forward({ type: 'tx', transaction: keptTx })).toBe(true)
    await waitFor(() => handed(node.conns[0]).length === 2, 2_000, 'both on the first connection')
    expect(handed(node.conns[0])).toEqual([1n, 2n])

    node.conns[0]?.socket.destroy() // the node restarts; it kept keptTx only
    await waitFor(() => node.conns[1]?.got.some((m) => m.type === 'GetMempool') === true, 2_000, 'the reconnect')
    expect(await svc.forward({ type: 'tx', transaction: newTx })).toBe(true) // on the new connection, before the answer
    node.conns[1]?.socket.write(mempool([keptTx]))
    await waitFor(() => handed(node.conns[1]).length === 2, 2_000, 'the lost one handed again')
    node.conns[1]?.socket.write(mempool([])) // a second answer on the same connection changes nothing
    await new Promise((r) => setTimeout(r, 200))
    expect(handed(node.conns[1])).toEqual([3n, 1n])
    expect(logs.find('handing them again')).toHaveLength(1)
  })
})
