import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { VaraOptionsSchema, dataPortOf, nominalBitrateOf } from '../../transports/vara/config.js'
import { connectCommand, initCommands } from '../../transports/vara/vara-commands.js'
import { parseVaraMessage } from '../../transports/vara/vara-messages.js'

describe('VARA messages', () => {
  it('parses every documented message, including the real BITRATE and CONNECTED forms', () => {
    const cases: [string, unknown][] = [
      ['OK', { kind: 'ok' }],
      ['WRONG', { kind: 'wrong' }],
      ['PTT ON', { kind: 'ptt', on: true }],
      ['ptt off', { kind: 'ptt', on: false }],
      ['BUSY ON', { kind: 'busy', on: true }],
      ['BUFFER 1234', { kind: 'buffer', bytes: 1234 }],
      ['PENDING', { kind: 'pending' }],
      ['CANCELPENDING', { kind: 'cancelpending' }],
      ['SN -3.5', { kind: 'sn', snrDb: -3.5 }],
      ['BITRATE (9)  9567 bps TX', { kind: 'bitrate', level: 9, bps: 9567 }], // la5nta/pat#484, two spaces
      ['BITRATE (4)  175 bps TX', { kind: 'bitrate', level: 4, bps: 175 }],
      ['BITRATE 566', { kind: 'bitrate', bps: 566 }],
      ['IAMALIVE', { kind: 'iamalive' }],
      ['REGISTERED N0AAA', { kind: 'registered', callsign: 'N0AAA' }],
      ['LINK REGISTERED', { kind: 'link-registered', registered: true }],
      ['LINK UNREGISTERED', { kind: 'link-registered', registered: false }],
      ['ENCRYPTED LINK', { kind: 'encrypted', on: true }],
      ['UNENCRYPTED LINK', { kind: 'encrypted', on: false }],
      ['ENCRYPTION READY', { kind: 'encryption', ready: true }],
      ['MISSING SOUNDCARD', { kind: 'missing-soundcard' }],
      ['VERSION VARA HF v4.9.0', { kind: 'version', text: 'VARA HF v4.9.0' }],
      ['CONNECTED OE7DRT DA5UDI 2750', { kind: 'connected', src: 'OE7DRT', dst: 'DA5UDI', via: [], bandwidthHz: 2750 }], // pat#543
      ['CONNECTED N0AAA N0BBB', { kind: 'connected', src: 'N0AAA', dst: 'N0BBB', via: [] }],
      ['CONNECTED N0AAA N0BBB VIA N0DDD N0EEE', { kind: 'connected', src: 'N0AAA', dst: 'N0BBB', via: ['N0DDD', 'N0EEE'] }],
      ['CONNECTED N0AAA N0BBB via N0DDD 2300', { kind: 'connected', src: 'N0AAA', dst: 'N0BBB', via: ['N0DDD'], bandwidthHz: 2300 }],
      ['DISCONNECTED', { kind: 'disconnected' }],
    ]
    for (const [line, expected] of cases) expect(parseVaraMessage(line), line).toEqual(expected)
  })

  it('turns anything it does not understand into unknown, never a throw', () => {
    for (const line of ['BUFFER', 'BUFFER -1', 'BUFFER x', 'SN loud', 'CONNECTED N0AAA', 'CONNECTED A B C', 'BITRATE fast', 'FOO']) {
      expect(parseVaraMessage(line)).toEqual({ kind: 'unknown', line })
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (line) => {
        expect(typeof parseVaraMessage(line).kind).toBe('string')
      }),
      { seed: 42, numRuns: 1000 },
    )
  })
})

describe('VARA commands', () => {
  const base = { callsign: 'n0aaa' }

  it('initialises HF: MYCALL, LISTEN, BW, COMPRESSION OFF, P2P SESSION, then CWID when asked', () => {
    const o = VaraOptionsSchema.parse({ ...base, extraCallsigns: ['N0AAA-1'], bandwidth: 500, cwid: true })
    expect(initCommands(o)).toEqual([
      { line: 'MYCALL N0AAA N0AAA-1', optional: false },
      { line: 'LISTEN ON', optional: false },
      { line: 'BW500', optional: false },
      { line: 'COMPRESSION OFF', optional: false },
      { line: 'P2P SESSION', optional: false },
      { line: 'CWID ON', optional: true },
    ])
  })

  it('initialises FM without BW or CWID, and dials with VIA digipeaters', () => {
    const o = VaraOptionsSchema.parse({ ...base, flavour: 'fm', listen: false, cwid: true, digipeaters: { N0BBB: ['n0ddd', 'N0EEE'] } })
    expect(initCommands(o).map((c) => c.line)).toEqual(['MYCALL N0AAA', 'LISTEN OFF', 'COMPRESSION OFF', 'P2P SESSION'])
    expect(connectCommand(o, 'N0BBB')).toBe('CONNECT N0AAA N0BBB VIA N0DDD N0EEE')
    expect(connectCommand(o, 'N0CCC')).toBe('CONNECT N0AAA N0CCC')
  })

  it('validates options: callsigns, HF-only VIA, ports and defaults', () => {
    const o = VaraOptionsSchema.parse(base)
    expect([o.cmdPort, dataPortOf(o), o.host, o.callsign, o.aliveTimeoutMs]).toEqual([8300, 8301, '127.0.0.1', 'N0AAA', 120_000])
    expect(dataPortOf(VaraOptionsSchema.parse({ ...base, cmdPort: 9000, dataPort: 9100 }))).toBe(9100)
    expect(nominalBitrateOf(o)).toBe(2000)
    expect(VaraOptionsSchema.safeParse({ callsign: 'N0' }).success).toBe(false)
    expect(VaraOptionsSchema.safeParse({ callsign: 'N0AAA-16' }).success).toBe(false)
    expect(VaraOptionsSchema.safeParse({ ...base, bandwidth: 1000 }).success).toBe(false)
    const via = VaraOptionsSchema.safeParse({ ...base, digipeaters: { N0BBB: ['N0DDD'] } })
    expect(via.success).toBe(false)
    expect(via.error?.issues[0]?.path).toEqual(['digipeaters'])
  })
})
