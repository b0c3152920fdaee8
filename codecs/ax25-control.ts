/**
 * The AX.25 v2.2 control field: I, S (RR, RNR, REJ, SREJ) and U frames, modulo 8 and 128.
 *
 * Modulo 8 (1 byte, bit 7 first): I `N(R) P N(S) 0`; S `N(R) P/F S S 0 1`; U `M M M P/F M M 1 1`.
 * Modulo 128 (I and S take 2 bytes, U frames stay 1 byte): I `N(S) 0` then `N(R) P`;
 * S `0 0 0 0 S S 0 1` then `N(R) P/F`. Which modulo a link uses is agreed at setup (SABM vs
 * SABME/XID) and cannot be read from a lone frame, so the decoder is told.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { CodecError } from './errors.js'
import { hexByte } from './hex.js'
import { err, ok, type Result } from './result.js'

/** Supervisory frame kinds, in the order of their two S bits. */
export const AX25_S_KINDS = ['RR', 'RNR', 'REJ', 'SREJ'] as const
/** Unnumbered frames that never carry an information field. */
export const AX25_U_KINDS_WITHOUT_INFO = ['SABME', 'SABM', 'DISC', 'DM', 'UA'] as const
/** Unnumbered frames with an information field but no PID (UI, which has a PID, is separate). */
export const AX25_U_KINDS_WITH_INFO = ['FRMR', 'XID', 'TEST'] as const

/** U frame control bytes with the P/F bit (0x10) clear. */
export const AX25_U_CONTROL = {
  SABME: 0x6f,
  SABM: 0x2f,
  DISC: 0x43,
  DM: 0x0f,
  UA: 0x63,
  FRMR: 0x87,
  UI: 0x03,
  XID: 0xaf,
  TEST: 0xe3,
} as const
/** Any U frame kind. */
export type Ax25UKind = keyof typeof AX25_U_CONTROL

/** The P/F bit in a modulo-8 or U control byte. */
const PF_BIT = 0x10

/** Sequence-number modulus of a link: 8 (AX.25 v2.0, SABM) or 128 (v2.2 extended, SABME). */
export const Ax25ModuloSchema = z.union([z.literal(8), z.literal(128)])
/** 8 or 128. */
export type Ax25Modulo = z.infer<typeof Ax25ModuloSchema>

const SequenceSchema = z.number().int().min(0).max(127)

/** Control of an I frame: send and receive sequence numbers and the P bit. */
export const Ax25IControlSchema = z.object({
  kind: z.literal('I'),
  modulo: Ax25ModuloSchema,
  ns: SequenceSchema,
  nr: SequenceSchema,
  pf: z.boolean(),
})
/** Control of an S frame: receive sequence number and the P/F bit. */
export const Ax25SControlSchema = z.object({
  kind: z.enum(AX25_S_KINDS),
  modulo: Ax25ModuloSchema,
  nr: SequenceSchema,
  pf: z.boolean(),
})
/** Control of a U frame: only the P/F bit. */
export const Ax25UControlSchema = z.object({
  kind: z.enum(Object.keys(AX25_U_CONTROL) as [Ax25UKind, ...Ax25UKind[]]),
  pf: z.boolean(),
})
/** A decoded control field. */
export const Ax25ControlSchema = z.discriminatedUnion('kind', [Ax25IControlSchema, Ax25SControlSchema, Ax25UControlSchema])
/** A decoded control field. */
export type Ax25Control = z.infer<typeof Ax25ControlSchema>

/** What is wrong with the sequence numbers for the frame's modulo, or undefined. */
export function sequenceProblem(control: Ax25Control): string | undefined {
  if (!('modulo' in control)) return undefined
  const { modulo, nr } = control
  if (control.kind === 'I' && control.ns >= modulo) return `N(S) ${control.ns} out of range 0–${modulo - 1} for modulo ${modulo}`
  if (nr >= modulo) return `N(R) ${nr} out of range 0–${modulo - 1} for modulo ${modulo}`
  return undefined
}

/** Encodes a control field (1 or 2 bytes); the control must be valid (the frame encoder checks). */
export function encodeControl(control: Ax25Control): number[] {
  const pf = control.pf ? 1 : 0
  if (control.kind === 'I') {
    if (control.modulo === 8) return [(control.nr << 5) | (pf << 4) | (control.ns << 1)]
    return [control.ns << 1, (control.nr << 1) | pf]
  }
  if (control.kind === 'RR' || control.kind === 'RNR' || control.kind === 'REJ' || control.kind === 'SREJ') {
    const s = (AX25_S_KINDS.indexOf(control.kind) << 2) | 0x01
    if (control.modulo === 8) return [(control.nr << 5) | (pf << 4) | s]
    return [s, (control.nr << 1) | pf]
  }
  return [AX25_U_CONTROL[control.kind] | (pf << 4)]
}

/** A decoded control field and how many bytes it took. */
export interface DecodedControl {
  /** The control field. */
  control: Ax25Control
  /** Bytes used: 1, or 2 for modulo-128 I and S frames. */
  length: number
}

/** Decodes the control field at `at`. Errors are `ERR_AX25_FRAME`. */
export function decodeControl(bytes: Uint8Array, at: number, modulo: Ax25Modulo): Result<DecodedControl> {
  const first = bytes[at]
  if (first === undefined) return err(new CodecError('ERR_AX25_FRAME', `frame ends before the control field (offset ${at})`))
  if ((first & 0x03) === 0x03) return decodeU(first)
  if (modulo === 8) return ok({ control: decodeMod8(first), length: 1 })
  const second = bytes[at + 1]
  if (second === undefined) return err(new CodecError('ERR_AX25_FRAME', `modulo-128 control field needs 2 bytes; frame ends at offset ${at + 1}`))
  const pf = (second & 1) === 1
  const nr = second >> 1
  if ((first & 0x01) === 0) return ok({ control: { kind: 'I', modulo, ns: first >> 1, nr, pf }, length: 2 })
  if ((first & 0xf0) !== 0) {
    return err(new CodecError('ERR_AX25_FRAME', `modulo-128 S control byte ${hexByte(first)} has reserved bits 7–4 set`))
  }
  return ok({ control: { kind: sKind(first), modulo, nr, pf }, length: 2 })
}

function decodeMod8(byte: number): Ax25Control {
  const pf = (byte & PF_BIT) !== 0
  const nr = byte >> 5
  if ((byte & 0x01) === 0) return { kind: 'I', modulo: 8, ns: (byte >> 1) & 0x07, nr, pf }
  return { kind: sKind(byte), modulo: 8, nr, pf }
}

function sKind(byte: number): (typeof AX25_S_KINDS)[number] {
  return AX25_S_KINDS[(byte >> 2) & 0x03] ?? 'RR'
}

/** U control byte (P/F clear) to kind. */
const U_KIND_BY_BYTE = new Map<number, Ax25UKind>(
  Object.entries(AX25_U_CONTROL).map(([kind, byte]) => [byte, kind as Ax25UKind]),
)

function decodeU(byte: number): Result<DecodedControl> {
  const kind = U_KIND_BY_BYTE.get(byte & ~PF_BIT)
  if (kind === undefined) return err(new CodecError('ERR_AX25_FRAME', `unknown U frame control byte ${hexByte(byte)}`))
  return ok({ control: { kind, pf: (byte & PF_BIT) !== 0 }, length: 1 })
}
