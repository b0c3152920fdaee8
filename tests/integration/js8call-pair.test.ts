/**
 * Two JS8Call transports through two real JS8Call 2.2 instances that hear each other over
 * PulseAudio null sinks, headless, at Turbo speed (tests/helpers/js8call-pair.ts): a short frame
 * from A to B and one from B to A, each acknowledged over the air. Then what the real programs
 * reported about those frames is checked against the simulator (hardware-sim/js8call), which gets
 * the same TX.SEND_MESSAGE text on a simulated pair.
 *
 * Differences from the simulator seen here (the checks below allow for them; the lead decides
 * whether the simulator should follow):
 * - Data frames: real JS8Call packs the body with its dictionary coder JSC at Turbo; the simulator
 *   with the Huffman code (hardware-sim/js8call/js8-message.ts says why). The header frame and the
 *   whole body agree; how the body is cut into frames may not.
 * - RX.DIRECTED's SNR, TDRIFT and UTC: the real program reports those of the message's FIRST frame
 *   (its header); the simulator reports the last frame's SNR (UTC is the first frame's in both).
 *
 * Needs `js8call` and `pulseaudio`; with CI=true a missing one fails instead of skipping.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createRfChannel } from '../../hardware-sim/rf-channel.js'
import { js8DirectedText } from '../../hardware-sim/js8call/js8-message.js'
import { startSimJs8Call } from '../../hardware-sim/js8call/sim-js8call.js'
import { directedMessageText } from '../../transports/js8call/api-messages.js'
import { linkFrameText } from '../../transports/js8call/link-frame.js'
import type { InboundFrame, LinkSample } from '../../transports/types.js'
import { Js8ApiClient, pollFor, shapeOf, type ApiMessage } from '../helpers/js8call.js'
import { startJs8TransportLink, type Js8TransportLink } from '../helpers/js8call-pair.js'
import { requireProgram } from '../helpers/require-program.js'

/** Deadline of one frame's arrival, wall ms: measured 10 s at Turbo (2 frames); a retry adds ~20 s. */
const FRAME_MS = 70_000
/** Deadline of the ack after the frame arrived, wall ms: measured 11 s. */
const ACK_MS = 50_000

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** One side: its transport's frames and samples, and a recorder on its JS8Call's API. */
interface Side {
  readonly frames: InboundFrame[]
  readonly samples: LinkSample[]
  readonly api: Js8ApiClient
}

async function side(transport: Js8TransportLink['a'], port: number): Promise<Side> {
  const s: Side = { frames: [], samples: [], api: await Js8ApiClient.connect(port) }
  cleanups.push(() => s.api.close())
  transport.on('frame', (f) => s.frames.push(f))
  transport.on('sample', (x) => s.samples.push(x))
  return s
}

/** A directed message as a JS8Call API reported it: RX.ACTIVITY per frame, then RX.DIRECTED. */
interface Heard {
  readonly frames: ApiMessage[]
  readonly directed: ApiMessage
}

/** Sends `value` from simulated station `from` to `to` (Turbo, no loss); what the simulated `to` reported. */
async function simulatedHearing(from: string, to: string, value: string): Promise<Heard> {
  const channel = createRfChannel({ profile: 'hf-good', lossProbability: 0, timeScale: 1000 })
  cleanups.push(() => channel.close())
  const [tx, rx] = await Promise.all([from, to].map((callsign) => startSimJs8Call({ channel, callsign, port: 0, speed: 2, pingMs: 0 })))
  if (tx === undefined || rx === undefined) throw new Error('simulated JS8Call did not start')
  cleanups.push(() => tx.close(), () => rx.close())
  const [txApi, rxApi] = await Promise.all([Js8ApiClient.connect(tx.port), Js8ApiClient.connect(rx.port)])
  cleanups.push(() => txApi.close(), () => rxApi.close())
  txApi.request('TX.SEND_MESSAGE', value, { _ID: 1 })
  const directed = await rxApi.waitFor((m) => m.type === 'RX.DIRECTED', 5_000)
  return { frames: rxApi.ofType('RX.ACTIVITY'), directed }
}

/** Header frame of a directed free-text message between standard calls: `FROM: TO  ` (one frame). */
const header = (from: string, to: string): string => `${from}: ${to}  `

/**
 * What the real JS8Call behind `api` reported for the directed message `expected` from `from` to
 * `to`: its RX.DIRECTED and the RX.ACTIVITY frames from its last header frame on.
 */
