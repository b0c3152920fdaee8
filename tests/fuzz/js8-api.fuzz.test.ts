/**
 * Fuzzing of JS8Call's JSON API lines on both sides: the gateway's client parser (`parseJs8Line`,
 * then `parseDirected`, `messageIdOf` and the link frame in the body, as the transport reads an
 * RX.DIRECTED) and the simulator's server parser (`parseJs8ApiLine`, `requestJs8Id`). Any line gives
 * a schema-valid message or `ERR_JSON_SYNTAX` / `ERR_INVALID_TYPE`, nothing downstream throws, and
 * formatted messages round-trip.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { CodecErrorCode } from '../../codecs/errors.js'
import { Js8ApiMessageSchema, formatJs8ApiMessage, parseJs8ApiLine, requestJs8Id } from '../../hardware-sim/js8call/js8-api-envelope.js'
import { formatJs8Line, Js8MessageSchema, messageIdOf, parseDirected, parseJs8Line } from '../../transports/js8call/api-messages.js'
import { linkFrameText, parseLinkFrameText } from '../../transports/js8call/link-frame.js'
import { checkProperty, expectEqual, fuzzTest, LARGE_INPUT_TIME_BOUND_MS, mutatedBytes, utf8, valueOrTypedError, withinTime } from './harness.js'

const API_CODES: readonly CodecErrorCode[] = ['ERR_JSON_SYNTAX', 'ERR_INVALID_TYPE']
/** What decoding a directed message's body may fail with (js8-text.ts, link-frame.ts). */
const BODY_CODES: readonly CodecErrorCode[] = ['ERR_JS8_TEXT', 'ERR_CHECKSUM', 'ERR_UNKNOWN_VARIANT', 'ERR_INVALID_LENGTH', 'ERR_FRAGMENT']

const line = (type: string, value: string, params: Record<string, unknown>): string => JSON.stringify({ params, type, value })
const ourText = linkFrameText({ kind: 'whole', messageId: 3, payload: Uint8Array.of(1, 2, 3, 4, 5) })
/** An RX.DIRECTED event from N1CALL to N0CALL as JS8Call 2.2 writes it. */
const directed = (text: string, more: Record<string, unknown>): string =>
  line('RX.DIRECTED', text, { CMD: ' ', FROM: 'N1CALL', TEXT: text, TO: 'N0CALL', _ID: -1, ...more })

/** Lines JS8Call 2.2 writes (transcripts in tests/transports), with one of our frames in a directed body. */
const LINES = [
  directed('N1CALL: N0CALL  HI FROM B ♢ ', { GRID: ' FN31', SNR: 19, OFFSET: 1500 }),
  directed(`N1CALL: N0CALL ${ourText} ♢ `, { SNR: -7, OFFSET: 900 }),
  line('STATION.CALLSIGN', 'N0CALL', { _ID: 17 }),
  line('MODE.SPEED', '', { SPEED: 0, _ID: 18 }),
  line('RX.ACTIVITY', 'HELLO', { FREQ: 7079500, OFFSET: 1500, SNR: -12, SPEED: 0, _ID: -1 }),
  line('RIG.PTT', 'on', { PTT: true, _ID: '264011453' }),
  line('API.ERROR', 'Invalid JSON (unparsable)', { _ID: '264011454' }),
  line('TX.SEND_MESSAGE', 'N1CALL HELLO', { _ID: 1 }),
]
const TOKENS = ['"', '{', '}', '[', ']', ',', ':', 'null', '"_ID":', '"params":', '"TEXT":', '♢', '\\u2662', '   ', '1e999', '-0', '"__proto__":'].map(utf8)

/** Lines that stress time: deep nesting, long whitespace and EOT runs in a directed body. */
const hostileArb: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 1, max: 100_000 }).map((n) => `{"type":"X","params":{"a":${'['.repeat(n)}${']'.repeat(n)}}}`),
  fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(' ', ' ♢', 'N0CALL: ', '♢ ')).map(
    ([n, unit]) => line('RX.DIRECTED', '', { FROM: 'N0CALL', TO: 'N1CALL', CMD: ' ', TEXT: `N0CALL: N1CALL ${unit.repeat(n)}x` }),
  ),
)

