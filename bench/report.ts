/**
 * Benchmark results as markdown: one heading per section, its table with padded columns (readable
 * in a terminal and valid markdown), and its notes. The terminal and bench/results.md get the same text.
 *
 * @packageDocumentation
 */
import type { BenchResults, BenchTable, SectionResult } from './results-model.js'

/** A markdown table whose columns are padded to line up; numeric-looking columns align right. */
export function markdownTable(t: BenchTable): string {
  const widths = t.columns.map((c, i) => Math.max(c.length, ...t.rows.map((r) => (r[i] ?? '').length)))
  const right = t.columns.map((_, i) => t.rows.length > 0 && t.rows.every((r) => /^[\d\s.,−-]+(\s?[%×]|\s?B\/s)?$|^—$/.test(r[i] ?? '')))
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (right[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`
  const rule = `| ${widths.map((w, i) => (right[i] ? `${'-'.repeat(Math.max(w - 1, 2))}:` : '-'.repeat(Math.max(w, 3)))).join(' | ')} |`
  return [line(t.columns), rule, ...t.rows.map(line)].join('\n')
}

/** One section: heading, table (if any) and notes as a list. */
export function sectionMarkdown(s: SectionResult): string {
  const parts = [`## ${s.title}`]
  if (s.table !== undefined) parts.push(markdownTable(s.table))
  if (s.notes.length > 0) parts.push(s.notes.map((n) => `- ${n}`).join('\n'))
  return `${parts.join('\n\n')}\n`
}

/** The first lines of the report: what ran where. */
export function reportHeader(r: Pick<BenchResults, 'mode' | 'node' | 'cpu' | 'generatedAt'>): string {
  return `# bunker-gateway benchmark results\n\n${r.mode} mode, Node ${r.node} on ${r.cpu}, ${r.generatedAt}.\n`
}

/** The whole report. */
export function reportMarkdown(r: BenchResults): string {
  return [reportHeader(r), ...r.sections.map(sectionMarkdown)].join('\n')
}
