/**
 * AX.25 v2.2 frames as carried in KISS data frames: no flags, no FCS (the TNC adds those; see
 * `fcs.ts` for the FCS itself).
 *
 * Layout: destination (7), source (7), 0–8 digipeaters (7 each), control (1 or 2), PID (1, only on
 * I and UI frames), information field. The frame is a discriminated union on `kind`, so an S frame
 * cannot carry info and only I and UI frames have a `pid`.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import {
  AX25_ADDRESS_LENGTH,
  Ax25AddressSchema,
  Ax25DigipeaterSchema,
  readAddress,
  writeAddress,
  type Ax25Address,
  type Ax25Digipeater,
} from './ax25-address.js'
import {
  AX25_U_KINDS_WITH_INFO,
  AX25_U_KINDS_WITHOUT_INFO,
  Ax25IControlSchema,
  Ax25ModuloSchema,
  Ax25SControlSchema,
  Ax25UControlSchema,
  decodeControl,
  encodeControl,
  sequenceProblem,
  type Ax25Control,
} from './ax25-control.js'
import { CodecError } from './errors.js'
import { err, ok, type Result } from './result.js'

/** Most digipeaters in a path (v2.0's 8; v2.2 cut it to 2, but Direwolf and others still send 8). */
export const AX25_MAX_DIGIPEATERS = 8
/** Most addresses in a frame: destination, source and 8 digipeaters. */
export const AX25_MAX_ADDRESSES = 2 + AX25_MAX_DIGIPEATERS
/** Shortest valid frame: two addresses and a control byte, bytes. */
export const AX25_MIN_FRAME_LENGTH = 2 * AX25_ADDRESS_LENGTH + 1
/** Default cap on the information field when decoding (Direwolf's AX25_MAX_INFO_LEN), bytes. */
export const AX25_DEFAULT_MAX_INFO_LENGTH = 2048
/** PID "no layer 3": APRS and most applications, and our envelope. */
export const AX25_PID_NO_LAYER_3 = 0xf0

/**
 * The C bits of destination and source: `command` (1, 0) and `response` (0, 1) are v2.x; the two
 * "previous version" combinations are kept so a decoded frame re-encodes to the same bytes.
 */
export const Ax25CommandResponseSchema = z.enum(['command', 'response', 'v1-00', 'v1-11'])
/** Command/response marking of a frame. */
export type Ax25CommandResponse = z.infer<typeof Ax25CommandResponseSchema>

/** C bits (destination, source) for each marking. */
const C_BITS: Record<Ax25CommandResponse, readonly [boolean, boolean]> = {
  command: [true, false],
  response: [false, true],
  'v1-00': [false, false],
  'v1-11': [true, true],
}

const addressing = {
  destination: Ax25AddressSchema,
  source: Ax25AddressSchema,
  digipeaters: z.array(Ax25DigipeaterSchema).max(AX25_MAX_DIGIPEATERS),
  commandResponse: Ax25CommandResponseSchema,
}
const PidSchema = z.number().int().min(0).max(255)
/** Any byte string, including a Buffer or a view into a larger buffer. */
const InfoSchema = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected a Uint8Array')

/**
 * An AX.25 frame; `kind` says which fields exist, and no others are allowed (a `pid` on an S frame
 * is an error, not silently dropped). Sequence numbers must fit the `modulo`.
 */
export const Ax25FrameSchema = z
  .discriminatedUnion('kind', [
    Ax25IControlSchema.extend({ ...addressing, pid: PidSchema, info: InfoSchema }).strict(),
    Ax25SControlSchema.extend(addressing).strict(),
    Ax25UControlSchema.extend({ ...addressing, kind: z.literal('UI'), pid: PidSchema, info: InfoSchema }).strict(),
    Ax25UControlSchema.extend({ ...addressing, kind: z.enum(AX25_U_KINDS_WITH_INFO), info: InfoSchema }).strict(),
    Ax25UControlSchema.extend({ ...addressing, kind: z.enum(AX25_U_KINDS_WITHOUT_INFO) }).strict(),
  ])
  .check((ctx) => {
    const problem = sequenceProblem(ctx.value)
    if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value })
  })
/** An AX.25 frame. */
export type Ax25Frame = z.infer<typeof Ax25FrameSchema>

/** Options for {@link decodeAx25Frame}. */
export const Ax25DecodeOptionsSchema = z.object({
  /** The link's modulo; it cannot be inferred from a lone frame (UI-only users pass 8). */
  modulo: Ax25ModuloSchema,
  /** Longest information field accepted, bytes. */
  maxInfoLength: z.number().int().min(0).default(AX25_DEFAULT_MAX_INFO_LENGTH),
})
/** Options for {@link decodeAx25Frame}. */
export type Ax25DecodeOptions = z.input<typeof Ax25DecodeOptionsSchema>

/**
 * Encodes a frame. Reserved SSID bits are sent as 1 1.
 *
 * @throws CodecError `ERR_AX25_FRAME` when the frame does not match {@link Ax25FrameSchema}
 */
