/**
 * The node's HTTP API (port 10000) as a second adapter, for nodes whose TCP P2P server is not running
 * (the docs suggest it is not wired in every build). It keeps a node fully in sync on its own: polls
 * `GET /sync`, fetches `/chain` only when the node is ahead, reads `/mempool`, and pushes what the node
 * lacks with `POST /broadcast` (blocks, in order) and `POST /tx`. `GET /events` (SSE), when the node
 * has it, triggers a poll at once instead of waiting for the next cycle.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import { blockHash, txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Block, Transaction } from '../../codecs/model.js'
import { decodeChainJson, decodeTransactionsJson, encodeBlockJson, encodeTransactionJson } from '../../codecs/ndjson.js'
import { decodeSyncInfo } from '../../codecs/sync-info.js'
import type { Result } from '../../codecs/result.js'
import { Backoff } from '../backoff.js'
import type { Logger } from '../log.js'
import type { AddBlockOutcome, AddTxOutcome, ChainState, ChainTip } from './chain-state.js'
import { HttpNodeError, readBoundedText } from './http-body.js'
import type { NodeItem, NodeLink, NodeLinkEvents } from './node-link.js'
import { followEvents } from './sse.js'

/** Options of an {@link HttpNodeLink}. */
export interface HttpNodeLinkOptions {
  /** Base URL of the node, e.g. `http://127.0.0.1:10000`. */
  url: string
  /** Time between polls of `/sync`, ms (the node's own peer sync runs every 30 s). */
  pollIntervalMs?: number
  /** Largest body accepted (a whole chain), bytes. */
  maxBodyBytes?: number
  /** Per-request timeout, ms. */
  requestTimeoutMs?: number
  /** Follow `GET /events` to poll as soon as the node reports something; default true. */
  followEvents?: boolean
}

/** The HTTP API as a {@link NodeLink}. */
export class HttpNodeLink extends EventEmitter<NodeLinkEvents> implements NodeLink {
  private readonly base: string
  private timer?: NodeJS.Timeout
  private polling?: Promise<void>
  private repoll = false
  private readonly abort = new AbortController()
  private stopped = false
  private reachable = false

  /**
   * @param state - the chain mirror and mempool shared with the rest of the gateway
   * @param options - node URL and timings
   * @param log - component logger
   */
  constructor(
    private readonly state: ChainState,
    private readonly options: HttpNodeLinkOptions,
    private readonly log: Logger,
  ) {
    super()
    this.base = options.url.replace(/\/+$/, '')
  }

  /** @inheritDoc */
  tip(): ChainTip {
    return this.state.tip()
  }

  /** @inheritDoc */
  async start(): Promise<void> {
    await this.pollNow()
    this.schedule()
    if (this.options.followEvents !== false) {
      void followEvents(`${this.base}/events`, {
        signal: this.abort.signal,
        backoff: new Backoff({ initialMs: 3_000, maxMs: 60_000 }),
        onEvent: () => void this.pollNow(),
        log: this.log,
      })
    }
  }

