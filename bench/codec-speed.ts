/**
 * Codec speed on one core, each operation timed turn about with a reference on the same message in
 * the same run (bench/timing.ts): NDJSON decoding with exact u64 against plain `JSON.parse` of the
 * same line (the price of being lossless), envelope encode and decode, transaction validation (one
 * Ed25519 verification) and block validation (one VDF of 10 001 Blake3s, the merkle root, and the
 * transaction signatures, checked for warnings).
 *
 * @packageDocumentation
 */
import { decodeEnvelope, encodeEnvelope, type WireMessage } from '../codecs/envelope.js'
import type { Block, P2PMessage } from '../codecs/model.js'
import { decodeP2PMessage, encodeP2PMessage } from '../codecs/ndjson.js'
import { vdf } from '../codecs/hashes.js'
import { validateBlock, verifyTransaction } from '../codecs/validate.js'
import type { BenchContext } from './bench-context.js'
import { grouped, significant } from './format.js'
import type { CodecSpeedRow } from './results-model.js'
import type { Measurement } from './section.js'
import { compareRates, type CompareOptions } from './timing.js'

/** One timed operation: what it is, the call, and its reference. */
interface SpeedCase {
  operation: string
  run: () => unknown
  reference: string
  runReference: () => unknown
}

/** The seed's line for a message, its size, and the references on it. */
function lineOf(msg: P2PMessage): { line: string; bytes: number; parse: () => unknown; stringify: () => unknown } {
  const line = encodeP2PMessage(msg)
  const parsed: unknown = JSON.parse(line)
  return { line, bytes: Buffer.byteLength(line), parse: () => JSON.parse(line), stringify: () => JSON.stringify(parsed) }
}

function envelopeCases(name: string, msg: WireMessage, seed: ReturnType<typeof lineOf>): SpeedCase[] {
  const envelope = encodeEnvelope(msg)
  return [
    { operation: `envelope encode, ${name} (${grouped(envelope.length)} B)`, run: () => encodeEnvelope(msg), reference: 'JSON.stringify of the parsed line', runReference: seed.stringify },
    { operation: `envelope decode, ${name}`, run: () => decodeEnvelope(envelope), reference: 'JSON.parse of its NDJSON line', runReference: seed.parse },
  ]
}

/** The operations, on the corpus's transaction, its 30-tx block and a 5-tx chain block. */
function speedCases(ctx: BenchContext): SpeedCase[] {
  const { transaction, fullBlock, chain } = ctx.corpus()
  const [first, second] = chain as [Block, Block]
  const tx = lineOf({ type: 'NewTransaction', transaction })
  const full = lineOf({ type: 'NewBlock', block: fullBlock })
  const small = lineOf({ type: 'NewBlock', block: second })
  const sameLine = 'JSON.parse, same line'
  return [
    { operation: `NDJSON decode, exact u64: tx line (${grouped(tx.bytes)} B)`, run: () => decodeP2PMessage(tx.line), reference: sameLine, runReference: tx.parse },
    { operation: `NDJSON decode, exact u64: 30-tx block line (${grouped(full.bytes)} B)`, run: () => decodeP2PMessage(full.line), reference: sameLine, runReference: full.parse },
    ...envelopeCases('tx', { type: 'tx', transaction }, tx),
    ...envelopeCases('30-tx block', { type: 'block', block: fullBlock }, full),
    { operation: 'tx validation: verifyTransaction (Ed25519)', run: () => verifyTransaction(transaction), reference: 'JSON.parse of its NDJSON line', runReference: tx.parse },
    { operation: 'block validation: validateBlock, 5-tx block, VDF uncached', run: () => validateUncached(first, second), reference: 'JSON.parse of its NDJSON line', runReference: small.parse },
  ]
}

let freshSeeds = 0

/**
 * `validateBlock(prev, block)` at the cost of a block never seen before. codecs/hashes.ts remembers
 * recent VDF results (a synced block's VDF is met twice), so a repeated validation would skip its
 * VDF; one VDF at the same difficulty on a seed never used before puts that cost back.
 */
function validateUncached(prev: Block, block: Block): unknown {
  const seed = new Uint8Array(32)
  new DataView(seed.buffer).setUint32(0, ++freshSeeds)
  return [validateBlock(prev, block), vdf(seed, block.header.difficulty)]
}

/** Times every operation against its reference. */
export function measureCodecSpeed(ctx: BenchContext): CodecSpeedRow[] {
  const o: CompareOptions = { windowMs: ctx.settings.speedWindowMs, rounds: ctx.settings.speedRounds }
  return speedCases(ctx).map((c) => {
    const r = compareRates(c.run, c.runReference, o)
    return { operation: c.operation, opsPerSec: r.opsPerSec, reference: c.reference, referenceOpsPerSec: r.referenceOpsPerSec, ratio: r.ratio }
  })
}

/** The `codec-speed` section. */
export async function codecSpeed(ctx: BenchContext): Promise<Measurement> {
  const rows = measureCodecSpeed(ctx)
  const table = {
    columns: ['operation', 'ops/s', 'reference', 'reference ops/s', 'ratio'],
    rows: rows.map((r) => [r.operation, significant(r.opsPerSec), r.reference, significant(r.referenceOpsPerSec), `${significant(r.ratio)}×`]),
  }
  const { speedWindowMs, speedRounds } = ctx.settings
  const notes = [
    `One core (the main thread), ${speedRounds} rounds of ${speedWindowMs} ms windows, reference and subject turn about; ops/s are medians, ratio = the median of per-round subject ÷ reference. Compare ratios between machines, not ops/s.`,
    'A ratio below 1 is slower than the reference: for NDJSON decoding, 1 ÷ ratio is the price of exact u64s and serde-exact acceptance over JSON.parse, which rounds every u64 above 2^53.',
  ]
  return { rows, table, notes }
}
