/**
 * Options of the AX.25-over-KISS transport: how to reach the TNC (serial port or KISS over TCP),
 * the KISS parameters set when the link comes up, the station identity, the reliable-unicast ARQ,
 * politeness (duty cycle, TXBUF polling) and the APRS gateway. Every default is a packet-radio
 * default with its source (reference/radio.md §1–2) or says why it was chosen.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { parseCallsign, type Ax25Address } from '../../codecs/ax25-address.js'
import { AX25_MAX_DIGIPEATERS } from '../../codecs/ax25.js'
import { KISS_MAX_PORT } from '../../codecs/kiss.js'

/** A callsign with optional SSID as people write it (`n0call-7`), parsed to an address. */
export const StationAddressSchema = z.string().transform((text, ctx): Ax25Address => {
  const parsed = parseCallsign(text, { normalise: true })
  if (parsed.ok) return parsed.value
  ctx.addIssue({ code: 'custom', message: parsed.error.message, input: text })
  return z.NEVER
})

/** A TNC on a serial port (USB, Bluetooth rfcomm, a pty from `socat` or `direwolf -p`). */
export const SerialTncSchema = z.strictObject({
  type: z.literal('serial'),
  /** Device path; prefer a stable name such as `/dev/serial/by-id/...`. */
  path: z.string().min(1),
  /** Host-to-TNC line rate, bit/s (9600 in Direwolf's and Pat's examples, radio.md §1.5). */
  baudRate: z.number().int().positive().default(9600),
  /** RTS/CTS hardware flow control (the Kenwood TH-D72 needs it in KISS mode, radio.md §1.5). */
  rtscts: z.boolean().default(false),
  /** Text written before KISS starts, to switch a hardware TNC into KISS (e.g. `KISS ON\r`, `RESTART\r`). */
  initStrings: z.array(z.string().min(1)).default([]),
  /** Pause after each init string while the TNC reboots into KISS, ms. */
  initDelayMs: z.number().int().min(0).max(30_000).default(500),
  /**
   * How often to check that the device path still leads to the device we opened, ms. A pty (socat,
   * `direwolf -p`) reports its end only on the next write; a vanished or re-pointed path does not wait.
   */
  devicePollMs: z.number().int().positive().default(1_000),
})

/** A TNC that serves KISS on a TCP port (Direwolf's 8001, radio.md §1.5). */
export const TcpTncSchema = z.strictObject({
  type: z.literal('tcp'),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(8001),
  /** Give up connecting after this long, ms. */
  connectTimeoutMs: z.number().int().positive().default(5_000),
})

/** How the TNC is reached. */
export const TncConnectionSchema = z.discriminatedUnion('type', [SerialTncSchema, TcpTncSchema])
/** How the TNC is reached, after defaults. */
export type TncConnection = z.output<typeof TncConnectionSchema>

/**
 * KISS parameters sent when the link comes up. Times are in ms here and sent in the protocol's
 * 10 ms units (rounded). Defaults are Direwolf's (radio.md §1.2, `src/audio.h`).
 */
export const KissParamsSchema = z.strictObject({
  /** Send these parameters on link up (false leaves the TNC's own settings alone). */
  apply: z.boolean().default(true),
  /** KISS port (Direwolf "channel") of the radio, 0–15. */
  port: z.number().int().min(0).max(KISS_MAX_PORT).default(0),
  /** Keyup delay before data, ms. */
  txDelayMs: z.number().int().min(0).max(2_550).default(300),
  /** CSMA persistence P: transmit in a free slot with probability (P + 1) / 256. */
  persistence: z.number().int().min(0).max(255).default(63),
  /** CSMA slot time, ms. */
  slotTimeMs: z.number().int().min(0).max(2_550).default(100),
  /** Carrier hold after data, ms. */
  txTailMs: z.number().int().min(0).max(2_550).default(100),
  /** Full duplex: transmit without carrier sense. */
  fullDuplex: z.boolean().default(false),
})
/** KISS parameters after defaults. */
export type KissParams = z.output<typeof KissParamsSchema>

/**
 * The selective-repeat ARQ for reliable unicast (docs/PROTOCOL.md §13). Names and defaults follow
 * AX.25 connected mode where the meaning is the same (radio.md §2.4).
 */