  /** @inheritDoc */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.abort.abort()
    await this.polling
  }

  /** @inheritDoc */
  deliverTransaction(tx: Transaction): AddTxOutcome {
    const outcome = this.state.addTransaction(tx)
    if (outcome.status === 'added') void this.pushTransaction(tx).catch((e: Error) => this.deferred('transaction', e))
    return outcome
  }

  /** @inheritDoc */
  deliverBlock(block: Block): AddBlockOutcome {
    const outcome = this.state.addBlock(block)
    if (outcome.status === 'added') void this.pollNow()
    return outcome
  }

  /** @inheritDoc */
  connected(): boolean {
    return this.reachable
  }

  /** @inheritDoc */
  async forward(item: NodeItem): Promise<boolean> {
    try {
      if (item.type === 'tx') await this.pushTransaction(item.transaction)
      else await this.post('/broadcast', encodeBlockJson(item.block))
      return true
    } catch (e) {
      this.deferred(item.type === 'tx' ? 'transaction' : 'block', e as Error)
      return false
    }
  }

  /**
   * Runs one sync cycle now (or, if one is running, one more right after it). Resolves when done;
   * never rejects: failures are logged and retried next cycle.
   */
  pollNow(): Promise<void> {
    if (this.polling !== undefined) {
      this.repoll = true
      return this.polling
    }
    this.polling = this.cycle().finally(() => {
      this.polling = undefined
      if (this.repoll && !this.stopped) {
        this.repoll = false
        void this.pollNow()
      }
    })
    return this.polling
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      void this.pollNow().then(() => this.schedule())
    }, this.options.pollIntervalMs ?? 30_000)
  }

  private async cycle(): Promise<void> {
    try {
      const remote = await this.getJson('/sync', decodeSyncInfo)
      if (remote.height > this.state.tip().height) await this.pullChain()
      else if (remote.height < this.state.tip().height) await this.pushBlocks(remote.height, remote.latest_hash)
      const nodeHas = await this.pullMempool()
      await this.pushMempool(nodeHas)
      this.reachable = true
    } catch (e) {
      this.reachable = false
      if (!this.stopped) this.log.warn({ node: this.base, err: (e as Error).message }, 'HTTP sync with node failed; retrying next cycle')
    }
  }

  private async pullChain(): Promise<void> {
    const blocks = await this.getJson('/chain', decodeChainJson)
    const outcome = this.state.adoptChain(blocks)
    if (outcome.status === 'adopted') {
      this.log.info({ node: this.base, height: outcome.height }, 'adopted longer chain from node')
      this.emit('chain', this.state.tip(), this.base)
    } else if (outcome.status === 'invalid') {
      this.log.warn({ node: this.base, index: outcome.index, reason: outcome.reason, detail: outcome.message }, 'node served an invalid chain; kept ours')
    }
  }

  /** Sends the node our blocks after its tip, in order, if its tip is on our chain. */
  private async pushBlocks(height: number, latestHash: string): Promise<void> {
    const chain = this.state.chain()
    const shared = height === 0 || (chain[height - 1] !== undefined && toHex(blockHash((chain[height - 1] as Block).header)) === latestHash)
    if (!shared) return // the node is on another branch; it adopts ours by its own longest-chain sync
    for (const block of chain.slice(height)) {
      await this.post('/broadcast', encodeBlockJson(block))
    }
  }

  /** Takes in the node's mempool; returns the hex hashes of what the node has. */
  private async pullMempool(): Promise<Set<string>> {
    const nodeHas = new Set<string>()
    for (const tx of await this.getJson('/mempool', decodeTransactionsJson)) {
      const outcome = this.state.addTransaction(tx)
      nodeHas.add(outcome.hash)
      if (outcome.status === 'added') this.emit('transaction', tx, this.base)
    }
    return nodeHas
  }

  /** Pushes the transactions of our mempool that the node lacks, as the node's own sync does with its peers. */
  private async pushMempool(nodeHas: Set<string>): Promise<void> {
    for (const tx of this.state.transactions()) {
      if (!nodeHas.has(toHex(txHash(tx)))) await this.pushTransaction(tx)
    }
  }

  private pushTransaction(tx: Transaction): Promise<void> {
    return this.post('/tx', encodeTransactionJson(tx))
  }

  private deferred(what: string, e: Error): void {
    this.log.warn({ node: this.base, err: e.message }, `could not push ${what} to node now; it is pushed again next cycle`)
  }

  private async getJson<T>(path: string, decode: (text: string) => Result<T>): Promise<T> {
    const url = this.base + path
    const res = await fetch(url, { signal: this.signal() })
    if (!res.ok) {
      await res.body?.cancel()
      throw new HttpNodeError(`GET ${url}: HTTP ${res.status}`, res.status)
    }
    const decoded = decode(await readBoundedText(res, this.options.maxBodyBytes ?? 64 * 1024 * 1024, url))
    if (!decoded.ok) throw new HttpNodeError(`GET ${url}: ${decoded.error.code} ${decoded.error.message}`)
    return decoded.value
  }

  private async post(path: string, body: string): Promise<void> {
    const url = this.base + path
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: this.signal() })
    const text = await readBoundedText(res, 4096, url)
    if (!res.ok) throw new HttpNodeError(`POST ${url}: HTTP ${res.status} ${text.trim()}`, res.status)
  }

  private signal(): AbortSignal {
    return AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000)])
  }
}
