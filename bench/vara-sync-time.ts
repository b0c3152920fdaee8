/**
 * Sync time over simulated VARA HF against bytes ÷ bitrate: gateway A holds a chain (the corpus
 * chain plus one block its node mines), gateway B starts empty and catches up by incremental sync
 * (headers, then bodies in runs). Measured on the link's simulated clock from B's first `getheaders`
 * to B's tip equal to A's, with every byte both gateways sent on the link, the BITRATE the modems
 * reported, and a passive listener on the channel timing every frame.
 *
 * Host CPU and the time scale: the gateways run on the wall clock, the link ×timeScale, so a wall ms
 * the host spends while the link waits shows as timeScale ms of link idleness (quick mode runs ×5,
 * `--full` real time). The big host cost is the header rebuild (one VDF of 10 001 Blake3s per linked
 * header, docs/PROTOCOL.md §8.9); the responder pushes the first bodies behind its headers (§8.9
 * `pushed`) so the link stays busy meanwhile. Gateway A learns the chain in this process, so the VDF
 * memo is cleared once A has it (codecs/hashes.ts `clearVdfMemo`): B pays for every VDF as a real
 * receiver would.
 *
 * Two figures answer issue #6 ("a 200-block sync at no less than 95 % of the BITRATE"): time ÷ bound,
 * where the bound is every byte both gateways sent at BITRATE, and the stricter share of BITRATE the
 * serving direction reached on its own.
 *
 * @packageDocumentation
 */
import { encodeEnvelope } from '../codecs/envelope.js'
import { clearVdfMemo } from '../codecs/hashes.js'
import type { Block } from '../codecs/model.js'
import type { Gateway } from '../gateway/gateway.js'
import type { SentEvent } from '../gateway/router/router.js'
import type { RfFrame } from '../hardware-sim/rf-channel.js'
import { GatewayNet, until } from '../tests/helpers/gateway-net.js'
import type { LinkSample } from '../transports/types.js'
import type { VaraTransport } from '../transports/vara/vara-transport.js'
import type { BenchContext } from './bench-context.js'
import { PI4_CPU_FACTOR } from './footprint.js'
import { grouped, percent, significant } from './format.js'
import type { VaraSyncRow } from './results-model.js'
import type { Measurement } from './section.js'
import { startVaraPair, type VaraPair } from './vara-goodput.js'
import { WarnLines } from './warn-lines.js'

/**
 * Longest wait for the greeting and for gateway A to learn the chain, and for B to catch up, wall ms:
 * the larger of a wall bound (host work) and a simulated one (two calls that collide cost a minute
 * or more of link time before one station tries again).
 */
const learnTimeoutMs = (timeScale: number): number => Math.max(60_000, 400_000 / timeScale)
const syncTimeoutMs = (timeScale: number): number => Math.max(300_000, 900_000 / timeScale)
/** Gateway warning lines quoted when the sync does not finish. */
const KEPT_LOG_LINES = 8
/** Period of the tip check, wall ms (×timeScale of simulated resolution). */
const POLL_MS = 2
/** A gap between two tip checks longer than this is the host stalling the event loop, wall ms. */
const STALL_MS = 20

/** A moment on both clocks, ms. */
interface Moment {
  wall: number
  sim: number
}

/** What the run records as it goes. */
interface SyncTrace {
  start?: Moment
  end?: Moment
  /** Every send in the window, and which gateway made it (A serves the chain, B asks). */
  sent: { at: number; by: 'A' | 'B'; e: SentEvent }[]
  /** BITRATE reports of both modems during the sync, bit/s. */
  rates: number[]
  frames: RfFrame[]
  /** Header rebuilds: `headers` in → B's next request out. */
  rebuilds: { from: Moment; to?: Moment }[]
  /** Event-loop stalls during the sync (the rebuild's among them), wall ms. */
  stallMs: number
}

