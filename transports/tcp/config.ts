/**
 * Options of the TCP transport between gateways.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { normaliseFingerprint } from './tls-identity.js'

/** A SHA-256 certificate fingerprint: 64 hex digits, colons optional, any case; parsed to `AB:CD:…`. */
export const CertFingerprintSchema = z.string().transform((text, ctx) => {
  const fingerprint = normaliseFingerprint(text)
  if (fingerprint !== undefined) return fingerprint
  ctx.addIssue({ code: 'custom', message: 'expected a SHA-256 fingerprint: 64 hex digits, colons optional' })
  return z.NEVER
})

/**
 * TLS on a TCP link between gateways over the internet (never on radio: radio links stay readable by
 * law). TLS 1.3 only, both ends present self-signed certificates, each pinned by fingerprint.
 */
export const TcpTlsOptionsSchema = z.strictObject({
  /** Our certificate, PEM. */
  certFile: z.string().min(1),
  /** Our private key, PEM. */
  keyFile: z.string().min(1),
  /** Fingerprint each dialled peer must present, keyed by `host:port` exactly as dialled. */
  pins: z.record(z.string().min(1), CertFingerprintSchema).default({}),
  /** Further fingerprints allowed to dial us; every fingerprint in `pins` may dial us too. */
  clientPins: z.array(CertFingerprintSchema).default([]),
})
/** TLS options as written in config. */
export type TcpTlsOptions = z.input<typeof TcpTlsOptionsSchema>

/** TCP transport options; defaults in the schema. */
export const TcpTransportOptionsSchema = z.strictObject({
  /** Config name of the link. */
  id: z.string().min(1).default('tcp'),
  /** Where to accept other gateways; omit to only dial out. Port 0 picks a free port. */
  listen: z.strictObject({ host: z.string().default('0.0.0.0'), port: z.number().int().min(0).max(65535) }).optional(),
  /** Largest payload per frame, bytes. */
  mtu: z.number().int().positive().max(2 * 1024 * 1024 - 1).default(64 * 1024),
  /** Most bytes queued to one peer before `send` waits for the socket to drain, bytes. */
  maxQueueBytes: z.number().int().positive().default(1024 * 1024),
  /** Outbound connect timeout (with TLS: the handshake and the peer's acceptance too, and the listener's handshake limit), ms. */
  connectTimeoutMs: z.number().int().positive().default(10_000),
  /** TCP keepalive probe delay, ms. */
  keepAliveMs: z.number().int().positive().default(30_000),
  /** A connection silent this long is closed (it is re-dialled on the next send), ms. */
  idleTimeoutMs: z.number().int().positive().default(10 * 60_000),
  /** Most inbound connections (TLS handshakes in progress included); the excess is closed at once. */
  maxInbound: z.number().int().positive().default(64),
  /** Most inbound connections from one IP address, so one host cannot take every slot. */
  maxInboundPerAddress: z.number().int().positive().default(4),
  /** A peer that takes none of our queued bytes for this long while a send waits is dropped as a slow reader, ms. */
  stallTimeoutMs: z.number().int().positive().default(30_000),
  /** Mutually pinned TLS 1.3 on every connection, in and out; omit for plain TCP (a LAN, a VPN). */
  tls: TcpTlsOptionsSchema.optional(),
})
/** TCP transport options as written in config (defaults optional). */
export type TcpTransportOptions = z.input<typeof TcpTransportOptionsSchema>
