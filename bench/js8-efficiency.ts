/**
 * JS8 encoding efficiency: useful bits per JS8 payload bit (72 per frame) for our encoding
 * (codecs/js8-text.ts through the transport's framing, transports/js8call/efficiency.ts) and for
 * base-2^k mappings of the same bytes: RFC 4648 Base32, whose alphabet is all in JS8's Huffman table,
 * and pyjs8call's Base64, which is not (JS8Call must then use its dictionary coder JSC, whose tables
 * are not shipped here). Counted at Normal speed with the Huffman code; exact, no timing.
 *
 * @packageDocumentation
 */
import { encodeEnvelope } from '../codecs/envelope.js'
import { blockHash } from '../codecs/hashes.js'
import { base64Js8Text } from '../codecs/js8-text.js'
import type { Block } from '../codecs/model.js'
import { makeCompactBlock } from '../gateway/protocol/compact-block.js'
import { CORPUS_COMPACT_SALT } from '../hardware-sim/corpus.js'
import { Js8CallTransportOptionsSchema } from '../transports/js8call/config.js'
import { js8LinkCost, js8TextCost, type Js8Cost } from '../transports/js8call/efficiency.js'
import type { BenchContext } from './bench-context.js'
import { grouped } from './format.js'
import type { Js8EfficiencyRow } from './results-model.js'
import type { Measurement } from './section.js'

/** RFC 4648 Base32 alphabet: every character is in JS8's Huffman table. */
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
/** Two standard callsigns: one `FROM: TO` header frame per transmission. */
const ENDS = { from: 'K1AAA', to: 'K2BBB' } as const
/** Most data frames per transmission our transport allows. */
const ONE_TRANSMISSION_FRAMES = 32

/** RFC 4648 Base32 of `bytes` without `=` padding (JS8's Huffman table has no `=`). */
export function base32Text(bytes: Uint8Array): string {
  let out = ''
  let acc = 0 // pending bits, at most 12
  let bits = 0
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0xfff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += BASE32_ALPHABET.charAt((acc >> bits) & 31)
    }
  }
  return bits > 0 ? out + BASE32_ALPHABET.charAt((acc << (5 - bits)) & 31) : out
}

function row(item: string, encoding: string, cost: Js8Cost): Js8EfficiencyRow {
  const sendable = Number.isFinite(cost.dataFrames)
  return {
    item, payloadBytes: cost.payloadBytes, encoding,
    transmissions: sendable ? cost.transmissions : null,
    dataFrames: sendable ? cost.dataFrames : null,
    headerFrames: sendable ? cost.headerFrames : null,
    dataFrameEfficiency: sendable ? cost.dataFrameEfficiency : 0,
    efficiency: sendable ? cost.efficiency : 0,
  }
}

/** The four encodings of one payload. */
export function js8EncodingRows(item: string, payload: Uint8Array): Js8EfficiencyRow[] {
  const frames = Js8CallTransportOptionsSchema.parse({}).maxFramesPerTransmission
  return [
    row(item, `ours, ≤ ${frames} frames per transmission (default)`, js8LinkCost(payload, { ...ENDS, maxDataFrames: frames })),
    row(item, `ours, ≤ ${ONE_TRANSMISSION_FRAMES} frames per transmission`, js8LinkCost(payload, { ...ENDS, maxDataFrames: ONE_TRANSMISSION_FRAMES })),
    row(item, 'Base32 (RFC 4648), one message', js8TextCost(payload.length, base32Text(payload), ENDS)),
    row(item, 'Base64 as pyjs8call maps it, one message', js8TextCost(payload.length, base64Js8Text(payload), ENDS)),
  ]
}

/** The payloads: the corpus transaction, the compact 30-tx block and a chain-tip `inv`, as envelopes. */
function payloads(ctx: BenchContext): [string, Uint8Array][] {
  const { transaction, fullBlock, chain } = ctx.corpus()
  return [
    ['tx envelope', encodeEnvelope({ type: 'tx', transaction })],
    ['cmpctblock envelope (30 txs)', encodeEnvelope(makeCompactBlock(fullBlock, CORPUS_COMPACT_SALT))],
    ['inv of the chain tip', encodeEnvelope({ type: 'inv', tx: [], block: [blockHash((chain.at(-1) as Block).header)] })],
  ]
}

const ratio = (x: number): string => (x === 0 ? 'not sendable' : x.toFixed(3))
const frames = (n: number | null): string => (n === null ? '—' : grouped(n))

/** The `js8-efficiency` section. */
export async function js8Efficiency(ctx: BenchContext): Promise<Measurement> {
  const rows = payloads(ctx).flatMap(([item, payload]) => js8EncodingRows(item, payload))
  const table = {
    columns: ['payload', 'B', 'encoding', 'transmissions', 'data frames', 'header frames', 'useful bits / data-frame bit', 'useful bits / payload bit, all frames'],
    rows: rows.map((r) => [
      r.item, grouped(r.payloadBytes), r.encoding, frames(r.transmissions), frames(r.dataFrames), frames(r.headerFrames),
      ratio(r.dataFrameEfficiency), ratio(r.efficiency),
    ]),
  }
  const notes = [
    'A JS8 frame carries 72 payload bits (radio.md §4.4). Useful bits = 8 × payload bytes; JS8\'s frame headers and padding, our link and fragment headers and CRCs, and the `FROM: TO` header frames count against it; acks do not. Normal speed, Huffman code (JS8Call may pick JSC for a frame when it holds more, so ours is a lower bound).',
    'Base32 and Base64 are sent as one bare message with no checksum or fragmenting, which favours them. pyjs8call\'s Base64 uses characters outside JS8\'s Huffman table, so JS8Call must send it with JSC: measured offline against JS8Call 2.2.0\'s tables (codecs/js8-text.ts), 27 data frames for a 168-byte transaction where ours needed 21.',
  ]
  return { rows, table, notes }
}
