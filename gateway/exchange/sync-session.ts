/**
 * Incremental chain sync from one peer (docs/PROTOCOL.md §8.15): `getheaders` with our locator, the
 * linked headers rebuilt and checked, the new headers cut into runs of about `batchBytes` and fetched
 * with `getbodies` (`pipeline` runs in flight, asked for while the later headers are still being
 * rebuilt, applied strictly in order because each run is deflated against the blocks before it), every
 * block validated and committed before the next run is asked for. The peer pushes the first run
 * behind its `headers` (§8.9 `pushed`), so that one is never asked for unless it fails to come. A
 * full `headers` answer that does not reach the peer's tip is followed by the next `getheaders`.
 *
 * A peer on another branch (the first new header follows a block below our tip) is handled like the
 * node does: its blocks are collected and the whole chain is adopted only if longer and valid.
 *
 * @packageDocumentation
 */
import { toHex } from '../../codecs/hex.js'
import type { Block, BlockHeader } from '../../codecs/model.js'
import type { Bodies, GetBodies, Headers } from '../../codecs/wire-sync.js'
import type { NotFound } from '../../codecs/wire-gateway.js'
import type { WireMessage } from '../../codecs/envelope.js'
import type { Logger } from '../log.js'
import { chainContext, unpackBodies } from '../protocol/bodies.js'
import { expandHeadersAsync } from '../protocol/header-links.js'
import { chainViewOf, checkHeaderChain, planBodies, planSync, type ChainView, type PeerTip } from '../protocol/sync.js'
import type { MessageClass } from '../store/message-class.js'

/** What a sync session needs from the gateway. */
export interface SyncHost {
  /** Our chain, live. */
  view(): ChainView
  /** Our whole chain (a fork sync builds on a prefix of it). */
  chain(): Block[]
  /** Sends a request to the peer. */
  send(msg: WireMessage, cls: MessageClass): void
  /** Validates and commits blocks that extend our tip, in order; false at the first one refused. */
  extend(blocks: readonly Block[]): boolean
  /** Adopts `blocks` as our chain if longer and valid; false if refused. */
  adopt(blocks: readonly Block[]): boolean
  /** The sync with this peer ended (caught up, nothing to do, or given up). */
  finished(outcome: 'caught-up' | 'failed', detail: string): void
  now(): number
  log: Logger
}

/** Options of a {@link SyncSession}. */
export interface SyncOptions {
  /** Headers per `getheaders`; default 200 (about 7 KB linked, 200 VDFs to rebuild). */
  maxHeaders?: number
  /** Payload per `getbodies` run before compression, bytes; default 16 KiB. */
  batchBytes?: number
  /**
   * Bodies this gateway pushes behind its `headers` answer to a peer, payload bytes before
   * compression; default 32 KiB: enough air time on a fast HF level to cover the peer's rebuild of
   * those headers (a VDF each) and its first `getbodies` turn, so the link does not go idle.
   */
  pushBytes?: number
  /** Runs asked for at once; default 8 (128 KiB): every request turns a half-duplex link around, so ask for many in one go. */
  pipeline?: number
  /** A request not answered in this long is sent again, ms; default 120 s. */
  requestTimeoutMs?: number
  /** Sends of one request before the sync gives up; default 4. */
  attempts?: number
}

/** The defaults of {@link SyncOptions} (`pushBytes` is what this gateway pushes when it answers, not what it asks). */
export const SYNC_DEFAULTS: Readonly<Required<SyncOptions>> = { maxHeaders: 200, batchBytes: 16 * 1024, pushBytes: 32 * 1024, pipeline: 8, requestTimeoutMs: 120_000, attempts: 4 }

interface Run {
  request: GetBodies
  /** Index in `headers` of its first block. */
  first: number
  sentAt?: number
  attempts: number
  answer?: Bodies
}

interface Pending {
  /** Headers rebuilt so far, oldest first, and their hashes. */
  headers: BlockHeader[]
  hashes: Uint8Array[]
  /** Headers whose bodies are asked for (in `runs` or applied). */
  planned: number
  /** Every header of the answer is rebuilt and checked. */
  complete: boolean
  /** Our block the new headers follow (−1: from the first block). */
  fork: number
  runs: Run[]
  /** The new headers follow our tip: each run is committed as it comes. */
  incremental: boolean
  /** Blocks of a fork sync, collected until the whole branch is here. */
  collected: Block[]
  /** The `headers` answer was full: ask again from its end. */
  more: boolean
}

/** One peer's sync, driven by its answers and {@link SyncSession.tick}. */
export class SyncSession {
  private target?: PeerTip
  private asked?: { sentAt: number; attempts: number; max: number }
  private pending?: Pending
  private expanding = false
  /** The peer pushes the bodies of the first `count` headers of round `round` unasked; `early`: they came before those headers were rebuilt. */
  private push?: { round: number; count: number; early?: Bodies }
  private done = 0
  private total = 0
  /** When this sync started, ms. */
  private startedAt = 0
  /** Counts `headers` answers and endings, so a rebuild that outlives its sync is ignored. */
  private round = 0
  private readonly opts: Required<SyncOptions>

