/**
 * What a payload costs on JS8 with this transport, in frames and bits, and how much of that is
 * the payload: the figure the issue asks for ("useful bits per JS8 payload bit, counting JS8's own
 * Huffman code and the framing"), for the tests and the benchmark.
 *
 * Three ratios, from the narrowest to the widest view:
 * - `textEfficiency`: payload bits per Huffman bit of our text (js8-text's CRC and end marker count
 *   against it, our link and fragment headers too);
 * - `dataFrameEfficiency`: payload bits per payload bit of the data frames (JS8's frame header bits
 *   and the padding at the end of each frame count against it too);
 * - `efficiency`: the same over every frame, the `FROM: TO` header frames of each transmission
 *   included.
 * Normal speed, where JS8Call packs with the Huffman code (or JSC when it holds more, so these are
 * lower bounds); the acks are not counted.
 *
 * @packageDocumentation
 */
import { js8HuffmanFrames, JS8_FRAME_PAYLOAD_BITS } from '../../codecs/js8-huffman.js'
import { js8AirBits } from '../../codecs/js8-text.js'
import { unwrap } from '../../codecs/result.js'
import { planFragments } from './fragment-plan.js'
import { linkFrameText } from './link-frame.js'
import { headerFrames } from './speed.js'

/** The cost of one payload on JS8 at Normal speed. */
export interface Js8Cost {
  payloadBytes: number
  /** Directed messages (one per fragment, or one `whole`). */
  transmissions: number
  dataFrames: number
  /** `FROM: TO` frames, 1 or 2 per transmission. */
  headerFrames: number
  /** Huffman bits of the transmitted texts. */
  airBits: number
  textEfficiency: number
  dataFrameEfficiency: number
  efficiency: number
}

/** Where a payload goes and how it is cut. */
export interface Js8CostOptions {
  from: string
  to: string
  /** The transport's `maxFramesPerTransmission`. */
  maxDataFrames: number
}

/** Frames and bits of `payload` sent by this transport (message id 0). */
export function js8LinkCost(payload: Uint8Array, o: Js8CostOptions): Js8Cost {
  const texts = unwrap(planFragments(payload, 0, o.maxDataFrames, 'normal')).map(linkFrameText)
  const dataFrames = texts.reduce((n, t) => n + js8HuffmanFrames(t), 0)
  return cost(payload.length, texts.length * headerFrames(o.from, o.to), dataFrames, texts.reduce((n, t) => n + js8AirBits(t), 0), texts.length)
}

/**
 * The same payload as one message of `text` (e.g. pyjs8call's Base64 mapping, `base64Js8Text`), at
 * Normal speed with the Huffman code: `Infinity` frames when the text has characters Huffman
 * cannot send (JS8Call must use JSC then; its tables are not shipped here).
 */
export function js8TextCost(payloadBytes: number, text: string, o: Omit<Js8CostOptions, 'maxDataFrames'>): Js8Cost {
  return cost(payloadBytes, headerFrames(o.from, o.to), js8HuffmanFrames(text), js8AirBits(text), 1)
}

function cost(payloadBytes: number, header: number, dataFrames: number, airBits: number, transmissions: number): Js8Cost {
  const bits = 8 * payloadBytes
  return {
    payloadBytes,
    transmissions,
    dataFrames,
    headerFrames: header,
    airBits,
    textEfficiency: bits / airBits,
    dataFrameEfficiency: bits / (JS8_FRAME_PAYLOAD_BITS * dataFrames),
    efficiency: bits / (JS8_FRAME_PAYLOAD_BITS * (dataFrames + header)),
  }
}
