/**
 * `npm run bench [-- --full]`: runs every section (bench/sections.ts), prints each as it finishes and
 * writes bench/results.json and bench/results.md. Quick mode (the default) stays under two minutes on
 * a 2-core machine; `--full` moves bigger transfers and times longer. Exits 1 when a section crashed,
 * 2 on an unknown argument, and never because of a figure. This is the one place benchmark output
 * is printed.
 *
 * @packageDocumentation
 */
import { writeFileSync } from 'node:fs'
import { reportMarkdown, sectionMarkdown } from './report.js'
import type { BenchMode } from './results-model.js'
import { exitCodeOf, runBench } from './sections.js'

function modeOf(args: readonly string[]): BenchMode | undefined {
  const unknown = args.filter((a) => a !== '--full')
  return unknown.length > 0 ? undefined : args.includes('--full') ? 'full' : 'quick'
}

const mode = modeOf(process.argv.slice(2))
if (mode === undefined) {
  process.stderr.write('usage: npm run bench [-- --full]\n')
  process.exit(2)
}
process.stderr.write(`bench: ${mode} mode\n`)
const results = await runBench(mode, undefined, (s) => {
  process.stdout.write(`${sectionMarkdown(s)}\n`)
  process.stderr.write(`bench: ${s.id} ${s.status} in ${s.seconds.toFixed(1)} s\n`)
})
const dir = new URL('./', import.meta.url)
writeFileSync(new URL('results.json', dir), `${JSON.stringify(results, null, 2)}\n`)
writeFileSync(new URL('results.md', dir), reportMarkdown(results))
process.exitCode = exitCodeOf(results)
