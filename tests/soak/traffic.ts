/**
 * The soak's steady flow and its ledger: seeded transactions from every node that is up, blocks
 * mined by node A, the invalid transactions injected, and the checks run after the run: every
 * transaction at every node exactly once, the same tip everywhere, nothing invalid anywhere.
 */
import { blockHash, txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { SimNode } from '../../hardware-sim/node/sim-node.js'
import { createPrng, type Prng } from '../../hardware-sim/prng.js'

/** Options of a {@link Traffic}. */
export interface TrafficOptions {
  seed: number
  /** Least and most time between two transactions, ms. */
  txGapMs: readonly [number, number]
  /** Least and most time between two blocks, ms. */
  blockGapMs: readonly [number, number]
}

/** What was sent, and by whom. */
export class Traffic {
  /** Transaction hash → the node that made it. */
  readonly txs = new Map<string, string>()
  /** Blocks mined, hashes in order. */
  readonly blocks: string[] = []
  /** Invalid transactions injected, by hash. */
  readonly invalid: string[] = []
  private readonly prng: Prng
  private readonly down = new Set<string>()
  private readonly timers: NodeJS.Timeout[] = []

  /**
   * @param nodes - senders by name; the first one mines
   * @param o - seed and pace
   */
  constructor(
    private readonly nodes: Readonly<Record<string, SimNode>>,
    private readonly o: TrafficOptions,
  ) {
    this.prng = createPrng(o.seed)
  }

  /** Starts the flow. */
  start(): void {
    this.loop(this.o.txGapMs, () => this.sendTx(this.pickUp()))
    this.loop(this.o.blockGapMs, () => this.mine())
  }

  /** Stops the flow. */
  stop(): void {
    for (const t of this.timers.splice(0)) clearTimeout(t)
  }

  /** Node `name` is stopped (true) or back (false): no traffic from it meanwhile. */
  setDown(name: string, down: boolean): void {
    if (down) this.down.add(name)
    else this.down.delete(name)
  }

  /** `n` transactions from `name` at once (if it is up). */
  burst(name: string, n: number): void {
    for (let i = 0; i < n; i++) this.sendTx(name)
  }

  /** One transaction from `name` to a seeded recipient. */
  sendTx(name: string | undefined): void {
    const node = name === undefined || this.down.has(name) ? undefined : this.nodes[name]
    if (node === undefined) return
    const recipient = Uint8Array.from({ length: 32 }, () => this.prng.nextU32() & 0xff)
    const tx = node.send(recipient, 1n + BigInt(this.prng.nextU32() % 1_000))
    this.txs.set(toHex(txHash(tx)), name as string)
  }

  private mine(): void {
    const [miner] = Object.keys(this.nodes)
    if (miner === undefined || this.down.has(miner)) return
    this.blocks.push(toHex(blockHash((this.nodes[miner] as SimNode).mine().header)))
  }

  private pickUp(): string | undefined {
    const up = Object.keys(this.nodes).filter((n) => !this.down.has(n))
    return up[Math.floor(this.prng.next() * up.length)]
  }

  private loop(gap: readonly [number, number], fn: () => void): void {
    const next = (): void => {
      const t = setTimeout(() => {
        fn()
        next()
      }, gap[0] + this.prng.next() * (gap[1] - gap[0]))
      this.timers.push(t)
    }
    next()
  }
}

/** True when every node holds every transaction sent and every node is on node A's tip. */
export function converged(traffic: Traffic, nodes: readonly SimNode[]): boolean {
  const tip = nodes[0]?.state.tip().hash
  return nodes.every((n) => n.state.tip().hash === tip && [...traffic.txs.keys()].every((h) => n.state.hasTransaction(h)))
}

/**
 * What went wrong, one line each (empty: nothing): a transaction missing at a node, arriving twice,
 * or echoed back to the node that made it; a block arriving twice; tips that differ; an invalid
 * transaction held by or delivered to any node. `explain` adds what the node's gateway knows of a
 * transaction that never reached it.
 */
export function deliveryProblems(traffic: Traffic, nodes: Readonly<Record<string, SimNode>>, explain: (node: string, hash: string) => string = () => ''): string[] {
  const problems: string[] = []
  const tips = new Set(Object.values(nodes).map((n) => n.state.tip().hash))
  if (tips.size !== 1) problems.push(`nodes end on ${tips.size} different tips`)
  for (const [name, node] of Object.entries(nodes)) {
    for (const [hash, origin] of traffic.txs) {
      const arrivals = node.arrivals.get(`tx:${hash}`) ?? 0
      if (!node.state.hasTransaction(hash)) problems.push(`tx ${hash.slice(0, 12)} from ${origin} never reached node ${name}${explain(name, hash)}`)
      if (arrivals > 1) problems.push(`tx ${hash.slice(0, 12)} from ${origin} reached node ${name} ${arrivals} times`)
      if (arrivals > 0 && name === origin) problems.push(`tx ${hash.slice(0, 12)} was sent back to node ${name}, which made it`)
    }
    for (const hash of traffic.blocks) {
      const arrivals = node.arrivals.get(`block:${hash}`) ?? 0
      if (arrivals > 1) problems.push(`block ${hash.slice(0, 12)} reached node ${name} ${arrivals} times`)
    }
    for (const hash of traffic.invalid) {
      if (node.state.hasTransaction(hash) || node.arrivals.has(`tx:${hash}`)) problems.push(`invalid tx ${hash.slice(0, 12)} reached node ${name}`)
    }
  }
  return problems
}
