/**
 * Compact blocks as pure functions (docs/PROTOCOL.md §8.5–§8.7, after BIP152): the sender turns a
 * block into a `cmpctblock` (header, salt, one short id per transaction, prefilling the ones the peer
 * lacks); the receiver rebuilds it from its mempool, asks with `getblocktxn` for the slots it could not
 * fill, completes it from the `blocktxn`, and checks the merkle root. A wrong root (a short-id
 * collision) means "ask for the full block" (`getdata` block), never "accept".
 *
 * @packageDocumentation
 */
import { blockHash, merkleRoot, txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Block, BlockHeader, Transaction } from '../../codecs/model.js'
import type { BlockTxn, CompactBlock, GetBlockTxn, PrefilledTx } from '../../codecs/wire-compact.js'
import { sameBytes } from '../../codecs/wire-fields.js'
import { shortId, shortIdKey } from './short-id.js'

/** A mempool transaction with its Bunkercoin hash (which the mempool already knows). */
export interface MempoolEntry {
  hash: Uint8Array
  transaction: Transaction
}

/** The mempool transactions with a given short id: none, one, or (a collision) several. */
export type ShortIdLookup = (id: number) => readonly Transaction[]

/** A compact block being rebuilt: its header and hash, and each slot's transaction once known. */
export interface PartialBlock {
  header: BlockHeader
  hash: Uint8Array
  slots: (Transaction | undefined)[]
}

/** Where a reconstruction stands. */
export type Reconstruction =
  /** Every slot filled and the merkle root matches. */
  | { status: 'complete'; block: Block }
  /** Send `request`; give the `blocktxn` answer to {@link completeBlock} with `partial`. */
  | { status: 'incomplete'; partial: PartialBlock; request: GetBlockTxn }
  /** Every slot filled but the merkle root does not match (a short-id collision): `getdata` the full block `hash`. */
  | { status: 'mismatch'; hash: Uint8Array }

/**
 * The `cmpctblock` for `block`, its short ids keyed with `salt` (8 random bytes, drawn by the caller
 * per send). Transactions for which `peerHasTx` says false are sent whole (prefilled).
 *
 * @param peerHasTx - whether the peer has (or is assumed to have) the transaction with this hash; default: yes
 */
export function makeCompactBlock(block: Block, salt: Uint8Array, peerHasTx: (hash: Uint8Array) => boolean = () => true): CompactBlock {
  const key = shortIdKey(block.header, salt)
  const shortIds: number[] = []
  const prefilled: PrefilledTx[] = []
  block.transactions.forEach((transaction, index) => {
    const hash = txHash(transaction)
    if (peerHasTx(hash)) shortIds.push(shortId(key, hash))
    else prefilled.push({ index, transaction })
  })
  return { type: 'cmpctblock', header: block.header, salt: Uint8Array.from(salt), shortIds, prefilled }
}

/** Indexes `mempool` by the short ids of `cmpct` (one keyed hash per mempool transaction). */
export function shortIdLookup(cmpct: CompactBlock, mempool: Iterable<MempoolEntry>): ShortIdLookup {
  const key = shortIdKey(cmpct.header, cmpct.salt)
  const byId = new Map<number, Transaction[]>()
  for (const { hash, transaction } of mempool) {
    const id = shortId(key, hash)
    const list = byId.get(id)
    if (list === undefined) byId.set(id, [transaction])
    else list.push(transaction)
  }
  return (id) => byId.get(id) ?? []
}

/**
 * Rebuilds the block of `cmpct`: prefilled transactions at their indexes, every other slot from the
 * mempool by short id (a short id with no match, or several, stays empty and is requested).
 */
export function reconstructBlock(cmpct: CompactBlock, lookup: ShortIdLookup): Reconstruction {
  const slots = Array.from({ length: cmpct.shortIds.length + cmpct.prefilled.length }, (): Transaction | undefined => undefined)
  for (const p of cmpct.prefilled) slots[p.index] = p.transaction
  let next = 0
  for (let i = 0; i < slots.length; i++) {
    if (slots[i] !== undefined) continue
    const candidates = lookup(cmpct.shortIds[next++] ?? -1)
    slots[i] = candidates.length === 1 ? candidates[0] : undefined
  }
  return settle({ header: cmpct.header, hash: blockHash(cmpct.header), slots })
}

/** What {@link completeBlock} found. */
export type Completion = Exclude<Reconstruction, { status: 'incomplete' }> | { status: 'invalid'; message: string }

/**
 * Fills the slots `partial` was missing from the `blocktxn` that answers its request. `invalid` when
 * the answer is for another block or has the wrong number of transactions (drop it, ask again).
 */
export function completeBlock(partial: PartialBlock, answer: BlockTxn): Completion {
  if (!sameBytes(answer.block, partial.hash)) {
    return { status: 'invalid', message: `blocktxn for ${toHex(answer.block)}, expected ${toHex(partial.hash)}` }
  }
  const missing = missingSlots(partial.slots)
  if (answer.transactions.length !== missing.length) {
    return { status: 'invalid', message: `blocktxn has ${answer.transactions.length} transactions, ${missing.length} were asked for` }
  }
  const slots = [...partial.slots]
  missing.forEach((slot, i) => (slots[slot] = answer.transactions[i]))
  const done = settle({ ...partial, slots })
  return done.status === 'incomplete' ? { status: 'invalid', message: 'blocktxn left slots empty' } : done
}

/**
 * The `blocktxn` answering `request` from the full `block` the sender holds under `request.block`,
 * or undefined when an index is past the block's end (garbage: drop the request).
 */
export function answerGetBlockTxn(block: Block, request: GetBlockTxn): BlockTxn | undefined {
  const transactions = request.indexes.map((i) => block.transactions[i])
  if (!transactions.every((tx): tx is Transaction => tx !== undefined)) return undefined
  return { type: 'blocktxn', block: Uint8Array.from(request.block), transactions }
}

function missingSlots(slots: readonly (Transaction | undefined)[]): number[] {
  return slots.flatMap((tx, i) => (tx === undefined ? [i] : []))
}

/** Complete and checked, or the request for what is missing. */
function settle(partial: PartialBlock): Reconstruction {
  const missing = missingSlots(partial.slots)
  if (missing.length > 0) {
    return { status: 'incomplete', partial, request: { type: 'getblocktxn', block: partial.hash, indexes: missing } }
  }
  const transactions = partial.slots.filter((tx): tx is Transaction => tx !== undefined)
  if (!sameBytes(merkleRoot(transactions), partial.header.merkle_root)) return { status: 'mismatch', hash: partial.hash }
  return { status: 'complete', block: { header: partial.header, transactions } }
}
