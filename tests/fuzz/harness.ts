/**
 * The shared fuzzing harness of tests/fuzz: run budgets, fixed seeds, per-input checks (typed error,
 * time bound) and byte-level mutators that start from real inputs.
 *
 * Budgets: each `*.fuzz.test.ts` file splits about {@link DECODER_BUDGET} inputs per decoder over its
 * properties. `FUZZ_RUNS=n` (what `npm run fuzz` sets, 10^6) scales every property so the inputs per
 * decoder add up to `n` instead; test timeouts scale with it through {@link fuzzTest}.
 *
 * Mutations are fast-check values (a list of operations applied to a seed input), so a failure
 * shrinks to the fewest and simplest operations and the report shows the input that broke.
 *
 * @packageDocumentation
 */
import type { Transform } from 'node:stream'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { isCodecError, type CodecErrorCode } from '../../codecs/errors.js'
import type { Result } from '../../codecs/result.js'

/** The one seed of every property, so CI runs are reproducible. */
export const FUZZ_SEED = 0x5eed

/** Inputs per decoder in the default (CI) run, over all its properties. */
export const DECODER_BUDGET = 10_000

/** Default bound on one input's decoding time, ms: generous, a real hang takes far longer. */
export const INPUT_TIME_BOUND_MS = 50

/**
 * Bound for hostile inputs of up to ~200 kB (deep nesting, 100 000-digit numbers), ms: linear work
 * on them takes tens of ms on a loaded machine, a quadratic path minutes.
 */
export const LARGE_INPUT_TIME_BOUND_MS = 250

/** Extra tries before an input over its time bound counts as slow (GC pauses, a busy CI core). */
const TIME_RETRIES = 2

/** Floor of every fuzz test's timeout, ms (module load, JIT warm-up, a loaded 2-core machine). */
const MIN_TEST_TIMEOUT_MS = 60_000

/** How much slower than its estimate a test may run before it times out. */
const TIMEOUT_SAFETY = 10

/**
 * Least per-input cost a timeout assumes, ms: fast-check's own generation of values full of byte
 * arrays and bigints takes most of a millisecond on a loaded 2-core machine. A timeout is only the
 * backstop against a hang; {@link withinTime} is the real per-input bound.
 */
const MIN_MS_PER_INPUT = 1

/**
 * Runs for one property: `defaultRuns` (its share of {@link DECODER_BUDGET}), scaled so the shares
 * add up to `FUZZ_RUNS` per decoder when that is set.
 */
export function fuzzRuns(defaultRuns: number): number {
  const budget = Number(process.env['FUZZ_RUNS'])
  if (!Number.isInteger(budget) || budget <= 0) return defaultRuns
  return Math.max(1, Math.round((defaultRuns * budget) / DECODER_BUDGET))
}

/** A test timeout, ms, for `runs` inputs that each take about `msPerInput` (fast-check included). */
export function fuzzTimeout(runs: number, msPerInput: number): number {
  return Math.max(MIN_TEST_TIMEOUT_MS, Math.ceil(runs * Math.max(msPerInput, MIN_MS_PER_INPUT) * TIMEOUT_SAFETY))
}

/**
 * A vitest test that checks a property over `fuzzRuns(defaultRuns)` inputs, with a timeout that
 * scales with the run count. `msPerInput` is a rough per-input cost that sizes the timeout.
 */
export function fuzzTest(name: string, defaultRuns: number, msPerInput: number, body: (runs: number) => void | Promise<void>): void {
  const runs = fuzzRuns(defaultRuns)
  it(`${name} (${runs} inputs)`, () => body(runs), fuzzTimeout(runs, msPerInput))
}

/** Longest failure report, characters: a counterexample of 100 kB would bury the error under it. */
const MAX_REPORT_CHARS = 4000

/**
 * `fc.assert` with the fixed seed and `runs` inputs. A failure reports the seed, the replay path,
 * the error, and the counterexample cut to {@link MAX_REPORT_CHARS}.
 */
export function checkProperty<T>(arb: fc.Arbitrary<T>, check: (value: T) => void, runs: number): void {
  fc.assert(
    fc.property(arb, (value) => {
      check(value)
    }),
    { seed: FUZZ_SEED, numRuns: runs, reporter: shortReport },
  )
}

/** {@link checkProperty} for checks that wait (streams): same seed, same report. */
export async function checkAsyncProperty<T>(arb: fc.Arbitrary<T>, check: (value: T) => Promise<void>, runs: number): Promise<void> {
  await fc.assert(fc.asyncProperty(arb, check), { seed: FUZZ_SEED, numRuns: runs, reporter: shortReport })
}

