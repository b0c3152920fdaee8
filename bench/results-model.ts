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
