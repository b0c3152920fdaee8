/**
 * AX.25 transports on simulated KISS TNCs (hardware-sim/kiss-tnc) reached the real way: through a
 * socat pty pair with the `serialport` binding, or over KISS TCP like Direwolf's port 8001. The
 * channel runs `timeScale` times faster than the wall clock and the transports' timers run on the
 * same simulated clock, so their deadlines are given as wall tolerances times the scale.
 */
import { openPtyPair, type PtyPair } from '../../hardware-sim/kiss-tnc/pty-pair.js'
import { startSimKissTnc, type SimKissTnc } from '../../hardware-sim/kiss-tnc/sim-kiss-tnc.js'
import { createRfChannel, type RfChannel } from '../../hardware-sim/rf-channel.js'
import { Ax25Transport, type Ax25TransportComponents } from '../../transports/ax25/ax25-transport.js'
import type { Ax25TransportOptions } from '../../transports/ax25/config.js'
import type { ContractFixture } from '../conformance/transport-contract.js'

/** A station: its TNC, the pty pair when serial, and a transport (not started). */
export interface SimStation {
  readonly tnc: SimKissTnc
  readonly pty: PtyPair | undefined
  readonly transport: Ax25Transport
}

/** A simulated channel and the stations on it. */
export interface SimNet {
  readonly channel: RfChannel
  /** Adds a station reached over `via`; its transport is created, not started. */
  add(name: string, callsign: string, via: 'serial' | 'tcp', options?: Partial<Ax25TransportOptions> & { returnBehaviour?: 'ignore' | 'leave-kiss' }, components?: Ax25TransportComponents): Promise<SimStation>
  /** Stops every transport, TNC and pty pair, and the channel. */
  close(): Promise<void>
}

/** Host stall the transports' deadlines tolerate, wall ms. */
const STALL_TOLERANCE_WALL_MS = 2_000

/** Creates a 1200 bit/s channel at `timeScale` with per-frame loss `lossRate`. */
export function createSimNet(o: { lossRate?: number; timeScale?: number; seed?: number } = {}): SimNet {
  const channel = createRfChannel({ profile: 'vhf-1200', lossProbability: o.lossRate ?? 0, timeScale: o.timeScale ?? 50, seed: o.seed ?? 1 })
  const stations: SimStation[] = []
  const stall = STALL_TOLERANCE_WALL_MS * channel.clock.timeScale // simulated ms
  let seed = o.seed ?? 1
  return {
    channel,
    async add(name, callsign, via, { returnBehaviour = 'ignore', ...options } = {}, components = {}) {
      const pty = via === 'serial' ? await openPtyPair() : undefined
      const tnc = await startSimKissTnc({
        channel, name, seed: ++seed, returnBehaviour,
        ...(pty === undefined ? { tcp: { port: 0 } } : { serial: { path: pty.pathA, baudRate: 9600 } }),
      }).catch(async (e: unknown) => {
        await pty?.close()
        throw e
      })
      const given = options.tnc
      const link = via === 'serial' ? { ...(given?.type === 'serial' ? given : {}), type: 'serial' as const, path: (pty as PtyPair).pathB } : { type: 'tcp' as const, port: tnc.tcpPort ?? 0 }
      const transport = new Ax25Transport(
        {
          id: `ax25-${name}`, callsign, bitrateBps: channel.profile.bitrateBps,
          writeTimeoutMs: stall, txbufTimeoutMs: stall, txbufPollMs: 2_000, interByteTimeoutMs: stall, ...options, tnc: link,
        },
        { clock: channel.clock, ...components },
      )
      const station = { tnc, pty, transport }
      stations.push(station)
      return station
    },
    async close() {
      for (const s of stations) await s.transport.stop()
      for (const s of stations) await s.tnc.close()
      for (const s of stations) await s.pty?.close()
      channel.close()
    },
  }
}

/**
 * The transport-contract setup for two AX.25 stations (N0AAA-1 → N0BBB-2, mtu 2048 bytes) reached
 * over `via` on a net at 50× real time. Losing the device is socat going away under the transport
 * (serial: unplugged) or the TNC closing (tcp). Each call first closes the net of the call before,
 * in case a failed test never reached its teardown.
 */
export function ax25ContractSetup(via: 'serial' | 'tcp'): () => Promise<ContractFixture> {
  let net: SimNet | undefined
  const prefix = via === 'serial' ? 'ser' : 'tcp'
  return async () => {
    await net?.close()
    net = createSimNet({ timeScale: 50 })
    const opts = { mtu: 2048 }
    const a = await net.add(`${prefix}-a`, 'N0AAA-1', via, opts)
    const b = await net.add(`${prefix}-b`, 'N0BBB-2', via, opts)
    const current = net
    return {
      a: a.transport,
      b: b.transport,
      bAddress: 'N0BBB-2',
      aAddress: 'N0AAA-1',
      breakA: () => (via === 'serial' ? (a.pty?.close() ?? Promise.resolve()) : a.tnc.close()),
      teardown: async () => {
        await current.close()
        if (net === current) net = undefined
      },
    }
  }
}