  /**
   * @param peer - who we sync from
   * @param host - the gateway's side
   * @param options - batch sizes and timeouts
   */
  constructor(
    readonly peer: string,
    private readonly host: SyncHost,
    options: SyncOptions = {},
  ) {
    this.opts = { ...SYNC_DEFAULTS, ...options }
  }

  /** True while headers or bodies are awaited. */
  get running(): boolean {
    return this.asked !== undefined || this.pending !== undefined || this.expanding
  }

  /** Blocks applied and announced so far in this sync. */
  progress(): { done: number; total: number } {
    return { done: this.done, total: Math.max(this.total, this.done) }
  }

  /** The peer announced `tip`: start (or extend) a sync if it is ahead of us; false if nothing to do. */
  start(tip: PeerTip): boolean {
    if (this.target === undefined || tip.height > this.target.height) this.target = tip
    if (this.running) return true
    this.total = Math.max(0, tip.height - this.host.view().length)
    this.done = 0
    this.startedAt = this.host.now()
    return this.askHeaders()
  }

  /**
   * A `headers` answer from the peer. Bodies are asked for while the rest of the headers are still
   * being rebuilt (one VDF each, seconds of CPU for 200), so the link does not sit idle meanwhile.
   */
  async onHeaders(msg: Headers): Promise<void> {
    if (this.asked === undefined || this.expanding) return
    const max = this.asked.max
    this.asked = undefined
    this.expanding = true
    const round = ++this.round // a sync that ends meanwhile makes this answer stale
    this.push = msg.pushed === undefined ? undefined : { round, count: msg.pushed }
    const expanded = await expandHeadersAsync(msg.headers, undefined, 4, (prefix) => round === this.round && this.headersSoFar(prefix, false))
    this.expanding = false
    if (round !== this.round) return
    if (!expanded.ok) return this.fail(`headers: ${expanded.error.reason}: ${expanded.error.message}`)
    if (expanded.value.length === 0) return this.finish('caught-up', 'the peer has nothing after our chain')
    if (!this.headersSoFar(expanded.value, true)) return
    const p = this.pending as Pending
    p.more = expanded.value.length >= max
    this.host.log.info({ peer: this.peer, headers: p.headers.length, from: p.fork + 1 }, 'sync: headers checked; fetching bodies')
    this.applyReady()
  }

  /**
   * Takes the headers rebuilt so far: checks they follow our chain and link up, and asks for the
   * bodies of every whole run among them (of all of them once `final`). False if they do not link.
   */
  private headersSoFar(headers: readonly BlockHeader[], final: boolean): boolean {
    if (headers.length === 0 || (this.pending !== undefined && this.pending.headers.length === headers.length && !final)) return true
    const view = this.host.view()
    const linked = checkHeaderChain(view, headers) // the first header's parent is ours: it stays so
    if (!linked.ok) {
      this.fail(`headers: ${linked.error.reason}: ${linked.error.message}`)
      return false
    }
    const fork = this.pending?.fork ?? linked.value.fork
    const p = (this.pending ??= { headers: [], hashes: [], planned: 0, fork, runs: [], incremental: fork === view.length - 1, collected: [], more: false, complete: false })
    p.headers = [...headers]
    p.hashes = linked.value.hashes
    p.complete = final
    this.total = Math.max(this.total, this.done + p.headers.length)
    if (!this.planPushed(p, final)) return true // the pushed run's headers are still being rebuilt
    const runs = planBodies(p.headers.slice(p.planned), p.hashes.slice(p.planned), this.opts.batchBytes)
    for (const request of final ? runs : runs.slice(0, -1)) {
      p.runs.push({ request, first: p.planned, attempts: 0 })
      p.planned += request.count
    }
    if (!final && p.runs[0]?.answer !== undefined) this.applyReady() // the pushed bodies were here first
    else this.requestRuns()
    return true
  }

  /**
   * Makes the run the peer pushes behind its `headers` the first one, taken as asked (so it is not
   * asked for, and is asked for after the request timeout if it never comes), with its answer if it
   * came early. False while its headers are not all rebuilt yet.
   */
  private planPushed(p: Pending, final: boolean): boolean {
    const push = this.push
    if (push === undefined || push.round !== this.round || p.planned > 0) return true
    if (p.headers.length < push.count) return final
    this.push = undefined
    const request: GetBodies = { type: 'getbodies', last: p.hashes[push.count - 1] as Uint8Array, count: push.count }
    const run: Run = { request, first: 0, attempts: 1, sentAt: this.host.now() }
    if (push.early !== undefined && sameHash(push.early.last, request.last)) run.answer = push.early
    p.runs.push(run)
    p.planned = push.count
    return true
  }

  /** A `bodies` answer from the peer. */
  onBodies(msg: Bodies): void {
    const run = this.pending?.runs.find((r) => sameHash(r.request.last, msg.last))
    if (run === undefined && this.push?.round === this.round) this.push.early = msg // pushed, ahead of its headers' rebuild
    if (run === undefined || run.sentAt === undefined) return
    run.answer = msg
    this.applyReady()
  }

