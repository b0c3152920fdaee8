/**
 * Payload efficiency of the JS8Call transport (issue item 5): useful bits per JS8 payload bit,
 * counting JS8's Huffman code, our framing (link and fragment headers, CRCs) and JS8's frame
 * packing, on real gateway messages; and pyjs8call's Base64 mapping on the same data.
 *
 * Measured once on real JS8Call 2.2.0 (TX.FRAME events, headless, no audio) for the 139-byte
 * transaction envelope sent whole to a standard callsign: our text took 19 frames at Normal
 * (0.81 useful bits per payload bit, header frame included) and 22 at Turbo, where JS8Call uses
 * its dictionary coder JSC only (0.70).
 */
import { describe, expect, it } from 'vitest'
import { encodeEnvelope } from '../../codecs/envelope.js'
import { base64Js8Text, js8AirBits } from '../../codecs/js8-text.js'
import { Js8CallTransportOptionsSchema } from '../../transports/js8call/config.js'
import { js8LinkCost, js8TextCost } from '../../transports/js8call/efficiency.js'
import { fromHex, vectors } from '../helpers/vectors.js'

const bytes = (hex: string): Uint8Array => new Uint8Array(fromHex(hex))
const v = vectors.transactions[0]!
const TX = encodeEnvelope({
  type: 'tx',
  transaction: { sender: bytes(v.sender), recipient: bytes(v.recipient), amount: BigInt(v.amount), nonce: BigInt(v.nonce), signature: bytes(v.signature) },
})
const TIP = encodeEnvelope({ type: 'inv', tx: [], block: [bytes(vectors.blocks.at(-1)!.hash)] }, { compress: 'never' })
const DEFAULT_FRAMES = Js8CallTransportOptionsSchema.parse({}).maxFramesPerTransmission
const STANDARD = { from: 'K1AAA', to: 'K2BBB', maxDataFrames: DEFAULT_FRAMES }

describe('payload efficiency on JS8 (Normal speed, Huffman)', () => {
  it('carries a signed transaction at more than 0.8 useful bits per data-frame bit with the default settings', () => {
    const cost = js8LinkCost(TX, STANDARD)
    expect(cost.transmissions).toBe(2)
    expect(cost.textEfficiency).toBeGreaterThan(0.85) // Huffman code plus our headers and CRCs
    expect(cost.dataFrameEfficiency).toBeGreaterThan(0.8) // plus JS8's frame headers and padding
    expect(cost.efficiency).toBeGreaterThan(0.7) // plus one `FROM: TO` frame per transmission
    // One long transmission would spend fewer frames, at the price of losing it all to one bad frame.
    expect(js8LinkCost(TX, { ...STANDARD, maxDataFrames: 32 }).efficiency).toBeGreaterThan(cost.efficiency)
  })

  it('pays for its headers on short messages: a tip announcement to a custom group', () => {
    const cost = js8LinkCost(TIP, { ...STANDARD, to: '@BNKR' })
    expect(cost).toMatchObject({ transmissions: 1, headerFrames: 2 }) // @BNKR is not a predefined group
    expect(cost.dataFrameEfficiency).toBeGreaterThan(0.7)
  })

  it('sends a whole transaction in the frames real JS8Call 2.2.0 used for it, and Base64 not at all', () => {
    const whole = js8LinkCost(TX, { ...STANDARD, maxDataFrames: 32 })
    expect(whole.dataFrames + whole.headerFrames).toBe(19) // as measured (module comment)
    expect(whole.efficiency).toBeGreaterThan(0.8)
    const b64 = base64Js8Text(TX)
    expect(js8AirBits(b64)).toBe(Number.POSITIVE_INFINITY) // 21 of its 26 lower-case stand-ins are not in the table
    expect(js8TextCost(TX.length, b64, STANDARD).efficiency).toBe(0) // JS8Call must fall back to JSC
  })
})