/** The client side, as the transport reads a line: message, its id, and for RX.DIRECTED the link frame. */
function checkClient(text: string, boundMs?: number): void {
  const message = valueOrTypedError(withinTime(() => parseJs8Line(text), boundMs), API_CODES)
  if (message === undefined) return
  Js8MessageSchema.parse(message)
  const id = messageIdOf(message)
  if (id !== undefined) expect(Number.isInteger(id)).toBe(true)
  const directed = withinTime(() => parseDirected(message), boundMs)
  if (directed !== undefined) valueOrTypedError(withinTime(() => parseLinkFrameText(directed.body), boundMs), BODY_CODES)
}

/** The simulator's side: undefined for a blank line, else a message or a typed error, and a finite id. */
function checkServer(bytes: Uint8Array, boundMs?: number): void {
  const parsed = withinTime(() => parseJs8ApiLine(bytes), boundMs)
  if (parsed === undefined) return
  const message = valueOrTypedError(parsed, API_CODES)
  if (message === undefined) return
  Js8ApiMessageSchema.parse(message)
  expect(Number.isFinite(requestJs8Id(message.params, 1_700_000_000_000))).toBe(true)
}

const paramsArb = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }))
/** `value` as JSON carries it (-0 arrives as 0). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

const anyLineArb = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.json({ maxDepth: 4 }))
const SEEDS = LINES.map(utf8)
const decoder = new TextDecoder()

describe('parseJs8Line (gateway client) with parseDirected and the link frame in the body', () => {
  fuzzTest('arbitrary, mutated and hostile lines: a message or a typed error, nothing downstream throws', 9000, 0.3, (runs) => {
    checkProperty(fc.oneof(anyLineArb, mutatedBytes(SEEDS, { tokens: TOKENS }).map((b) => decoder.decode(b))), checkClient, runs)
  })

  fuzzTest('hostile lines stay within the time bound', 200, 20, (runs) => {
    checkProperty(hostileArb, (text) => checkClient(text, LARGE_INPUT_TIME_BOUND_MS), runs)
  })

  fuzzTest('formatted lines round-trip', 800, 0.2, (runs) => {
    const arb = fc.record({ type: fc.string({ minLength: 1, maxLength: 20 }), value: fc.string({ maxLength: 40 }), params: paramsArb })
    checkProperty(
      arb,
      ({ type, value, params }) => {
        const parsed = parseJs8Line(formatJs8Line(type, value, params).trim())
        // zod's record skips a top-level "__proto__" key instead of copying it (safe: no prototype is set)
        const kept = Object.entries(asJson(params) as Record<string, unknown>).filter(([key]) => key !== '__proto__')
        expectEqual(parsed, { ok: true, value: { type, value, params: Object.fromEntries(kept) } })
      },
      runs,
    )
  })
})

describe('parseJs8ApiLine (simulated JS8Call server)', () => {
  fuzzTest('arbitrary, mutated and hostile lines: blank, a message or a typed error', 9000, 0.3, (runs) => {
    checkProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), anyLineArb.map(utf8), mutatedBytes(SEEDS, { tokens: TOKENS })), checkServer, runs)
  })

  fuzzTest('hostile lines stay within the time bound', 200, 20, (runs) => {
    checkProperty(hostileArb.map(utf8), (bytes) => checkServer(bytes, LARGE_INPUT_TIME_BOUND_MS), runs)
  })

  it('keeps "__proto__" keys when formatting (regression: the fuzzer found them dropped)', () => {
    const line = '{"params":{"__proto__":{"x":1},"a":{"__proto__":0}},"type":"T","value":""}'
    const parsed = parseJs8ApiLine(utf8(line))
    expect(parsed?.ok === true ? formatJs8ApiMessage(parsed.value) : parsed).toBe(line)
  })

  fuzzTest('formatted messages round-trip', 800, 0.2, (runs) => {
    const arb = fc.record({ type: fc.string({ maxLength: 20 }), value: fc.string({ maxLength: 40 }), params: paramsArb })
    checkProperty(arb, (m) => expectEqual(parseJs8ApiLine(utf8(formatJs8ApiMessage(m))), { ok: true, value: { ...m, params: asJson(m.params) } }), runs)
  })
})