function realHearing(api: Js8ApiClient, from: string, to: string, expected: string): Heard {
  const at = api.messages.findIndex((m) => m.type === 'RX.DIRECTED' && m.value === expected)
  const directed = api.messages[at]
  if (directed === undefined) throw new Error(`no RX.DIRECTED ${JSON.stringify(expected)}; got ${JSON.stringify(api.ofType('RX.DIRECTED').map((m) => m.value))}`)
  const before = api.messages.slice(0, at)
  const start = before.findLastIndex((m) => m.type === 'RX.ACTIVITY' && m.value === header(from, to))
  return { frames: before.slice(start).filter((m) => m.type === 'RX.ACTIVITY'), directed }
}

describe.runIf(requireProgram('js8call') && requireProgram('pulseaudio'))('two transports through two real JS8Call 2.2 hearing each other', () => {
  it('carry a short frame each way, acknowledged on air, as the simulator reports it', async () => {
    const link = await startJs8TransportLink({ speed: 'turbo' })
    cleanups.push(() => link.stop())
    const { callsignA: callA, callsignB: callB } = link.pair
    const [atA, atB] = await Promise.all([side(link.a, link.pair.a.port), side(link.b, link.pair.b.port)])

    await link.a.send(text('tip'), { to: callB })
    await pollFor(() => atB.frames[0], FRAME_MS, 'the frame at B')
    // B answers at once: its ack to A and its own frame queue behind each other on air.
    await link.b.send(text('pong'), { to: callA })
    await pollFor(() => atA.samples.find((s) => s.sendOk !== undefined), ACK_MS, 'the ack at A')
    await pollFor(() => atA.frames[0], FRAME_MS, 'the frame at A')
    await pollFor(() => atB.samples.find((s) => s.sendOk !== undefined), ACK_MS, 'the ack at B')

    expect(atB.frames[0]).toMatchObject({ payload: text('tip'), from: callA })
    expect(atA.frames[0]).toMatchObject({ payload: text('pong'), from: callB })
    expect(typeof atB.frames[0]?.snrDb).toBe('number')
    expect(atA.samples.find((s) => s.sendOk !== undefined)).toMatchObject({ peer: callB, sendOk: true })
    expect(atB.samples.find((s) => s.sendOk !== undefined)).toMatchObject({ peer: callA, sendOk: true })

    // The transcripts: A's frame as JS8Call B reported it, B's as JS8Call A did, and the same
    // TX.SEND_MESSAGE text through two simulated JS8Calls.
    for (const [from, to, payload, api] of [[callA, callB, 'tip', atB.api], [callB, callA, 'pong', atA.api]] as const) {
      const body = linkFrameText({ kind: 'whole', messageId: 0, payload: text(payload) })
      const expected = js8DirectedText(from, { to, cmd: ' ' }, body)
      const real = realHearing(api, from, to, expected)
      const sim = await simulatedHearing(from, to, directedMessageText(to, body))
      expect(sim.directed.value).toBe(expected)
      const fixed = { CMD: ' ', EXTRA: '', FROM: from, GRID: '', TEXT: expected, TO: to, SPEED: 2, DIAL: 14078000, OFFSET: 1500, _ID: -1 }
      expect(real.directed.params).toMatchObject(fixed)
      expect(sim.directed.params).toMatchObject(fixed)
      expect(shapeOf(sim.directed)).toEqual(shapeOf(real.directed))
      for (const h of [real, sim]) {
        expect(shapeOf(h.frames[0])).toEqual(shapeOf(real.frames[0]))
        expect(h.frames.map((m) => m.value)[0]).toBe(header(from, to))
        expect(h.frames.slice(1).map((m) => m.value).join('')).toBe(body) // data frames: cut differently, same text
        // the header frame's time (real JS8Call's two reports can differ by a millisecond of rounding)
        expect(Math.abs((h.directed.params.UTC as number) - (h.frames[0]?.params.UTC as number))).toBeLessThanOrEqual(2)
      }
      // Real: SNR and TDRIFT of the header frame too (the simulator: the last frame's SNR, TDRIFT 0).
      expect([real.directed.params.SNR, real.directed.params.TDRIFT]).toEqual([real.frames[0]?.params.SNR, real.frames[0]?.params.TDRIFT])
    }
  }, 250_000)
})
