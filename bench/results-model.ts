/**
 * The shape of benchmark results (bench/results.json): one result per section, each with its data
 * rows (typed per section below) and the table printed for them. Figures are data, never verdicts:
 * a section either measured, is not measured yet, or crashed.
 *
 * @packageDocumentation
 */
import { z } from 'zod'

/** `tiny` (the shape test), `quick` (the default, under two minutes) or `full` (`--full`). */
export const BenchModeSchema = z.enum(['tiny', 'quick', 'full'])
/** How much a benchmark run measures. */
export type BenchMode = z.infer<typeof BenchModeSchema>

/** A printed table: column heads and formatted cells. */
export const BenchTableSchema = z
  .object({ columns: z.array(z.string()).min(1), rows: z.array(z.array(z.string())) })
  .refine((t) => t.rows.every((r) => r.length === t.columns.length), 'every row has one cell per column')
/** A printed table. */
export type BenchTable = z.infer<typeof BenchTableSchema>

/** What came of one section. */
export const SectionResultSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  status: z.enum(['measured', 'not-measured', 'crashed']),
  /** Wall time the section took, s. */
  seconds: z.number().min(0),
  table: BenchTableSchema.optional(),
  /** Method, references and caveats, one sentence or formula each. */
  notes: z.array(z.string()),
  /** The section's data rows (see the row schemas). */
  rows: z.array(z.unknown()),
})
/** What came of one section. */
export type SectionResult = z.infer<typeof SectionResultSchema>

/** The whole of bench/results.json. */
export const BenchResultsSchema = z.object({
  generatedAt: z.string(),
  mode: BenchModeSchema,
  node: z.string(),
  cpu: z.string(),
  sections: z.array(SectionResultSchema),
})
/** The whole of bench/results.json. */
export type BenchResults = z.infer<typeof BenchResultsSchema>

const count = z.number().int().min(0)
const share = z.number().min(0)

/** Bytes on air for one corpus item (section `bytes-on-air`). */
export const WireSizeRowSchema = z.object({
  item: z.string(),
  /** The seed's NDJSON line(s) with newline, bytes. */
  ndjson: count,
  /** cbor-x `encode` of the same objects as the NDJSON (maps with field names), bytes. */
  cbor: count,
  /** Our envelopes as sent (compression auto), bytes. */
  wire: count,
  /** Which envelopes `wire` counts. */
  wireForm: z.string(),
  /** wire ÷ ndjson. */
  wireShare: share,
  /** Largest share the issue asks for, or null. */
  target: share.nullable(),
  /** Incompressible bytes (keys, signatures) ÷ ndjson: no self-contained encoding goes below it. */
  floorShare: share,
  verdict: z.enum(['met', 'missed', 'unreachable', 'no target']),
})
/** Bytes on air for one corpus item. */
export type WireSizeRow = z.infer<typeof WireSizeRowSchema>

/** Goodput of one link profile (section `goodput`). */
export const GoodputRowSchema = z.object({
  link: z.string(),
  /** Channel description: bitrate, level. */
  channel: z.string(),
  /** Per-frame loss probability, 0..1. */
  lossRate: share,
  /** Payload bytes moved. */
  bytes: count,
  /** Transfer time, simulated s. */
  seconds: z.number().positive(),
  goodputBytesPerSec: z.number().positive(),
  /** The channel's airtime bound, bytes/s. */
  boundBytesPerSec: z.number().positive(),
  /** How the bound is derived. */
  bound: z.string(),
  /** goodput ÷ bound. */
  share,
  /** The same counting the link setup (VARA's connect); equal to `share` where there is none. */
  shareWithSetup: share,
  /** Direwolf's published figure for the same bitrate and loss, or null where it has none. */
  direwolf: z.string().nullable(),
})
/** Goodput of one link profile. */
export type GoodputRow = z.infer<typeof GoodputRowSchema>

/** One payload in one JS8 text encoding (section `js8-efficiency`). */
export const Js8EfficiencyRowSchema = z.object({
  item: z.string(),
  payloadBytes: count,
  encoding: z.string(),
  /** Null when JS8's Huffman coder cannot send the text at all. */
  transmissions: count.nullable(),
  dataFrames: count.nullable(),
  headerFrames: count.nullable(),
  /** Useful bits per payload bit of the data frames (0 when unsendable with Huffman). */
  dataFrameEfficiency: share,
  /** The same over every frame, `FROM: TO` header frames included. */
  efficiency: share,
})
/** One payload in one JS8 text encoding. */
export type Js8EfficiencyRow = z.infer<typeof Js8EfficiencyRowSchema>

