/**
 * `npm run bench`: prints the benchmark tables and writes them to bench/results.json and
 * bench/results.md. This is the one place benchmark output is printed.
 *
 * @packageDocumentation
 */
import { writeFileSync } from 'node:fs'
import { measureWireSizes, type WireSizeRow } from './wire-sizes.js'

function table(rows: WireSizeRow[]): string {
  const head = '| corpus item | NDJSON B | plain CBOR B | wire B | wire / NDJSON |\n| --- | ---: | ---: | ---: | ---: |'
  const body = rows.map((r) => `| ${r.item} | ${r.ndjson} | ${r.cbor} | ${r.wire} | ${(100 * r.wireShare).toFixed(1)} % |`)
  return [head, ...body].join('\n')
}

const sizes = measureWireSizes()
const markdown = `# bunker-gateway benchmark results\n\n## Bytes on air (fixed corpus)\n\n${table(sizes)}\n`
console.log(markdown)
const dir = new URL('./', import.meta.url)
writeFileSync(new URL('results.json', dir), `${JSON.stringify({ generatedAt: new Date().toISOString(), node: process.version, wireSizes: sizes }, null, 2)}\n`)
writeFileSync(new URL('results.md', dir), markdown)