function startGateway(net: GatewayNet, me: string, other: string, vara: VaraTransport, nodePort: number): Promise<Gateway> {
  return net.gateway(
    {
      station: { id: me, stateDir: net.stateDir() },
      node: { p2p: { peers: [`127.0.0.1:${nodePort}`] } },
      links: { [vara.id]: { type: 'vara', callsign: me } },
      peers: [{ name: other, addresses: { [vara.id]: other } }],
    },
    { transports: () => vara },
  )
}

/** Follows both gateways, both modems and the channel. */
function follow(pair: VaraPair, gwA: Gateway, gwB: Gateway): SyncTrace {
  const t: SyncTrace = { sent: [], rates: [], frames: [], rebuilds: [], stallMs: 0 }
  const now = (): Moment => ({ wall: performance.now(), sim: pair.channel.clock.now() })
  pair.channel.attach({ id: 'sync-monitor', onFrame: (f) => t.frames.push(f) })
  // a session starts at the level the modem last reported; later reports follow level changes
  for (const v of [pair.a, pair.b]) {
    const last = v.status().bitrateBps
    if (last !== undefined) t.rates.push(last)
    v.on('sample', (s: LinkSample) => s.bitrateBps !== undefined && t.rates.push(s.bitrateBps))
  }
  const onSent = (by: 'A' | 'B', e: SentEvent): void => {
    if (t.end === undefined) t.sent.push({ at: pair.channel.clock.now(), by, e })
  }
  gwA.on('sent', (e) => onSent('A', e))
  gwB.on('sent', (e) => {
    onSent('B', e)
    if (e.type === 'getheaders') t.start ??= now()
    const open = t.rebuilds.at(-1)
    if (open !== undefined && open.to === undefined && (e.type === 'getbodies' || e.type === 'getheaders')) open.to = now()
  })
  gwB.router.on('message', (m) => m.msg.type === 'headers' && t.rebuilds.push({ from: now() }))
  return t
}

/**
 * B's tip equals A's: polled often, since every wall ms is timeScale simulated ms; the gaps between
 * polls past {@link STALL_MS} add up the host's stalls once the sync has started.
 */
function caughtUp(pair: VaraPair, t: SyncTrace, gwA: Gateway, gwB: Gateway, timeScale: number): Promise<void> {
  const timeoutMs = syncTimeoutMs(timeScale)
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + timeoutMs
    let last = performance.now()
    const timer = setInterval(() => {
      const gap = performance.now() - last
      last += gap
      if (t.start !== undefined && gap > STALL_MS) t.stallMs += gap - POLL_MS
      if (gwB.state.tip().hash !== null && gwB.state.tip().hash === gwA.state.tip().hash) {
        t.end = { wall: performance.now(), sim: pair.channel.clock.now() }
        clearInterval(timer)
        resolve()
      } else if (performance.now() > deadline) {
        clearInterval(timer)
        reject(new Error(`gateway B did not catch up in ${timeoutMs / 1000} s: tip ${gwB.state.tip().height} of ${gwA.state.tip().height}`))
      }
    }, POLL_MS)
  })
}

/** Time any frame was on air within [from, to], simulated ms (overlaps counted once). */
function airBusyMs(frames: readonly RfFrame[], from: number, to: number): number {
  const spans = frames.map((f) => [Math.max(f.startMs, from), Math.min(f.endMs, to)] as const).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0])
  let busy = 0
  let reach = from
  for (const [a, b] of spans) {
    if (b <= reach) continue
    busy += b - Math.max(a, reach)
    reach = b
  }
  return busy
}

