/**
 * Validation of transactions and blocks, with typed verdicts; nothing here throws on malformed input.
 *
 * Blocks are judged by the node's documented `validate_block` **exactly** (prev_hash links, merkle
 * root, VDF). Everything a stricter node might also check (tx_count, order, signatures inside the
 * block, difficulty, timestamp, header nonce, version, header signature) is only a warning: a gateway
 * that rejected what the nodes accept would split the chain between radio islands.
 *
 * The one rejection beyond `validate_block` is a VDF budget ({@link ValidateBlockOptions}): the VDF is
 * recomputed with the header's own difficulty, and a u32 difficulty could otherwise cost hours.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { verify } from './ed25519.js'
import { toHex } from './hex.js'
import { blockHash, compareBytes, dataToSign, headerNonce, merkleRoot, txHash, vdf, VDF_DIFFICULTY, ZERO_HASH } from './hashes.js'
import {
  BlockHeaderSchema,
  BlockSchema,
  PUBLIC_KEY_LENGTH,
  SIGNATURE_LENGTH,
  TransactionSchema,
  type Block,
  type BlockHeader,
  type Transaction,
} from './model.js'
import { BLOCK_INTERVAL, BLOCK_VERSION } from './producer.js'

/** Why a transaction is rejected. */
export const TX_REJECTION_REASONS = [
  'MALFORMED_TRANSACTION', // not a Transaction at all (field types, u64 range)
  'BAD_PUBLIC_KEY_LENGTH', // sender is not 32 bytes: the node's verify() would panic
  'BAD_SIGNATURE_LENGTH', // signature is not 64 bytes: the node's verify() would panic
  'BAD_RECIPIENT_LENGTH', // relay policy only
  'ZERO_AMOUNT', // relay policy only
  'BAD_SIGNATURE',
] as const
/** Why a transaction is rejected. */
export type TxRejectionReason = (typeof TX_REJECTION_REASONS)[number]

/** Verdict on a transaction. */
export type TxVerdict = { ok: true } | { ok: false; reason: TxRejectionReason; message: string }

/** Why a block is rejected. */
export const BLOCK_REJECTION_REASONS = [
  'MALFORMED_BLOCK', // not a Block (hash field lengths, integer ranges, types)
  'MALFORMED_PREDECESSOR',
  'FIRST_BLOCK_PREV_HASH', // a first block whose prev_hash is not 32 zero bytes
  'PREV_HASH_MISMATCH',
  'MERKLE_ROOT_MISMATCH',
  'VDF_TOO_EXPENSIVE', // difficulty above the caller's budget (not a node rule)
  'VDF_MISMATCH',
] as const
/** Why a block is rejected. */
export type BlockRejectionReason = (typeof BLOCK_REJECTION_REASONS)[number]

/** What a stricter node might reject but the documented `validate_block` accepts. */
export const BLOCK_WARNING_CODES = [
  'TX_COUNT_MISMATCH',
  'TXS_NOT_SORTED',
  'TX_INVALID', // a listed transaction fails verify()
  'DIFFICULTY_NOT_STANDARD',
  'TIMESTAMP_NOT_PREV_PLUS_30',
  'HEADER_NONCE_NOT_DERIVED',
  'VERSION_NOT_1',
  'HEADER_SIGNATURE_NOT_EMPTY',
] as const
/** A warning code, see {@link BLOCK_WARNING_CODES}. */
export type BlockWarningCode = (typeof BLOCK_WARNING_CODES)[number]

/** A deviation from the producer rules that the documented validator does not check. */
export interface BlockWarning {
  /** Stable code. */
  code: BlockWarningCode
  /** Human-readable detail. */
  message: string
}

/** Verdict on a block; warnings are reported either way. */
export type BlockVerdict =
  | { ok: true; warnings: BlockWarning[] }
  | { ok: false; reason: BlockRejectionReason; message: string; warnings: BlockWarning[] }

/** Options of {@link validateBlock}. */
export interface ValidateBlockOptions {
  /** Largest header difficulty whose VDF is recomputed (each iteration is one Blake3); default 100 000. */
  maxVdfIterations?: number
}

/** Default VDF budget: ten times the fixed difficulty (about 0.2 s in JS on a desktop). */
const DEFAULT_MAX_VDF_ITERATIONS = 10 * VDF_DIFFICULTY

/** The first problem zod found, as `path: message`. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  return issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`
}

/** True when the bytes are equal. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return compareBytes(a, b) === 0
}

// --- transactions ---------------------------------------------------------------------------------

/** One transaction check: a rejection, or undefined when it passes. */
type TxCheck = (tx: Transaction) => TxVerdict | undefined

function rejectTx(reason: TxRejectionReason, message: string): TxVerdict {
  return { ok: false, reason, message }
}

