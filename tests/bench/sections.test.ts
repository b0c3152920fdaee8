/**
 * Every benchmark section run in tiny mode: the result has the shape bench/results.json promises
 * (not the figures, which are the benchmark's business), a placeholder says it is not measured,
 * and a crash, never a figure, makes the run fail.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { createBenchContext, type BenchContext } from '../../bench/bench-context.js'
import { base32Text } from '../../bench/js8-efficiency.js'
import { markdownTable, reportMarkdown, sectionMarkdown } from '../../bench/report.js'
import {
  BenchResultsSchema, CodecSpeedRowSchema, FailoverRowSchema, FootprintRowSchema, GoodputRowSchema, Js8EfficiencyRowSchema, SectionResultSchema,
  VaraSyncRowSchema, WireSizeRowSchema, type SectionResult,
} from '../../bench/results-model.js'
import { NOT_MEASURED, runSection } from '../../bench/section.js'
import { BENCH_SECTIONS, exitCodeOf, runBench } from '../../bench/sections.js'

const ROW_SCHEMAS: Record<string, z.ZodType> = {
  'bytes-on-air': WireSizeRowSchema,
  goodput: GoodputRowSchema,
  'js8-efficiency': Js8EfficiencyRowSchema,
  'codec-speed': CodecSpeedRowSchema,
  'failover-time': FailoverRowSchema,
  'vara-sync-time': VaraSyncRowSchema,
  footprint: FootprintRowSchema,
}

let ctx: BenchContext

beforeAll(() => {
  ctx = createBenchContext('tiny')
  ctx.corpus() // 7 VDFs, once for the file
})

const results = new Map<string, Promise<SectionResult>>()

/** Runs a section once for the file and fails with its own error text if it crashed. */
async function measured(id: string): Promise<SectionResult> {
  const section = BENCH_SECTIONS.find((s) => s.id === id)
  if (section === undefined) throw new Error(`no section ${id}`)
  if (!results.has(id)) results.set(id, runSection(section, ctx).then((r) => SectionResultSchema.parse(r)))
  const r = await (results.get(id) as Promise<SectionResult>)
  expect(r.notes.join('\n')).not.toMatch(/^crashed/)
  expect(r.status).toBe('measured')
  return r
}

