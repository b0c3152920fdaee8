/**
 * A VARA link on simulated hardware: two simulated VARA modems sharing one RF channel and an
 * unstarted VARA transport on each (callsigns N0AAA and N0BBB unless given). The transports run
 * their timers on the channel's clock, so the link runs `timeScale` times faster than wall time.
 * Tests, benchmarks and the demo build their VARA links here.
 *
 * @packageDocumentation
 */
import { silentLogger, type Logger } from '../../gateway/log.js'
import type { VaraOptionsInput } from '../../transports/vara/config.js'
import { VaraTransport } from '../../transports/vara/vara-transport.js'
import { createRfChannel, type RfChannel, type RfChannelOptions } from '../rf-channel.js'
import { startSimVara, type SimVara, type SimVaraOptions } from '../vara/sim-vara.js'

/** Options of {@link startVaraPair}. */
export interface VaraPairOptions {
  flavour?: 'hf' | 'fm'
  /** RF channel (profile, loss, seed, timeScale); default a clean `hf-good` (or `vhf-1200` for FM) at ×100. */
  channel?: RfChannelOptions
  /** Options of transport A (callsign N0AAA) and B (N0BBB) beyond the defaults. */
  a?: Partial<VaraOptionsInput>
  b?: Partial<VaraOptionsInput>
  /** Options of the modems beyond the defaults. */
  simA?: Partial<SimVaraOptions>
  simB?: Partial<SimVaraOptions>
  /** Logger of both transports, or of transport A when `logB` is given. */
  log?: Logger
  logB?: Logger
  /** Random source of both transports (holdoffs, retry jitter); default Math.random. */
  random?: () => number
}

/** Two modems on one channel and a transport on each (not started). */
export interface VaraPair {
  readonly channel: RfChannel
  /** Modem A (replaced by {@link VaraPair.restartSimA}). */
  readonly simA: SimVara
  readonly simB: SimVara
  readonly a: VaraTransport
  readonly b: VaraTransport
  /** Starts a new modem A on the old ports (after `simA.close()`: the modem switched off and on). */
  restartSimA(): Promise<SimVara>
  /** Stops both transports, both modems and the channel. */
  close(): Promise<void>
}

/** Host stall the command and connect deadlines tolerate, wall ms (they run in simulated time). */
const STALL_TOLERANCE_WALL_MS = 3_000

/** Transport options for a transport on `sim`: its ports, and deadlines that survive a busy host. */
export function simTransportOptions(sim: SimVara, channel: RfChannel, callsign: string): VaraOptionsInput {
  const stall = STALL_TOLERANCE_WALL_MS * channel.clock.timeScale // simulated ms
  return { id: `vara-${callsign.toLowerCase()}`, flavour: sim.flavour, callsign, cmdPort: sim.cmdPort, dataPort: sim.dataPort, commandTimeoutMs: stall, tcpConnectTimeoutMs: stall }
}

/** Starts two simulated modems on one channel, with an unstarted transport on each. */
export async function startVaraPair(o: VaraPairOptions = {}): Promise<VaraPair> {
  const flavour = o.flavour ?? 'hf'
  const profile = flavour === 'fm' ? 'vhf-1200' : 'hf-good'
  const channel = createRfChannel({ profile, lossProbability: 0, timeScale: 100, ...o.channel })
  // A restarted modem A takes the ports of the one before, so transport A finds it again, and a
  // seed of its own: with the old seed its first call would repeat the old session's id, and modem B
  // would take it for a retry of that call instead of a new session.
  let starts = 0
  const modemA = (ports?: Pick<SimVara, 'cmdPort' | 'dataPort'>): Promise<SimVara> =>
    startSimVara({
      flavour, ...o.simA,
      seed: (o.simA?.seed ?? 1) + 1_000 * starts++,
      cmdPort: ports?.cmdPort ?? o.simA?.cmdPort ?? 0,
      ...(ports === undefined ? {} : { dataPort: ports.dataPort }),
      channel,
    })
  let simA = await modemA()
  const simB = await startSimVara({ flavour, cmdPort: 0, seed: 2, ...o.simB, channel })
  const log = o.log ?? silentLogger()
  const shared = { clock: channel.clock, ...(o.random === undefined ? {} : { random: o.random }) }
  const a = new VaraTransport({ ...simTransportOptions(simA, channel, 'N0AAA'), ...o.a }, { ...shared, log })
  const b = new VaraTransport({ ...simTransportOptions(simB, channel, 'N0BBB'), ...o.b }, { ...shared, log: o.logB ?? log })
  return {
    channel, simB, a, b,
    get simA() {
      return simA
    },
    async restartSimA() {
      simA = await modemA(simA)
      return simA
    },
    async close() {
      await Promise.all([a.stop(), b.stop()])
      await Promise.all([simA.close(), simB.close()])
      channel.close()
    },
  }
}
