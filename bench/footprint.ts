/**
 * Footprint: RSS and CPU of one gateway process, idle and under a steady load of transactions, and
 * what a Raspberry Pi 4 would need. The gateway runs in a child process (bench/footprint-child.ts)
 * so the bench's own memory does not count; its node (node A), the peer gateway and that gateway's
 * node stay in the bench process. A bare child (the runtime and the TypeScript loader alone) gives
 * the floor every row stands on.
 *
 * @packageDocumentation
 */
import { execFile, fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { txHash } from '../codecs/hashes.js'
import { toHex } from '../codecs/hex.js'
import type { GatewayConfigInput } from '../gateway/config/schema.js'
import { freePort, GatewayNet, until } from '../tests/helpers/gateway-net.js'
import type { BenchContext } from './bench-context.js'
import type { FootprintSample, FromChild, ToChild } from './footprint-child.js'
import { significant } from './format.js'
import type { FootprintRow } from './results-model.js'
import type { Measurement } from './section.js'

/**
 * Work one core of this machine does per Cortex-A72 core at 1.5 GHz (a Raspberry Pi 4): an
 * ASSUMPTION, not a measurement. This host is an Intel Xeon of family 6 model 207 (Emerald Rapids,
 * 2.3 GHz base) in a VM; we assume about 2× from the clock (≈ 3 GHz sustained against 1.5 GHz) and
 * about 2.5× from the core (a wide out-of-order x86 core against the A72) for JavaScript-heavy work.
 * The one cross-platform figure we could check here disagrees and is not used: sysbench 1.0.20
 * `cpu --threads=1` gives 1 000–1 330 events/s on this host against 1 477.83 published for a Pi 4
 * (leoncode.co.uk, "Raspberry Pi CPU Benchmarks"), because its prime loop runs far better on AArch64
 * than it says about general code.
 */
export const PI4_CPU_FACTOR = 5

/** Settling time after start before the idle window, wall ms (JIT, first greetings). */
const SETTLE_MS = 1_000
/** Longest wait for the child to start, and for the load to arrive, wall ms. */
const START_TIMEOUT_MS = 30_000
const ARRIVAL_TIMEOUT_MS = 15_000
const MIB = 1024 * 1024
/** The floors idle this long at most (they do nothing), wall s. */
const FLOOR_SECONDS = 2

const NODE_FLOOR = 'Node.js alone (floor of a compiled build)'
const LOADER_FLOOR = 'Node.js + tsx loader alone (floor of these rows)'
const GATEWAY_IDLE = 'gateway idle (node link, one TCP peer)'

/** A forked footprint child and its replies. */
class Child {
  private readonly proc: ChildProcess
  private readonly inbox: FromChild[] = []
  private waiter?: () => void

  constructor() {
    const script = fileURLToPath(new URL('./footprint-child.ts', import.meta.url))
    this.proc = fork(script, [], { execArgv: ['--import', 'tsx'], cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    this.proc.on('message', (m: FromChild) => {
      this.inbox.push(m)
      this.waiter?.()
    })
    this.proc.on('exit', () => this.waiter?.())
  }

  /** Sends `msg` and waits for the reply of `type`. */
  async ask<T extends FromChild['type']>(msg: ToChild, type: T, timeoutMs = START_TIMEOUT_MS): Promise<Extract<FromChild, { type: T }>> {
    this.proc.send(msg)
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type || m.type === 'error')
      const m = i < 0 ? undefined : this.inbox.splice(i, 1)[0]
      if (m?.type === 'error') throw new Error(`footprint child: ${m.message}`)
      if (m !== undefined) return m as Extract<FromChild, { type: T }>
      if (this.proc.exitCode !== null || Date.now() > deadline) throw new Error(`footprint child: no '${type}' reply (exit code ${this.proc.exitCode})`)
      await new Promise<void>((resolve) => {
        this.waiter = resolve
        setTimeout(resolve, 100)
      })
    }
  }

  /** Asks the child to stop; kills it if it has not exited after `timeoutMs`. */
  async stop(timeoutMs = 5_000): Promise<void> {
    if (this.proc.exitCode !== null) return
    const exited = new Promise((resolve) => this.proc.once('exit', resolve))
    if (this.proc.connected) this.proc.send({ type: 'stop' } satisfies ToChild)
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs)
    await exited
    clearTimeout(timer)
  }
}

