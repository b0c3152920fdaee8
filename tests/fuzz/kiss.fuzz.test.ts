/**
 * Fuzzing of the KISS stream decoder and the SetHardware reply parsers: for any bytes in any
 * chunking, the decoder reports the same events as for one chunk, only its three typed errors,
 * frames within the cap that re-encode, noise in pieces of at most 64 bytes; encoded frames with
 * noise between them come back exactly.
 */
import fc from 'fast-check'
import { describe, expect } from 'vitest'
import { encodeAx25Frame, type Ax25Frame } from '../../codecs/ax25.js'
import { encodeEnvelope } from '../../codecs/envelope.js'
import { isCodecError, type CodecErrorCode } from '../../codecs/errors.js'
import { KISS_NOISE_CHUNK_LENGTH, KissDecoder, type KissDecoderOptions, type KissEvent } from '../../codecs/kiss-decoder.js'
import { KissDecodeStream } from '../../codecs/kiss-stream.js'
import {
  encodeKissFrame,
  encodeSetHardware,
  FEND,
  FESC,
  KISS_DEFAULT_MAX_FRAME_LENGTH,
  kissCommand,
  KissCommand,
  kissReturn,
  parseSetHardware,
  parseTxBufReply,
  TFEND,
  TFESC,
  type KissFrame,
} from '../../codecs/kiss.js'
import {
  checkAsyncProperty,
  checkProperty,
  chunked,
  cutsArb,
  expectEqual,
  fuzzTest,
  LARGE_INPUT_TIME_BOUND_MS,
  mutatedBytes,
  throughStream,
  utf8,
  valueOrTypedError,
  withinTime,
} from './harness.js'
import { vectorTransactions } from './model-arbitraries.js'

const KISS_CODES: readonly CodecErrorCode[] = ['ERR_KISS_PROTOCOL', 'ERR_FRAME_TOO_LONG', 'ERR_TRUNCATED']

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** An event as a string, so two event lists compare quickly and show readably. */
function describeEvent(e: KissEvent): string {
  if (e.type === 'frame') return `frame ${e.frame.port}/${e.frame.command} ${hex(e.frame.data)}`
  if (e.type === 'noise') return `noise ${hex(e.bytes)}`
  return `error ${e.error.code}`
}

/** Every event of a fresh decoder fed `chunks` and then ended. */
function decodeAll(chunks: readonly Uint8Array[], options: KissDecoderOptions): KissEvent[] {
  const decoder = new KissDecoder(options)
  return [...chunks.flatMap((c) => decoder.push(c)), ...decoder.end()]
}

/** Checks every event is typed and within its bounds; returns them described. */
function checked(events: readonly KissEvent[], options: KissDecoderOptions): string[] {
  const max = options.maxFrameLength ?? KISS_DEFAULT_MAX_FRAME_LENGTH
  const wrong = events.filter((e) => {
    if (e.type === 'error') return !KISS_CODES.some((code) => isCodecError(e.error, code))
    if (e.type === 'noise') return e.bytes.length > KISS_NOISE_CHUNK_LENGTH
    encodeKissFrame(e.frame) // a decoded frame is always a valid one
    return e.frame.data.length > max
  })
  expect(wrong.map((e) => (e.type === 'error' ? `${e.error.name}: ${e.error.message}` : describeEvent(e)))).toEqual([])
  return events.map(describeEvent)
}

interface StreamCase {
  readonly input: Uint8Array
  readonly cuts: number[]
  readonly options: KissDecoderOptions
}

function checkStream({ input, cuts, options }: StreamCase, boundMs?: number): void {
  const whole = checked(withinTime(() => decodeAll([input], options), boundMs), options)
  expectEqual(checked(decodeAll(chunked(input, cuts), options), options), whole)
}

const optionsArb: fc.Arbitrary<KissDecoderOptions> = fc.record({
  maxFrameLength: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant(KISS_DEFAULT_MAX_FRAME_LENGTH)),
  requireLeadingFend: fc.boolean(),
})

const SPECIAL = [FEND, FESC, TFEND, TFESC, 0x0d, 0x0a, 0x00, 0xff]
const kissyBytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.array(fc.oneof(fc.constantFrom(...SPECIAL), fc.nat(255)), { maxLength: 300 }).map((a) => Uint8Array.from(a)),
)
/** Long runs: a stuck TNC chattering text, one endless frame, or a frame of endless bad escapes. */
const longRunArb = fc.tuple(fc.integer({ min: 0, max: 50_000 }), fc.constantFrom('noise', 'frame', 'escapes')).map(([n, kind]) => {
  if (kind === 'noise') return new Uint8Array(2 * n).fill(0x41)
  const out = new Uint8Array(1 + 2 * n).fill(0x41)
  out[0] = FEND
  if (kind === 'escapes') for (let i = 1; i < out.length; i += 2) out[i] = FESC // FESC then 'A': invalid every time
  return out
})

const streamArb = (input: fc.Arbitrary<Uint8Array>): fc.Arbitrary<StreamCase> => fc.record({ input, cuts: cutsArb, options: optionsArb })