const senderLength: TxCheck = (tx) =>
  tx.sender.length === PUBLIC_KEY_LENGTH
    ? undefined
    : rejectTx('BAD_PUBLIC_KEY_LENGTH', `sender is ${tx.sender.length} bytes, expected ${PUBLIC_KEY_LENGTH}`)

const recipientLength: TxCheck = (tx) =>
  tx.recipient.length === PUBLIC_KEY_LENGTH
    ? undefined
    : rejectTx('BAD_RECIPIENT_LENGTH', `recipient is ${tx.recipient.length} bytes, expected ${PUBLIC_KEY_LENGTH}`)

const signatureLength: TxCheck = (tx) =>
  tx.signature.length === SIGNATURE_LENGTH
    ? undefined
    : rejectTx('BAD_SIGNATURE_LENGTH', `signature is ${tx.signature.length} bytes, expected ${SIGNATURE_LENGTH}`)

const nonZeroAmount: TxCheck = (tx) => (tx.amount !== 0n ? undefined : rejectTx('ZERO_AMOUNT', 'amount is 0'))

const validSignature: TxCheck = (tx) =>
  verify(tx.sender, dataToSign(tx), tx.signature)
    ? undefined
    : rejectTx('BAD_SIGNATURE', 'Ed25519 signature over data_to_sign does not verify with the sender key')

/** The documented `verify()`: a key and signature of usable length, and the signature. */
const VERIFY_CHECKS: readonly TxCheck[] = [senderLength, signatureLength, validSignature]
/** Relay policy: exact lengths and a non-zero amount first (cheap), then the signature. */
const RELAY_CHECKS: readonly TxCheck[] = [senderLength, recipientLength, signatureLength, nonZeroAmount, validSignature]

function runTxChecks(tx: unknown, checks: readonly TxCheck[]): TxVerdict {
  const parsed = TransactionSchema.safeParse(tx)
  if (!parsed.success) return rejectTx('MALFORMED_TRANSACTION', describeIssue(parsed.error))
  for (const check of checks) {
    const rejection = check(parsed.data)
    if (rejection !== undefined) return rejection
  }
  return { ok: true }
}

/**
 * The node's documented `Transaction::verify()`: the Ed25519 signature over `data_to_sign` with the
 * sender as key. A wrong-length sender or signature (where the node would panic) is a rejection; the
 * recipient's length and the amount are not checked (see {@link checkRelayTransaction}).
 */
export function verifyTransaction(tx: Transaction): TxVerdict {
  return runTxChecks(tx, VERIFY_CHECKS)
}

/**
 * The gateway's policy for a standalone transaction it relays: `verify()` plus sender and recipient of
 * 32 bytes, a 64-byte signature and a non-zero amount (the docs' `validate_transaction`).
 */
export function checkRelayTransaction(tx: Transaction): TxVerdict {
  return runTxChecks(tx, RELAY_CHECKS)
}

// --- blocks ---------------------------------------------------------------------------------------

/** A predecessor needs only a well-formed header: `validate_block` hashes nothing else of it. */
const PredecessorSchema = z.object({ header: BlockHeaderSchema })

function warn(code: BlockWarningCode, message: string): BlockWarning {
  return { code, message }
}

/** Header fields that differ from what the producer rules would have put there. */
function headerWarnings(prev: BlockHeader | null, h: BlockHeader): BlockWarning[] {
  const warnings: BlockWarning[] = []
  if (h.version !== BLOCK_VERSION) warnings.push(warn('VERSION_NOT_1', `version is ${h.version}`))
  if (h.difficulty !== VDF_DIFFICULTY) {
    warnings.push(warn('DIFFICULTY_NOT_STANDARD', `difficulty is ${h.difficulty}, not ${VDF_DIFFICULTY}`))
  }
  if (prev !== null && h.timestamp !== prev.timestamp + BLOCK_INTERVAL) {
    warnings.push(warn('TIMESTAMP_NOT_PREV_PLUS_30', `timestamp ${h.timestamp} is not ${prev.timestamp} + ${BLOCK_INTERVAL}`))
  }
  const nonce = headerNonce(h.prev_hash, h.timestamp)
  if (h.nonce !== nonce) warnings.push(warn('HEADER_NONCE_NOT_DERIVED', `nonce ${h.nonce} is not the derived ${nonce}`))
  if (h.signature.length !== 0) {
    warnings.push(warn('HEADER_SIGNATURE_NOT_EMPTY', `header signature is ${h.signature.length} bytes`))
  }
  return warnings
}

