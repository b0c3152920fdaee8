/**
 * Fuzzing of VARA's command-port lines: `parseVaraMessage` is total (any text becomes a message of a
 * known kind, numbers are never NaN) and fast, the real `VaraCommandPort` turns any bytes in any
 * chunking into such messages without throwing, and every line VARA documents parses to its values.
 */
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import fc from 'fast-check'
import { describe, expect } from 'vitest'
import { silentLogger } from '../../gateway/log.js'
import { wallClock } from '../../transports/clock.js'
import { VaraCommandPort } from '../../transports/vara/vara-command-port.js'
import { parseVaraMessage, type VaraMessage } from '../../transports/vara/vara-messages.js'
import { checkProperty, chunked, cutsArb, expectEqual, fuzzTest, LARGE_INPUT_TIME_BOUND_MS, mutatedText, utf8, withinTime } from './harness.js'

const KINDS = new Set([
  'ok', 'wrong', 'disconnected', 'pending', 'cancelpending', 'iamalive', 'missing-soundcard', 'connected', 'ptt', 'busy', 'buffer', 'sn',
  'bitrate', 'registered', 'link-registered', 'encrypted', 'encryption', 'version', 'cqframe', 'unknown',
])

/** A message of a known kind whose numbers are numbers. */
function checkMessage(m: VaraMessage): void {
  expect(KINDS.has(m.kind), m.kind).toBe(true)
  for (const value of Object.values(m)) if (typeof value === 'number') expect(Number.isNaN(value), JSON.stringify(m)).toBe(false)
}

/** Lines real modems send (radio.md §3.3, la5nta/pat#484), the seeds of mutation. */
const LINES = [
  'OK', 'WRONG', 'PENDING', 'CANCELPENDING', 'IAMALIVE', 'DISCONNECTED', 'MISSING SOUNDCARD', 'PTT ON', 'PTT OFF', 'BUSY ON', 'BUSY OFF',
  'BUFFER 1234', 'SN 5.3', 'SN -12', 'BITRATE (9)  9567 bps TX', 'BITRATE 1200', 'REGISTERED N0CALL', 'LINK REGISTERED', 'LINK UNREGISTERED',
  'ENCRYPTED LINK', 'UNENCRYPTED LINK', 'ENCRYPTION READY', 'ENCRYPTION DISABLED', 'VERSION VARA HF v4.8.7', 'CQFRAME N0CALL 500',
  'CONNECTED N0CALL N1CALL 2300', 'CONNECTED N0CALL N1CALL VIA N2CALL N3CALL', 'CONNECTED N0CALL N1CALL',
]
const TOKENS = [' ', '  ', '\t', '(', ')', 'VIA', 'BPS', '9999999999999999999999', '-', '.', '\u00a0', 'ß']

/** Long runs that would show a regular expression going super-linear. */
const hostileArb = fc
  .tuple(
    fc.constantFrom('BITRATE ', 'BITRATE (', 'CONNECTED A B ', 'SN ', 'BUFFER ', ''),
    fc.constantFrom('1', ' ', '1 ', '(1)', 'VIA '),
    fc.integer({ min: 1, max: 20_000 }),
    fc.constantFrom('', 'x', ' BPS', ')'),
  )
  .map(([head, unit, n, tail]) => `${head}${unit.repeat(n)}${tail}`)

describe('parseVaraMessage', () => {
  fuzzTest('arbitrary and mutated lines: a message of a known kind, quickly', 7700, 0.1, (runs) => {
    const lineArb = fc.oneof(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ maxLength: 120 }), mutatedText(LINES, TOKENS))
    checkProperty(lineArb, (line) => checkMessage(withinTime(() => parseVaraMessage(line))), runs)
  })

  fuzzTest('long runs of digits, spaces and brackets stay within the time bound', 300, 5, (runs) => {
    checkProperty(hostileArb, (line) => checkMessage(withinTime(() => parseVaraMessage(line), LARGE_INPUT_TIME_BOUND_MS)), runs)
  })

  fuzzTest('documented lines parse to their values, in any case and spacing', 2000, 0.1, (runs) => {
    const caseArb = fc.oneof(
      fc.nat().map((bytes) => ({ words: ['BUFFER', bytes], expected: { kind: 'buffer', bytes } as VaraMessage })),
      fc.tuple(fc.nat(200), fc.nat(100_000)).map(([level, bps]) => ({
        words: ['BITRATE', `(${level})`, bps, 'bps', 'TX'],
        expected: { kind: 'bitrate', level, bps } as VaraMessage,
      })),
      fc.tuple(fc.stringMatching(/^[A-Z0-9]{1,6}$/), fc.stringMatching(/^[A-Z0-9]{1,6}$/), fc.nat(3000)).map(([src, dst, bandwidthHz]) => ({
        words: ['CONNECTED', src, dst, bandwidthHz],
        expected: { kind: 'connected', src, dst, via: [], bandwidthHz } as VaraMessage,
      })),
    )
    checkProperty(
      fc.tuple(caseArb, fc.constantFrom(' ', '  ', ' \t '), fc.boolean()),
      ([{ words, expected }, gap, lower]) => {
        const line = words.join(gap)
        expectEqual(parseVaraMessage(lower ? line.toLowerCase() : line), expected)
      },
      runs,
    )
  })
})

describe('VaraCommandPort', () => {
  /** A socket stand-in: the port only listens to it, writes, and destroys it on close. */
  function fakeSocket(): Socket {
    return Object.assign(new EventEmitter(), { write: () => true, destroy: () => undefined }) as unknown as Socket
  }

  fuzzTest('arbitrary and mutated bytes in arbitrary chunks: only known messages, nothing thrown', 2000, 0.3, (runs) => {
    const streamArb = fc.oneof(fc.uint8Array({ maxLength: 300 }), mutatedText([LINES.join('\r'), `${LINES.join('\r\n')}\r`], ['\r', '\n', '\0']).map(utf8))
    checkProperty(
      fc.tuple(streamArb, cutsArb),
      ([bytes, cuts]) => {
        // a fresh port for every timed try: a retry must not see the first try's state
        const messages = withinTime(() => {
          const socket = fakeSocket()
          const port = new VaraCommandPort(socket, wallClock, silentLogger(), 10_000)
          try {
            const heard: VaraMessage[] = []
            port.on('message', (m) => heard.push(m))
            for (const chunk of chunked(bytes, cuts)) socket.emit('data', Buffer.from(chunk))
            return heard
          } finally {
            port.close() // no command is pending, so no timer is left behind
          }
        })
        messages.forEach(checkMessage)
      },
      runs,
    )
  })
})
