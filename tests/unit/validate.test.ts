import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeHeaderBincode, decodeTransactionBincode, decodeTransactionsBincode } from '../../codecs/bincode.js'
import { blockHash, compareBytes, merkleRoot, txHash, vdf, ZERO_HASH } from '../../codecs/hashes.js'
import type { Block, Transaction } from '../../codecs/model.js'
import { decodeBlockJson, decodeTransactionJson } from '../../codecs/ndjson.js'
import { unwrap } from '../../codecs/result.js'
import { checkRelayTransaction, validateBlock, validateChain, verifyTransaction } from '../../codecs/validate.js'
import { fromHex, vectors } from '../helpers/vectors.js'

const txs: Transaction[] = vectors.transactions.map((t) => unwrap(decodeTransactionBincode(fromHex(t.bincode))))
const chain: Block[] = vectors.blocks.map((b) => ({
  header: unwrap(decodeHeaderBincode(fromHex(b.header_bincode))),
  transactions: unwrap(decodeTransactionsBincode(fromHex(b.transactions_bincode))),
}))
const block3 = chain[3]!
const block2 = chain[2]!

/** A copy of `bytes` with `bytes[at] ^= mask`. */
function flip(bytes: Uint8Array, at: number, mask = 1): Uint8Array<ArrayBuffer> {
  const copy = Uint8Array.from(bytes)
  copy[at]! ^= mask
  return copy
}

/** The rejection reason, or 'ok'. */
function outcome(v: { ok: true } | { ok: false; reason: string }): string {
  return v.ok ? 'ok' : v.reason
}

/** The transactions sorted by tx hash, as a producer lists them. */
const byTxHash = (list: Transaction[]) => [...list].sort((a, b) => compareBytes(txHash(a), txHash(b)))

const warningCodes = (v: { warnings: { code: string }[] }) => v.warnings.map((w) => w.code)

describe('verifyTransaction and checkRelayTransaction', () => {
  it('accepts every vector transaction', () => {
    for (const tx of txs) expect(verifyTransaction(tx)).toEqual({ ok: true })
  })

  it('relay policy also refuses a zero amount, which verify() allows', () => {
    const zero = txs[0]!
    expect(zero.amount).toBe(0n)
    expect(outcome(checkRelayTransaction(zero))).toBe('ZERO_AMOUNT')
    expect(outcome(checkRelayTransaction(txs[1]!))).toBe('ok')
  })

  it('rejects a bad signature, and wrong sender or signature lengths without throwing', () => {
    const tx = txs[9]!
    expect(outcome(verifyTransaction({ ...tx, signature: flip(tx.signature, 0) }))).toBe('BAD_SIGNATURE')
    expect(outcome(verifyTransaction({ ...tx, amount: tx.amount ^ 1n }))).toBe('BAD_SIGNATURE')
    expect(outcome(verifyTransaction({ ...tx, sender: tx.sender.slice(0, 31) }))).toBe('BAD_PUBLIC_KEY_LENGTH')
    expect(outcome(verifyTransaction({ ...tx, signature: tx.signature.slice(0, 63) }))).toBe('BAD_SIGNATURE_LENGTH')
    expect(outcome(checkRelayTransaction({ ...tx, recipient: tx.recipient.slice(1) }))).toBe('BAD_RECIPIENT_LENGTH')
  })

  it('rejects objects that are not transactions as MALFORMED_TRANSACTION', () => {
    const tx = txs[9]!
    const bad = [null, 'tx', { ...tx, amount: 5 }, { ...tx, nonce: -1n }, { ...tx, sender: [1, 2, 3] }, { ...tx, signature: undefined }]
    for (const value of bad) {
      const verdict = verifyTransaction(value as unknown as Transaction)
      expect(outcome(verdict)).toBe('MALFORMED_TRANSACTION')
      expect(verdict.ok ? '' : verdict.message).not.toBe('')
    }
  })

  it('never throws on arbitrary byte lengths and values', () => {
    const arbTx = fc.record({
      sender: fc.uint8Array({ maxLength: 40 }),
      recipient: fc.uint8Array({ maxLength: 40 }),
      amount: fc.bigInt({ min: -1n, max: 1n << 65n }),
      nonce: fc.bigInt({ min: 0n, max: 10n }),
      signature: fc.oneof(fc.uint8Array({ maxLength: 70 }), fc.uint8Array({ minLength: 64, maxLength: 64 })),
    })
    fc.assert(
      fc.property(arbTx, (tx) => {
        expect(verifyTransaction(tx).ok).toBe(false)
        expect(checkRelayTransaction(tx).ok).toBe(false)
      }),
      { seed: 42, numRuns: 300 },
    )
  })
})