/** Real traffic: UI frames with our envelopes, parameter commands, Return, SetHardware. */
const SEEDS: Uint8Array[] = (() => {
  const ui = (info: Uint8Array): Ax25Frame => ({
    kind: 'UI',
    pf: false,
    pid: 0xf0,
    info,
    destination: { callsign: 'BUNKER', ssid: 0 },
    source: { callsign: 'N0CALL', ssid: 7 },
    digipeaters: [{ callsign: 'WIDE1', ssid: 1, repeated: false }],
    commandResponse: 'command',
  })
  const envelopes = vectorTransactions.slice(0, 4).map((transaction) => encodeEnvelope({ type: 'tx', transaction }))
  const frames = envelopes.map((e) => encodeKissFrame({ port: 0, command: KissCommand.Data, data: encodeAx25Frame(ui(e)) }))
  const escapes = encodeKissFrame({ port: 12, command: 0, data: Uint8Array.of(FEND, FESC, TFEND, TFESC) })
  const commands = [kissCommand(0, KissCommand.TxDelay, 30), kissReturn(), encodeSetHardware(0, 'TXBUF'), utf8('KISS ON\r\n')]
  return [...frames, escapes, ...commands, Buffer.concat([...frames, ...commands])]
})()
const TOKENS = [FEND, FESC, TFEND, TFESC].map((b) => Uint8Array.of(b))

const frameArb: fc.Arbitrary<KissFrame> = fc.oneof(
  fc.record({ port: fc.nat(15), command: fc.nat(15), data: fc.uint8Array({ maxLength: 80 }) }).filter((f) => f.port !== 15 || f.command !== 15),
  fc.record({ port: fc.constant(15), command: fc.constant(KissCommand.Return), data: fc.uint8Array({ maxLength: 8 }) }),
)
/** Bytes a TNC may put between frames: anything but FEND. */
const noiseArb = fc.uint8Array({ maxLength: 100 }).map((b) => b.filter((x) => x !== FEND))

describe('KissDecoder', () => {
  fuzzTest('arbitrary bytes: typed events only, bounded, independent of chunking', 2700, 0.3, (runs) => {
    checkProperty(streamArb(kissyBytesArb), (c) => checkStream(c), runs)
  })

  fuzzTest('long runs (noise, an endless frame, endless bad escapes): the same guarantees within the time bound', 300, 5, (runs) => {
    // known-expensive: a frame of bad escapes reports each one, a CodecError with its stack trace
    // (tens of µs), up to maxFrameLength of them per frame; linear, but slow next to plain bytes
    checkProperty(streamArb(longRunArb), (c) => checkStream(c, 4 * LARGE_INPUT_TIME_BOUND_MS), runs)
  })

  fuzzTest('mutated real KISS traffic: typed events only, bounded, independent of chunking', 4000, 0.3, (runs) => {
    checkProperty(streamArb(mutatedBytes(SEEDS, { tokens: TOKENS })), (c) => checkStream(c), runs)
  })

  fuzzTest('with an inter-byte timeout and random gaps between chunks: typed events only, bounded', 1000, 0.3, (runs) => {
    const input = fc.oneof(kissyBytesArb, mutatedBytes(SEEDS, { tokens: TOKENS }))
    const arb = fc.record({ input, cuts: cutsArb, gaps: fc.array(fc.nat(200), { minLength: 1 }), options: optionsArb })
    checkProperty(
      arb,
      ({ input, cuts, gaps, options }) => {
        let now = 0 // ms
        const timed = { ...options, interByteTimeoutMs: 50 }
        const decoder = new KissDecoder(timed, { now: () => now })
        const events = chunked(input, cuts).flatMap((chunk, i) => {
          now += gaps[i % gaps.length] ?? 0
          return decoder.push(chunk)
        })
        checked([...events, ...decoder.end()], timed)
      },
      runs,
    )
  })

  fuzzTest('encoded frames with noise between them decode to exactly those frames', 1500, 0.3, (runs) => {
    const arb = fc.record({ items: fc.array(fc.tuple(noiseArb, frameArb), { maxLength: 6 }), cuts: cutsArb })
    checkProperty(
      arb,
      ({ items, cuts }) => {
        const stream = Buffer.concat(items.flatMap(([noise, frame]) => [noise, encodeKissFrame(frame)]))
        const frames = checked(decodeAll(chunked(stream, cuts), {}), {}).filter((e) => e.startsWith('frame'))
        expectEqual(frames, items.map(([, frame]) => describeEvent({ type: 'frame', frame })))
      },
      runs,
    )
  })
})

describe('KissDecodeStream', () => {
  fuzzTest('as a Node Transform: the same events as the decoder, errors as objects and never as a stream error', 500, 2, async (runs) => {
    await checkAsyncProperty(
      streamArb(fc.oneof(kissyBytesArb, mutatedBytes(SEEDS, { tokens: TOKENS }))),
      async ({ input, cuts, options }) => {
        const events = (await throughStream(new KissDecodeStream(options), chunked(input, cuts))) as KissEvent[]
        expectEqual(checked(events, options), checked(decodeAll([input], options), options))
      },
      runs,
    )
  })
})

describe('parseSetHardware and parseTxBufReply', () => {
  const check = (data: Uint8Array): void => {
    const text = valueOrTypedError(withinTime(() => parseSetHardware(data)), ['ERR_KISS_PROTOCOL'])
    const queued = valueOrTypedError(withinTime(() => parseTxBufReply(data)), ['ERR_KISS_PROTOCOL'])
    if (queued !== undefined) {
      expect(text?.name).toBe('TXBUF')
      expect(Number.isSafeInteger(queued) && queued >= 0).toBe(true)
    }
  }
  const replies = ['TXBUF:0', 'TXBUF:123456789', 'TNC:', 'TXBUF:', 'txbuf:12', 'NAME:value'].map(utf8)

  fuzzTest('arbitrary and mutated replies: a reply or ERR_KISS_PROTOCOL', 9500, 0.1, (runs) => {
    checkProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutatedBytes(replies)), check, runs)
  })

  fuzzTest('TXBUF:<n> round-trips', 500, 0.1, (runs) => {
    checkProperty(fc.nat(999_999_999), (n) => expectEqual(parseTxBufReply(utf8(`TXBUF:${n}`)), { ok: true, value: n }), runs)
  })
})