/** Transaction-list deviations: count, order by tx hash, and each transaction's `verify()`. */
function transactionWarnings(block: Block): BlockWarning[] {
  const warnings: BlockWarning[] = []
  const { header, transactions } = block
  if (header.tx_count !== transactions.length) {
    warnings.push(warn('TX_COUNT_MISMATCH', `tx_count is ${header.tx_count}, ${transactions.length} transactions listed`))
  }
  const hashes = transactions.map(txHash)
  const unsorted = hashes.findIndex((h, i) => {
    const before = hashes[i - 1]
    return before !== undefined && compareBytes(before, h) > 0
  })
  if (unsorted !== -1) warnings.push(warn('TXS_NOT_SORTED', `transactions[${unsorted}] is out of tx-hash order`))
  transactions.forEach((tx, i) => {
    const verdict = verifyTransaction(tx)
    if (!verdict.ok) warnings.push(warn('TX_INVALID', `transactions[${i}]: ${verdict.reason}: ${verdict.message}`))
  })
  return warnings
}

/** The three documented checks, cheapest first; undefined when all pass. */
function consensusFailure(
  prev: BlockHeader | null,
  block: Block,
  maxVdfIterations: number,
): { reason: BlockRejectionReason; message: string } | undefined {
  const h = block.header
  const expectedPrev = prev === null ? ZERO_HASH : blockHash(prev)
  if (!sameBytes(h.prev_hash, expectedPrev)) {
    const reason = prev === null ? 'FIRST_BLOCK_PREV_HASH' : 'PREV_HASH_MISMATCH'
    return { reason, message: `prev_hash ${toHex(h.prev_hash)} does not link to ${toHex(expectedPrev)}` }
  }
  const root = merkleRoot(block.transactions)
  if (!sameBytes(h.merkle_root, root)) {
    return { reason: 'MERKLE_ROOT_MISMATCH', message: `merkle_root ${toHex(h.merkle_root)}, transactions hash to ${toHex(root)}` }
  }
  if (h.difficulty > maxVdfIterations) {
    return { reason: 'VDF_TOO_EXPENSIVE', message: `difficulty ${h.difficulty} exceeds the budget of ${maxVdfIterations}` }
  }
  const output = vdf(expectedPrev, h.difficulty)
  if (!sameBytes(h.vdf_output, output)) {
    return { reason: 'VDF_MISMATCH', message: `vdf_output ${toHex(h.vdf_output)}, expected ${toHex(output)}` }
  }
  return undefined
}

/**
 * The node's documented `validate_block(prev, block)`, exactly: prev_hash equals the hash of the
 * predecessor's header (32 zero bytes for a first block, `prev` null), merkle_root equals the hash of
 * the transactions as listed, and vdf_output equals vdf(prev_hash, header.difficulty). Costs one VDF
 * (about 10 001 Blake3s at the fixed difficulty). Never throws.
 *
 * @param prev - the block this one must follow, or null for the first block of a chain
 * @param block - the block to judge (untrusted: malformed fields give `MALFORMED_BLOCK`)
 */
export function validateBlock(prev: Block | null, block: Block, opts: ValidateBlockOptions = {}): BlockVerdict {
  const parsed = BlockSchema.safeParse(block)
  if (!parsed.success) {
    return { ok: false, reason: 'MALFORMED_BLOCK', message: describeIssue(parsed.error), warnings: [] }
  }
  let prevHeader: BlockHeader | null = null
  if (prev !== null) {
    const p = PredecessorSchema.safeParse(prev)
    if (!p.success) return { ok: false, reason: 'MALFORMED_PREDECESSOR', message: describeIssue(p.error), warnings: [] }
    prevHeader = p.data.header
  }
  const warnings = [...headerWarnings(prevHeader, parsed.data.header), ...transactionWarnings(parsed.data)]
  const failure = consensusFailure(prevHeader, parsed.data, opts.maxVdfIterations ?? DEFAULT_MAX_VDF_ITERATIONS)
  return failure === undefined ? { ok: true, warnings } : { ok: false, ...failure, warnings }
}

/** A block warning with the index of the block it is about. */
export type ChainWarning = BlockWarning & {
  /** Index of the block in the chain. */
  index: number
}

/** Verdict on a chain: the first failing block, and the warnings up to it. */
export type ChainVerdict =
  | { ok: true; warnings: ChainWarning[] }
  | { ok: false; index: number; reason: BlockRejectionReason; message: string; warnings: ChainWarning[] }

/**
 * Validates a whole chain: block 0 as a first block, every later one against its predecessor. Stops
 * at the first failure. Costs one VDF per block.
 */
export function validateChain(blocks: readonly Block[], opts: ValidateBlockOptions = {}): ChainVerdict {
  const warnings: ChainWarning[] = []
  let prev: Block | null = null
  for (const [index, block] of blocks.entries()) {
    const verdict = validateBlock(prev, block, opts)
    warnings.push(...verdict.warnings.map((w) => ({ ...w, index })))
    if (!verdict.ok) return { ok: false, index, reason: verdict.reason, message: verdict.message, warnings }
    prev = block
  }
  return { ok: true, warnings }
}
