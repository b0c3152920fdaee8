/**
 * AX.25 goodput: two AX.25 transports, each on its own simulated KISS TNC (hardware-sim/kiss-tnc)
 * sharing one simulated RF channel, and how fast a bulk transfer crosses it with the
 * selective-repeat ARQ, against the channel's airtime bound.
 *
 * Method (Direwolf's, reference/radio.md §2.5, on simulated time so host load cannot skew it):
 * - 64 000 bytes go from A to B as reliable unicast, in messages of the transport MTU, all queued
 *   at once; the clock starts at the first `send()` and stops when B has delivered the last byte;
 * - both TNCs use Direwolf's default channel access (TXDELAY 300 ms, P 63, SLOTTIME 100 ms, TXTAIL
 *   100 ms, half duplex, CSMA), and frames queued together go out in one keyup, as Direwolf does;
 * - **airtime bound** = bitrate / 8 bytes per second (150 B/s at 1200 bit/s): what the channel
 *   would carry if it sent nothing but payload bits. It is the denominator of Direwolf's
 *   efficiency figures (137 B/s = 91 %), so the percentages compare directly;
 * - frame loss is the RF channel's per-frame loss probability (both directions, acks included).
 * The transports run on a virtual clock: the simulated channel, the TNCs and every transport timer
 * share one `SimClock` whose wall time only moves when nothing else is left to do, so a run is
 * exact and deterministic for a seed, and takes seconds of CPU for minutes of airtime.
 *
 * @packageDocumentation
 */
import { silentLogger } from '../gateway/log.js'
import { createPrng } from '../hardware-sim/prng.js'
import { startSimKissTnc, type SimKissTnc } from '../hardware-sim/kiss-tnc/sim-kiss-tnc.js'
import type { RfProfileName } from '../hardware-sim/profiles.js'
import { createRfChannel, type RfChannel } from '../hardware-sim/rf-channel.js'
import { createSimClock, type SimClock, type WallTimers } from '../hardware-sim/sim-clock.js'
import { Ax25Transport, type Ax25TransportComponents } from '../transports/ax25/ax25-transport.js'
import type { Ax25TransportOptions } from '../transports/ax25/config.js'
import { createMemoryKissPort, type MemoryPortDevice } from '../transports/ax25/memory-kiss-port.js'
import type { InboundFrame } from '../transports/types.js'

/** A clock whose wall time advances only when every pending callback and promise has run. */
export interface VirtualTime {
  readonly clock: SimClock
  /** Runs timers in order until `done()` is true; throws after `limitMs` of simulated time. */
  run(done: () => boolean, limitMs: number): Promise<void>
}

/** Lets every queued microtask and immediate run (in-memory ports hand bytes over on microtasks). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Creates a {@link VirtualTime}: a SimClock (time scale 1) on wall timers we advance ourselves. */
export function createVirtualTime(): VirtualTime {
  let now = 0 // virtual wall ms
  let nextHandle = 1
  const timers = new Map<number, { at: number; fn: () => void }>()
  const wall: WallTimers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const handle = nextHandle++
      timers.set(handle, { at: now + Math.max(0, ms), fn })
      return handle
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
  }
  const clock = createSimClock({ timeScale: 1 }, wall)
  return {
    clock,
    async run(done, limitMs) {
      const limit = now + limitMs
      for (;;) {
        await settle()
        if (done()) return
        let next: [number, { at: number; fn: () => void }] | undefined
        for (const entry of timers) if (next === undefined || entry[1].at < next[1].at) next = entry
        if (next === undefined) throw new Error(`virtual time stalled at ${now} ms: nothing scheduled and not done`)
        if (next[1].at > limit) throw new Error(`not done after ${limitMs} ms of simulated time`)
        timers.delete(next[0])
        now = next[1].at
        next[1].fn()
      }
    },
  }
}

/** Two AX.25 transports on two simulated TNCs sharing one channel, on virtual time. */
export interface Ax25SimPair {
  readonly time: VirtualTime
  readonly channel: RfChannel
  readonly tncA: SimKissTnc
  readonly tncB: SimKissTnc
  /** Station N0AAA-1 (not started). */
  readonly a: Ax25Transport
  /** Station N0BBB-2 (not started). */
  readonly b: Ax25Transport
  /** The host ends of the two TNCs' in-process links (unplug to simulate a lost device). */
  readonly deviceA: MemoryPortDevice
  readonly deviceB: MemoryPortDevice
  /** Stops both transports and TNCs and closes the channel. */
  close(): Promise<void>
}

/** Options of {@link startAx25SimPair}. */
export interface Ax25SimPairOptions {
  profile?: RfProfileName
  /** Per-frame loss probability, overriding the profile's. */
  lossRate?: number
  seed?: number
  /** Options of both transports beyond callsign and TNC. */
  options?: Partial<Ax25TransportOptions>
  components?: Ax25TransportComponents
}

/** One station of a simulated net: its TNC, the host end of its in-process link, and its transport. */
export interface Ax25SimStation {
  readonly tnc: SimKissTnc
  readonly device: MemoryPortDevice
  readonly transport: Ax25Transport
}

/**
 * Adds a station to `channel`: a simulated KISS TNC, joined in process (no socket, no pty) to an
 * AX.25 transport that is created but not started.
 */
export async function addAx25SimStation(
  time: VirtualTime,
  channel: RfChannel,
  name: string,
  callsign: string,
  o: { seed?: number; options?: Partial<Ax25TransportOptions>; components?: Ax25TransportComponents } = {},
): Promise<Ax25SimStation> {
  const seed = o.seed ?? 1
  const tnc = await startSimKissTnc({ channel, name, seed })
  const prng = createPrng(seed)
  const { device, open } = createMemoryKissPort(name)
  const host = tnc.connectHost((bytes) => device.write(bytes))
  device.onData((bytes) => host.write(bytes))
  const transport = new Ax25Transport(
    { tnc: { type: 'tcp', port: 8001 }, bitrateBps: channel.profile.bitrateBps, ...o.options, id: `ax25-${name}`, callsign },
    { clock: time.clock, log: silentLogger(), random: () => prng.next(), ...o.components, openPort: open },
  )
  return { tnc, device, transport }
}

