/**
 * Parses the host → VARA command lines the simulator understands (radio.md §3.2).
 *
 * Commands are case-insensitive here (real clients send upper case). Anything unknown, malformed or
 * not valid for the flavour (BWxxxx on FM, VIA on HF) is an error, which the modem answers `WRONG`.
 *
 * @packageDocumentation
 */
import { CodecError } from '../../codecs/errors.js'
import { err, ok, type Result } from '../../codecs/result.js'
import { VARA_HF_BANDWIDTHS, type VaraBandwidth, type VaraFlavour } from './vara-levels.js'

/** A parsed host command. */
export type VaraCommand =
  | { readonly verb: 'MYCALL'; readonly calls: readonly string[] }
  | { readonly verb: 'CONNECT'; readonly src: string; readonly dst: string; readonly via: readonly string[] }
  | { readonly verb: 'BW'; readonly hz: VaraBandwidth }
  | { readonly verb: 'LISTEN' | 'CHAT' | 'PUBLIC' | 'CWID'; readonly on: boolean }
  | { readonly verb: 'COMPRESSION'; readonly mode: 'OFF' | 'TEXT' | 'FILES' }
  | { readonly verb: 'SESSION'; readonly kind: 'P2P' | 'WINLINK' }
  | { readonly verb: 'DISCONNECT' | 'ABORT' | 'VERSION' }

/** 3–7 letters/digits with an optional -1..-15, -T or -R suffix (EA5HVK command list). */
const CALLSIGN = /^[A-Z0-9]{3,7}(-([1-9]|1[0-5]|T|R))?$/

const wrong = (line: string, why: string): Result<never> =>
  err(new CodecError('ERR_UNKNOWN_VARIANT', `${why}: ${line.slice(0, 60)}`))

const ON_OFF: Readonly<Record<string, boolean>> = { ON: true, OFF: false }

/** The first word of a command line, upper-cased (what `answerWrong` matches). */
export function commandVerb(line: string): string {
  return (line.trim().split(/\s+/)[0] ?? '').toUpperCase()
}

/**
 * Parses one command line (without its CR).
 *
 * @param line - the line as received
 * @param flavour - HF accepts BWxxxx and rejects VIA; FM the reverse
 */
export function parseVaraCommand(line: string, flavour: VaraFlavour): Result<VaraCommand> {
  const words = line.trim().toUpperCase().split(/\s+/)
  const [verb = '', ...args] = words
  if (/^BW\d+$/.test(verb) && args.length === 0) return parseBandwidth(line, verb, flavour)
  switch (verb) {
    case 'MYCALL':
      return args.length >= 1 && args.length <= 5 && args.every((c) => CALLSIGN.test(c))
        ? ok({ verb, calls: args })
        : wrong(line, 'MYCALL takes 1 to 5 callsigns')
    case 'CONNECT':
      return parseConnect(line, args, flavour)
    case 'LISTEN':
    case 'CHAT':
    case 'PUBLIC':
    case 'CWID': {
      const on = args.length === 1 ? ON_OFF[args[0] ?? ''] : undefined
      return on === undefined ? wrong(line, `${verb} takes ON or OFF`) : ok({ verb, on })
    }
    case 'COMPRESSION': {
      const mode = args[0]
      return args.length === 1 && (mode === 'OFF' || mode === 'TEXT' || mode === 'FILES')
        ? ok({ verb, mode })
        : wrong(line, 'COMPRESSION takes OFF, TEXT or FILES')
    }
    case 'P2P':
    case 'WINLINK':
      return args.length === 1 && args[0] === 'SESSION' ? ok({ verb: 'SESSION', kind: verb }) : wrong(line, 'unknown')
    case 'DISCONNECT':
    case 'ABORT':
    case 'VERSION':
      return args.length === 0 ? ok({ verb }) : wrong(line, `${verb} takes no arguments`)
    default:
      return wrong(line, 'unknown command')
  }
}

function parseBandwidth(line: string, verb: string, flavour: VaraFlavour): Result<VaraCommand> {
  const hz = VARA_HF_BANDWIDTHS.find((b) => `BW${b}` === verb)
  if (flavour !== 'hf') return wrong(line, 'bandwidth commands are HF only')
  return hz === undefined ? wrong(line, 'unknown bandwidth') : ok({ verb: 'BW', hz })
}

function parseConnect(line: string, args: readonly string[], flavour: VaraFlavour): Result<VaraCommand> {
  const [src = '', dst = '', via, ...digis] = args
  if (!CALLSIGN.test(src) || !CALLSIGN.test(dst)) return wrong(line, 'CONNECT takes two callsigns')
  if (via === undefined) return ok({ verb: 'CONNECT', src, dst, via: [] })
  const digisOk = digis.length >= 1 && digis.length <= 2 && digis.every((d) => CALLSIGN.test(d))
  if (flavour !== 'fm' || via !== 'VIA' || !digisOk) return wrong(line, 'VIA d1 [d2] is FM only')
  return ok({ verb: 'CONNECT', src, dst, via: digis })
}