export function encodeAx25Frame(frame: Ax25Frame): Uint8Array {
  const checked = Ax25FrameSchema.safeParse(frame)
  if (!checked.success) throw new CodecError('ERR_AX25_FRAME', `invalid AX.25 frame: ${z.prettifyError(checked.error)}`)
  const control = encodeControl(frame)
  const pid = 'pid' in frame ? [frame.pid] : []
  const info = 'info' in frame ? frame.info : new Uint8Array(0)
  const addresses = 2 + frame.digipeaters.length
  const out = new Uint8Array(addresses * AX25_ADDRESS_LENGTH + control.length + pid.length + info.length)
  const [destinationC, sourceC] = C_BITS[frame.commandResponse]
  writeAddress(out, 0, frame.destination, destinationC, false)
  writeAddress(out, AX25_ADDRESS_LENGTH, frame.source, sourceC, addresses === 2)
  frame.digipeaters.forEach((digi, i) => {
    writeAddress(out, (2 + i) * AX25_ADDRESS_LENGTH, digi, digi.repeated, i === frame.digipeaters.length - 1)
  })
  out.set([...control, ...pid], addresses * AX25_ADDRESS_LENGTH)
  out.set(info, out.length - info.length)
  return out
}

/**
 * Decodes a frame from untrusted bytes. Never throws; errors are `ERR_AX25_FRAME` (with what and
 * where) or `ERR_FRAME_TOO_LONG` (information field over `maxInfoLength`).
 */
export function decodeAx25Frame(bytes: Uint8Array, options: Ax25DecodeOptions): Result<Ax25Frame> {
  if (bytes.length < AX25_MIN_FRAME_LENGTH) {
    return fail(`frame is ${bytes.length} bytes, shorter than the ${AX25_MIN_FRAME_LENGTH}-byte minimum (2 addresses + control)`)
  }
  const path = readPath(bytes)
  if (!path.ok) return path
  const { addressLength, ...addressing } = path.value
  const decoded = decodeControl(bytes, addressLength, options.modulo)
  if (!decoded.ok) return decoded
  const { control } = decoded.value
  let at = addressLength + decoded.value.length
  const hasPid = control.kind === 'I' || control.kind === 'UI'
  const pid = hasPid ? bytes[at++] : undefined
  if (hasPid && pid === undefined) return fail(`${control.kind} frame ends before its PID byte`)
  const infoLength = bytes.length - at
  if (!carriesInfo(control) && infoLength > 0) {
    return fail(`${control.kind} frame must not have an information field, found ${infoLength} bytes`)
  }
  const maxInfoLength = options.maxInfoLength ?? AX25_DEFAULT_MAX_INFO_LENGTH
  if (infoLength > maxInfoLength) {
    return err(new CodecError('ERR_FRAME_TOO_LONG', `AX.25 information field of ${infoLength} bytes exceeds ${maxInfoLength}`))
  }
  return ok(assemble(addressing, control, pid ?? 0, bytes.slice(at)))
}

interface Path {
  destination: Ax25Address
  source: Ax25Address
  digipeaters: Ax25Digipeater[]
  commandResponse: Ax25CommandResponse
  /** Bytes taken by the address field. */
  addressLength: number
}

/** Reads addresses up to the one with the extension bit (at most 10). */
function readPath(bytes: Uint8Array): Result<Path> {
  const read = []
  for (let i = 0; i < AX25_MAX_ADDRESSES; i++) {
    const at = i * AX25_ADDRESS_LENGTH
    if (at + AX25_ADDRESS_LENGTH > bytes.length) {
      return fail(`address field not terminated: frame ends inside address ${i + 1} (no extension bit set)`)
    }
    const address = readAddress(bytes, at, addressName(i))
    if (!address.ok) return address
    read.push(address.value)
    if (address.value.last) break
  }
  const [destination, source, ...digis] = read
  if (destination === undefined || source === undefined) return fail('extension bit set on the destination address: a frame needs a source address')
  if (!read[read.length - 1]?.last) return fail(`no extension bit within ${AX25_MAX_ADDRESSES} addresses (2 + ${AX25_MAX_DIGIPEATERS} digipeaters)`)
  return ok({
    destination: destination.address,
    source: source.address,
    digipeaters: digis.map((d) => ({ ...d.address, repeated: d.bit7 })),
    commandResponse: commandResponseOf(destination.bit7, source.bit7),
    addressLength: read.length * AX25_ADDRESS_LENGTH,
  })
}

function addressName(index: number): string {
  return index === 0 ? 'destination' : index === 1 ? 'source' : `digipeater ${index - 1}`
}

function commandResponseOf(destinationC: boolean, sourceC: boolean): Ax25CommandResponse {
  if (destinationC !== sourceC) return destinationC ? 'command' : 'response'
  return destinationC ? 'v1-11' : 'v1-00'
}

function carriesInfo(control: Ax25Control): boolean {
  return control.kind === 'I' || control.kind === 'UI' || isKindWithInfo(control.kind)
}

function isKindWithInfo(kind: string): kind is (typeof AX25_U_KINDS_WITH_INFO)[number] {
  return (AX25_U_KINDS_WITH_INFO as readonly string[]).includes(kind)
}

function assemble(addressing: Omit<Path, 'addressLength'>, control: Ax25Control, pid: number, info: Uint8Array): Ax25Frame {
  if (control.kind === 'I') return { ...addressing, ...control, pid, info }
  if (control.kind === 'UI') return { ...addressing, kind: 'UI', pf: control.pf, pid, info }
  if (isKindWithInfo(control.kind)) return { ...addressing, kind: control.kind, pf: control.pf, info }
  if (control.kind === 'RR' || control.kind === 'RNR' || control.kind === 'REJ' || control.kind === 'SREJ') {
    return { ...addressing, ...control }
  }
  return { ...addressing, kind: control.kind, pf: control.pf }
}

function fail(message: string): Result<never> {
  return err(new CodecError('ERR_AX25_FRAME', message))
}