/** One operation against its reference, both timed in the same run (section `codec-speed`). */
export const CodecSpeedRowSchema = z.object({
  operation: z.string(),
  opsPerSec: z.number().positive(),
  reference: z.string(),
  referenceOpsPerSec: z.number().positive(),
  /** opsPerSec ÷ referenceOpsPerSec (median of interleaved rounds). */
  ratio: z.number().positive(),
})
/** One operation against its reference. */
export type CodecSpeedRow = z.infer<typeof CodecSpeedRowSchema>

const ms = z.number().min(0)

/** One cut of the TCP path while transactions flow (section `failover-time`). */
export const FailoverRowSchema = z.object({
  /** How the TCP path failed (bench/tcp-cut-proxy.ts). */
  cut: z.enum(['reset', 'blackhole']),
  /** The link traffic moved to. */
  backup: z.string(),
  /** Simulated ms per wall ms of the backup link. */
  timeScale: z.number().positive(),
  /** The backup link's ARQ session when the path was cut (`idle`: failing over includes a CONNECT). */
  backupSessionAtCut: z.string(),
  /** Cut → gateway A's router moves the peer to the backup link, wall ms. */
  detectionMs: ms,
  /** Cut → the first transaction node B got that gateway B had received over the backup link, wall ms. */
  firstDeliveryWallMs: ms,
  /** The same on the backup link's simulated clock, ms (host time in it counts × timeScale). */
  firstDeliverySimMs: ms,
  /** detectionMs (the gateway's own reaction, wall) + failover → first delivery on the simulated clock, ms. */
  estimateMs: ms,
  /** Transactions node A sent. */
  sent: count,
  /** Of those, how many reached node B exactly once. */
  deliveredOnce: count,
  /** Never reached node B. */
  lost: count,
  /** Reached node B more than once. */
  duplicated: count,
  /** Gateway B first received over the backup link. */
  viaBackup: count,
})
/** One cut of the TCP path while transactions flow. */
export type FailoverRow = z.infer<typeof FailoverRowSchema>

/** A chain synced over simulated VARA against the time its bytes need at the modem's rate (section `vara-sync-time`). */
export const VaraSyncRowSchema = z.object({
  /** Blocks gateway B was behind. */
  blocks: count,
  /** Simulated ms per wall ms of the link. */
  timeScale: z.number().positive(),
  /** BITRATE the modems reported, bit/s. */
  bitrateBps: z.number().positive(),
  /** B's first getheaders → B's tip equals A's, simulated s. */
  seconds: z.number().positive(),
  /** Both gateways' `sent` bytes on the VARA link in that window. */
  bytesOnAir: count,
  /** Gateway A's share of bytesOnAir: the serving direction (headers, bodies, its acks). */
  servedBytes: count,
  /** servedBytes × 8 ÷ seconds ÷ bitrate: the serving direction's rate as a share of BITRATE. */
  servedShare: share,
  /** bytesOnAir × 8 ÷ bitrate, s. */
  boundSeconds: z.number().positive(),
  /** seconds ÷ boundSeconds (1.0: the link was never idle). */
  timeRatio: share,
  /** `headers` in → B's next request out (rebuilding, a VDF per linked header, the headers of its first runs), wall ms. */
  rebuildWallMs: ms,
  /** The same on the simulated clock, s (wall × timeScale, the stretch a time-scaled run puts on host CPU). */
  rebuildSimSeconds: z.number().min(0),
  /** Event-loop stalls in the window, the rebuild's included (each stretched ×timeScale on the link), wall ms. */
  hostStallWallMs: ms,
  /** Time any frame (data, ACK, control) was on air in the window, simulated s. */
  airBusySeconds: z.number().min(0),
  /** Σ `block` envelope (uncompressed) of the blocks B lacked, bytes. */
  wireBytes: count,
  /** bytesOnAir ÷ wireBytes. */
  bytesRatio: share,
})
/** A chain synced over simulated VARA. */
export type VaraSyncRow = z.infer<typeof VaraSyncRowSchema>

/** One gateway process over a window (section `footprint`). */
export const FootprintRowSchema = z.object({
  scenario: z.string(),
  /** Window length, wall s. */
  seconds: z.number().positive(),
  /** Transactions offered per second (0 idle). */
  txPerSecond: z.number().min(0),
  /** Transactions node A sent in the window, and how many of them the far node got (null when idle). */
  sent: count.nullable(),
  delivered: count.nullable(),
  /** Resident set size at the end of the window, MiB. */
  rssMiB: z.number().positive(),
  /** Highest RSS sampled in the window (every 100 ms), MiB. */
  peakRssMiB: z.number().positive(),
  /** V8 heap in use at the end, MiB. */
  heapUsedMiB: z.number().positive(),
  /** CPU time (user + system) ÷ wall time: share of one core. */
  cpuShare: share,
  /** cpuShare × the stated Pi 4 factor: share of one Cortex-A72 core at 1.5 GHz. */
  pi4CpuShare: share,
})
/** One gateway process over a window. */
export type FootprintRow = z.infer<typeof FootprintRowSchema>
