/**
 * Regenerates codecs/dictionary.ts, the preset deflate dictionary of the envelope, deterministically.
 *
 *   npx tsx scripts/build-dictionary.ts           # rewrite codecs/dictionary.ts
 *   npx tsx scripts/build-dictionary.ts --check   # exit 1 if the committed file differs
 *   npx tsx scripts/build-dictionary.ts --raw > dictionary-1.bin   # the raw bytes, for other tools
 *
 * How: a seeded generator makes typical message bodies (transactions, blocks of 0–30 transactions,
 * runs of consecutive blocks) with random keys, hashes and signatures, as real ones are. Byte runs of
 * 3–32 bytes that occur in at least {@link MIN_DOC_SHARE} of the bodies are the structure every
 * message shares (array and byte-string headers, version 1, difficulty 10000, small nonces); random
 * bytes never recur, so they drop out. The best-scoring runs are concatenated, best last (deflate
 * codes nearer distances in fewer bits), up to {@link MAX_DICTIONARY_BYTES}.
 *
 * Dictionary 1 is frozen once released: a changed generator must produce a new dictionary id.
 *
 * @packageDocumentation
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { blake3 } from '@noble/hashes/blake3.js'
import type { Block, BlockHeader, Transaction } from '../codecs/model.js'
import { encodeWireBody } from '../codecs/wire-model.js'
import type { WireMessage } from '../codecs/wire-model.js'

/** Seed of dictionary 1's sample messages. */
export const DICTIONARY_SEED = 0x0b0c_0001
/** Number of sample message bodies. */
export const SAMPLE_COUNT = 200
/** A byte run must occur in this share of the samples to be kept. */
export const MIN_DOC_SHARE = 0.05
/** Size budget of the dictionary, bytes. */
export const MAX_DICTIONARY_BYTES = 1024

const MIN_RUN = 3 // bytes: deflate's shortest match
const MAX_RUN = 32 // bytes
const EPOCH_2024 = 1_704_067_200 // s, 2024-01-01T00:00:00Z
const SEVEN_YEARS = 7 * 365 * 86_400 // s
const BLOCK_INTERVAL = 30 // s

/** mulberry32: a tiny seeded 32-bit generator; good enough for sample data, identical everywhere. */
function rng32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
}

/** Random draws for sample messages. */
class Draw {
  private readonly next: () => number
  constructor(seed: number) {
    this.next = rng32(seed)
  }
  int(n: number): number {
    return this.next() % n
  }
  bytes(n: number): Uint8Array<ArrayBuffer> {
    return Uint8Array.from({ length: n }, () => this.next() & 0xff)
  }
  u64(): bigint {
    return (BigInt(this.next()) << 32n) | BigInt(this.next())
  }
  /** Amounts as people send them: small, medium or any u64. */
  amount(): bigint {
    const k = this.int(10)
    if (k < 4) return BigInt(1 + this.int(1_000_000))
    if (k < 7) return BigInt(this.next()) * BigInt(1 + this.int(1000))
    return this.u64()
  }
  /** Wallet nonces count up from 0, so most are small. */
  nonce(): bigint {
    const k = this.int(10)
    return BigInt(k < 6 ? this.int(24) : k < 9 ? this.int(256) : this.int(65_536))
  }
}

function sampleTx(d: Draw): Transaction {
  return { sender: d.bytes(32), recipient: d.bytes(32), amount: d.amount(), nonce: d.nonce(), signature: d.bytes(64) }
}

function sampleBlock(d: Draw, timestamp: bigint): Block {
  const k = d.int(10)
  const count = k < 4 ? 0 : k < 8 ? 1 + d.int(5) : 6 + d.int(25)
  const header: BlockHeader = {
    version: 1,
    prev_hash: d.bytes(32),
    merkle_root: d.bytes(32),
    timestamp,
    vdf_output: d.bytes(32),
    difficulty: 10_000,
    nonce: d.u64(),
    tx_count: count,
    signature: new Uint8Array(0),
  }
  return { header, transactions: Array.from({ length: count }, () => sampleTx(d)) }
}

/** Typical messages from a seeded generator: 45 % tx, 35 % block, 20 % runs of 2–8 blocks. */
export function sampleMessages(seed = DICTIONARY_SEED, count = SAMPLE_COUNT): WireMessage[] {
  const d = new Draw(seed)
  return Array.from({ length: count }, (): WireMessage => {
    const k = d.int(20)
    const start = BigInt(EPOCH_2024 + BLOCK_INTERVAL * d.int(SEVEN_YEARS / BLOCK_INTERVAL))
    if (k < 9) return { type: 'tx', transaction: sampleTx(d) }
    if (k < 16) return { type: 'block', block: sampleBlock(d, start) }
    const run = 2 + d.int(7)
    return { type: 'blocks', blocks: Array.from({ length: run }, (_, i) => sampleBlock(d, start + BigInt(BLOCK_INTERVAL * i))) }
  })
}

