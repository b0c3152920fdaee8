/**
 * Options of the TCP transport between gateways.
 *
 * @packageDocumentation
 */
import { z } from 'zod'

/** TCP transport options; defaults in the schema. */
export const TcpTransportOptionsSchema = z.object({
  /** Config name of the link. */
  id: z.string().min(1).default('tcp'),
  /** Where to accept other gateways; omit to only dial out. Port 0 picks a free port. */
  listen: z.object({ host: z.string().default('0.0.0.0'), port: z.number().int().min(0).max(65535) }).optional(),
  /** Largest payload per frame, bytes. */
  mtu: z.number().int().positive().max(2 * 1024 * 1024 - 1).default(64 * 1024),
  /** Most bytes queued to one peer before `send` waits for the socket to drain, bytes. */
  maxQueueBytes: z.number().int().positive().default(1024 * 1024),
  /** Outbound connect timeout, ms. */
  connectTimeoutMs: z.number().int().positive().default(10_000),
  /** TCP keepalive probe delay, ms. */
  keepAliveMs: z.number().int().positive().default(30_000),
  /** A connection silent this long is closed (it is re-dialled on the next send), ms. */
  idleTimeoutMs: z.number().int().positive().default(10 * 60_000),
})
/** TCP transport options as written in config (defaults optional). */
export type TcpTransportOptions = z.input<typeof TcpTransportOptionsSchema>
