/**
 * Fixtures of the hostile tests against the node-facing P2P service: a gateway on 127.0.0.1:0, a
 * supply of fresh signed transactions, and a pair of honest peers on 127.0.0.1 that keep relaying a
 * transaction through the gateway and time each round trip.
 */
import { publicKeyFromSecret } from '../../codecs/ed25519.js'
import type { Transaction } from '../../codecs/model.js'
import { encodeP2PMessage } from '../../codecs/ndjson.js'
import { createTransaction } from '../../codecs/producer.js'
import { ChainState } from '../../gateway/node-link/chain-state.js'
import { P2PService, type P2PServiceOptions } from '../../gateway/node-link/p2p-service.js'
import { captureLog, type CapturedLog } from '../helpers/log-capture.js'
import { RawPeer, waitFor } from '../helpers/raw-peer.js'

/** Registers something to undo after the test. */
export type Defer = (cleanup: () => Promise<void> | void) => void

/** Longest honest relay round trip tolerated while an attack runs, ms (measured: tens of ms). */
export const HONEST_RTT_BOUND_MS = 1_000

const alice = new Uint8Array(32).fill(7)
const bob = publicKeyFromSecret(new Uint8Array(32).fill(8))
let nonce = 1n

/** A fresh validly signed transaction (a new nonce each call). */
export function freshTx(amount = 1_000n): Transaction {
  return createTransaction({ secretKey: alice, recipient: bob, amount, nonce: nonce++ })
}

/** The NDJSON line announcing `tx`. */
export function txLine(tx: Transaction): string {
  return encodeP2PMessage({ type: 'NewTransaction', transaction: tx })
}

/** A started gateway P2P service listening on 127.0.0.1:0. */
export async function startGateway(defer: Defer, options: Partial<P2PServiceOptions> = {}, state = new ChainState()): Promise<{ svc: P2PService; port: number; logs: CapturedLog; state: ChainState }> {
  const logs = captureLog()
  const svc = new P2PService(state, { listen: { host: '127.0.0.1', port: 0 }, ...options }, logs.log)
  await svc.start()
  defer(() => svc.stop())
  return { svc, port: svc.peers.address()?.port ?? 0, logs, state }
}

/** Two honest peers on 127.0.0.1: one announces transactions, the other must receive them relayed. */
export class HonestPair {
  /** Round trips timed so far, ms. */
  readonly rtts: number[] = []

  private constructor(
    readonly sender: RawPeer,
    readonly receiver: RawPeer,
  ) {}

  /** Connects both peers and waits until the gateway holds `expected` connections. */
  static async connect(defer: Defer, svc: P2PService, port: number, expected = 2): Promise<HonestPair> {
    const sender = await RawPeer.connect(port)
    const receiver = await RawPeer.connect(port)
    defer(() => sender.close())
    defer(() => receiver.close())
    await waitFor(() => svc.peers.connections().length >= expected, 2_000, 'the honest peers to be accepted')
    return new HonestPair(sender, receiver)
  }

  /** Relays one fresh transaction sender → gateway → receiver; returns the round trip, ms. */
  async roundTrip(): Promise<number> {
    const line = txLine(freshTx())
    const started = performance.now()
    this.sender.send(line)
    await this.receiver.waitForLine((l) => l === line, 5_000)
    const rtt = performance.now() - started
    this.rtts.push(rtt)
    return rtt
  }

  /** Keeps relaying a transaction every 20 ms or so (honest traffic) for `ms`; returns how many went through. */
  async keepRelaying(ms: number): Promise<number> {
    const until = Date.now() + ms
    let count = 0
    while (Date.now() < until) {
      await this.roundTrip()
      count++
      await new Promise((r) => setTimeout(r, 20))
    }
    return count
  }

  /** The slowest round trip so far, ms. */
  get maxRttMs(): number {
    return Math.max(0, ...this.rtts)
  }
}
