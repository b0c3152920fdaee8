/**
 * Which transactions we handed to the node side, and over which connection, so that a node which
 * lost one gets it again. The node's P2P protocol has no acknowledgement: a line written to a node
 * that restarts (or crashes) a moment later dies with its socket, and a real node forgets its whole
 * mempool when it restarts. When we connect again we ask for its mempool anyway (`GetMempool`); any
 * transaction still in our mempool that we handed over on an EARLIER connection and that the answer
 * lacks is handed again. One handed on the current connection never is (it may still be on its
 * way), so a node that kept it never sees it twice.
 *
 * Order is a counter, not a clock: two events in the same millisecond stay ordered. Memory: one
 * entry per handed transaction still in our mempool; entries of mined or evicted transactions are
 * dropped at each reconciliation and whenever the log outgrows its bound.
 *
 * @packageDocumentation
 */
import { txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Transaction } from '../../codecs/model.js'

/** Entries kept before the ones no longer in our mempool are pruned (the mempool holds 5 000). */
const PRUNE_ABOVE = 10_000

/** Transactions handed to the node side, by connection order. */
export class HandoverLog {
  private counter = 0
  private readonly handedAt = new Map<string, number>() // tx hash -> counter when handed
  private readonly openedAt = new WeakMap<object, number>() // connection -> counter when it opened

  /** @param inMempool - true while hex `hash` is in our mempool */
  constructor(private readonly inMempool: (hash: string) => boolean) {}

  /** Connection `conn` to a node opened now. */
  opened(conn: object): void {
    this.openedAt.set(conn, ++this.counter)
  }

  /** `tx` was written to the node side now. */
  handed(tx: Transaction): void {
    this.handedAt.set(toHex(txHash(tx)), ++this.counter)
    if (this.handedAt.size > PRUNE_ABOVE) this.prune()
  }

  /**
   * Of our mempool `ours`, what `conn`'s node lacks (`theirs` is its mempool) though we handed it
   * over before `conn` opened. Once per connection: later answers on it return nothing.
   */
  lost(conn: object, ours: readonly Transaction[], theirs: readonly Transaction[]): Transaction[] {
    const since = this.openedAt.get(conn) ?? 0
    this.openedAt.delete(conn)
    const held = new Set(theirs.map((tx) => toHex(txHash(tx))))
    this.prune()
    return ours.filter((tx) => {
      const hash = toHex(txHash(tx))
      return (this.handedAt.get(hash) ?? Infinity) < since && !held.has(hash)
    })
  }

  private prune(): void {
    for (const hash of this.handedAt.keys()) if (!this.inMempool(hash)) this.handedAt.delete(hash)
  }
}
