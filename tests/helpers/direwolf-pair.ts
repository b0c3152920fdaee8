/**
 * Two AX.25 stations on two real Direwolf 1.6 TNCs that hear each other both ways over AFSK 1200
 * audio (tests/helpers/direwolf.ts, duplex FIFO pair):
 *
 *   station A → KISS TCP → direwolf A ⇄ AFSK audio (two FIFOs) ⇄ direwolf B → KISS TCP → station B
 *
 * {@link direwolfAx25Options} gives the transport options of one station, without `id`, so they
 * also make a gateway's link section as they are (`{ type: 'ax25', ...options }`);
 * {@link startAx25DirewolfLink} starts the pair and one started {@link Ax25Transport} on each side.
 */
import { Ax25Transport } from '../../transports/ax25/ax25-transport.js'
import type { Ax25TransportOptions } from '../../transports/ax25/config.js'
import { startDirewolfPair, type DirewolfPair } from './direwolf.js'

/**
 * Link settings for a Direwolf pair: full duplex with TXDELAY 100 ms (real-peers.md A.3: fast,
 * never below 50 ms or the receiver cannot sync), PACLEN 256 so every KISS frame stays far below
 * Direwolf's 2048-byte truncation, and T1 bounds that suit the FIFO link (a round trip is the
 * frames' airtime plus tens of ms; the adaptive T1 starts at 2 s).
 */
export const DIREWOLF_LINK_OPTIONS = {
  kiss: { fullDuplex: true, txDelayMs: 100, txTailMs: 50 },
  arq: { paclen: 256, retries: 4, t1InitialMs: 2_000, t1MinMs: 500, t1MaxMs: 8_000 },
  mtu: 8_192, // bytes: a block of a few dozen transactions, about 60 s of airtime at 1200 baud
} as const satisfies Partial<Ax25TransportOptions>

/** Transport options without `id`: a gateway config's link section names the link itself. */
export type Ax25LinkOptions = Omit<Ax25TransportOptions, 'id'>

/**
 * Transport options for a station on a Direwolf KISS port.
 *
 * @param kissPort - the direwolf's KISS TCP port (`pair.kissPortA` or `pair.kissPortB`)
 * @param callsign - the station, e.g. `N0AAA-1`
 * @param overrides - replaces whole top-level entries of {@link DIREWOLF_LINK_OPTIONS}
 */
export function direwolfAx25Options(kissPort: number, callsign: string, overrides: Partial<Ax25LinkOptions> = {}): Ax25LinkOptions {
  return {
    ...DIREWOLF_LINK_OPTIONS,
    callsign,
    tnc: { type: 'tcp', host: '127.0.0.1', port: kissPort, connectTimeoutMs: 2_000 },
    ...overrides,
  }
}

/** Options of {@link startAx25DirewolfLink}. */
export interface Ax25DirewolfLinkOptions {
  /** Station on direwolf A, default `N0AAA-1`. */
  readonly callsignA?: string
  /** Station on direwolf B, default `N0BBB-2`. */
  readonly callsignB?: string
  /** Applied to both transports (see {@link direwolfAx25Options}). */
  readonly overrides?: Partial<Ax25LinkOptions>
}

/** A duplex Direwolf pair with a started transport on each side. */
export interface Ax25DirewolfLink {
  /** The two direwolfs (ports, logs). */
  readonly pair: DirewolfPair
  /** The station on direwolf A, up. */
  readonly a: Ax25Transport
  /** The station on direwolf B, up. */
  readonly b: Ax25Transport
  /** Stops both transports, then both direwolfs (their process groups); safe to call twice. */
  stop(): Promise<void>
}

/** Starts a duplex Direwolf pair and one started AX.25 transport on each KISS port. */
export async function startAx25DirewolfLink(options: Ax25DirewolfLinkOptions = {}): Promise<Ax25DirewolfLink> {
  const pair = await startDirewolfPair({ duplex: true })
  const station = (port: number, callsign: string): Ax25Transport =>
    new Ax25Transport({ ...direwolfAx25Options(port, callsign, options.overrides), id: `ax25-${callsign}` })
  const a = station(pair.kissPortA, options.callsignA ?? 'N0AAA-1')
  const b = station(pair.kissPortB, options.callsignB ?? 'N0BBB-2')
  const stop = async (): Promise<void> => {
    await Promise.all([a.stop(), b.stop()])
    await pair.stop()
  }
  try {
    await Promise.all([a.start(), b.start()])
  } catch (e) {
    await stop()
    throw e
  }
  return { pair, a, b, stop }
}