describe('benchmark sections in tiny mode', () => {
  it.each(Object.keys(ROW_SCHEMAS))('%s returns typed rows and a table with one line per row', async (id) => {
    const r = await measured(id)
    const schema = ROW_SCHEMAS[id] as z.ZodType
    expect(r.rows.length).toBeGreaterThan(0)
    for (const row of r.rows) schema.parse(row)
    expect(r.table?.rows).toHaveLength(r.rows.length)
    expect(r.notes.length).toBeGreaterThan(0)
    expect(sectionMarkdown(r)).toContain(`## ${r.title}`)
  }, 60_000)

  it('covers the corpus items and every link family the issue names', async () => {
    const sizes = (await measured('bytes-on-air')).rows.map((row) => WireSizeRowSchema.parse(row))
    expect(sizes.map((s) => s.wireForm)).toEqual(['tx', 'block', 'cmpctblock', 'getheaders, headers, getbodies, bodies, ack'])
    expect(sizes.map((s) => s.target)).toEqual([0.2, null, 0.03, 0.15])
    const links = (await measured('goodput')).rows.map((row) => GoodputRowSchema.parse(row))
    expect(links.map((l) => l.link.split(' (')[0])).toEqual([
      'AX.25', 'AX.25', 'AX.25', 'AX.25', 'VARA HF 2300 Hz', 'VARA FM', 'JS8Call Normal',
    ])
    expect(links.filter((l) => l.direwolf !== null)).toHaveLength(4) // Direwolf publishes AX.25 figures only
  })

  it('measures every section the runner lists', () => {
    expect(BENCH_SECTIONS.map((s) => s.id).sort()).toEqual(Object.keys(ROW_SCHEMAS).sort())
  })

  it('failover: the tiny flow reaches node B over VARA after the cut, each transaction once', async () => {
    const [row] = (await measured('failover-time')).rows.map((r) => FailoverRowSchema.parse(r))
    expect(row).toMatchObject({ cut: 'reset', sent: 6, deliveredOnce: 6, lost: 0, duplicated: 0 })
    expect(row?.viaBackup).toBeGreaterThan(0)
    expect(row?.firstDeliveryWallMs).toBeGreaterThanOrEqual(row?.detectionMs ?? Infinity)
  }, 30_000)

  it('sync: B catches up the tiny chain over VARA; A serves most of the bytes, with the rebuild inside the measured time', async () => {
    const [row] = (await measured('vara-sync-time')).rows.map((r) => VaraSyncRowSchema.parse(r))
    expect(row?.blocks).toBe(ctx.settings.syncBlocks)
    expect(row?.bytesOnAir).toBeGreaterThan(0)
    expect(row?.rebuildSimSeconds).toBeLessThan(row?.seconds ?? 0)
    expect(row?.servedBytes).toBeGreaterThan(0)
    expect(row?.servedBytes).toBeLessThan(row?.bytesOnAir ?? 0)
  }, 30_000)

  it('footprint: both floors, the idle gateway and the loaded one, every offered transaction delivered', async () => {
    const rows = (await measured('footprint')).rows.map((r) => FootprintRowSchema.parse(r))
    expect(rows.map((r) => r.sent)).toEqual([null, null, null, ctx.settings.footprintSeconds * ctx.settings.footprintTxPerSecond])
    expect(rows.at(-1)?.delivered).toBe(rows.at(-1)?.sent)
    expect(rows[0]?.rssMiB).toBeLessThan(rows[2]?.rssMiB ?? 0) // plain Node.js holds less than a gateway
  }, 60_000)

  it('a section not measured yet prints "not measured yet" and no figure', async () => {
    const r = SectionResultSchema.parse(await runSection({ id: 'later', title: 'Later', pending: 'needs something' }, ctx))
    expect(r).toMatchObject({ status: 'not-measured', rows: [] })
    expect(r.table).toBeUndefined()
    expect(sectionMarkdown(r)).toContain(`${NOT_MEASURED}: needs something`)
  })
})

describe('a benchmark run', () => {
  it('records a crash with its error, goes on, and exits non-zero; figures never fail it', async () => {
    const boom = { id: 'boom', title: 'Throws', measure: () => Promise.reject(new Error('kaput')) }
    const fine = { id: 'fine', title: 'Measures', measure: async () => ({ rows: [1], table: { columns: ['a'], rows: [['1']] }, notes: [] }) }
    const seen: string[] = []
    const results = BenchResultsSchema.parse(await runBench('tiny', [boom, fine], (s) => seen.push(s.id)))
    expect(seen).toEqual(['boom', 'fine'])
    expect(results.sections.map((s) => s.status)).toEqual(['crashed', 'measured'])
    expect(results.sections[0]?.notes[0]).toMatch(/kaput/)
    expect(exitCodeOf(results)).toBe(1)
    expect(exitCodeOf({ ...results, sections: results.sections.slice(1) })).toBe(0)
    expect(BenchResultsSchema.parse(JSON.parse(JSON.stringify(results)))).toEqual(results) // results.json round-trips
    expect(reportMarkdown(results)).toContain('crashed: Error: kaput')
  })
})

describe('report helpers', () => {
  it('pads table columns so every line has the same length, numbers to the right', () => {
    const lines = markdownTable({ columns: ['item', 'bytes'], rows: [['a', '7'], ['longer item', '46 503']] }).split('\n')
    expect(new Set(lines.map((l) => l.length)).size).toBe(1)
    expect(lines[1]).toMatch(/-:\s\|$/)
    expect(lines[2]).toBe('| a           |      7 |')
  })

  it('maps bytes to RFC 4648 Base32 without padding', () => {
    const ascii = (s: string): Uint8Array => new TextEncoder().encode(s)
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map((s) => base32Text(ascii(s)))).toEqual([
      '', 'MY', 'MZXQ', 'MZXW6', 'MZXW6YQ', 'MZXW6YTB', 'MZXW6YTBOI',
    ])
  })
})
