/**
 * `npm run bench [-- --full] [--only id,...]`: runs every section (bench/sections.ts), or the ones
 * named, prints each as it finishes and, for a whole run, writes bench/results.json and
 * bench/results.md. Quick mode (the default) stays under two minutes on a 2-core machine; `--full`
 * moves bigger transfers and times longer. Exits 1 when a section crashed, 2 on an unknown argument
 * or section, and never because of a figure. This is the one place benchmark output is printed.
 *
 * @packageDocumentation
 */
import { writeFileSync } from 'node:fs'
import { reportMarkdown, sectionMarkdown } from './report.js'
import type { BenchMode } from './results-model.js'
import { BENCH_SECTIONS, exitCodeOf, runBench } from './sections.js'

interface BenchArgs {
  mode: BenchMode
  /** Section ids to run; every section when empty. */
  only: string[]
}

/** `[--full] [--only id[,id...]]`; undefined on anything else or an unknown section id. */
function parseArgs(args: readonly string[]): BenchArgs | undefined {
  const out: BenchArgs = { mode: 'quick', only: [] }
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--full') out.mode = 'full'
    else if (args[i] === '--only' && args[i + 1] !== undefined) out.only.push(...(args[++i] as string).split(','))
    else return undefined
  }
  return out.only.every((id) => BENCH_SECTIONS.some((s) => s.id === id)) ? out : undefined
}

const args = parseArgs(process.argv.slice(2))
if (args === undefined) {
  process.stderr.write(`usage: npm run bench [-- [--full] [--only ${BENCH_SECTIONS.map((s) => s.id).join('|')}[,...]]]\n`)
  process.exit(2)
}
const sections = args.only.length === 0 ? BENCH_SECTIONS : BENCH_SECTIONS.filter((s) => args.only.includes(s.id))
process.stderr.write(`bench: ${args.mode} mode${args.only.length === 0 ? '' : `, only ${args.only.join(', ')}`}\n`)
const results = await runBench(args.mode, sections, (s) => {
  process.stdout.write(`${sectionMarkdown(s)}\n`)
  process.stderr.write(`bench: ${s.id} ${s.status} in ${s.seconds.toFixed(1)} s\n`)
})
if (args.only.length === 0) {
  // a partial run prints its tables but leaves the recorded full set alone
  const dir = new URL('./', import.meta.url)
  writeFileSync(new URL('results.json', dir), `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(new URL('results.md', dir), reportMarkdown(results))
}
process.exitCode = exitCodeOf(results)
