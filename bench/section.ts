/**
 * A benchmark section and how one is run: a section measures and returns its rows, table and notes;
 * a section not written yet says why instead. A section that throws is recorded as crashed with its
 * error, and the run goes on with the next one (the runner then exits non-zero). Figures never fail
 * a run: no section compares a figure with a limit to decide anything.
 *
 * @packageDocumentation
 */
import type { BenchContext } from './bench-context.js'
import type { BenchTable, SectionResult } from './results-model.js'

/** What a section measured. */
export interface Measurement {
  rows: unknown[]
  table: BenchTable
  notes: string[]
}

/** One section of `npm run bench`. */
export interface BenchSection {
  readonly id: string
  readonly title: string
  /** Measures; absent for a section that is not measured yet. */
  readonly measure?: (ctx: BenchContext) => Promise<Measurement>
  /** Why the section is not measured yet (when `measure` is absent). */
  readonly pending?: string
}

/** The line a section that is not measured yet prints. */
export const NOT_MEASURED = 'not measured yet'

/** Runs one section; a throw becomes a `crashed` result carrying the error. */
export async function runSection(section: BenchSection, ctx: BenchContext): Promise<SectionResult> {
  const { id, title } = section
  if (section.measure === undefined) {
    return { id, title, status: 'not-measured', seconds: 0, notes: [`${NOT_MEASURED}: ${section.pending ?? 'no benchmark yet'}`], rows: [] }
  }
  const started = performance.now()
  const seconds = (): number => (performance.now() - started) / 1000
  try {
    const m = await section.measure(ctx)
    return { id, title, status: 'measured', seconds: seconds(), table: m.table, notes: m.notes, rows: m.rows }
  } catch (e) {
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e)
    return { id, title, status: 'crashed', seconds: seconds(), notes: [`crashed: ${message}`], rows: [] }
  }
}