export const ArqOptionsSchema = z
  .strictObject({
    /** Segments in flight before an acknowledgement is needed (v2.2 EMAXFRAME default 32; max 127 as modulo 128). */
    window: z.number().int().min(1).max(127).default(32),
    /** Largest AX.25 information field we send, bytes (N1 default 256; Direwolf accepts up to 2048). */
    paclen: z.number().int().min(64).max(2_048).default(256),
    /** T1 before the first round trip is measured, ms (FRACK default 3 s). */
    t1InitialMs: z.number().int().positive().default(3_000),
    /** Lower bound of the adaptive T1, ms (FRACK range 1–15 s). */
    t1MinMs: z.number().int().positive().default(1_000),
    /** Upper bound of the adaptive T1, including backoff, ms. */
    t1MaxMs: z.number().int().positive().default(30_000),
    /** Unanswered polls (or retransmissions of one segment) before the peer is declared unreachable (N2 default 10). */
    retries: z.number().int().min(1).max(100).default(10),
    /** Check an idle peer after this long without traffic, ms (T3 default 300 s). */
    keepaliveMs: z.number().int().positive().default(300_000),
    /** Forget a peer's session after this long without data, ms (Linux AX.25 idle timer, 20 min). */
    idleDisconnectMs: z.number().int().positive().default(1_200_000),
    /** Most peers with session state at once; the idlest is forgotten first. */
    maxPeers: z.number().int().min(1).max(1_024).default(32),
  })
  .refine((a) => a.t1MinMs <= a.t1InitialMs && a.t1InitialMs <= a.t1MaxMs, {
    message: 't1MinMs ≤ t1InitialMs ≤ t1MaxMs is required',
    path: ['t1InitialMs'],
  })
/** ARQ options after defaults. */
export type ArqOptions = z.output<typeof ArqOptionsSchema>

/** Cap on our own transmit airtime. */
export const DutyCycleSchema = z.strictObject({
  /** Largest fraction of `windowMs` we may spend transmitting (1 = no cap; amateur bands have none). */
  maxFraction: z.number().gt(0).max(1).default(1),
  /** Sliding window the fraction is measured over, ms. */
  windowMs: z.number().int().positive().default(600_000),
})
/** Duty-cycle cap after defaults. */
export type DutyCycle = z.output<typeof DutyCycleSchema>

/** APRS destinations of experimental software start APZ (tocalls.txt, radio.md §2.6). */
const TOCALL_PATTERN = /^APZ[A-Z0-9]{0,3}$/

/** The APRS side of the gateway: status beacon with the chain tip, answers to messages. */
export const AprsOptionsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Destination of our APRS frames: an experimental tocall. */
  tocall: z.string().regex(TOCALL_PATTERN, 'an experimental APRS tocall: APZ plus up to 3 of A–Z, 0–9').default('APZBKC'),
  /** Digipeater path of beacons and replies (WIDE2-1 is the usual fixed-station path). */
  path: z.array(StationAddressSchema).max(AX25_MAX_DIGIPEATERS).prefault(['WIDE2-1']),
  /** Status beacon period, ms (fixed stations: every 30 min at most). */
  beaconIntervalMs: z.number().int().min(60_000).default(1_800_000),
  /** Answers to one station at most this often; further queries are acknowledged only, ms. */
  replyIntervalMs: z.number().int().min(0).default(10_000),
})
/** APRS options after defaults. */
export type AprsOptions = z.output<typeof AprsOptionsSchema>

/** Every option of the AX.25 transport. */
export const Ax25TransportOptionsSchema = z.strictObject({
  /** Config name of the link. */
  id: z.string().min(1).default('ax25'),
  /** Our station: callsign and SSID, carried as the source of every frame. */
  callsign: StationAddressSchema,
  /** Destination of broadcast UI frames: every gateway in range listens to it. */
  group: StationAddressSchema.prefault('BUNKER'),
  tnc: TncConnectionSchema,
  kiss: KissParamsSchema.prefault({}),
  arq: ArqOptionsSchema.prefault({}),
  dutyCycle: DutyCycleSchema.prefault({}),
  aprs: AprsOptionsSchema.prefault({}),
  /** Radio modulation rate, bit/s: airtime estimates and `capabilities.nominalBitrateBps`. */
  bitrateBps: z.number().positive().default(1_200),
  /** Largest payload of one `send()`, bytes (a block of a few dozen transactions). */
  mtu: z.number().int().min(1).max(1 << 20).default(8_192),
  /** Most payload bytes waiting or in flight over all peers before `send` rejects with ERR_QUEUE_FULL. */
  maxQueueBytes: z.number().int().positive().default(256 * 1024),
  /** A write the device has not taken after this long takes the link down, ms. */
  writeTimeoutMs: z.number().int().positive().default(10_000),
  /** A partial KISS frame with no new byte for this long is dropped, ms. */
  interByteTimeoutMs: z.number().int().positive().default(1_000),
  /** How often Direwolf's `TXBUF:` is asked while frames wait in the TNC, ms. */
  txbufPollMs: z.number().int().positive().default(500),
  /** A TNC that has not answered `TXBUF:` after this long does not support it, ms. */
  txbufTimeoutMs: z.number().int().positive().default(2_000),
})
/** AX.25 transport options as written in config (defaults optional). */
export type Ax25TransportOptions = z.input<typeof Ax25TransportOptionsSchema>
/** AX.25 transport options after validation and defaults. */
export type Ax25Config = z.output<typeof Ax25TransportOptionsSchema>
