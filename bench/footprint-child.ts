/**
 * The process the footprint section measures (bench/footprint.ts), run by `child_process.fork` so
 * the bench's own memory does not count: either one gateway, or (`bare`) nothing but the runtime and
 * the TypeScript loader, the floor every row stands on. It samples its RSS every 100 ms and answers
 * its parent over the IPC channel:
 * - in `{ type: 'start', config? }` (a gateway config as written; none: bare) → out `{ type: 'ready' }`
 *   once the gateway runs and its node link is up;
 * - in `{ type: 'mark' }` → out a {@link FootprintSample} (the peak is since the previous mark);
 * - in `{ type: 'stop' }` → the gateway stops and the process exits.
 *
 * @packageDocumentation
 */
import type { GatewayConfigInput } from '../gateway/config/schema.js'

/** What the parent sends. */
export type ToChild = { type: 'start'; config?: GatewayConfigInput } | { type: 'mark' } | { type: 'stop' }

/** The process's resources at one moment. */
export interface FootprintSample {
  type: 'mark'
  /** performance.now() of the child, ms. */
  at: number
  /** process.cpuUsage(): user and system CPU since start, µs. */
  cpu: { user: number; system: number }
  /** Resident set size now and its highest sample since the previous mark, bytes. */
  rss: number
  peakRss: number
  /** V8 heap in use, bytes. */
  heapUsed: number
}

/** What the child sends. */
export type FromChild = { type: 'ready' } | FootprintSample | { type: 'error'; message: string }

/** RSS sampling period, ms. */
const SAMPLE_MS = 100
/** Longest wait for the gateway's node link, ms. */
const NODE_LINK_TIMEOUT_MS = 20_000

let peakRss = process.memoryUsage.rss()
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
}, SAMPLE_MS)

let stopGateway: () => Promise<void> = async () => undefined

function reply(m: FromChild): void {
  process.send?.(m)
}

function sample(): FootprintSample {
  const rss = process.memoryUsage.rss()
  const s: FootprintSample = { type: 'mark', at: performance.now(), cpu: process.cpuUsage(), rss, peakRss: Math.max(peakRss, rss), heapUsed: process.memoryUsage().heapUsed }
  peakRss = rss
  return s
}

async function start(config: GatewayConfigInput | undefined): Promise<void> {
  if (config !== undefined) {
    const { Gateway } = await import('../gateway/gateway.js')
    const { GatewayConfigSchema } = await import('../gateway/config/schema.js')
    const { silentLogger } = await import('../gateway/log.js')
    const gw = await Gateway.start(GatewayConfigSchema.parse(config), { log: silentLogger() })
    stopGateway = () => gw.stop(0)
    const deadline = Date.now() + NODE_LINK_TIMEOUT_MS
    while (gw.status().node?.connected !== true) {
      if (Date.now() > deadline) throw new Error('the gateway\'s node link did not come up')
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  reply({ type: 'ready' })
}

process.on('disconnect', () => process.exit(0)) // the bench is gone: do not linger
process.on('message', (m: ToChild) => {
  if (m.type === 'start') start(m.config).catch((e: unknown) => reply({ type: 'error', message: e instanceof Error ? e.message : String(e) }))
  if (m.type === 'mark') reply(sample())
  if (m.type === 'stop') void stopGateway().finally(() => process.exit(0))
})
