/**
 * What a running gateway reports about itself: the `/status` JSON, the status page's data and what
 * `bunker-gateway status` prints. One schema, so the server, the page and the CLI read the same shape.
 *
 * @packageDocumentation
 */
import { z } from 'zod'

/** One link's quality readings; a field is absent when unknown or stale. */
export const QualityStatusSchema = z.object({
  /** dB */
  snrDb: z.number().optional(),
  /** ms */
  rttMs: z.number().optional(),
  /** Share of failed sends, 0–1. */
  loss: z.number().optional(),
  /** Bytes acknowledged per second. */
  goodputBps: z.number().optional(),
  /** Modem rate, bit/s. */
  bitrateBps: z.number().optional(),
  /** ms since the epoch */
  lastHeardAt: z.number().optional(),
  stale: z.boolean(),
})

/** One link of the gateway. */
export const LinkStatusSchema = QualityStatusSchema.extend({
  id: z.string(),
  kind: z.enum(['tcp', 'ax25', 'vara', 'js8call']),
  state: z.enum(['stopped', 'starting', 'up', 'down']),
  /** Why it is in that state (the transport's reason). */
  reason: z.string().optional(),
  /** ms since the epoch */
  stateSince: z.number().optional(),
  /** Time-weighted share of time up, 0–1. */
  availability: z.number(),
  busy: z.boolean().optional(),
  /** Bytes we transmitted on it since start (every fragment). */
  bytesSent: z.number().int().nonnegative(),
  /** Bytes received on it since start. */
  bytesReceived: z.number().int().nonnegative(),
  /** Airtime budget left, 0–1; absent when the link has no budget. */
  budgetLeft: z.number().optional(),
})
/** One link of the gateway. */
export type LinkStatus = z.infer<typeof LinkStatusSchema>

/** One peer gateway. */
export const PeerStatusSchema = z.object({
  name: z.string(),
  /** Its announced tip. */
  height: z.number().int().optional(),
  tip: z.string().optional(),
  /** The link traffic to it currently uses. */
  currentLink: z.string().optional(),
  /** Links it was heard on, with when (ms since the epoch). */
  heard: z.record(z.string(), z.number()),
  /** Outbound queue: waiting, sent and unacknowledged, and their payload bytes. */
  queued: z.number().int().nonnegative(),
  inFlight: z.number().int().nonnegative(),
  pendingBytes: z.number().int().nonnegative(),
  /** Catching up from this peer: blocks done and total, when a sync runs. */
  sync: z.object({ done: z.number().int(), total: z.number().int() }).optional(),
})
/** One peer gateway. */
export type PeerStatus = z.infer<typeof PeerStatusSchema>

/** The whole status report. */
export const GatewayStatusSchema = z.object({
  station: z.string(),
  version: z.string(),
  /** ms since the epoch */
  startedAt: z.number(),
  now: z.number(),
  /** `gateway` with a node of its own, `relay` without. */
  role: z.enum(['gateway', 'relay']),
  chain: z.object({ height: z.number().int(), tip: z.string().nullable(), mempool: z.number().int() }),
  /** Whether the node link is connected, when there is one. */
  node: z.object({ connected: z.boolean(), queued: z.number().int() }).optional(),
  links: z.array(LinkStatusSchema),
  peers: z.array(PeerStatusSchema),
  /** Counters since start. */
  counters: z.object({
    txRelayed: z.number().int(),
    blocksRelayed: z.number().int(),
    rejected: z.number().int(),
    failovers: z.number().int(),
  }),
})
/** The whole status report. */
export type GatewayStatus = z.infer<typeof GatewayStatusSchema>
