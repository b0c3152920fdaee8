/**
 * On-air frames exchanged by two simulated VARA modems over the RF channel.
 *
 * Real VARA's air format is closed; this one only has to carry what the ARQ model needs: a short
 * ASCII header line (`kind src dst via bw seq ack flags`) then the payload bytes. Airtime is not
 * derived from this encoding (the modem states it per frame), so its size does not matter.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { CodecError } from '../../codecs/errors.js'
import { err, ok, type Result } from '../../codecs/result.js'

const KIND_CODES = { connect: 'C', accept: 'A', data: 'D', disc: 'X', 'disc-ack': 'Y' } as const

/** Frame kinds: connect request, accept, data/ACK/poll, disconnect, disconnect acknowledgement. */
export const VaraFrameKindSchema = z.enum(['connect', 'accept', 'data', 'disc', 'disc-ack'])

const CallSchema = z.string().regex(/^[A-Z0-9]{1,7}(-[A-Z0-9]{1,2})?$/)

/** A decoded air frame. */
export const VaraFrameSchema = z.object({
  kind: VaraFrameKindSchema,
  src: CallSchema,
  dst: CallSchema,
  /** Digipeaters named in an FM connect (carried, not simulated). */
  via: z.array(CallSchema).max(2),
  /** Session bandwidth, Hz (0 for FM). */
  bw: z.number().int().min(0),
  /** Byte offset of the payload in the sender's stream; in a connect request, the caller's session id. */
  seq: z.number().int().min(0),
  /** Cumulative bytes of the peer's stream received in order. */
  ack: z.number().int().min(0),
  /** The sender waits for a reply (retransmits otherwise). */
  needsReply: z.boolean(),
  /** The sender's licence state, shown to the peer as LINK REGISTERED / UNREGISTERED. */
  registered: z.boolean(),
  payload: z.custom<Uint8Array>((v) => v instanceof Uint8Array),
})

/** A decoded air frame. */
export type VaraFrame = z.infer<typeof VaraFrameSchema>

const MAX_HEADER = 128 // bytes
const NEEDS_REPLY = 1
const REGISTERED = 2

/** Encodes a frame for the channel. */
export function encodeVaraFrame(f: VaraFrame): Uint8Array {
  const flags = (f.needsReply ? NEEDS_REPLY : 0) | (f.registered ? REGISTERED : 0)
  const via = f.via.length === 0 ? '-' : f.via.join(',')
  const header = `${KIND_CODES[f.kind]} ${f.src} ${f.dst} ${via} ${f.bw} ${f.seq} ${f.ack} ${flags}\n`
  const head = new TextEncoder().encode(header)
  const out = new Uint8Array(head.length + f.payload.length)
  out.set(head)
  out.set(f.payload, head.length)
  return out
}

/** Decodes a frame heard on the channel; anything malformed is an error, never a throw. */
export function decodeVaraFrame(bytes: Uint8Array): Result<VaraFrame> {
  const end = bytes.subarray(0, MAX_HEADER).indexOf(0x0a)
  if (end < 0) return err(new CodecError('ERR_TRUNCATED', 'VARA air frame has no header line'))
  const fields = new TextDecoder('latin1').decode(bytes.subarray(0, end)).split(' ')
  const [code, src, dst, via, bw, seq, ack, flags] = fields
  const kind = Object.entries(KIND_CODES).find(([, c]) => c === code)?.[0]
  if (fields.length !== 8 || kind === undefined || via === undefined) {
    return err(new CodecError('ERR_UNKNOWN_VARIANT', `bad VARA air frame header: ${fields.join(' ').slice(0, 40)}`))
  }
  const flagBits = Number(flags)
  const parsed = VaraFrameSchema.safeParse({
    kind, src, dst,
    via: via === '-' ? [] : via.split(','),
    bw: Number(bw), seq: Number(seq), ack: Number(ack),
    needsReply: (flagBits & NEEDS_REPLY) !== 0,
    registered: (flagBits & REGISTERED) !== 0,
    payload: bytes.slice(end + 1),
  })
  if (!parsed.success) return err(new CodecError('ERR_INVALID_TYPE', `bad VARA air frame: ${parsed.error.message}`))
  return ok(parsed.data)
}