function summarise(t: SyncTrace, gwA: Gateway, timeScale: number): VaraSyncRow {
  const { start, end } = t as Required<Pick<SyncTrace, 'start' | 'end'>>
  if (t.rates.length === 0) throw new Error('the modems reported no BITRATE')
  const seconds = (end.sim - start.sim) / 1000
  const onVara = t.sent.filter((s) => s.at >= start.sim && s.e.link.startsWith('vara'))
  const bytesOnAir = onVara.reduce((n, s) => n + s.e.bytes, 0)
  const servedBytes = onVara.filter((s) => s.by === 'A').reduce((n, s) => n + s.e.bytes, 0)
  const bitrateBps = t.rates.at(-1) ?? 0 // the session's last report: the level the bodies went at
  const boundSeconds = (bytesOnAir * 8) / bitrateBps
  const done = t.rebuilds.filter((r) => r.to !== undefined) as Required<SyncTrace['rebuilds'][number]>[]
  const rebuildWallMs = done.reduce((n, r) => n + r.to.wall - r.from.wall, 0)
  const rebuildSimSeconds = done.reduce((n, r) => n + r.to.sim - r.from.sim, 0) / 1000
  const chain = gwA.state.chain()
  const wireBytes = chain.reduce((n, block) => n + encodeEnvelope({ type: 'block', block }, { compress: 'never' }).length, 0)
  return {
    blocks: chain.length, timeScale, bitrateBps, seconds, bytesOnAir, boundSeconds, timeRatio: seconds / boundSeconds,
    servedBytes, servedShare: (servedBytes * 8) / seconds / bitrateBps,
    rebuildWallMs, rebuildSimSeconds, hostStallWallMs: t.stallMs,
    airBusySeconds: airBusyMs(t.frames, start.sim, end.sim) / 1000, wireBytes, bytesRatio: bytesOnAir / wireBytes,
  }
}

/**
 * Both gateways start empty and greet each other over simulated VARA HF at `timeScale`; then
 * gateway A learns `chain` and one block mined on it from its node, and B syncs from A.
 */
export async function measureVaraSync(chain: readonly Block[], timeScale: number): Promise<VaraSyncRow> {
  const warn = new WarnLines()
  const net = new GatewayNet(warn.log)
  const pair = await startVaraPair({ channel: { timeScale } })
  try {
    const [nodeA, nodeB] = [await net.node(), await net.node()]
    const [callA, callB] = [pair.a.options.callsign, pair.b.options.callsign]
    const gwA = await startGateway(net, callA, callB, pair.a, nodeA.p2pPort)
    const gwB = await startGateway(net, callB, callA, pair.b, nodeB.p2pPort)
    await until('the gateways greeted each other', () => gwA.protocol.peerHello(callB) !== undefined && gwB.protocol.peerHello(callA) !== undefined, learnTimeoutMs(timeScale))
    const trace = follow(pair, gwA, gwB)
    const height = chain.length + 1
    // B rebuilds every header at full cost, as a separate receiver would: the memo is cleared the
    // moment gateway A has adopted the chain, before its hello with the new tip can leave
    gwA.node?.on('chain', () => gwA.state.tip().height === height && clearVdfMemo())
    if (nodeA.state.adoptChain(chain).status !== 'adopted') throw new Error('node A refused the corpus chain')
    nodeA.mine() // announces the new tip: gateway A learns the chain from its node and tells B
    await until('gateway A has the chain', () => gwA.state.tip().height === height, learnTimeoutMs(timeScale))
    await caughtUp(pair, trace, gwA, gwB, timeScale).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; B's sync: ${JSON.stringify(gwB.protocol.syncing() ?? 'none running')}; gateway warnings: ${warn.last(KEPT_LOG_LINES)}`)
    })
    if (trace.start === undefined) throw new Error('gateway B caught up without a getheaders')
    return summarise(trace, gwA, timeScale)
  } finally {
    await net.close()
    await pair.close()
  }
}

function table(rows: readonly VaraSyncRow[]): Measurement['table'] {
  return {
    columns: [
      'blocks', 'link', 'sync time s', 'bytes on air', 'bytes × 8 ÷ bitrate s', 'time ÷ bound', 'A → B bytes × 8 ÷ time ÷ BITRATE', 'headers in → first getbodies, wall ms',
      'air busy s', 'host stalls wall ms', 'on air ÷ blocks\' wire size',
    ],
    rows: rows.map((r) => [
      String(r.blocks), `VARA HF 2300 Hz, BITRATE ${grouped(r.bitrateBps)} bit/s, ×${r.timeScale}`, significant(r.seconds, 4), grouped(r.bytesOnAir),
      significant(r.boundSeconds, 4), significant(r.timeRatio), significant(r.servedShare), grouped(r.rebuildWallMs), significant(r.airBusySeconds, 4),
      grouped(r.hostStallWallMs), significant(r.bytesRatio),
    ]),
  }
}

