/**
 * A small simulated Bunkercoin node, so the demo and the tests need nothing installed: the TCP P2P
 * protocol (port 7000) and the HTTP API (port 10000) as the docs describe, a miner that makes a block
 * every N ms by the documented rules, and a wallet that signs transactions.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto'
import { publicKeyFromSecret } from '../../codecs/ed25519.js'
import { blockHash, txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Block, Transaction } from '../../codecs/model.js'
import { buildNextBlock, createTransaction } from '../../codecs/producer.js'
import { ChainState } from '../../gateway/node-link/chain-state.js'
import { silentLogger, type Logger } from '../../gateway/log.js'
import { P2PService } from '../../gateway/node-link/p2p-service.js'
import { SimNodeHttpApi } from './http-api.js'

/** Options of a {@link SimNode}. */
export interface SimNodeOptions {
  /** Address to bind both servers to; default 127.0.0.1. */
  host?: string
  /** TCP P2P port (the node's `--port`, default 7000); 0 picks a free port; null disables it. */
  p2pPort?: number | null
  /** HTTP API port (hard-coded 10000 in the node); 0 picks a free port; null disables it. */
  httpPort?: number | null
  /** P2P peers to dial, `host:port`. */
  peers?: string[]
  /** Mine a block every this many ms; omit to mine only on {@link SimNode.mine}. */
  mineEveryMs?: number
  /** The wallet's 32-byte Ed25519 secret; random when omitted. */
  secretKey?: Uint8Array
  /** Component logger. */
  log?: Logger
}

/** A running simulated node. */
export class SimNode {
  /** Chain and mempool. */
  readonly state = new ChainState()
  /** The wallet's public key (its address is the hex of it). */
  readonly publicKey: Uint8Array
  private readonly secretKey: Uint8Array
  private nextNonce = 0n
  private readonly p2p?: P2PService
  private readonly http?: SimNodeHttpApi
  private miner?: NodeJS.Timeout
  private ports = { p2p: 0, http: 0 }
  /** How often each transaction and block arrived over P2P, by `tx:<hex>` / `block:<hex>` (exactly-once checks). */
  readonly arrivals = new Map<string, number>()

  /** @param options - ports, peers, mining */
  constructor(private readonly options: SimNodeOptions = {}) {
    this.secretKey = options.secretKey ?? new Uint8Array(randomBytes(32))
    this.publicKey = publicKeyFromSecret(this.secretKey)
    const log = options.log ?? silentLogger()
    if (options.p2pPort !== null) {
      const listen = { host: options.host ?? '127.0.0.1', port: options.p2pPort ?? 7000 }
      this.p2p = new P2PService(this.state, { listen, peers: options.peers ?? [], role: 'node' }, log)
      // once, here: a node stopped and started again must not count each arrival twice
      this.p2p.on('block', (b) => this.http?.broadcast(`Received block with ${b.transactions.length} transactions`))
      this.p2p.peers.on('connection', (conn) =>
        conn.on('message', (msg) => {
          if (msg.type === 'NewTransaction') this.count(`tx:${toHex(txHash(msg.transaction))}`)
          if (msg.type === 'NewBlock') this.count(`block:${toHex(blockHash(msg.block.header))}`)
        }),
      )
    }
    if (options.httpPort !== null) this.http = new SimNodeHttpApi(this)
  }

  /** Bound ports (valid after {@link SimNode.start}). */
  get p2pPort(): number {
    return this.ports.p2p
  }

  /** Bound HTTP port (valid after {@link SimNode.start}). */
  get httpPort(): number {
    return this.ports.http
  }

  /** Number of clients following the HTTP API's `/events`. */
  get eventClients(): number {
    return this.http?.eventClients ?? 0
  }

  /** Base URL of the HTTP API. */
  get url(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.ports.http}`
  }

  /** Starts the servers, the outbound peers and the miner. */
  async start(): Promise<void> {
    if (this.http !== undefined) this.ports.http = await this.http.listen(this.options.httpPort ?? 10000, this.options.host ?? '127.0.0.1')
    if (this.p2p !== undefined) {
      await this.p2p.start()
      this.ports.p2p = this.p2p.peers.address()?.port ?? 0
    }
    if (this.options.mineEveryMs !== undefined) this.miner = setInterval(() => this.mine(), this.options.mineEveryMs)
  }

  /** Stops everything; the chain and mempool stay, so `start()` brings the node back as it was (a fixed `p2pPort` keeps its port). */
  async stop(): Promise<void> {
    clearInterval(this.miner)
    await this.p2p?.stop()
    await this.http?.close()
  }

  private count(key: string): void {
    this.arrivals.set(key, (this.arrivals.get(key) ?? 0) + 1)
  }

  /** Mines one block from the whole mempool on top of the tip (`mine_once`) and announces it. */
  mine(): Block {
    const block = buildNextBlock(this.state.tipBlock(), this.state.transactions())
    this.submitBlock(block)
    this.http?.broadcast(`Mined block ${this.state.tip().height} with ${block.transactions.length} transactions`)
    return block
  }

  /** Signs a transaction from this node's wallet and submits it (the CLI's `send`). */
  send(recipient: Uint8Array, amount: bigint): Transaction {
    const tx = createTransaction({ secretKey: this.secretKey, recipient, amount, nonce: this.nextNonce++ })
    this.submitTransaction(tx)
    return tx
  }

  /** `add_block`: validates against the tip, appends, announces to P2P peers. */
  submitBlock(block: Block): boolean {
    const outcome = this.p2p !== undefined ? this.p2p.deliverBlock(block) : this.state.addBlock(block)
    return outcome.status === 'added' || outcome.status === 'duplicate'
  }

  /** `add_transaction`: validates, adds to the mempool, announces to P2P peers. */
  submitTransaction(tx: Transaction): void {
    if (this.p2p !== undefined) this.p2p.deliverTransaction(tx)
    else this.state.addTransaction(tx)
  }
}
