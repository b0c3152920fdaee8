/**
 * Options of the VARA HF / FM transport, as a zod schema: the modem's TCP host interface (ports
 * 8300/8301 by default, radio.md §3.1), the station's identity, and every timeout and bound the
 * transport applies. All durations are in ms of the transport's clock (wall time in production).
 *
 * @packageDocumentation
 */
import { z } from 'zod'

/** A VARA callsign: 3–7 letters/digits with an optional -1..-15, -T or -R suffix (EA5HVK command list). */
export const VARA_CALLSIGN = /^[A-Z0-9]{3,7}(-([1-9]|1[0-5]|T|R))?$/

/** A callsign, upper-cased before it is checked. */
export const VaraCallsignSchema = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .pipe(z.string().regex(VARA_CALLSIGN, 'not a VARA callsign (3–7 letters/digits, optional -1..-15, -T or -R)'))

/** HF bandwidths (BW500 / BW2300 / BW2750), Hz. */
export const VARA_BANDWIDTHS = [500, 2300, 2750] as const

/** Static rate guesses for airtime budgeting before the modem reports BITRATE, bit/s (radio.md §3.5, §7). */
const NOMINAL_BPS = { 500: 500, 2300: 2000, 2750: 2400, fm: 5000 } as const

const port = z.number().int().min(1).max(65535)
const ms = z.number().int().positive()

/**
 * The fields of the VARA options without the cross-field checks: the gateway's config schema builds
 * its link entry from this (`.omit`/`.extend` refuse refined schemas) and adds {@link checkVaraOptions}.
 */
export const VaraOptionsFieldsSchema = z
  .strictObject({
    /** Config name of the link. */
    id: z.string().min(1).default('vara'),
    /** VARA HF or VARA FM (BW and CWID are HF only, VIA digipeaters FM only). */
    flavour: z.enum(['hf', 'fm']).default('hf'),
    /** Host of the modem program. */
    host: z.string().min(1).default('127.0.0.1'),
    /** Command port. */
    cmdPort: port.default(8300),
    /** Data port; VARA uses the command port + 1 when omitted. */
    dataPort: port.optional(),
    /** Station callsign: MYCALL, and the source of every CONNECT. */
    callsign: VaraCallsignSchema,
    /** Further callsigns the modem answers to (MYCALL takes up to five in all). */
    extraCallsigns: z.array(VaraCallsignSchema).max(4).default([]),
    /** Accept inbound sessions (LISTEN ON). */
    listen: z.boolean().default(true),
    /** HF bandwidth, Hz. */
    bandwidth: z.literal(VARA_BANDWIDTHS).default(2300),
    /** Send the CW identification after sessions (HF only). */
    cwid: z.boolean().default(false),
    /** FM digipeaters per peer callsign (`CONNECT me peer VIA d1 [d2]`). */
    digipeaters: z.record(z.string(), z.array(VaraCallsignSchema).min(1).max(2)).default({}),
    /** Largest payload of one send(), bytes. */
    mtu: z.number().int().positive().max(65_536).default(4096),
    /** Rate guess before BITRATE arrives, bit/s; defaults by flavour and bandwidth. */
    nominalBitrateBps: z.number().positive().optional(),
    /** Bound of frames waiting in the transport (not yet handed to the modem), bytes. */
    maxQueueBytes: z.number().int().positive().default(256 * 1024),
    /** Data kept queued in the modem, as airtime at the current BITRATE, ms (at least one frame). */
    modemBufferMs: ms.default(15_000),
    /** Hard cap of data queued in the modem, bytes. */
    maxModemBufferBytes: z.number().int().positive().default(64 * 1024),
    /** A session with no traffic either way this long is disconnected to free the frequency, ms. */
    idleTimeoutMs: ms.default(60_000),
    /** The same while other peers are waiting for the modem, ms. */
    handoverIdleMs: ms.default(10_000),
    /** Outbound CONNECT without CONNECTED this long is aborted, ms. */
    connectTimeoutMs: ms.default(120_000),
    /** A peer whose connect failed is not called again for this long, ms (each time drawn from 1–1.5 × this). */
    peerRetryMs: ms.default(60_000),
    /** After BUSY OFF, wait up to this long (random share) before calling, so waiting stations do not collide, ms. */
    busyHoldoffMs: z.number().int().min(0).default(2_000),
    /** A PENDING (someone is calling us) without CONNECTED or CANCELPENDING is forgotten after this, ms. */
    pendingTimeoutMs: ms.default(60_000),
    /** Waiting for the modem's TX buffer to drain before DISCONNECT, ms; then ABORT. */
    drainTimeoutMs: ms.default(120_000),
    /** Waiting for DISCONNECTED after DISCONNECT, ms; then ABORT (Pat waits 60 s). */
    disconnectTimeoutMs: ms.default(60_000),
    /** Waiting for DISCONNECTED after ABORT, ms; then the session is taken as ended (VARA may stay silent). */
    abortTimeoutMs: ms.default(5_000),
    /** Session data arriving this long after DISCONNECTED still belongs to it, ms (Pat waits 2 s). */
    trailingDataMs: ms.default(2_000),
    /** Reply to a command (OK, WRONG, VERSION), ms. */
    commandTimeoutMs: ms.default(10_000),
    /** TCP connect to either port, ms. */
    tcpConnectTimeoutMs: ms.default(5_000),
    /** No line from the modem this long means it is gone: 2 × the 60 s IAMALIVE period, ms. */
    aliveTimeoutMs: ms.default(120_000),
    /** Longest graceful stop (drain, DISCONNECT, LISTEN OFF) before the sockets are closed anyway, ms. */
    stopTimeoutMs: ms.default(30_000),
  })

/** Cross-field checks of the VARA options: digipeaters are VARA FM only and keyed by callsign. */
export function checkVaraOptions(o: Pick<z.output<typeof VaraOptionsFieldsSchema>, 'flavour' | 'digipeaters'>, ctx: z.RefinementCtx): void {
  if (o.flavour === 'hf' && Object.keys(o.digipeaters).length > 0) {
    ctx.addIssue({ code: 'custom', path: ['digipeaters'], message: 'VIA digipeaters are VARA FM only' })
  }
  for (const peer of Object.keys(o.digipeaters)) {
    if (!VARA_CALLSIGN.test(peer)) ctx.addIssue({ code: 'custom', path: ['digipeaters', peer], message: 'not a callsign (upper case)' })
  }
}

/** Options of the VARA transport. */
export const VaraOptionsSchema = VaraOptionsFieldsSchema.superRefine(checkVaraOptions)

/** Options as given (defaults optional). */
export type VaraOptionsInput = z.input<typeof VaraOptionsSchema>
/** Options after parsing (defaults applied). */
export type VaraOptions = z.output<typeof VaraOptionsSchema>

/** The data port: configured, or the command port + 1 as VARA does. */
export function dataPortOf(o: VaraOptions): number {
  return o.dataPort ?? o.cmdPort + 1
}

/** The static bitrate guess of these options, bit/s. */
export function nominalBitrateOf(o: VaraOptions): number {
  return o.nominalBitrateBps ?? (o.flavour === 'fm' ? NOMINAL_BPS.fm : NOMINAL_BPS[o.bandwidth])
}