/** Transactions sent and delivered in a loaded window. */
interface Load {
  txPerSecond: number
  sent: number
  delivered: number
}

/** One row from two marks of a child. */
function rowOf(scenario: string, a: FootprintSample, b: FootprintSample, load?: Load): FootprintRow {
  const cpuMs = (b.cpu.user + b.cpu.system - a.cpu.user - a.cpu.system) / 1000
  const cpuShare = cpuMs / (b.at - a.at)
  return {
    scenario, seconds: (b.at - a.at) / 1000, txPerSecond: load?.txPerSecond ?? 0, sent: load?.sent ?? null, delivered: load?.delivered ?? null, rssMiB: b.rss / MIB, peakRssMiB: b.peakRss / MIB, heapUsedMiB: b.heapUsed / MIB,
    cpuShare, pi4CpuShare: cpuShare * PI4_CPU_FACTOR,
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The runtime and loader alone, idle for `seconds`. */
async function loaderRow(seconds: number): Promise<FootprintRow> {
  const child = new Child()
  try {
    await child.ask({ type: 'start' }, 'ready')
    await sleep(SETTLE_MS)
    const a = await child.ask({ type: 'mark' }, 'mark')
    await sleep(seconds * 1000)
    return rowOf(LOADER_FLOOR, a, await child.ask({ type: 'mark' }, 'mark'))
  } finally {
    await child.stop()
  }
}

/** Plain Node.js running nothing, idle for `seconds`: what a compiled build stands on. */
async function nodeRow(seconds: number): Promise<FootprintRow> {
  const mark = "({ type: 'mark', at: performance.now(), cpu: process.cpuUsage(), rss: process.memoryUsage.rss(), peakRss: process.memoryUsage.rss(), heapUsed: process.memoryUsage().heapUsed })"
  const code = `setTimeout(() => { const a = ${mark}; setTimeout(() => console.log(JSON.stringify([a, ${mark}])), ${seconds * 1000}) }, ${SETTLE_MS})`
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', code], { timeout: START_TIMEOUT_MS + seconds * 1000 })
  const [a, b] = JSON.parse(stdout) as [FootprintSample, FootprintSample]
  return rowOf(NODE_FLOOR, a, b)
}

/** The child's gateway `gw-a`: its node, one TCP link and peer `gw-b`. */
function childConfig(stateDir: string, nodePort: number, listen: number, peerPort: number): GatewayConfigInput {
  return {
    station: { id: 'gw-a', stateDir },
    node: { p2p: { peers: [`127.0.0.1:${nodePort}`] } },
    links: { net: { type: 'tcp', listen: { host: '127.0.0.1', port: listen } } },
    peers: [{ name: 'gw-b', addresses: { net: `127.0.0.1:${peerPort}` } }],
    status: { port: 0 },
  }
}

/** A gateway idle for `seconds`, then under `txPerSecond` for `seconds`. */
async function gatewayRows(seconds: number, txPerSecond: number): Promise<FootprintRow[]> {
  const net = new GatewayNet()
  const child = new Child()
  try {
    const [nodeA, nodeB] = [await net.node(), await net.node()]
    const [listenA, listenB] = [await freePort(), await freePort()]
    const gwB = await net.gateway({
      station: { id: 'gw-b', stateDir: net.stateDir() },
      node: { p2p: { peers: [`127.0.0.1:${nodeB.p2pPort}`] } },
      links: { net: { type: 'tcp', listen: { host: '127.0.0.1', port: listenB } } },
      peers: [{ name: 'gw-a', addresses: { net: `127.0.0.1:${listenA}` } }],
    })
    await child.ask({ type: 'start', config: childConfig(net.stateDir(), nodeA.p2pPort, listenA, listenB) }, 'ready')
    await until('the gateways greeted each other', () => gwB.protocol.peerHello('gw-a') !== undefined, START_TIMEOUT_MS)
    await sleep(SETTLE_MS)
    const idleFrom = await child.ask({ type: 'mark' }, 'mark')
    await sleep(seconds * 1000)
    const loadFrom = await child.ask({ type: 'mark' }, 'mark')
    const sent: string[] = []
    const started = performance.now()
    for (let i = 0; i < seconds * txPerSecond; i++) {
      sent.push(toHex(txHash(nodeA.send(randomBytes(32), BigInt(1 + i)))))
      await sleep(started + ((i + 1) * 1000) / txPerSecond - performance.now()) // on schedule, whatever signing took
    }
    const loadTo = await child.ask({ type: 'mark' }, 'mark')
    const arrived = (): number => sent.filter((h) => (nodeB.arrivals.get(`tx:${h}`) ?? 0) > 0).length
    await until('the load at node B', () => arrived() === sent.length, ARRIVAL_TIMEOUT_MS).catch(() => undefined)
    return [
      rowOf(GATEWAY_IDLE, idleFrom, loadFrom),
      rowOf(`gateway, ${txPerSecond} tx/s from its node to the TCP peer`, loadFrom, loadTo, { txPerSecond, sent: sent.length, delivered: arrived() }),
    ]
  } finally {
    await child.stop()
    await net.close()
  }
}

/**
 * Measures both floors (plain Node.js; with the loader), the idle gateway and the loaded one. The
 * three processes run side by side: each counts only its own CPU time and memory.
 */
export async function measureFootprint(seconds: number, txPerSecond: number): Promise<FootprintRow[]> {
  const floorSeconds = Math.min(seconds, FLOOR_SECONDS)
  const [node, loader, gateway] = await Promise.all([nodeRow(floorSeconds), loaderRow(floorSeconds), gatewayRows(seconds, txPerSecond)])
  return [node, loader, ...gateway]
}

function table(rows: readonly FootprintRow[]): Measurement['table'] {
  const pct = (share: number): string => `${significant(100 * share, 2)} %`
  return {
    columns: ['process', 'window s', 'tx delivered', 'RSS MiB', 'peak RSS MiB', 'heap MiB', 'CPU, one core here', `Pi 4 (×${PI4_CPU_FACTOR}), one A72 core`],
    rows: rows.map((r) => [
      r.scenario, significant(r.seconds, 3), r.sent === null ? '—' : `${r.delivered ?? 0} of ${r.sent}`,
      significant(r.rssMiB, 3), significant(r.peakRssMiB, 3), significant(r.heapUsedMiB, 3), pct(r.cpuShare), pct(r.pi4CpuShare),
    ]),
  }
}

/** The `footprint` section. */
export async function footprint(ctx: BenchContext): Promise<Measurement> {
  const { footprintSeconds: seconds, footprintTxPerSecond: rate } = ctx.settings
  const rows = await measureFootprint(seconds, rate)
  const find = (scenario: string): FootprintRow | undefined => rows.find((r) => r.scenario === scenario)
  const [node, loader, idle, load] = [find(NODE_FLOOR), find(LOADER_FLOOR), find(GATEWAY_IDLE), rows.at(-1)]
  const notes = [
    'Each process is a child of the bench, so the bench\'s memory does not count; node A, the peer gateway gw-b and its node run in the bench. The gateway child runs the TypeScript source through the tsx loader (child_process.fork); RSS is sampled every 100 ms; CPU is process.cpuUsage() (user + system) over the window, as a share of one core.',
    `Load: node A signs and submits ${rate} transactions a second; the gateway validates each (Ed25519), commits it to its SQLite queue, sends it to gw-b over TCP and retires it on gw-b's ack.`,
    `Pi 4: CPU × ${PI4_CPU_FACTOR}, an assumed ratio of this core to a Cortex-A72 at 1.5 GHz (bench/footprint.ts PI4_CPU_FACTOR says how it was chosen; not a measurement). RSS is taken as is: arm64 V8 keeps 64-bit pointers like x86-64, so heap sizes are alike.`,
  ]
  if (node !== undefined && loader !== undefined && idle !== undefined && load !== undefined) {
    const compiled = Math.max(idle.peakRssMiB, load.peakRssMiB) - loader.rssMiB + node.rssMiB // MiB: the loader's share swapped for plain Node.js
    notes.push(
      `So a Pi 4 running a compiled build (npm run build, no loader) would hold about ${significant(compiled, 2)} MiB at its peak (the gateway's highest peak, less the loader floor, plus the plain Node.js floor) ` +
        `and spend about ${significant(100 * idle.pi4CpuShare, 2)} % of one core idle and ${significant(100 * load.pi4CpuShare, 2)} % at ${rate} tx/s (a VARA or JS8Call link carries far fewer), leaving three of its four cores to the node.`,
    )
  }
  return { rows, table: table(rows), notes }
}
