/**
 * The sections of `npm run bench`, in the order (#10), and a run of them.
 *
 * @packageDocumentation
 */
import { cpus } from 'node:os'
import { createBenchContext } from './bench-context.js'
import { codecSpeed } from './codec-speed.js'
import { failoverTime } from './failover-time.js'
import { footprint } from './footprint.js'
import { goodput } from './goodput.js'
import { js8Efficiency } from './js8-efficiency.js'
import type { BenchMode, BenchResults, SectionResult } from './results-model.js'
import { runSection, type BenchSection } from './section.js'
import { varaSyncTime } from './vara-sync-time.js'
import { bytesOnAir } from './wire-sizes.js'

/** Every section, in the order printed. */
export const BENCH_SECTIONS: readonly BenchSection[] = [
  { id: 'bytes-on-air', title: 'Bytes on air (fixed corpus)', measure: bytesOnAir },
  { id: 'goodput', title: 'Goodput per simulated link', measure: goodput },
  { id: 'js8-efficiency', title: 'JS8 encoding efficiency', measure: js8Efficiency },
  { id: 'failover-time', title: 'Failover time (TCP cut to the first transaction delivered over VARA)', measure: failoverTime },
  { id: 'vara-sync-time', title: 'Sync time over simulated VARA against bytes ÷ bitrate', measure: varaSyncTime },
  { id: 'codec-speed', title: 'Codec speed on one core', measure: codecSpeed },
  { id: 'footprint', title: 'Gateway footprint (RSS and CPU, idle and under load; Raspberry Pi 4 estimate)', measure: footprint },
]

/**
 * Runs `sections` one after the other in `mode` (one corpus for all), handing each result to
 * `onSection` as it is ready.
 */
export async function runBench(
  mode: BenchMode,
  sections: readonly BenchSection[] = BENCH_SECTIONS,
  onSection: (r: SectionResult) => void = () => undefined,
): Promise<BenchResults> {
  const ctx = createBenchContext(mode)
  const results: SectionResult[] = []
  for (const section of sections) {
    const r = await runSection(section, ctx)
    results.push(r)
    onSection(r)
  }
  return { generatedAt: new Date().toISOString(), mode, node: process.version, cpu: `${cpus()[0]?.model ?? 'unknown'} ×${cpus().length}`, sections: results }
}

/** The exit status of a run: 1 when a section crashed, never because of a figure. */
export function exitCodeOf(results: BenchResults): number {
  return results.sections.some((s) => s.status === 'crashed') ? 1 : 0
}
