/**
 * AX.25 links on simulated KISS TNCs (hardware-sim/kiss-tnc) reached the real way: through a socat
 * pty pair with the `serialport` binding, or over KISS TCP like Direwolf's port 8001. The channel
 * runs `timeScale` times faster than the wall clock and the transports' timers run on the same
 * simulated clock, so their deadlines are given as wall tolerances times the scale. Tests, the
 * transport contract and the demo build their AX.25 stations here.
 *
 * @packageDocumentation
 */
import { spawnSync } from 'node:child_process'
import { Ax25Transport, type Ax25TransportComponents } from '../../transports/ax25/ax25-transport.js'
import type { Ax25TransportOptions } from '../../transports/ax25/config.js'
import { openPtyPair, type PtyPair } from '../kiss-tnc/pty-pair.js'
import { startSimKissTnc, type SimKissTnc } from '../kiss-tnc/sim-kiss-tnc.js'
import { createRfChannel, type RfChannel } from '../rf-channel.js'

/** A station: its TNC, the pty pair when serial, and a transport (not started). */
export interface SimStation {
  readonly tnc: SimKissTnc
  readonly pty: PtyPair | undefined
  readonly transport: Ax25Transport
}

/** How a station's transport reaches its TNC: a serial line (socat pty pair) or KISS over TCP. */
export type TncVia = 'serial' | 'tcp'

/** A simulated channel and the stations on it. */
export interface SimNet {
  readonly channel: RfChannel
  /** Adds a station reached over `via`; its transport is created, not started. */
  add(name: string, callsign: string, via: TncVia, options?: Partial<Ax25TransportOptions> & { returnBehaviour?: 'ignore' | 'leave-kiss' }, components?: Ax25TransportComponents): Promise<SimStation>
  /** Stops every transport, TNC and pty pair, and the channel. */
  close(): Promise<void>
}

/** Host stall the transports' deadlines tolerate, wall ms. */
const STALL_TOLERANCE_WALL_MS = 2_000

/** True when `socat` runs here, so stations can be reached over real ptys. */
export function socatAvailable(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0
}

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
