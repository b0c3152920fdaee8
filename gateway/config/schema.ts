/**
 * The gateway's configuration as one zod schema: what `bunker-gateway run --config FILE` reads from
 * TOML, with every default in the schema. Keys are the camelCase names of the option schemas they
 * feed (one spelling everywhere: config, code and error paths). A station without a `[node]` section
 * is a relay station (a hilltop joining two radio segments).
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { StationIdSchema } from '../../codecs/wire-gateway.js'
import { Ax25TransportOptionsSchema } from '../../transports/ax25/config.js'
import { Js8CallTransportOptionsSchema } from '../../transports/js8call/config.js'
import { TcpTransportOptionsSchema } from '../../transports/tcp/config.js'
import { VaraOptionsFieldsSchema, checkVaraOptions } from '../../transports/vara/config.js'
import { LinkMonitorOptionsSchema } from '../link-monitor/monitor.js'
import { PolicyConfigSchema } from '../link-monitor/policy-config.js'

/** A link's config name: what logs, metrics, `preference` and peer addresses call it. */
export const LinkIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'a link name of 1–32 characters a-z 0-9 _ - (e.g. "vhf-packet")')

/** `host:port` (IPv6 in brackets). */
export const HostPortSchema = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'host:port, e.g. "127.0.0.1:7000"')

/** How often a broadcast link beacons our `hello`, ms; 0 never. Polite defaults per kind. */
const beaconIntervalMs = (defaultMs: number) => z.number().int().refine((v) => v === 0 || v >= 60_000, 'at least 60 000 ms (or 0: never)').default(defaultMs)

/** One link section as written: a transport's options plus what the gateway does with the link. */
export const LinkSectionSchema = z.discriminatedUnion('type', [
  TcpTransportOptionsSchema.omit({ id: true }).extend({ type: z.literal('tcp') }),
  Ax25TransportOptionsSchema.omit({ id: true }).extend({ type: z.literal('ax25'), beaconIntervalMs: beaconIntervalMs(600_000) }),
  VaraOptionsFieldsSchema.omit({ id: true }).extend({ type: z.literal('vara') }).superRefine(checkVaraOptions),
  Js8CallTransportOptionsSchema.omit({ id: true }).extend({ type: z.literal('js8call'), beaconIntervalMs: beaconIntervalMs(1_800_000) }),
])
/** A link section as written (what the transport's constructor takes). */
export type LinkSectionInput = z.input<typeof LinkSectionSchema>

/**
 * One link: the section validated with defaults filled in, and the section `input` as written, which
 * is what the transport's own constructor parses (its schema transforms, e.g. callsigns into
 * addresses, cannot be applied twice). Problems are reported at their path inside the section.
 */
export const LinkConfigSchema = z.unknown().transform((raw, ctx) => {
  const parsed = LinkSectionSchema.safeParse(raw)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.issues.push({ ...issue, input: raw } as z.core.$ZodRawIssue)
    return z.NEVER
  }
  return { ...parsed.data, input: raw as LinkSectionInput }
})
/** One link as configured (after defaults), with its section as written. */
export type LinkConfig = z.infer<typeof LinkConfigSchema>

/** A peer gateway: its station id and its address on each link that reaches it. */
export const PeerConfigSchema = z.strictObject({
  /** Callsign (radio) or lower-case name (TCP only): what its `hello` says. */
  name: StationIdSchema,
  /** Link name → address there: `host:port` on TCP, its callsign on radio. */
  addresses: z.record(LinkIdSchema, z.string().min(1)).default({}),
})
/** A configured peer gateway. */
export type PeerConfig = z.infer<typeof PeerConfigSchema>

/** How the gateway reaches its own Bunkercoin node. */
export const NodeConfigSchema = z
  .strictObject({
    /** The node's TCP P2P protocol (NDJSON, port 7000): we dial `peers` and optionally listen. */
    p2p: z
      .strictObject({
        /** Nodes to dial, `host:port`. */
        peers: z.array(HostPortSchema).default([]),
        /** Where nodes may dial us, `host:port`; omitted: we only dial. */
        listen: HostPortSchema.optional(),
      })
      .optional(),
    /** The node's HTTP API instead, e.g. `http://127.0.0.1:10000`. */
    http: z
      .strictObject({
        url: z.url(),
        /** Time between polls of `/sync`, ms. */
        pollIntervalMs: z.number().int().min(1_000).default(30_000),
      })
      .optional(),
  })
  .refine((n) => (n.p2p === undefined) !== (n.http === undefined), 'give exactly one of node.p2p or node.http')

/** The whole configuration file. */
export const GatewayConfigSchema = z.strictObject({
  station: z.strictObject({
    /** Our station id: the callsign with SSID every transmission identifies (or a lower-case name on TCP-only setups). */
    id: StationIdSchema,
    /** Where the durable store lives (systemd's StateDirectory). */
    stateDir: z.string().min(1).default('/var/lib/bunker-gateway'),
  }),
  /** Our own node; absent: a relay station. */
  node: NodeConfigSchema.optional(),
  /** Links by name. */
  links: z.record(LinkIdSchema, LinkConfigSchema).default({}),
  /** Peer gateways we know of in advance (others are learned from their beacons). */
  peers: z.array(PeerConfigSchema).default([]),
  policy: PolicyConfigSchema.prefault({}),
  monitor: LinkMonitorOptionsSchema.prefault({}),
  /** `/status`, `/metrics` and the status page; loopback only unless told otherwise. */
  status: z
    .strictObject({
      enabled: z.boolean().default(true),
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65_535).default(8_470),
    })
    .prefault({}),
  log: z.strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info') }).prefault({}),
  /** How long SIGTERM may take to flush before the rest is left in the store, ms. */
  shutdownTimeoutMs: z.number().int().min(0).default(10_000),
})
/** The configuration after validation and defaults. */
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>
/** The configuration as written (defaults optional). */
export type GatewayConfigInput = z.input<typeof GatewayConfigSchema>
