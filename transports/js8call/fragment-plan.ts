/**
 * How a payload is cut for JS8: into as few transmissions as possible such that each one fits in
 * `maxDataFrames` JS8 frames. A payload that fits whole goes as one `whole` link frame; a larger
 * one is cut with codecs/fragment.ts. Sizes come from trying them, not from an average bit rate:
 * JS8's Huffman packing depends on the data, and one frame too many costs a whole period.
 *
 * @packageDocumentation
 */
import { CodecError } from '../../codecs/errors.js'
import { fragmentMessage, MIN_FRAGMENT_MTU } from '../../codecs/fragment.js'
import { JS8_FRAME_PAYLOAD_BITS } from '../../codecs/js8-huffman.js'
import { err, ok, type Result } from '../../codecs/result.js'
import { linkFrameText, type LinkFrame } from './link-frame.js'
import { dataFrames, type Js8SpeedName } from './speed.js'

/** The link frames that carry `payload` as message `messageId`, each within `maxDataFrames` frames. */
export function planFragments(payload: Uint8Array, messageId: number, maxDataFrames: number, speed: Js8SpeedName): Result<LinkFrame[]> {
  const fits = (frame: LinkFrame): boolean => dataFrames(linkFrameText(frame), speed) <= maxDataFrames
  const whole: LinkFrame = { kind: 'whole', messageId, payload }
  if (fits(whole)) return ok([whole])
  // No fragment can carry more bytes than its frames hold bits; start there and shrink.
  const ceiling = Math.floor((maxDataFrames * JS8_FRAME_PAYLOAD_BITS) / 8)
  for (let mtu = ceiling; mtu >= MIN_FRAGMENT_MTU; mtu--) {
    const cut = fragmentMessage(payload, mtu, messageId)
    if (!cut.ok) break // too many fragments: smaller sizes need more still
    const frames = cut.value.map((fragment): LinkFrame => ({ kind: 'data', fragment }))
    if (frames.every(fits)) return ok(frames)
  }
  return err(new CodecError('ERR_FRAGMENT', `${payload.length} bytes cannot be cut into fragments of ${maxDataFrames} JS8 frames`))
}