/** Writes `chunks` into a Transform, ends it, and returns every object it pushed; rejects on a stream 'error'. */
export async function throughStream(stream: Transform, chunks: readonly Uint8Array[]): Promise<unknown[]> {
  const out: unknown[] = []
  stream.on('data', (event: unknown) => out.push(event))
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve)
    stream.on('error', reject)
  })
  for (const chunk of chunks) stream.write(Buffer.from(chunk))
  stream.end()
  await ended
  return out
}

function shortReport<T>(details: fc.RunDetails<T>): void {
  if (!details.failed) return
  const report = fc.defaultReportMessage(details) ?? 'property failed'
  const cut = report.length > MAX_REPORT_CHARS ? `${report.slice(0, MAX_REPORT_CHARS)}… (${report.length} characters)` : report
  const cause = details.errorInstance
  throw new Error(`${cut}${cause instanceof Error ? `\n\nCaused by: ${cause.message}` : ''}`, { cause })
}

/**
 * Runs `run` and returns its result, failing when it takes longer than `boundMs`. A slow input is
 * retried twice and only the fastest try counts, so a GC pause cannot fail the test but a real
 * super-linear path does. `run` must therefore be repeatable: it builds any decoder or reassembler
 * it feeds, since a retry on a used one would see the first try's state (a duplicate, say).
 */
export function withinTime<T>(run: () => T, boundMs = INPUT_TIME_BOUND_MS): T {
  let fastest = Number.POSITIVE_INFINITY
  for (let attempt = 0; attempt <= TIME_RETRIES; attempt++) {
    const start = performance.now()
    const out = run()
    const ms = performance.now() - start // ms
    if (ms <= boundMs) return out
    fastest = Math.min(fastest, ms)
  }
  throw new Error(`one input took ${fastest.toFixed(1)} ms at best, over the ${boundMs} ms bound`)
}

/** Asserts `error` is a CodecError with one of `codes` (the decoder's documented failures). */
export function expectCodecError(error: unknown, codes: readonly CodecErrorCode[]): void {
  // `expect` only on failure: this runs for most of the millions of inputs of a long run
  if (!codes.some((code) => isCodecError(error, code))) expect.fail(`expected a CodecError with a code in [${codes.join(', ')}], got ${describeError(error)}`)
}

/**
 * `expect(actual).toEqual(expected)` with a fast path: vitest's `toEqual` is slow on values full of
 * byte arrays, so `isDeepStrictEqual` goes first and `toEqual` (and its diff) only runs if it says no.
 */
export function expectEqual(actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toEqual(expected)
}

/** The value of a success, or undefined after checking that the failure is one of `codes`. */
export function valueOrTypedError<T>(result: Result<T>, codes: readonly CodecErrorCode[]): T | undefined {
  if (result.ok) return result.value
  expectCodecError(result.error, codes)
  return undefined
}

function describeError(error: unknown): string {
  if (isCodecError(error)) return `CodecError ${error.code}: ${error.message}`
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

// ---- mutators -----------------------------------------------------------------------------------

/** Integers that break length fields and counters: edges of every width, off by one either way. */
const INTERESTING = [0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x7fffn, 0x8000n, 0xffffn, 0x10000n, 0x7fff_ffffn, 0xffff_ffffn]
  .concat([(1n << 53n) - 1n, (1n << 64n) - 1n])

/** One edit of a byte string; positions and lengths are taken modulo the current input. */
type Mutation =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'set'; readonly at: number; readonly value: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'delete'; readonly at: number; readonly length: number }
  | { readonly op: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'splice'; readonly at: number; readonly donor: number; readonly donorAt: number }
  /** Overwrite `width` bytes with an interesting integer: a tampered length or count field. */
  | { readonly op: 'tamper'; readonly at: number; readonly width: 1 | 2 | 4 | 8 | 'varint'; readonly littleEndian: boolean; readonly value: number }

const at = fc.nat()

/** An arbitrary {@link Mutation}; `tokens` are extra byte strings worth inserting (format keywords). */
function mutationArb(tokens: readonly Uint8Array[] = []): fc.Arbitrary<Mutation> {
  const random = fc.uint8Array({ minLength: 1, maxLength: 16 })
  const inserted = tokens.length > 0 ? fc.oneof(random, fc.constantFrom(...tokens)) : random
  return fc.oneof(
    fc.record({ op: fc.constant('flip' as const), at, bit: fc.nat(7) }),
    fc.record({ op: fc.constant('set' as const), at, value: fc.nat(255) }),
    fc.record({ op: fc.constant('insert' as const), at, bytes: inserted }),
    fc.record({ op: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ op: fc.constant('duplicate' as const), at, length: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ op: fc.constant('truncate' as const), at }),
    fc.record({ op: fc.constant('splice' as const), at, donor: fc.nat(), donorAt: fc.nat() }),
    fc.record({
      op: fc.constant('tamper' as const),
      at,
      width: fc.constantFrom<1 | 2 | 4 | 8 | 'varint'>(1, 2, 4, 8, 'varint'),
      littleEndian: fc.boolean(),
      value: fc.nat(INTERESTING.length - 1),
    }),
  )
}

