/**
 * Fuzzing of the AX.25 frame decoder: any bytes decode to a frame that satisfies the schema and
 * re-encodes to bytes decoding to the same frame, or fail with `ERR_AX25_FRAME` /
 * `ERR_FRAME_TOO_LONG`; valid frames round-trip exactly.
 */
import fc from 'fast-check'
import { describe, expect } from 'vitest'
import { AX25_U_KINDS_WITH_INFO, AX25_U_KINDS_WITHOUT_INFO, AX25_S_KINDS, type Ax25Modulo } from '../../codecs/ax25-control.js'
import { AX25_DEFAULT_MAX_INFO_LENGTH, decodeAx25Frame, encodeAx25Frame, type Ax25DecodeOptions, type Ax25Frame } from '../../codecs/ax25.js'
import { encodeEnvelope } from '../../codecs/envelope.js'
import type { CodecErrorCode } from '../../codecs/errors.js'
import { checkProperty, expectEqual, fuzzTest, mutatedBytes, valueOrTypedError, withinTime } from './harness.js'
import { vectorTransactions } from './model-arbitraries.js'

const AX25_CODES: readonly CodecErrorCode[] = ['ERR_AX25_FRAME', 'ERR_FRAME_TOO_LONG']

const callsignArb = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 1, maxLength: 6 })
const addressArb = fc.record({ callsign: callsignArb, ssid: fc.nat(15) })
const addressingArb = fc.record({
  destination: addressArb,
  source: addressArb,
  digipeaters: fc.array(fc.record({ callsign: callsignArb, ssid: fc.nat(15), repeated: fc.boolean() }), { maxLength: 8 }),
  commandResponse: fc.constantFrom('command' as const, 'response' as const, 'v1-00' as const, 'v1-11' as const),
})
const infoArb = fc.uint8Array({ maxLength: 300 })
const pidArb = fc.nat(255)
const numberedArb = fc
  .constantFrom<Ax25Modulo>(8, 128)
  .chain((modulo) => fc.record({ modulo: fc.constant(modulo), ns: fc.nat(modulo - 1), nr: fc.nat(modulo - 1), pf: fc.boolean() }))
const controlArb = fc.oneof(
  fc.tuple(numberedArb, pidArb, infoArb).map(([n, pid, info]) => ({ kind: 'I' as const, ...n, pid, info })),
  fc.tuple(numberedArb, fc.constantFrom(...AX25_S_KINDS)).map(([{ modulo, nr, pf }, kind]) => ({ kind, modulo, nr, pf })),
  fc.record({ kind: fc.constant('UI' as const), pf: fc.boolean(), pid: pidArb, info: infoArb }),
  fc.record({ kind: fc.constantFrom(...AX25_U_KINDS_WITH_INFO), pf: fc.boolean(), info: infoArb }),
  fc.record({ kind: fc.constantFrom(...AX25_U_KINDS_WITHOUT_INFO), pf: fc.boolean() }),
)
/** Any valid frame. */
const frameArb: fc.Arbitrary<Ax25Frame> = fc.tuple(addressingArb, controlArb).map(([a, c]) => ({ ...a, ...c }) as Ax25Frame)

const modulo = (f: Ax25Frame): Ax25Modulo => ('modulo' in f ? f.modulo : 8)

const optionsArb: fc.Arbitrary<Ax25DecodeOptions> = fc.record({
  modulo: fc.constantFrom<Ax25Modulo>(8, 128),
  maxInfoLength: fc.oneof(fc.nat(300), fc.constant(AX25_DEFAULT_MAX_INFO_LENGTH)),
})

function check(bytes: Uint8Array, options: Ax25DecodeOptions): void {
  const frame = valueOrTypedError(withinTime(() => decodeAx25Frame(bytes, options)), AX25_CODES)
  if (frame === undefined) return
  if ('info' in frame) expect(frame.info.length).toBeLessThanOrEqual(options.maxInfoLength ?? AX25_DEFAULT_MAX_INFO_LENGTH)
  // a decoded frame is schema-valid (encoding checks) and its canonical bytes decode to it again
  expectEqual(decodeAx25Frame(encodeAx25Frame(frame), options), { ok: true, value: frame })
}

/** Seeds: our envelopes in UI frames with paths, and one frame of every kind, both moduli. */
const SEEDS: Uint8Array[] = [
  ...vectorTransactions.slice(0, 3).map((transaction) =>
    encodeAx25Frame({
      kind: 'UI',
      pf: false,
      pid: 0xf0,
      info: encodeEnvelope({ type: 'tx', transaction }),
      destination: { callsign: 'BUNKER', ssid: 0 },
      source: { callsign: 'N0CALL', ssid: 7 },
      digipeaters: [
        { callsign: 'WIDE1', ssid: 1, repeated: true },
        { callsign: 'WIDE2', ssid: 2, repeated: false },
      ],
      commandResponse: 'command',
    }),
  ),
  ...fc.sample(frameArb, { seed: 7, numRuns: 40 }).map(encodeAx25Frame),
]

describe('decodeAx25Frame', () => {
  fuzzTest('arbitrary bytes: a schema-valid frame or ERR_AX25_FRAME / ERR_FRAME_TOO_LONG', 3000, 0.2, (runs) => {
    checkProperty(fc.tuple(fc.uint8Array({ maxLength: 400 }), optionsArb), ([bytes, options]) => check(bytes, options), runs)
  })

  fuzzTest('mutated real frames: a schema-valid frame or a typed error', 5000, 0.3, (runs) => {
    checkProperty(fc.tuple(mutatedBytes(SEEDS), optionsArb), ([bytes, options]) => check(bytes, options), runs)
  })

  fuzzTest('decode(encode(frame)) round-trips for every valid frame', 2000, 0.3, (runs) => {
    checkProperty(frameArb, (frame) => expectEqual(decodeAx25Frame(encodeAx25Frame(frame), { modulo: modulo(frame) }), { ok: true, value: frame }), runs)
  })
})