describe('validateBlock: the documented checks', () => {
  it('accepts every vector block against its predecessor, with no warnings', () => {
    chain.forEach((block, i) => expect(validateBlock(chain[i - 1] ?? null, block)).toEqual({ ok: true, warnings: [] }))
  })

  it('rejects a broken prev_hash link, and a first block whose prev_hash is not zero', () => {
    const wrongPrev = validateBlock(block2, { ...block3, header: { ...block3.header, prev_hash: flip(block3.header.prev_hash, 0) } })
    expect(outcome(wrongPrev)).toBe('PREV_HASH_MISMATCH')
    expect(validateBlock(chain[1]!, block3).ok).toBe(false)
    const first = chain[0]!
    const nonZero = { ...first, header: { ...first.header, prev_hash: blockHash(block2.header) } }
    expect(outcome(validateBlock(null, nonZero))).toBe('FIRST_BLOCK_PREV_HASH')
  })

  it('rejects a merkle root that does not match the listed transactions, in order', () => {
    const h = block3.header
    expect(outcome(validateBlock(block2, { ...block3, header: { ...h, merkle_root: flip(h.merkle_root, 31, 0x80) } }))).toBe(
      'MERKLE_ROOT_MISMATCH',
    )
    expect(outcome(validateBlock(block2, { ...block3, transactions: block3.transactions.slice(1) }))).toBe('MERKLE_ROOT_MISMATCH')
    const [a, b, ...rest] = block3.transactions
    expect(outcome(validateBlock(block2, { ...block3, transactions: [b!, a!, ...rest] }))).toBe('MERKLE_ROOT_MISMATCH')
  })

  it('rejects a wrong vdf_output', () => {
    const verdict = validateBlock(block2, { ...block3, header: { ...block3.header, vdf_output: flip(block3.header.vdf_output, 5, 0x10) } })
    expect(outcome(verdict)).toBe('VDF_MISMATCH')
  })

  it('rejects malformed blocks and predecessors without throwing', () => {
    expect(outcome(validateBlock(block2, { ...block3, header: { ...block3.header, prev_hash: new Uint8Array(31) } }))).toBe(
      'MALFORMED_BLOCK',
    )
    expect(outcome(validateBlock(block2, { header: block3.header } as unknown as Block))).toBe('MALFORMED_BLOCK')
    expect(outcome(validateBlock(block2, null as unknown as Block))).toBe('MALFORMED_BLOCK')
    expect(outcome(validateBlock({} as Block, block3))).toBe('MALFORMED_PREDECESSOR')
  })

  it('refuses to recompute a VDF above the budget', () => {
    const expensive = { ...block3, header: { ...block3.header, difficulty: 2 ** 32 - 1 } }
    expect(outcome(validateBlock(block2, expensive))).toBe('VDF_TOO_EXPENSIVE')
    const cheap = { ...block3, header: { ...block3.header, difficulty: 3, vdf_output: vdf(block3.header.prev_hash, 3) } }
    expect(outcome(validateBlock(block2, cheap, { maxVdfIterations: 2 }))).toBe('VDF_TOO_EXPENSIVE')
    expect(outcome(validateBlock(block2, cheap, { maxVdfIterations: 3 }))).toBe('ok')
  })
})

