/**
 * Two real JS8Call 2.2 instances hearing each other over a private PulseAudio (real-peers.md Part
 * B, "Two JS8Calls hearing each other"), headless:
 *
 *   JS8Call A plays into null sink `js8a_tx`, records `js8b_tx.monitor` (it hears B);
 *   JS8Call B plays into `js8b_tx`, records `js8a_tx.monitor` (it hears A).
 *
 * Each runs offscreen with its own preseeded ini (`SoundInName`/`SoundOutName` name the PulseAudio
 * devices), HOME, rig name and API port (tests/helpers/js8call.ts). {@link js8PairTransportOptions}
 * gives the transport options of one station, without `id`, so they also make a gateway's link
 * section as they are (`{ type: 'js8call', ...options }`); {@link startJs8TransportLink} starts the pair and one started {@link Js8CallTransport}
 * on each side.
 */
import { Js8CallTransport } from '../../transports/js8call/js8call-transport.js'
import type { Js8CallTransportOptions } from '../../transports/js8call/config.js'
import { JS8_SPEEDS, type Js8SpeedName } from '../../transports/js8call/speed.js'
import { startRealJs8Call, wallSleep, type RealJs8Call } from './js8call.js'
import { startPrivatePulse, type PrivatePulse } from './pulse-audio.js'

/**
 * Wait after both programs listen before anything is sent, ms: their audio streams take about a
 * second to start flowing (real-peers.md A.2: a frame sent earlier was lost).
 */
const AUDIO_SETTLE_MS = 1_500

/** Options of {@link startJs8CallPair}. */
export interface Js8CallPairOptions {
  /** Fast (10-s periods) or Turbo (6-s periods, the default): the two that keep a test short. */
  readonly speed?: Extract<Js8SpeedName, 'fast' | 'turbo'>
  /** Station A's callsign, default K1AAA: a standard JS8 call, so one header frame per directed message. */
  readonly callsignA?: string
  /** Station B's callsign, default K2BBB. */
  readonly callsignB?: string
}

/** Two real JS8Calls that hear each other. */
export interface Js8CallPair {
  /** JS8Call A (API on `a.port`); it hears B. */
  readonly a: RealJs8Call
  /** JS8Call B; it hears A. */
  readonly b: RealJs8Call
  readonly callsignA: string
  readonly callsignB: string
  /** Speed both run at. */
  readonly speed: Js8SpeedName
  /** The sound server carrying both stations' audio. */
  readonly pulse: PrivatePulse
  /** Stops both JS8Calls (process groups) and the sound server; safe to call twice. */
  stop(): Promise<void>
}

/** Starts the sound server and both JS8Calls; resolves once both APIs listen and audio flows. */
export async function startJs8CallPair(options: Js8CallPairOptions = {}): Promise<Js8CallPair> {
  const speed = options.speed ?? 'turbo'
  const [callsignA, callsignB] = [options.callsignA ?? 'K1AAA', options.callsignB ?? 'K2BBB']
  const pulse = await startPrivatePulse({ sinks: ['js8a_tx', 'js8b_tx'] })
  const started: RealJs8Call[] = []
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((j) => j.stop()))
    await pulse.stop()
  }
  const station = async (callsign: string, grid: string, own: string, other: string): Promise<RealJs8Call> => {
    const audio = { pulseServer: pulse.server, soundOut: `${own}_tx`, soundIn: `${other}_tx.monitor` }
    const j = await startRealJs8Call({ callsign, grid, subMode: JS8_SPEEDS[speed].code, audio })
    started.push(j)
    return j
  }
  try {
    const settled = await Promise.allSettled([station(callsignA, 'FN42', 'js8a', 'js8b'), station(callsignB, 'FN31', 'js8b', 'js8a')])
    const [a, b] = settled.map((r) => (r.status === 'fulfilled' ? r.value : undefined))
    const failed = settled.find((r) => r.status === 'rejected')
    if (a === undefined || b === undefined) throw failed?.status === 'rejected' ? failed.reason : new Error('js8call did not start')
    await wallSleep(AUDIO_SETTLE_MS)
    return { a, b, callsignA, callsignB, speed, pulse, stop }
  } catch (e) {
    await stop()
    throw e
  }
}

/** Transport options without `id`: a gateway config's link section names the link itself. */
export type Js8LinkOptions = Omit<Js8CallTransportOptions, 'id'>

/**
 * Transport options for a station of the pair: quick polls (an ack is awaited 3 periods after our
 * transmitter falls silent, retries spread over 1 period) so a frame lost on air (seen now and
 * then: a last frame decoded as garbage) is recovered within a test's time; liveness every 2 s.
 *
 * @param js8 - the station's JS8Call (`pair.a` or `pair.b`)
 * @param callsign - its callsign (`pair.callsignA` or `pair.callsignB`), checked against JS8Call's
 * @param speed - `pair.speed`, checked against JS8Call's
 * @param overrides - replaces any of these options
 */
export function js8PairTransportOptions(js8: RealJs8Call, callsign: string, speed: Js8SpeedName, overrides: Js8LinkOptions = {}): Js8LinkOptions {
  return {
    port: js8.port, callsign, speed,
    ackTimeoutPeriods: 3, retryJitterPeriods: 1, livenessIntervalMs: 2_000,
    ...overrides,
  }
}

/** A JS8Call pair with a started transport on each side. */
export interface Js8TransportLink {
  /** The two JS8Calls and their sound server. */
  readonly pair: Js8CallPair
  /** The station on JS8Call A, up. */
  readonly a: Js8CallTransport
  /** The station on JS8Call B, up. */
  readonly b: Js8CallTransport
  /** Stops both transports, then the pair; safe to call twice. */
  stop(): Promise<void>
}

/** Starts a JS8Call pair and one started transport on each API port. */
export async function startJs8TransportLink(options: Js8CallPairOptions & { overrides?: Js8LinkOptions } = {}): Promise<Js8TransportLink> {
  const pair = await startJs8CallPair(options)
  const station = (js8: RealJs8Call, callsign: string): Js8CallTransport =>
    new Js8CallTransport({ ...js8PairTransportOptions(js8, callsign, pair.speed, options.overrides), id: `js8-${callsign}` })
  const a = station(pair.a, pair.callsignA)
  const b = station(pair.b, pair.callsignB)
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
