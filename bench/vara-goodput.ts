/**
 * VARA goodput: two VARA transports on two simulated modems sharing one RF channel, and the
 * measurement of how fast a block sync crosses it against the BITRATE the modems report.
 *
 * Method (all in simulated time, so host load cannot skew it):
 * - the chain is cut into envelopes of `blocks` messages that fit the MTU, sent one `await send()`
 *   after the other (back-pressure paces them, as a router would);
 * - a passive station on the channel timestamps every frame;
 * - transfer goodput = envelope payload bits received ÷ (the sender keys its first data frame →
 *   the receiver's acknowledgement of the last one is back at the sender), so every ARQ cycle of
 *   the transfer counts in full; session goodput counts from the first `send()`, so it also pays
 *   for the connect;
 * - the reference is the rate of the sender's `BITRATE` reports (the level's net rate).
 *
 * @packageDocumentation
 */
import { encodeEnvelope } from '../codecs/envelope.js'
import type { Block } from '../codecs/model.js'
import { silentLogger, type Logger } from '../gateway/log.js'
import { createRfChannel, type RfChannel, type RfChannelOptions, type RfFrame } from '../hardware-sim/rf-channel.js'
import { startSimVara, type SimVara, type SimVaraOptions } from '../hardware-sim/vara/sim-vara.js'
import { decodeVaraFrame } from '../hardware-sim/vara/vara-frames.js'
import type { VaraOptionsInput } from '../transports/vara/config.js'
import { VaraTransport } from '../transports/vara/vara-transport.js'
import type { InboundFrame, LinkSample } from '../transports/types.js'

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
  log?: Logger
}

/** Two modems on one channel and a transport on each (not started). */
export interface VaraPair {
  readonly channel: RfChannel
  readonly simA: SimVara
  readonly simB: SimVara
  readonly a: VaraTransport
  readonly b: VaraTransport
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
  const simA = await startSimVara({ flavour, cmdPort: 0, seed: 1, ...o.simA, channel })
  const simB = await startSimVara({ flavour, cmdPort: 0, seed: 2, ...o.simB, channel })
  const components = { clock: channel.clock, log: o.log ?? silentLogger() }
  const a = new VaraTransport({ ...simTransportOptions(simA, channel, 'N0AAA'), ...o.a }, components)
  const b = new VaraTransport({ ...simTransportOptions(simB, channel, 'N0BBB'), ...o.b }, components)
  return {
    channel, simA, simB, a, b,
    async close() {
      await Promise.all([a.stop(), b.stop()])
      await Promise.all([simA.close(), simB.close()])
      channel.close()
    },
  }
}

/** Envelopes of `{ type: 'blocks' }` holding as many consecutive blocks as fit in `mtu` bytes. */
export function blockBatches(blocks: readonly Block[], mtu: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let batch: Block[] = []
  let encoded: Uint8Array | undefined
  for (const block of blocks) {
    const next = encodeEnvelope({ type: 'blocks', blocks: [...batch, block] })
    if (next.length <= mtu) {
      batch.push(block)
      encoded = next
      continue
    }
    if (encoded === undefined) throw new RangeError(`one block needs ${next.length} bytes, over the ${mtu}-byte MTU`)
    out.push(encoded)
    batch = [block]
    encoded = encodeEnvelope({ type: 'blocks', blocks: batch })
  }
  if (encoded !== undefined) out.push(encoded)
  return out
}

/** Outcome of {@link measureVaraGoodput}. */
export interface VaraGoodputResult {
  flavour: 'hf' | 'fm'
  blocks: number
  envelopes: number
  /** Envelope bytes delivered (without length prefixes). */
  payloadBytes: number
  /** Every delivered envelope equals the one sent, in order. */
  intact: boolean
  /** Rate of the sender's BITRATE reports during the transfer, bit/s. */
  reportedBitrateBps: number
  /** First data frame keyed → acknowledgement of the last one received, simulated s. */
  transferSeconds: number
  transferGoodputBps: number
  /** transferGoodputBps ÷ reportedBitrateBps. */
  ratio: number
  /** First send() → acknowledgement of the last data frame received (includes the connect), simulated s. */
  sessionSeconds: number
  sessionGoodputBps: number
}

/** Moves `blocks` from A to B over a fresh pair and measures goodput (see the module comment). */
export async function measureVaraGoodput(blocks: readonly Block[], o: VaraPairOptions & { timeoutMs?: number } = {}): Promise<VaraGoodputResult> {
  const pair = await startVaraPair(o)
  try {
    const batches = blockBatches(blocks, pair.a.capabilities.mtu)
    const heard: RfFrame[] = []
    pair.channel.attach({ id: 'goodput-monitor', onFrame: (f) => heard.push(f) })
    const data = (): RfFrame[] => heard.filter((f) => isDataFrom(f, pair.a.options.callsign))
    const lastAck = (): RfFrame | undefined => {
      const last = data().at(-1)
      return last && heard.find((f) => f.from === pair.simB.stationId && f.startMs >= last.endMs)
    }
    const received: InboundFrame[] = []
    const rates: number[] = []
    pair.b.on('frame', (f) => received.push(f))
    pair.a.on('sample', (s: LinkSample) => s.bitrateBps !== undefined && rates.push(s.bitrateBps))
    await pair.b.start()
    await pair.a.start()
    const startedAt = pair.channel.clock.now()
    for (const batch of batches) await pair.a.send(batch, { to: pair.b.options.callsign })
    const deadline = Date.now() + (o.timeoutMs ?? 60_000)
    await until(() => received.length >= batches.length, deadline)
    await until(() => lastAck() !== undefined, deadline)
    const window = { from: data()[0]?.startMs ?? startedAt, to: lastAck()?.receivedAtMs ?? startedAt, startedAt }
    return summarise(o.flavour ?? 'hf', blocks.length, batches, received, window, rates)
  } finally {
    await pair.close()
  }
}

/** Simulated ms: first data frame keyed, last acknowledgement received, first send(). */
interface Window {
  readonly from: number
  readonly to: number
  readonly startedAt: number
}

function summarise(
  flavour: 'hf' | 'fm', blocks: number, batches: Uint8Array[], received: InboundFrame[], w: Window, rates: number[],
): VaraGoodputResult {
  const payloadBytes = received.reduce((n, f) => n + f.payload.length, 0)
  const intact = received.length === batches.length && received.every((f, i) => Buffer.from(f.payload).equals(batches[i] ?? new Uint8Array()))
  const transferSeconds = (w.to - w.from) / 1000
  const sessionSeconds = (w.to - w.startedAt) / 1000
  const reportedBitrateBps = rates.at(-1) ?? 0
  const transferGoodputBps = (payloadBytes * 8) / transferSeconds
  return {
    flavour, blocks, envelopes: batches.length, payloadBytes, intact, reportedBitrateBps,
    transferSeconds, transferGoodputBps, ratio: transferGoodputBps / reportedBitrateBps,
    sessionSeconds, sessionGoodputBps: (payloadBytes * 8) / sessionSeconds,
  }
}

/** A data frame of `call` carrying payload, as heard on the channel. */
function isDataFrom(f: RfFrame, call: string): boolean {
  const d = decodeVaraFrame(f.payload)
  return d.ok && d.value.kind === 'data' && d.value.src === call && d.value.payload.length > 0
}

async function until(check: () => boolean, deadline: number): Promise<void> {
  while (!check()) {
    if (Date.now() > deadline) throw new Error('VARA goodput run did not finish in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}