  /** A `notfound`: if it names a run we asked for, the peer no longer has that branch. */
  onNotFound(msg: NotFound): void {
    if (this.pending?.runs.some((r) => msg.block.some((h) => sameHash(h, r.request.last))) === true) this.fail('the peer no longer has the blocks it announced')
  }

  /** Ends this sync without reporting (another peer takes over); late answers are ignored. */
  abandon(): void {
    this.round++
    this.push = undefined
    this.pending = undefined
    this.asked = undefined
    this.target = undefined
  }

  /** Sends again what timed out; gives up after the configured attempts. */
  tick(): void {
    const now = this.host.now()
    if (this.asked !== undefined && now - this.asked.sentAt > this.opts.requestTimeoutMs) {
      if (this.asked.attempts >= this.opts.attempts) return this.fail('no headers answer')
      const previous = this.asked
      this.asked = undefined
      this.askHeaders(previous)
      return
    }
    for (const run of this.pending?.runs ?? []) {
      if (run.sentAt === undefined || run.answer !== undefined || now - run.sentAt <= this.opts.requestTimeoutMs) continue
      if (run.attempts >= this.opts.attempts) return this.fail('no bodies answer')
      this.sendRun(run)
    }
  }

  private askHeaders(previous?: { attempts: number }): boolean {
    if (this.target === undefined) return false
    const request = planSync(this.host.view(), this.target, { maxHeaders: this.opts.maxHeaders })
    if (request === undefined) {
      this.finish('caught-up', 'our chain has the peer tip')
      return false
    }
    this.asked = { sentAt: this.host.now(), attempts: (previous?.attempts ?? 0) + 1, max: request.max }
    this.host.send(request, 'control')
    return true
  }

  private requestRuns(): void {
    const runs = this.pending?.runs ?? []
    const inFlight = runs.filter((r) => r.sentAt !== undefined && r.answer === undefined).length
    const next = runs.filter((r) => r.sentAt === undefined).slice(0, Math.max(0, this.opts.pipeline - inFlight))
    for (const run of next) this.sendRun(run)
  }

  private sendRun(run: Run): void {
    run.sentAt = this.host.now()
    run.attempts++
    this.host.send(run.request, 'control')
  }

  /** Applies answered runs in order. */
  private applyReady(): void {
    const p = this.pending
    while (p !== undefined && p.runs[0]?.answer !== undefined) {
      const run = p.runs.shift() as Run
      const headers = p.headers.slice(run.first, run.first + run.request.count)
      const blocks = this.unpack(p, run, headers)
      if (blocks === undefined) return
      if (!p.incremental) p.collected.push(...blocks)
      else if (!this.host.extend(blocks)) return this.fail('a synced block was refused')
      this.done += blocks.length
      if (this.done % 50 < blocks.length || p.runs.length === 0) this.logProgress()
    }
    if (p === undefined) return
    if (p.runs.length > 0) return this.requestRuns()
    if (!p.complete) return // the rest of the headers are still being rebuilt
    this.pending = undefined
    if (p.collected.length > 0 && !this.host.adopt([...this.host.chain().slice(0, p.fork + 1), ...p.collected])) return this.fail('the peer branch was refused')
    if (p.more) this.askHeaders() // reports the end itself when the peer tip is reached
    else this.finish('caught-up', 'synced')
  }

  private unpack(p: Pending, run: Run, headers: BlockHeader[]): Block[] | undefined {
    const view = p.incremental ? this.host.view() : chainViewOf([...this.host.chain().slice(0, p.fork + 1), ...p.collected])
    const context = chainContext(view, p.fork + 1 + run.first)
    const blocks = context.ok ? unpackBodies(run.answer as Bodies, headers, context.value) : context
    if (blocks.ok) return blocks.value
    this.fail(`bodies: ${blocks.error.reason}: ${blocks.error.message}`)
    return undefined
  }

  /** Blocks done of total, the rate since the sync started and the time left at that rate. */
  private logProgress(): void {
    const { done, total } = this.progress()
    const seconds = Math.max(0.001, (this.host.now() - this.startedAt) / 1000)
    const rate = done / seconds // blocks/s
    const etaS = rate > 0 ? Math.round((total - done) / rate) : undefined
    this.host.log.info({ peer: this.peer, done, total, blocksPerSecond: Number(rate.toFixed(2)), etaS }, `sync: ${done}/${total} blocks${etaS === undefined ? '' : `, about ${etaS} s to go`}`)
  }

  private fail(detail: string): void {
    this.host.log.warn({ peer: this.peer, detail, ...this.progress() }, 'sync with peer stopped; it starts again at its next announcement')
    this.finish('failed', detail)
  }

  private finish(outcome: 'caught-up' | 'failed', detail: string): void {
    this.round++
    const was = this.pending !== undefined || this.asked !== undefined || this.done > 0
    this.push = undefined
    this.pending = undefined
    this.asked = undefined
    this.target = undefined
    if (was || outcome === 'failed') this.host.finished(outcome, detail)
  }
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return toHex(a) === toHex(b)
}
