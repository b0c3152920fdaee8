/**
 * Parses the lines VARA sends on its command port (radio.md §3.3) into typed messages. Pure and
 * total: any line, however odd, becomes a message; what is not understood is `unknown`, which the
 * transport logs once and ignores (Pat-Vara ≤ 1.1 treated BITRATE as unexpected, la5nta/pat#484).
 * Matching is case-insensitive and tolerant of extra spaces (BITRATE has two, per real logs).
 *
 * @packageDocumentation
 */

/** A message from the modem. */
export type VaraMessage =
  | { readonly kind: 'ok' | 'wrong' | 'disconnected' | 'pending' | 'cancelpending' | 'iamalive' | 'missing-soundcard' }
  | { readonly kind: 'connected'; readonly src: string; readonly dst: string; readonly via: readonly string[]; readonly bandwidthHz?: number }
  | { readonly kind: 'ptt' | 'busy'; readonly on: boolean }
  /** Bytes in the modem's TX queue not yet acknowledged by the peer. */
  | { readonly kind: 'buffer'; readonly bytes: number }
  /** S/N of the last received frame, dB. */
  | { readonly kind: 'sn'; readonly snrDb: number }
  /** Speed level and its net rate, bit/s. */
  | { readonly kind: 'bitrate'; readonly level?: number; readonly bps: number }
  /** Our licence state (`REGISTERED call`). */
  | { readonly kind: 'registered'; readonly callsign: string }
  /** The remote station's licence state. */
  | { readonly kind: 'link-registered'; readonly registered: boolean }
  /** ENCRYPTED LINK / UNENCRYPTED LINK. */
  | { readonly kind: 'encrypted'; readonly on: boolean }
  /** ENCRYPTION READY / ENCRYPTION DISABLED. */
  | { readonly kind: 'encryption'; readonly ready: boolean }
  | { readonly kind: 'version'; readonly text: string }
  | { readonly kind: 'cqframe'; readonly text: string }
  | { readonly kind: 'unknown'; readonly line: string }

/** A kind of {@link VaraMessage}. */
export type VaraMessageKind = VaraMessage['kind']

const BARE: Readonly<Record<string, VaraMessage>> = {
  OK: { kind: 'ok' },
  WRONG: { kind: 'wrong' },
  DISCONNECTED: { kind: 'disconnected' },
  PENDING: { kind: 'pending' },
  CANCELPENDING: { kind: 'cancelpending' },
  IAMALIVE: { kind: 'iamalive' },
  'MISSING SOUNDCARD': { kind: 'missing-soundcard' },
  'PTT ON': { kind: 'ptt', on: true },
  'PTT OFF': { kind: 'ptt', on: false },
  'BUSY ON': { kind: 'busy', on: true },
  'BUSY OFF': { kind: 'busy', on: false },
  'LINK REGISTERED': { kind: 'link-registered', registered: true },
  'LINK UNREGISTERED': { kind: 'link-registered', registered: false },
  'ENCRYPTED LINK': { kind: 'encrypted', on: true },
  'UNENCRYPTED LINK': { kind: 'encrypted', on: false },
  'ENCRYPTION READY': { kind: 'encryption', ready: true },
  'ENCRYPTION DISABLED': { kind: 'encryption', ready: false },
}

const BITRATE = /^BITRATE\s*(?:\((\d+)\))?\s*(\d+)\s*(?:BPS\b.*)?$/
const INTEGER = /^\d+$/
const DECIMAL = /^[-+]?\d+(\.\d+)?$/

/** Parses one line (CR already removed). */
export function parseVaraMessage(raw: string): VaraMessage {
  const line = raw.trim().replace(/\s+/g, ' ')
  const upper = line.toUpperCase()
  const bare = BARE[upper]
  if (bare !== undefined) return bare
  const [verb = '', ...args] = upper.split(' ')
  const rest = line.slice(verb.length + 1)
  switch (verb) {
    case 'CONNECTED':
      return parseConnected(args) ?? unknown(raw)
    case 'BUFFER':
      return args.length === 1 && INTEGER.test(args[0] ?? '') ? { kind: 'buffer', bytes: Number(args[0]) } : unknown(raw)
    case 'SN':
      return args.length === 1 && DECIMAL.test(args[0] ?? '') ? { kind: 'sn', snrDb: Number(args[0]) } : unknown(raw)
    case 'BITRATE':
      return parseBitrate(upper) ?? unknown(raw)
    case 'REGISTERED':
      return args.length >= 1 ? { kind: 'registered', callsign: args[0] ?? '' } : unknown(raw)
    case 'VERSION':
      return { kind: 'version', text: rest }
    case 'CQFRAME':
      return { kind: 'cqframe', text: rest }
    default:
      return unknown(raw)
  }
}

const unknown = (line: string): VaraMessage => ({ kind: 'unknown', line })

/** `CONNECTED src dst [VIA d1 [d2]] [bw]` (HF has the bandwidth, SAT nothing, FM the digipeaters). */
function parseConnected(args: readonly string[]): VaraMessage | undefined {
  const [src, dst, ...tail] = args
  if (src === undefined || dst === undefined) return undefined
  const last = tail.at(-1)
  const bandwidthHz = last !== undefined && INTEGER.test(last) ? Number(last) : undefined
  const middle = bandwidthHz === undefined ? tail : tail.slice(0, -1)
  if (middle.length > 0 && middle[0] !== 'VIA') return undefined
  const via = middle.slice(1)
  return bandwidthHz === undefined ? { kind: 'connected', src, dst, via } : { kind: 'connected', src, dst, via, bandwidthHz }
}

/** `BITRATE (lvl)  nnnn bps TX` (la5nta/pat#484), level and unit optional. */
function parseBitrate(upper: string): VaraMessage | undefined {
  const m = BITRATE.exec(upper)
  if (m === null) return undefined
  const bps = Number(m[2])
  return m[1] === undefined ? { kind: 'bitrate', bps } : { kind: 'bitrate', level: Number(m[1]), bps }
}