/** Where the time went, in words. */
function gapNote(r: VaraSyncRow): string {
  const k = r.timeScale
  const linked = Math.max(1, r.blocks - 1)
  const pi4 = k > 1 ? `; a Pi 4 (CPU ×${PI4_CPU_FACTOR}, assumed: see the footprint section) would spend about ${significant((r.rebuildWallMs * PI4_CPU_FACTOR) / 1000, 2)} s there at real speed` : ''
  return (
    `Where the ${significant(r.seconds, 4)} s went (bound ${significant(r.boundSeconds, 4)} s: both directions' bytes at BITRATE). ` +
    `(1) Frames were on air ${significant(r.airBusySeconds, 4)} s; the link sat idle ${significant(r.seconds - r.airBusySeconds, 3)} s (turnarounds, and reply turns that came before the host had its answer ready). ` +
    `(2) B's ${grouped(r.bytesOnAir - r.servedBytes)} B of requests and acks travel in its reply turns, which VARA's net BITRATE already spends on ACK frames, so both directions together can beat the bound; ` +
    `the serving direction alone ran at ${percent(r.servedShare)} of BITRATE, short of it by the turns of the first request and answer and by the last, part-filled frame. ` +
    `(3) From the headers' arrival to its first getbodies B spent ${grouped(r.rebuildWallMs)} wall ms (${significant(r.rebuildSimSeconds, 3)} s on the ×${k} link clock) rebuilding the headers of the first runs, a VDF each (${linked} linked headers in all), ` +
    `while the bodies A pushed behind the headers kept the link busy${pi4}. ` +
    `(4) The event loop stalled ${grouped(r.hostStallWallMs)} wall ms in all (×${k} on the link clock, mostly while frames were on air anyway).`
  )
}

/** The `vara-sync-time` section. */
export async function varaSyncTime(ctx: BenchContext): Promise<Measurement> {
  const { syncBlocks, syncTimeScale } = ctx.settings
  const row = await measureVaraSync(ctx.corpus().chain.slice(0, syncBlocks - 1), syncTimeScale)
  const notes = [
    `Gateway A holds the corpus chain (5 txs a block) plus one block its node mined; gateway B starts empty, ${row.blocks} blocks behind, and syncs over simulated VARA HF (hf-good channel, ×${row.timeScale}). Time on the link's simulated clock from B's first getheaders to B's tip equal to A's.`,
    'bytes on air: every envelope fragment both gateways sent on the VARA link in that window (VARA\'s own framing and ACKs are in the BITRATE, a net rate). bound = bytes × 8 ÷ the BITRATE the modems reported: time ÷ bound = 1.0 means the link was never idle.',
    'A → B: the serving direction alone (headers, bodies and A\'s acks; B\'s requests and acks left out), its bytes × 8 ÷ sync time as a share of the BITRATE. It cannot pass 1 in this model (a reply turn is never shorter than an ACK frame, hardware-sim/vara/vara-radio.ts); issue #6 asks for the sync at no less than 0.95 of BITRATE, i.e. time ÷ bound at most 1.053, and this is the stricter reading of it.',
    'Host time counts ×timeScale on the link clock (quick mode ×5, `--full` ×1, real time). Host stalls: gaps over 20 ms between 2-ms polls of the event loop.',
    'The VDF memo is cleared once gateway A has the chain, so B computes every VDF as a separate receiver would (codecs/hashes.ts clearVdfMemo); block validation after the rebuild meets each VDF again and takes it from the memo, as in service.',
    'on air ÷ blocks\' wire size: bytes on air ÷ Σ the `block` envelopes (uncompressed) of the blocks B lacked: the whole sync protocol, both ways, against sending each block once.',
    gapNote(row),
  ]
  return { rows: [row], table: table([row]), notes }
}