describe('validateBlock: what a stricter node would reject is only a warning', () => {
  /** block3 with a changed header, merkle root and VDF kept consistent so only the warning remains. */
  function variant(change: Partial<Block['header']>, transactions = block3.transactions): Block {
    return { header: { ...block3.header, merkle_root: merkleRoot(transactions), ...change }, transactions }
  }

  it.each([
    ['TX_COUNT_MISMATCH', variant({ tx_count: 6 })],
    ['TXS_NOT_SORTED', variant({}, [block3.transactions[1]!, block3.transactions[0]!, ...block3.transactions.slice(2)])],
    ['TX_INVALID', variant({}, byTxHash([{ ...block3.transactions[0]!, signature: flip(block3.transactions[0]!.signature, 10, 4) }, ...block3.transactions.slice(1)]))],
    ['DIFFICULTY_NOT_STANDARD', variant({ difficulty: 1, vdf_output: vdf(block3.header.prev_hash, 1) })],
    ['VERSION_NOT_1', variant({ version: 2 })],
    ['HEADER_SIGNATURE_NOT_EMPTY', variant({ signature: new Uint8Array(64).fill(0xab) })],
    ['HEADER_NONCE_NOT_DERIVED', variant({ nonce: block3.header.nonce + 1n })],
  ] as const)('%s', (code, block) => {
    const verdict = validateBlock(block2, block)
    expect(verdict.ok).toBe(true)
    expect(warningCodes(verdict)).toEqual([code])
    expect(verdict.warnings[0]!.message).not.toBe('')
  })

  it('TIMESTAMP_NOT_PREV_PLUS_30 (and the nonce derived from the other timestamp)', () => {
    const verdict = validateBlock(block2, variant({ timestamp: block3.header.timestamp + 1n }))
    expect(verdict.ok).toBe(true)
    expect(warningCodes(verdict)).toEqual(['TIMESTAMP_NOT_PREV_PLUS_30', 'HEADER_NONCE_NOT_DERIVED'])
  })

  it('reports warnings alongside a rejection', () => {
    const verdict = validateBlock(block2, variant({ version: 3, vdf_output: new Uint8Array(32) }))
    expect(outcome(verdict)).toBe('VDF_MISMATCH')
    expect(warningCodes(verdict)).toEqual(['VERSION_NOT_1'])
  })
})

describe('validateChain', () => {
  it('accepts the vector chain', () => {
    expect(validateChain(chain)).toEqual({ ok: true, warnings: [] })
    expect(validateChain([])).toEqual({ ok: true, warnings: [] })
  })

  it('names the first failing block and keeps the warnings with their block index', () => {
    const tampered = [...chain]
    tampered[2] = { ...block2, header: { ...block2.header, version: 7 } } // block 3 no longer links to it
    const verdict = validateChain(tampered)
    expect(verdict.ok).toBe(false)
    if (verdict.ok) return
    expect(verdict.index).toBe(3)
    expect(verdict.reason).toBe('PREV_HASH_MISMATCH')
    expect(verdict.warnings).toEqual([expect.objectContaining({ index: 2, code: 'VERSION_NOT_1' })])
  })

  it('judges the first block against an empty chain', () => {
    const verdict = validateChain(chain.slice(1))
    expect(verdict).toMatchObject({ ok: false, index: 0, reason: 'FIRST_BLOCK_PREV_HASH' })
  })
})

describe('validateBlock never throws', () => {
  it('on arbitrary byte lengths in every header and transaction field', () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constant(ZERO_HASH), fc.uint8Array({ minLength: 32, maxLength: 32 }))
    const arbTx = fc.record({ sender: bytes, recipient: bytes, amount: fc.bigInt(0n, 5n), nonce: fc.bigInt(0n, 5n), signature: bytes })
    const arbBlock = fc.record({
      header: fc.record({
        version: fc.integer({ min: -1, max: 3 }),
        prev_hash: bytes,
        merkle_root: bytes,
        timestamp: fc.bigInt(0n, 100n),
        vdf_output: bytes,
        difficulty: fc.integer({ min: 0, max: 50 }),
        nonce: fc.bigInt(0n, 100n),
        tx_count: fc.nat(3),
        signature: bytes,
      }),
      transactions: fc.array(arbTx, { maxLength: 3 }),
    })
    fc.assert(
      fc.property(fc.option(arbBlock), arbBlock, (prev, block) => {
        const verdict = validateBlock(prev, block)
        expect(verdict.ok).toBe(false) // random hashes never all match
        if (!verdict.ok) expect(verdict.message).not.toBe('')
      }),
      { seed: 42, numRuns: 300 },
    )
  })
})