/** Starts the channel and both TNCs; the transports are created but not started. */
export async function startAx25SimPair(o: Ax25SimPairOptions = {}): Promise<Ax25SimPair> {
  const time = createVirtualTime()
  const seed = o.seed ?? 1
  const channel = createRfChannel({ profile: o.profile ?? 'vhf-1200', seed, ...(o.lossRate === undefined ? {} : { lossProbability: o.lossRate }) }, { clock: time.clock })
  const station = { ...(o.options === undefined ? {} : { options: o.options }), ...(o.components === undefined ? {} : { components: o.components }) }
  const A = await addAx25SimStation(time, channel, 'tnc-a', 'N0AAA-1', { ...station, seed: seed * 2 + 1 })
  const B = await addAx25SimStation(time, channel, 'tnc-b', 'N0BBB-2', { ...station, seed: seed * 2 + 2 })
  return {
    time, channel, tncA: A.tnc, tncB: B.tnc, a: A.transport, b: B.transport, deviceA: A.device, deviceB: B.device,
    async close() {
      await Promise.all([A.transport.stop(), B.transport.stop()])
      await Promise.all([A.tnc.close(), B.tnc.close()])
      channel.close()
    },
  }
}

/** Result of one goodput run. */
export interface Ax25GoodputResult {
  profile: RfProfileName
  lossRate: number
  /** Payload bytes transferred. */
  bytes: number
  /** First `send()` to the last byte delivered, simulated s. */
  seconds: number
  /** bytes / seconds. */
  goodputBytesPerSec: number
  /** Channel bitrate / 8, bytes/s. */
  boundBytesPerSec: number
  /** goodput / bound. */
  efficiency: number
  paclen: number
  window: number
  /** Data segments sent first time, sent again, and shown lost by acknowledgements. */
  framesSent: number
  framesRetried: number
  framesLost: number
  /** Transmissions (keyups) of the sending TNC. */
  keyups: number
}

/** Options of {@link measureAx25Goodput}. */
export interface Ax25GoodputOptions {
  /** Bytes to transfer (Direwolf's test: 64 000). */
  bytes?: number
  /** AX.25 information field, bytes (Direwolf's best v2.2 run: 512). */
  paclen?: number
  /** ARQ window (Direwolf's best v2.2 run: EMAXFRAME 63). */
  window?: number
  /** Payload per `send()`, bytes. */
  messageBytes?: number
  seed?: number
}

/**
 * Measures the reliable-unicast goodput of the AX.25 transport over the simulated channel.
 *
 * @param profile - RF profile (`vhf-1200` or `vhf-9600`)
 * @param lossRate - per-frame loss probability, 0..1
 */
export async function measureAx25Goodput(profile: RfProfileName, lossRate: number, options: Ax25GoodputOptions = {}): Promise<Ax25GoodputResult> {
  const bytes = options.bytes ?? 64_000
  const paclen = options.paclen ?? 512
  const window = options.window ?? 63
  const messageBytes = options.messageBytes ?? 8_192
  const pair = await startAx25SimPair({
    profile, lossRate, seed: options.seed ?? 1,
    options: { mtu: messageBytes, maxQueueBytes: Math.max(bytes, 1 << 18), arq: { paclen, window } },
  })
  try {
    await startBoth(pair)
    const payload = Uint8Array.from({ length: bytes }, (_, i) => (i * 31 + 7) & 0xff)
    let received = 0
    let doneAt = 0
    let corrupt = false
    pair.b.on('frame', (f: InboundFrame) => {
      corrupt ||= !Buffer.from(f.payload).equals(payload.subarray(received, received + f.payload.length))
      received += f.payload.length
      if (received >= bytes) doneAt = pair.time.clock.now()
    })
    const startAt = pair.time.clock.now()
    const sends: Promise<void>[] = []
    for (let at = 0; at < bytes; at += messageBytes) sends.push(pair.a.send(payload.subarray(at, at + messageBytes), { to: 'N0BBB-2' }))
    const failures: unknown[] = []
    for (const s of sends) s.catch((e: unknown) => failures.push(e))
    await pair.time.run(() => doneAt > 0 || failures.length > 0, 24 * 3_600_000)
    if (failures.length > 0) throw failures[0]
    if (corrupt) throw new Error('the transfer arrived out of order or altered')
    const seconds = (doneAt - startAt) / 1000
    const counters = pair.a.stats().peers['N0BBB-2']
    const boundBytesPerSec = pair.channel.profile.bitrateBps / 8
    const goodputBytesPerSec = bytes / seconds
    return {
      profile, lossRate, bytes, seconds, goodputBytesPerSec, boundBytesPerSec, efficiency: goodputBytesPerSec / boundBytesPerSec,
      paclen, window, framesSent: counters?.framesSent ?? 0, framesRetried: counters?.framesRetried ?? 0,
      framesLost: counters?.framesLost ?? 0, keyups: pair.tncA.stats().keyups,
    }
  } finally {
    await pair.close()
  }
}

/** Starts both transports of a pair, running virtual time until they are up. */
export async function startBoth(pair: Ax25SimPair): Promise<void> {
  let up = false
  const starting = Promise.all([pair.a.start(), pair.b.start()]).then(() => (up = true))
  await pair.time.run(() => up, 60_000)
  await starting
}
