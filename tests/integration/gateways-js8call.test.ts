/**
 * Two whole gateways through two real JS8Call 2.2 instances that hear each other over PulseAudio
 * null sinks, headless, at Turbo speed (tests/helpers/js8call-pair.ts; issue #7's last "Done when"):
 *
 *   gateway A → JS8Call API → JS8Call A → audio (null sink) → JS8Call B → JS8Call API → gateway B
 *
 * WHAT IS CARRIED, and why: the smallest meaningful gateway exchange is gateway A's `hello`, the
 * chain-tip announcement every gateway sends to its peers (station, protocol version, tip height
 * and hash, links, features). With a fresh chain it is a 20-byte envelope, 26 bytes as the gateway
 * frames it, 53 characters of JS8 text: about 6 Turbo frames (~40 s with period alignment). A
 * transaction (146 bytes, ~19 frames, ~2 min) or a compact block (~121 bytes) is too slow for CI,
 * and a hello with a real tip (its 32-byte hash: 54 bytes, ~10 frames, ~1 min) would make B sync
 * from A, which costs several more messages. So: A's hello reaches B, B records A in its peer
 * table (heard on the JS8 link, protocol version, A's tip height) and JS8Call B's transport acks
 * it over the air, so A's transport reports the delivery. B's answering hello is not waited for.
 *
 * Keeping the air quiet: beacons are off (`beaconIntervalMs: 0`) and only A has B in its config,
 * so A's greeting is the only message at start; B learns A from A's hello (on radio a callsign
 * speaks for itself). If both greeted at start, both JS8Calls would key up in the same period and,
 * half duplex, neither would hear the other.
 *
 * Needs `js8call` and `pulseaudio`; with CI=true a missing one fails instead of skipping.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Gateway } from '../../gateway/gateway.js'
import type { SentEvent } from '../../gateway/router/router.js'
import type { LinkSample } from '../../transports/types.js'
import { GatewayNet, until } from '../helpers/gateway-net.js'
import { js8PairTransportOptions, startJs8CallPair, type Js8CallPair } from '../helpers/js8call-pair.js'
import { captureLog, type CapturedLog } from '../helpers/log-capture.js'
import { requireProgram } from '../helpers/require-program.js'

/** Link name in both gateways' configs. */
const LINK = 'hf-js8'
/** Deadline of A's hello at B, wall ms: ~6 frames of 6 s plus up to one period's wait; a retry adds ~30 s. */
const HELLO_MS = 75_000
/** Deadline of the ack at A once B has the hello, wall ms: 2 frames plus a period's wait. */
const ACK_MS = 30_000

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

interface Stations {
  pair: Js8CallPair
  gwA: Gateway
  gwB: Gateway
  logs: CapturedLog
}

/** The JS8Call pair, two nodes and a gateway on each JS8Call; everything is stopped after the test. */
async function stations(): Promise<Stations> {
  const pair = await startJs8CallPair({ speed: 'turbo' })
  cleanups.push(() => pair.stop())
  const logs = captureLog()
  const net = new GatewayNet(logs.log)
  cleanups.push(() => net.close()) // before pair.stop: the gateways leave JS8Call's API first
  const [nodeA, nodeB] = [await net.node(), await net.node()]
  const link = (js8: Js8CallPair['a'], call: string) => ({ type: 'js8call' as const, ...js8PairTransportOptions(js8, call, pair.speed), beaconIntervalMs: 0 })
  const gwB = await net.gateway({
    station: { id: pair.callsignB, stateDir: net.stateDir() },
    node: { p2p: { peers: [`127.0.0.1:${nodeB.p2pPort}`] } },
    links: { [LINK]: link(pair.b, pair.callsignB) },
  })
  const gwA = await net.gateway({
    station: { id: pair.callsignA, stateDir: net.stateDir() },
    node: { p2p: { peers: [`127.0.0.1:${nodeA.p2pPort}`] } },
    links: { [LINK]: link(pair.a, pair.callsignA) },
    peers: [{ name: pair.callsignB, addresses: { [LINK]: pair.callsignB } }],
  })
  return { pair, gwA, gwB, logs }
}

/** What to print when a step times out: what each JS8Call transmitted and the gateways' log. */
function diagnosis(s: Stations): string {
  const gw = s.logs.records.map((r) => JSON.stringify(r)).slice(-60).join('\n')
  return `\n--- JS8Call A sent ---\n${s.pair.a.transmitted().join('\n')}\n--- JS8Call B sent ---\n${s.pair.b.transmitted().join('\n')}\n--- gateways ---\n${gw}`
}

describe.runIf(requireProgram('js8call') && requireProgram('pulseaudio'))('two gateways through two real JS8Call 2.2 hearing each other', () => {
  it("carry gateway A's hello to gateway B's peer table, acknowledged over the air, at Turbo", async () => {
    const t0 = performance.now()
    const s = await stations()
    const { gwA, gwB, pair } = s
    const sentA: SentEvent[] = []
    const samplesA: LinkSample[] = []
    gwA.on('sent', (e) => sentA.push(e))
    gwA.transports.get(LINK)?.on('sample', (x) => samplesA.push(x))
    const step = async (what: string, check: () => boolean, timeoutMs: number): Promise<number> => {
      try {
        await until(what, check, timeoutMs)
        return performance.now() - t0
      } catch (e) {
        throw new Error(`${(e as Error).message}${diagnosis(s)}`, { cause: e })
      }
    }
    const upMs = await step('both JS8Call links up', () => [gwA, gwB].every((g) => g.transports.get(LINK)?.state === 'up'), 10_000)
    const atBMs = await step("A's hello at B", () => gwB.protocol.peerHello(pair.callsignA) !== undefined, HELLO_MS)
    const ackMs = await step("B's ack at A", () => samplesA.some((x) => x.peer === pair.callsignB && x.sendOk !== undefined), ACK_MS)
    console.log({ upMs, atBMs, ackMs, sentA, a: pair.a.transmitted(), b: pair.b.transmitted() })

    // B's peer table: A heard directly on the JS8 link, with its protocol version and its tip.
    const heardA = gwB.protocol.peerHello(pair.callsignA)
    expect(heardA?.hello).toMatchObject({ station: pair.callsignA, height: gwA.state.tip().height })
    expect(gwB.store.peers.get(pair.callsignA)).toMatchObject({ hops: 0, protocolVersion: heardA?.hello.version, links: [{ link: LINK }] })
    expect(gwB.status().peers.find((p) => p.name === pair.callsignA)).toMatchObject({ height: 0, heard: { [LINK]: expect.any(Number) } })
    // A's transport had the hello acknowledged by B's over the air.
    expect(samplesA.find((x) => x.sendOk !== undefined)).toMatchObject({ peer: pair.callsignB, sendOk: true })
    // On air from A: the hello, once (no beacon, no second greeting).
    expect(sentA.map((e) => [e.type, e.peer, e.link])).toEqual([['hello', pair.callsignB, LINK]])
  }, 118_000)
})
