/**
 * Fuzzing of the streaming line splitter (LF with CR stripping, and VARA's CR): for any bytes in
 * any chunking, the events are exactly those of a one-line reference model (`BufRead::lines()`
 * with a length guard), the only error is `ERR_LINE_TOO_LONG`, and the carry-over buffer never
 * exceeds the limit.
 */
import fc from 'fast-check'
import { describe, expect } from 'vitest'
import { CR, LF, LineSplitter, LineSplitterStream, type LineEvent } from '../../codecs/line-splitter.js'
import {
  checkAsyncProperty,
  checkProperty,
  chunked,
  cutsArb,
  expectCodecError,
  expectEqual,
  fuzzTest,
  LARGE_INPUT_TIME_BOUND_MS,
  mutatedBytes,
  throughStream,
  utf8,
  withinTime,
} from './harness.js'
import { vectorJsonTexts } from './model-arbitraries.js'

/**
 * What a splitter should report, without its error messages: a line (as latin1 text, which compares
 * far faster than a typed array), or `null` for a too-long line.
 */
type Expected = string | null

const text = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')

/** Reference model: split at every delimiter, check each line's length, strip one CR before LF. */
function model(input: Uint8Array, delimiter: number, maxLineBytes: number): Expected[] {
  const out: Expected[] = []
  let start = 0
  for (;;) {
    const stop = input.indexOf(delimiter, start)
    const end = stop === -1 ? input.length : stop
    const line = input.subarray(start, end)
    if (line.length > maxLineBytes) out.push(null)
    else if (stop !== -1 || line.length > 0) {
      const strip = stop !== -1 && delimiter === LF && line[line.length - 1] === CR
      out.push(text(line.subarray(0, strip ? -1 : line.length)))
    }
    if (stop === -1) return out
    start = stop + 1
  }
}

/** Feeds `chunks`, checking the buffer bound after each push; returns every event. */
function split(chunks: readonly Uint8Array[], delimiter: number, maxLineBytes: number): Expected[] {
  const splitter = new LineSplitter({ delimiter, maxLineBytes })
  const events: LineEvent[] = []
  for (const chunk of chunks) {
    events.push(...splitter.push(chunk))
    expect(splitter.bufferedBytes).toBeLessThanOrEqual(maxLineBytes)
  }
  events.push(...splitter.end())
  expect(splitter.bufferedBytes).toBe(0)
  return events.map(expected)
}

/** An event as the model writes it; an error must be `ERR_LINE_TOO_LONG`. */
function expected(event: LineEvent): Expected {
  if ('line' in event) return text(event.line)
  expectCodecError(event.error, ['ERR_LINE_TOO_LONG'])
  return null
}

interface Case {
  readonly input: Uint8Array
  readonly cuts: number[]
  readonly delimiter: number
  readonly maxLineBytes: number
}

function check({ input, cuts, delimiter, maxLineBytes }: Case): void {
  // inputs reach 200 kB: the bound for large inputs
  const events = withinTime(() => split(chunked(input, cuts), delimiter, maxLineBytes), LARGE_INPUT_TIME_BOUND_MS)
  expectEqual(events, model(input, delimiter, maxLineBytes))
}

/** Bytes rich in delimiters, CRs and long runs without either. */
const streamBytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.array(fc.constantFrom(LF, CR, 0x41, 0x20), { maxLength: 300 }).map((a) => Uint8Array.from(a)),
  fc.tuple(fc.integer({ min: 0, max: 200_000 }), fc.constantFrom(LF, CR)).map(([n, d]) => {
    const out = new Uint8Array(n + 1).fill(0x7b)
    out[n] = d
    return out
  }),
)

/** NDJSON as the node sends it: vector lines, each with its LF, several per stream. */
const NDJSON_SEEDS = vectorJsonTexts.map((t) => utf8(`${t}\n${t}\r\n`))
const TOKENS = [LF, CR, 0x00, 0xff].map((b) => Uint8Array.of(b))

const caseArb = (input: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Case> =>
  fc.record({
    input,
    cuts: cutsArb,
    delimiter: fc.constantFrom(LF, CR),
    maxLineBytes: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 20_000 }), fc.constant(64 * 1024 * 1024)),
  })

describe('LineSplitter', () => {
  fuzzTest('arbitrary bytes in arbitrary chunks: the reference model, buffer within the limit', 5000, 0.3, (runs) => {
    checkProperty(caseArb(streamBytesArb), check, runs)
  })

  fuzzTest('mutated NDJSON streams in arbitrary chunks: the reference model', 4500, 0.5, (runs) => {
    checkProperty(caseArb(mutatedBytes(NDJSON_SEEDS, { tokens: TOKENS })), check, runs)
  })
})

describe('LineSplitterStream', () => {
  fuzzTest('as a Node Transform: the same events, errors as objects and never as a stream error', 500, 2, async (runs) => {
    await checkAsyncProperty(
      caseArb(fc.oneof(streamBytesArb, mutatedBytes(NDJSON_SEEDS, { tokens: TOKENS }))),
      async ({ input, cuts, delimiter, maxLineBytes }) => {
        const events = await throughStream(new LineSplitterStream({ delimiter, maxLineBytes }), chunked(input, cuts))
        expectEqual((events as LineEvent[]).map(expected), model(input, delimiter, maxLineBytes))
      },
      runs,
    )
  })
})