/** `bytes` with one mutation applied; `donors` are the inputs a splice may take its tail from. */
function applyMutation(bytes: Uint8Array, m: Mutation, donors: readonly Uint8Array[]): Uint8Array {
  const n = bytes.length
  const pos = m.at % (n + 1) // insertion point, 0..n
  switch (m.op) {
    case 'flip':
    case 'set': {
      if (n === 0) return bytes
      const out = bytes.slice()
      const i = m.at % n
      out[i] = m.op === 'flip' ? (out[i] ?? 0) ^ (1 << m.bit) : m.value
      return out
    }
    case 'insert':
      return join(bytes.subarray(0, pos), m.bytes, bytes.subarray(pos))
    case 'delete':
      return join(bytes.subarray(0, pos), bytes.subarray(pos + m.length))
    case 'duplicate':
      return join(bytes.subarray(0, pos + m.length), bytes.subarray(pos))
    case 'truncate':
      return bytes.slice(0, pos)
    case 'splice': {
      const donor = donors[m.donor % donors.length] ?? bytes
      return join(bytes.subarray(0, pos), donor.subarray(m.donorAt % (donor.length + 1)))
    }
    case 'tamper':
      return overwrite(bytes, pos, encodeInteger(INTERESTING[m.value] ?? 0n, m.width, m.littleEndian))
  }
}

/** `value` in `width` bytes (cut to that width), or as an unsigned LEB128 varint. */
function encodeInteger(value: bigint, width: 1 | 2 | 4 | 8 | 'varint', littleEndian: boolean): Uint8Array {
  if (width === 'varint') {
    const out: number[] = []
    let v = value
    do {
      const low = Number(v & 0x7fn)
      v >>= 7n
      out.push(v > 0n ? low | 0x80 : low)
    } while (v > 0n)
    return Uint8Array.from(out)
  }
  const out = new Uint8Array(width)
  for (let i = 0; i < width; i++) out[littleEndian ? i : width - 1 - i] = Number((value >> BigInt(8 * i)) & 0xffn)
  return out
}

function overwrite(bytes: Uint8Array, pos: number, field: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.max(bytes.length, pos + field.length))
  out.set(bytes)
  out.set(field, pos)
  return out
}

function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Options of {@link mutatedBytes}. */
export interface MutateOptions {
  /** Most mutations stacked on one seed. Default 4. */
  readonly maxMutations?: number
  /** Byte strings worth inserting whole (keywords, delimiters, escape bytes). */
  readonly tokens?: readonly Uint8Array[]
}

/**
 * A real input from `seeds` with 1 to `maxMutations` mutations applied (splices take from `seeds`
 * too). The result is a view into a larger buffer with junk on both sides, as a socket's chunk or a
 * pooled Buffer is, so a decoder that reads `.buffer` without `byteOffset` shows up.
 */
export function mutatedBytes(seeds: readonly Uint8Array[], options: MutateOptions = {}): fc.Arbitrary<Uint8Array> {
  if (seeds.length === 0) throw new Error('mutatedBytes needs at least one seed input')
  const mutations = fc.array(mutationArb(options.tokens), { minLength: 1, maxLength: options.maxMutations ?? 4 })
  return fc
    .tuple(fc.nat(seeds.length - 1), mutations, fc.nat(15), fc.nat(15))
    .map(([i, ms, before, after]) => embedded(ms.reduce((bytes, m) => applyMutation(bytes, m, seeds), seeds[i] ?? new Uint8Array(0)), before, after))
}

/** `bytes` as a view with `before` and `after` junk bytes (0xA5) around it in the same buffer. */
function embedded(bytes: Uint8Array, before: number, after: number): Uint8Array {
  const buffer = new Uint8Array(before + bytes.length + after).fill(0xa5)
  buffer.set(bytes, before)
  return buffer.subarray(before, before + bytes.length)
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

/** Text mutated at the byte level (UTF-8), read back leniently (broken sequences become U+FFFD). */
export function mutatedText(seeds: readonly string[], tokens: readonly string[] = []): fc.Arbitrary<string> {
  const decoder = new TextDecoder()
  return mutatedBytes(seeds.map(utf8), { tokens: tokens.map(utf8) }).map((b) => decoder.decode(b))
}

/** Splits `bytes` into chunks at the given cut points (taken modulo the length): a socket's reads. */
export function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const point of [...points, bytes.length]) {
    if (point > start) chunks.push(bytes.subarray(start, point))
    start = Math.max(start, point)
  }
  return chunks
}

/** Cut points for {@link chunked}. */
export const cutsArb: fc.Arbitrary<number[]> = fc.array(fc.nat(), { maxLength: 8 })
