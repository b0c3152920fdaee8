/**
 * A JS8Call link on simulated hardware: two JS8Call transports on two simulated JS8Calls sharing
 * one RF channel, in simulated time: the transports run their link clock on the channel's clock, so
 * JS8 periods, ack waits and the airtime hour pass `timeScale` times faster than wall time. Tests,
 * benchmarks and the demo build their JS8Call links here.
 *
 * @packageDocumentation
 */
import type { Logger } from '../../gateway/log.js'
import { Js8CallTransport } from '../../transports/js8call/js8call-transport.js'
import type { Js8CallTransportOptions } from '../../transports/js8call/config.js'
import { js8Speed } from '../js8call/js8-airtime.js'
import { startSimJs8Call, type SimJs8Call, type SimJs8CallOptions } from '../js8call/sim-js8call.js'
import { createPrng } from '../prng.js'
import { createRfChannel, type RfChannel, type RfChannelOptions } from '../rf-channel.js'

/** Callsign of station A (a standard JS8 call: one header frame per message). */
export const CALL_A = 'K1AAA'
/** Callsign of station B. */
export const CALL_B = 'K2BBB'
/** The gateways' group. */
export const GROUP = '@BNKR'

/** Options of {@link startJs8Pair}. */
export interface Js8PairOptions {
  channel?: RfChannelOptions
  /** SPEED code of both stations (0 Normal, 1 Fast, 2 Turbo, 4 Slow). */
  speed?: 0 | 1 | 2 | 4
  /** Options of both transports. */
  transport?: Partial<Js8CallTransportOptions>
  /** Extra options of simulated JS8Call A. */
  simA?: Partial<SimJs8CallOptions>
  /** Extra options of simulated JS8Call B. */
  simB?: Partial<SimJs8CallOptions>
  logA?: Logger
  logB?: Logger
}

/** What {@link startJs8Pair} built. */
export interface Js8Pair {
  readonly channel: RfChannel
  simA: SimJs8Call
  readonly simB: SimJs8Call
  readonly a: Js8CallTransport
  readonly b: Js8CallTransport
  /** Starts a new simulated JS8Call A on the old port (after `simA.close()`). */
  restartSimA(options?: Partial<SimJs8CallOptions>): Promise<SimJs8Call>
  /** Stops transports and simulators and closes the channel. */
  close(): Promise<void>
}

/** A seeded uniform [0, 1) source, one per transport (their retry jitter must not be correlated). */
function seeded(seed: number): () => number {
  const prng = createPrng(seed)
  return () => prng.next()
}

/** Builds the pair; the transports are not started. */
export async function startJs8Pair(o: Js8PairOptions = {}): Promise<Js8Pair> {
  const channel = createRfChannel({ profile: 'hf-good', lossProbability: 0, timeScale: 200, ...o.channel })
  const speed = o.speed ?? 2
  const simOf = (callsign: string, port: number, extra: Partial<SimJs8CallOptions> = {}): Promise<SimJs8Call> =>
    startSimJs8Call({ channel, callsign, port, speed, groups: [GROUP], pingMs: 0, name: `js8:${callsign}`, ...extra })
  let simA = await simOf(CALL_A, 0, o.simA)
  const simB = await simOf(CALL_B, 0, o.simB)
  const transport = (id: string, port: number, seed: number, log: Logger | undefined): Js8CallTransport =>
    new Js8CallTransport(
      // Wall-time latency is multiplied by the time scale, so the PTT gap gets most of a period
      // of slack; the simulator starts on the next period boundary anyway (no late start).
      { id, port, group: GROUP, txGapSlackMs: 0.6 * js8Speed(speed).periodMs, livenessIntervalMs: 1_000, ...o.transport },
      { clock: channel.clock, random: seeded(seed), ...(log === undefined ? {} : { log }) },
    )
  const a = transport('js8-a', simA.port, 7, o.logA)
  const b = transport('js8-b', simB.port, 8, o.logB)
  return {
    channel,
    get simA() {
      return simA
    },
    simB,
    a,
    b,
    async restartSimA(options = {}) {
      simA = await simOf(options.callsign ?? CALL_A, simA.port, { ...o.simA, ...options })
      return simA
    },
    async close() {
      await a.stop()
      await b.stop()
      await simA.close()
      await simB.close()
      channel.close()
    },
  }
}
