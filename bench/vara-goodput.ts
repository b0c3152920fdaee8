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
import { startVaraPair, type VaraPairOptions } from '../hardware-sim/links/vara-pair.js'
import type { RfFrame } from '../hardware-sim/rf-channel.js'
import { decodeVaraFrame } from '../hardware-sim/vara/vara-frames.js'
import type { InboundFrame, LinkSample } from '../transports/types.js'

// The pair itself lives in hardware-sim (the demo builds its VARA link there too).
export { simTransportOptions, startVaraPair, type VaraPair, type VaraPairOptions } from '../hardware-sim/links/vara-pair.js'

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
