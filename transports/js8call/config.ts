/**
 * Options of the JS8Call transport, validated by zod. Link-protocol times are in JS8 periods where
 * they follow the speed (a wait that suits Turbo is far too short at Slow), API times in wall ms.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { Js8SpeedNameSchema } from './speed.js'

/** A JS8 callsign as JS8Call writes it: upper case letters, digits and `/` (portable suffixes). */
export const CallsignSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]+(?:\/[A-Z0-9]+)*$/, 'a callsign is letters, digits and /')
  .max(12)

/** A JS8 group: `@` and a name (`@BNKR`); JS8Call sends group traffic to everyone in it. */
export const GroupSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^@[A-Z0-9/]{1,8}$/, 'a group is @ and up to 8 letters, digits or /')

/** JS8Call transport options; defaults in the schema. */
export const Js8CallTransportOptionsSchema = z.strictObject({
  /** Config name of the link. */
  id: z.string().min(1).default('js8call'),
  /** JS8Call's TCP API (it is the server). */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(2442),
  /** Our callsign; start fails unless JS8Call's matches. Omitted: use whatever JS8Call has. */
  callsign: CallsignSchema.optional(),
  /** Our Maidenhead grid; checked against JS8Call's (a shorter one matches its prefix). */
  grid: z.string().trim().toUpperCase().regex(/^[A-R]{2}[0-9]{2}(?:[A-X]{2})?$/).optional(),
  /** Required JS8 speed; omitted: whatever JS8Call runs (JS8Call 2.2 cannot switch it over the API). */
  speed: Js8SpeedNameSchema.optional(),
  /** Group that receives our announcements (sends without `to`), and whose traffic we read. */
  group: GroupSchema.default('@BNKR'),
  /** Largest payload of one `send`, bytes (cut into fragments on air). */
  mtu: z.number().int().min(1).max(4096).default(512),
  /**
   * Most JS8 data frames per transmission (10 = 2.5 min at Normal): shorter ones lose less to one
   * bad frame, longer ones spend less on header frames.
   */
  maxFramesPerTransmission: z.number().int().min(2).max(32).default(10),
  /** Hard cap on our transmit time in any hour, ms (10 min = a 17 % duty cycle). */
  maxAirtimeMsPerHour: z.number().int().min(60_000).max(3_600_000).default(600_000),
  /** Wait for an ack after our transmitter falls silent, JS8 periods. */
  ackTimeoutPeriods: z.number().min(2).max(60).default(6),
  /** Random extra wait before a poll: 0 to this many periods, the window doubling each round (up to 16). */
  retryJitterPeriods: z.number().min(0).max(10).default(2),
  /** Rounds of (re)transmission per directed message before it is given up. */
  maxRounds: z.number().int().min(1).max(20).default(5),
  /** A decode heard within this many JS8 periods means the channel is in use: new data waits. */
  quietPeriods: z.number().min(0).max(10).default(1),
  /**
   * Slack on JS8Call's period timing, ms of the link clock: the transmitter counts as idle when
   * PTT stayed off this long past the next period start. Raise it for time-scaled simulations.
   */
  txGapSlackMs: z.number().int().min(0).max(30_000).default(1_000),
  /**
   * Sent messages kept to answer requests for missing fragments, and partial messages kept for
   * their missing fragments, ms: longer than the airtime cap may hold a retransmission back.
   */
  retainSentMs: z.number().int().positive().default(2 * 3_600_000),
  /** Most payload bytes waiting for the air before `send` fails with ERR_QUEUE_FULL. */
  maxQueueBytes: z.number().int().positive().default(16 * 1024),
  /** Deadline for JS8Call to answer an API request, wall ms. */
  requestTimeoutMs: z.number().int().positive().default(5_000),
  /** Connect timeout, wall ms. */
  connectTimeoutMs: z.number().int().positive().default(5_000),
  /** How often JS8Call is probed for liveness and its callsign re-read, wall ms. */
  livenessIntervalMs: z.number().int().positive().default(15_000),
})
/** JS8Call transport options as written in config (defaults optional). */
export type Js8CallTransportOptions = z.input<typeof Js8CallTransportOptionsSchema>
/** JS8Call transport options with defaults applied. */
export type Js8CallConfig = z.output<typeof Js8CallTransportOptionsSchema>