/**
 * What each `invalid[]` vector must give: the rejection reason when the documented validator
 * rejects it, or the warnings naming what a stricter node would reject when it accepts it (for a
 * transaction, the relay policy's rejection).
 */
const EXPECTED: Record<string, { reason: string } | { warnings: string[] } | { relayReason: string }> = {
  'tx-flipped-signature-byte': { reason: 'BAD_SIGNATURE' },
  'tx-amount-changed': { reason: 'BAD_SIGNATURE' },
  'tx-sender-31-bytes': { reason: 'BAD_PUBLIC_KEY_LENGTH' },
  'tx-signature-63-bytes': { reason: 'BAD_SIGNATURE_LENGTH' },
  'tx-signature-s-plus-l': { reason: 'BAD_SIGNATURE' },
  'tx-recipient-31-bytes-signed': { relayReason: 'BAD_RECIPIENT_LENGTH' },
  'block-wrong-prev-hash': { reason: 'PREV_HASH_MISMATCH' },
  'block-wrong-merkle-root': { reason: 'MERKLE_ROOT_MISMATCH' },
  'block-wrong-vdf-output': { reason: 'VDF_MISMATCH' },
  'block-tx-removed': { reason: 'MERKLE_ROOT_MISMATCH' },
  'block-txs-reordered': { reason: 'MERKLE_ROOT_MISMATCH' },
  'first-block-nonzero-prev-hash': { reason: 'FIRST_BLOCK_PREV_HASH' },
  'block-unsorted-txs-consistent-merkle': { warnings: ['TXS_NOT_SORTED'] },
  'block-tx-count-mismatch': { warnings: ['TX_COUNT_MISMATCH'] },
  'block-contains-bad-signature-tx': { warnings: ['TX_INVALID'] },
  'block-difficulty-1': { warnings: ['DIFFICULTY_NOT_STANDARD'] },
  'block-wrong-timestamp-and-nonce': { warnings: ['TIMESTAMP_NOT_PREV_PLUS_30', 'HEADER_NONCE_NOT_DERIVED'] },
  'block-version-2-with-signature': { warnings: ['VERSION_NOT_1', 'HEADER_SIGNATURE_NOT_EMPTY'] },
}

describe('invalid[] vectors get the documented verdict', () => {
  it('has an expectation for every vector', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(vectors.invalid.map((v) => v.name).sort())
  })

  const transactions = vectors.invalid.filter((v) => v.kind === 'transaction')
  it.each(transactions.map((v) => [v.name, v] as const))('%s', (name, v) => {
    const tx = unwrap(decodeTransactionJson(v.json))
    const verdict = verifyTransaction(tx)
    const expected = EXPECTED[name]!
    expect(verdict.ok).toBe(v.documented_validator === 'accepts')
    if ('reason' in expected) expect(outcome(verdict)).toBe(expected.reason)
    if ('relayReason' in expected) expect(outcome(checkRelayTransaction(tx))).toBe(expected.relayReason)
  })

  const blocks = vectors.invalid.filter((v) => v.kind === 'block')
  it.each(blocks.map((v) => [v.name, v] as const))('%s', (name, v) => {
    const block = unwrap(decodeBlockJson(v.json))
    const verdict = validateBlock(v.predecessor === null ? null : chain[v.predecessor]!, block)
    const expected = EXPECTED[name]!
    expect(verdict.ok).toBe(v.documented_validator === 'accepts')
    if ('reason' in expected) expect(outcome(verdict)).toBe(expected.reason)
    if ('warnings' in expected) expect(warningCodes(verdict)).toEqual(expected.warnings)
  })
})
