/**
 * The demo's three radio links between station A and station B, each on its own simulated channel
 * and built by the same fixtures the tests use (hardware-sim/links): VARA HF on two simulated
 * modems, AX.25 packet on two simulated KISS TNCs (through real ptys when socat is installed, else
 * KISS over TCP) and JS8Call on two simulated JS8Calls at Turbo speed. The channels run faster than
 * the wall clock, so minutes of air pass in seconds; the gateways keep the wall clock.
 *
 * @packageDocumentation
 */
import { createSimNet, socatAvailable, type SimNet, type TncVia } from '../../hardware-sim/links/ax25-sim-net.js'
import { startJs8Pair, type Js8Pair } from '../../hardware-sim/links/js8-pair.js'
import { startVaraPair, type VaraPair } from '../../hardware-sim/links/vara-pair.js'
import type { Transport } from '../../transports/types.js'
import type { LinkSectionInput } from '../config/schema.js'
import type { Logger } from '../log.js'

/** Simulated ms per wall ms on the VARA and packet channels. */
export const RADIO_TIME_SCALE = 50
/** Simulated ms per wall ms on the JS8Call channel (a Turbo frame is 6 s of air). */
export const JS8_TIME_SCALE = 200

/** One station's callsigns: with SSID on VARA and packet, bare on JS8Call (it takes no SSID). */
export interface DemoStation {
  /** Station id and callsign with SSID, e.g. `N0AAA-1`. */
  readonly id: string
  /** The bare callsign, e.g. `N0AAA`. */
  readonly call: string
}

/** Station A and station B of the demo. */
export const STATIONS = {
  a: { id: 'N0AAA-1', call: 'N0AAA' },
  b: { id: 'N0BBB-2', call: 'N0BBB' },
} as const satisfies Record<'a' | 'b', DemoStation>

/** The demo's link names, as the gateways' configs name them, in the order the gateways prefer them. */
export const DEMO_LINK_IDS = ['vara', 'packet', 'js8'] as const
/** One of {@link DEMO_LINK_IDS}. */
export type DemoLinkId = (typeof DEMO_LINK_IDS)[number]

/** One link as one side's gateway sees it. */
export interface LinkSide {
  readonly transport: Transport
  /** The config section (validated; the transport above replaces the one it would build). */
  readonly section: LinkSectionInput
  /** How the other side addresses this station on the link. */
  readonly address: string
}

/** The three links, both sides of each, and how to cut and restore them. */
export interface DemoLinks {
  readonly a: Readonly<Record<DemoLinkId, LinkSide>>
  readonly b: Readonly<Record<DemoLinkId, LinkSide>>
  /** How the packet stations reach their TNCs. */
  readonly tncVia: TncVia
  /** Switches station A's VARA modem off. */
  cutVara(): Promise<void>
  /** Switches station A's VARA modem on again (same ports: the transport finds it by itself). */
  restoreVara(): Promise<void>
  /** Stops every transport and simulator. */
  close(): Promise<void>
}

/**
 * Quiet time before a VARA session is closed, simulated ms (10 min; the default is 1 min). At 50×
 * a minute is 1.2 s of wall time, so sessions would close between the story's steps, and a message
 * sent just as the peer closes an idle session is taken for delivered by the VARA transport (its
 * provisional `BUFFER 0` is confirmed by the `PTT` lines of the disconnect) and waits for the
 * 3-minute ack timeout.
 */
const VARA_IDLE_TIMEOUT_MS = 600_000

/** Beacons on the broadcast links, ms: the schema's least, so the first one is what the demo shows. */
const BEACON_INTERVAL_MS = 600_000

/** Both sides of one link. */
type LinkPair = Readonly<Record<'a' | 'b', LinkSide>>

function varaLink(pair: VaraPair): LinkPair {
  const side = (transport: Transport, who: DemoStation): LinkSide => ({ transport, section: { type: 'vara', callsign: who.id }, address: who.id })
  return { a: side(pair.a, STATIONS.a), b: side(pair.b, STATIONS.b) }
}

async function packetLink(net: SimNet, via: TncVia, log: Logger): Promise<LinkPair> {
  const side = async (name: string, who: DemoStation): Promise<LinkSide> => {
    const { transport, pty, tnc } = await net.add(name, who.id, via, { id: 'packet' }, { log })
    // what the transport was built with, so the config reads as it would on a real station
    const reach = pty === undefined ? { type: 'tcp' as const, port: tnc.tcpPort ?? 0 } : { type: 'serial' as const, path: pty.pathB }
    return { transport, section: { type: 'ax25', callsign: who.id, tnc: reach, beaconIntervalMs: BEACON_INTERVAL_MS }, address: who.id }
  }
  return { a: await side('tnc-a', STATIONS.a), b: await side('tnc-b', STATIONS.b) }
}

function js8Link(pair: Js8Pair): LinkPair {
  const section: LinkSectionInput = { type: 'js8call', beaconIntervalMs: BEACON_INTERVAL_MS }
  return { a: { transport: pair.a, section, address: STATIONS.a.call }, b: { transport: pair.b, section, address: STATIONS.b.call } }
}

/**
 * Starts the simulators of all three links; the transports are handed to the gateways unstarted.
 *
 * @param log - where the transports log (the demo's log file)
 */
export async function startDemoLinks(log: Logger): Promise<DemoLinks> {
  const closers: (() => Promise<void>)[] = []
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c()
  }
  try {
    const vara = await startVaraPair({
      channel: { timeScale: RADIO_TIME_SCALE },
      a: { id: 'vara', callsign: STATIONS.a.id, idleTimeoutMs: VARA_IDLE_TIMEOUT_MS },
      b: { id: 'vara', callsign: STATIONS.b.id, idleTimeoutMs: VARA_IDLE_TIMEOUT_MS },
      log: log.child({ station: STATIONS.a.id }),
      logB: log.child({ station: STATIONS.b.id }),
    })
    closers.push(() => vara.close())
    const tncVia: TncVia = socatAvailable() ? 'serial' : 'tcp'
    const net = createSimNet({ timeScale: RADIO_TIME_SCALE })
    closers.push(() => net.close())
    const packet = await packetLink(net, tncVia, log)
    const js8 = await startJs8Pair({
      speed: 2, // Turbo
      channel: { timeScale: JS8_TIME_SCALE },
      transport: { id: 'js8' },
      simA: { callsign: STATIONS.a.call },
      simB: { callsign: STATIONS.b.call },
      logA: log.child({ station: STATIONS.a.id }),
      logB: log.child({ station: STATIONS.b.id }),
    })
    closers.push(() => js8.close())
    const links = { vara: varaLink(vara), packet, js8: js8Link(js8) }
    const side = (s: 'a' | 'b'): Record<DemoLinkId, LinkSide> => ({ vara: links.vara[s], packet: links.packet[s], js8: links.js8[s] })
    return {
      a: side('a'),
      b: side('b'),
      tncVia,
      cutVara: () => vara.simA.close(),
      restoreVara: async () => void (await vara.restartSimA()),
      close,
    }
  } catch (e) {
    await close()
    throw e
  }
}
