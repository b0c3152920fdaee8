/**
 * Fault soak (issue #11 part 2): three gateways with simulated nodes carry a steady flow of
 * transactions and blocks over TCP, VARA, AX.25 on ptys and JS8Call while a seeded schedule cuts TCP
 * paths, restarts and hangs the VARA modems, quits JS8Call, unplugs the TNCs, restarts nodes,
 * SIGKILLs the gateway that runs as a child process in the middle of a burst, and injects invalid
 * transactions. Afterwards: every transaction reached every node exactly once (never back to the
 * node that made it), every node is on the same tip, nothing invalid reached a node or was accepted,
 * the child gateway's resident memory stayed within {@link CHILD_RSS_BOUND_MIB} and what this
 * process (the in-process gateways, nodes and simulators) holds grew by less than
 * {@link HELD_GROWTH_BOUND_MIB}.
 *
 * Short form (CI, the default): about a minute. `npm run soak` (SOAK=long) runs ten minutes of
 * faults. SOAK_SEED picks another schedule; SOAK_LOG=FILE writes the in-process gateways' log;
 * SOAK_KEEP keeps the child gateway's directory (config, log, store) in the temp dir.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../../gateway/log.js'
import { NODE_QUEUE } from '../../gateway/relay.js'
import { GatewayNet, until } from '../helpers/gateway-net.js'
import { heldBytes, MiB } from '../helpers/hostile.js'
import { requireProgram } from '../helpers/require-program.js'
import { FaultRunner } from './fault-runner.js'
import { FAULT_KINDS, faultSchedule } from './fault-schedule.js'
import { startSoakNet, type SoakNet } from './soak-net.js'
import { converged, deliveryProblems, Traffic } from './traffic.js'

const LONG = process.env.SOAK === 'long'
const SEED = Number(process.env.SOAK_SEED ?? 11)
/** Time faults keep starting, ms. */
const RUN_MS = LONG ? 10 * 60_000 : 36_000
/** Time between two fault starts, ms. */
const GAP_MS = LONG ? ([1_500, 4_500] as const) : ([2_000, 4_000] as const)
/** Time the network gets to settle once the last fault is healed, ms. */
const SETTLE_MS = LONG ? 180_000 : 40_000
/** Bound on the child gateway's resident memory (VmRSS), MiB: Node, tsx and the gateway take ~150. */
const CHILD_RSS_BOUND_MIB = 300
/**
 * Bound on what this process holds after the run beyond what it held before (after GC), MiB: the
 * two in-process gateways, the nodes' chains and mempools, the simulators and the ledger.
 */
const HELD_GROWTH_BOUND_MIB = 128
/** Message types that carry transactions or blocks (counted per link in the summary). */
const PAYLOAD: ReadonlySet<string> = new Set(['tx', 'block', 'cmpctblock', 'blocktxn', 'bodies'])

/** What an in-process gateway knows of transaction `hash` its node never got (for the failure message). */
function explain(soak: SoakNet, node: string, hash: string): string {
  const gw = node === 'a' || node === 'b' ? soak.gateways[node] : undefined
  if (gw === undefined) return ''
  const queued = gw.store.queue.peek(NODE_QUEUE, 10_000).some((e) => e.key === `tx:${hash}`)
  return ` (its gateway: in mirror ${gw.state.hasTransaction(hash)}, delivered ${gw.store.delivered.has(hash)}, queued for the node ${queued})`
}

describe.runIf(requireProgram('socat'))('fault soak', () => {
  let net: GatewayNet | undefined
  let soak: SoakNet | undefined
  let traffic: Traffic | undefined
  let dir: string | undefined
  afterEach(async () => {
    traffic?.stop()
    await soak?.close()
    await net?.close()
    if (dir !== undefined && process.env.SOAK_KEEP === undefined) rmSync(dir, { recursive: true, force: true })
  })

  it(`survives a seeded fault schedule (seed ${SEED}, ${LONG ? 'long' : 'short'} form) losing nothing, duplicating nothing, relaying nothing invalid`, async () => {
    dir = mkdtempSync(join(tmpdir(), 'bgw-soak-'))
    net = new GatewayNet(process.env.SOAK_LOG === undefined ? undefined : createLogger('info', createWriteStream(process.env.SOAK_LOG)))
    soak = await startSoakNet(net, SEED, dir)
    const { a: gwA, b: gwB } = soak.gateways
    const accepted = new Set<string>()
    const rejected = new Set<string>()
    const perLink = new Map<string, number>()
    for (const [name, gw] of Object.entries(soak.gateways)) {
      gw.on('accepted', (e) => accepted.add(e.hash))
      gw.on('rejected', (e) => rejected.add(e.hash))
      gw.on('sent', (e) => PAYLOAD.has(e.type) && perLink.set(`${name}:${e.link}`, (perLink.get(`${name}:${e.link}`) ?? 0) + 1))
    }
    await until('the gateways linked to their nodes', () => gwA.status().node?.connected === true && gwB.status().node?.connected === true)

    traffic = new Traffic(soak.nodes, { seed: SEED, txGapMs: [150, 450], blockGapMs: [3_000, 6_000] })
    const runner = new FaultRunner(soak, traffic, SEED)
    const schedule = faultSchedule({ seed: SEED, durationMs: RUN_MS, gapMs: GAP_MS })
    const heldBefore = await heldBytes()
    const started = Date.now()
    traffic.start()
    await runner.run(schedule)
    traffic.stop()
    const faultsDone = Date.now()
    const nodes = Object.values(soak.nodes)
    // on a timeout the problems below say what never arrived
    await until('every node holds every transaction, on one tip', () => converged(traffic as Traffic, nodes), SETTLE_MS).catch(() => undefined)
    const settledMs = Date.now() - faultsDone
    await sleep(1_000) // room for a late duplicate to show up
    const heldGrowthMiB = ((await heldBytes()) - heldBefore) / MiB

    expect(deliveryProblems(traffic, soak.nodes, (node, hash) => explain(soak as SoakNet, node, hash))).toEqual([])
    expect(traffic.invalid.filter((h) => accepted.has(h))).toEqual([])
    expect(traffic.invalid.length).toBeGreaterThan(0)
    expect(rejected.size).toBeGreaterThan(0) // the hostile peer's transactions got to gateway A and were refused there
    for (const kind of FAULT_KINDS) expect(runner.survived[kind], kind).toBeGreaterThan(0)
    expect(soak.child.starts).toBeGreaterThan(1)
    expect(soak.child.peakRssKiB / 1024).toBeLessThan(CHILD_RSS_BOUND_MIB)
    expect(heldGrowthMiB).toBeLessThan(HELD_GROWTH_BOUND_MIB)

    const summary = {
      seed: SEED,
      form: LONG ? 'long' : 'short',
      runS: Math.round((faultsDone - started) / 1000),
      settleS: Math.round(settledMs / 1000),
      faults: runner.total(),
      byKind: runner.survived,
      skipped: runner.skipped,
      txs: traffic.txs.size,
      blocks: traffic.blocks.length,
      invalidInjected: traffic.invalid.length,
      deliveriesChecked: traffic.txs.size * nodes.length,
      childStarts: soak.child.starts,
      childPeakRssMiB: Math.round(soak.child.peakRssKiB / 1024),
      heldGrowthMiB: Math.round(heldGrowthMiB),
      testProcessRssMiB: Math.round(process.memoryUsage().rss / MiB),
      payloadMessagesPerLink: Object.fromEntries(perLink),
    }
    process.stdout.write(`soak: ${JSON.stringify(summary)}\n`)
  }, LONG ? 20 * 60_000 : 150_000)
})