/** How many documents contain each run; keys are latin1 strings of the bytes. */
function docFrequency(docs: readonly Buffer[], starts: readonly number[][], len: number): Map<string, number> {
  const freq = new Map<string, number>()
  docs.forEach((doc, i) => {
    const seen = new Set<string>()
    for (const p of starts[i] ?? []) if (p + len <= doc.length) seen.add(doc.toString('latin1', p, p + len))
    for (const s of seen) freq.set(s, (freq.get(s) ?? 0) + 1)
  })
  return freq
}

/** Frequent runs of every length, found level by level: a run is frequent only if its prefix is. */
function frequentRuns(docs: readonly Buffer[], minDocs: number): Map<string, number> {
  const found = new Map<string, number>()
  let starts = docs.map((doc) => Array.from({ length: doc.length }, (_, p) => p))
  for (let len = MIN_RUN; len <= MAX_RUN; len++) {
    const freq = docFrequency(docs, starts, len)
    for (const [s, n] of freq) if (n >= minDocs) found.set(s, n)
    starts = docs.map((doc, i) =>
      (starts[i] ?? []).filter((p) => p + len <= doc.length && (freq.get(doc.toString('latin1', p, p + len)) ?? 0) >= minDocs),
    )
    if (starts.every((s) => s.length === 0)) break
  }
  return found
}

/** Bytes a run saves per use, roughly: a match costs about 3 bytes (length and distance codes). */
function score(run: string, docs: number): number {
  return docs * (run.length - 2)
}

/** Greedy pick, best first, dropping runs already inside a picked one; returns them best last. */
function pickRuns(runs: Map<string, number>, budget: number): string[] {
  const ranked = [...runs].sort(([a, na], [b, nb]) => score(b, nb) - score(a, na) || b.length - a.length || (a < b ? -1 : 1))
  let picked: string[] = []
  for (const [run] of ranked) {
    if (picked.some((p) => p.includes(run))) continue
    const kept = picked.filter((p) => !run.includes(p))
    if (kept.reduce((n, p) => n + p.length, run.length) > budget) continue
    picked = [...kept, run]
  }
  return picked.reverse()
}

/** Builds the dictionary from {@link sampleMessages}; the same seed always gives the same bytes. */
export function buildDictionary(seed = DICTIONARY_SEED): Uint8Array {
  const docs = sampleMessages(seed).map((m) => Buffer.from(encodeWireBody(m)))
  const runs = frequentRuns(docs, Math.ceil(docs.length * MIN_DOC_SHARE))
  return Uint8Array.from(Buffer.from(pickRuns(runs, MAX_DICTIONARY_BYTES).join(''), 'latin1'))
}

/** Lowercase hex Blake3 of `bytes`. */
export function blake3Hex(bytes: Uint8Array): string {
  return Buffer.from(blake3(bytes)).toString('hex')
}

/** The text of codecs/dictionary.ts for `dict`. */
export function renderDictionaryModule(dict: Uint8Array): string {
  const hex = Buffer.from(dict).toString('hex')
  const lines = hex.match(/.{1,96}/g) ?? ['']
  return `/**
 * Preset deflate dictionary 1 of the envelope (${dict.length} bytes). GENERATED by
 * scripts/build-dictionary.ts (seed 0x${DICTIONARY_SEED.toString(16)}): do not edit by hand.
 *
 * Frozen: peers decode with exactly these bytes, so a different dictionary needs a new id
 * (see codecs/compress.ts). docs/PROTOCOL.md names it by its Blake3 hash.
 *
 * @packageDocumentation
 */

/** Blake3 of {@link DICTIONARY_1}, lowercase hex. */
export const DICTIONARY_1_BLAKE3 = '${blake3Hex(dict)}'

/** Preset dictionary 1: byte runs common to typical message bodies, the most useful last. */
export const DICTIONARY_1: Uint8Array = Uint8Array.from(
  Buffer.from(
${lines.map((l, i) => `    '${l}'${i < lines.length - 1 ? ' +' : ','}`).join('\n')}
    'hex',
  ),
)
`
}

/** Path of the generated module. */
export const DICTIONARY_MODULE = fileURLToPath(new URL('../codecs/dictionary.ts', import.meta.url))

function main(args: readonly string[]): number {
  const dict = buildDictionary()
  if (args.includes('--raw')) {
    process.stdout.write(dict)
    return 0
  }
  const text = renderDictionaryModule(dict)
  if (args.includes('--check')) {
    const same = readFileSync(DICTIONARY_MODULE, 'utf8') === text
    process.stderr.write(same ? 'codecs/dictionary.ts is up to date\n' : 'codecs/dictionary.ts differs from the generator\n')
    return same ? 0 : 1
  }
  writeFileSync(DICTIONARY_MODULE, text)
  process.stderr.write(`wrote ${DICTIONARY_MODULE}: ${dict.length} bytes, blake3 ${blake3Hex(dict)}\n`)
  return 0
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2))
}
