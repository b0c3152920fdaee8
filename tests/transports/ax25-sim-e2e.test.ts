/**
 * Two AX.25 transports exchanging a Bunkercoin transaction and a block (wire envelopes) through two
 * simulated KISS TNCs on real serial lines (socat pty pairs, the serialport binding on both ends)
 * over a lossy 1200 bit/s channel; then the TNC is unplugged, and the KISS-TCP TNC restarted (what
 * a Direwolf restart looks like to the host), and the supervisor brings the link back by itself.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { decodeEnvelope, encodeEnvelope, type WireMessage } from '../../codecs/envelope.js'
import { Supervisor } from '../../gateway/supervisor.js'
import { corpusChain, corpusTransactions } from '../../hardware-sim/corpus.js'
import { startSimKissTnc } from '../../hardware-sim/kiss-tnc/sim-kiss-tnc.js'
import type { InboundFrame, StateChange } from '../../transports/types.js'
import { createSimNet, type SimNet } from '../helpers/ax25-sim-stations.js'
import { captureLog } from '../helpers/log-capture.js'
import { waitFor } from '../helpers/raw-peer.js'
import { requireProgram } from '../helpers/require-program.js'

const tx: WireMessage = { type: 'tx', transaction: corpusTransactions(1)[0] as NonNullable<ReturnType<typeof corpusTransactions>[0]> }
const block: WireMessage = { type: 'block', block: corpusChain(1, 8)[0] as NonNullable<ReturnType<typeof corpusChain>[0]> }

/** The wire message in a received frame. */
function wire(frame: InboundFrame | undefined): WireMessage | undefined {
  if (frame === undefined) return undefined
  const decoded = decodeEnvelope(frame.payload)
  if (!decoded.ok) throw decoded.error
  return decoded.value
}

let net: SimNet | undefined
const supervisors: Supervisor[] = []
afterEach(async () => {
  for (const s of supervisors.splice(0)) await s.stop()
  await net?.close()
  net = undefined
})

describe.runIf(requireProgram('socat'))('two gateways over simulated TNCs on serial lines', () => {
  it('exchange a transaction and a block both ways as reliable unicast with 10 % frame loss', async () => {
    net = createSimNet({ lossRate: 0.1, timeScale: 50, seed: 7 })
    const a = await net.add('e2e-a', 'N0AAA-1', 'serial')
    const b = await net.add('e2e-b', 'N0BBB-2', 'serial')
    const atA: InboundFrame[] = []
    const atB: InboundFrame[] = []
    a.transport.on('frame', (f) => atA.push(f))
    b.transport.on('frame', (f) => atB.push(f))
    await Promise.all([a.transport.start(), b.transport.start()])
    const txBytes = encodeEnvelope(tx)
    const blockBytes = encodeEnvelope(block)
    expect(blockBytes.length).toBeGreaterThan(1000) // several frames at PACLEN 256

    await Promise.all([a.transport.send(txBytes, { to: 'N0BBB-2' }), b.transport.send(blockBytes, { to: 'N0AAA-1' })])
    await waitFor(() => atA.length === 1 && atB.length === 1, 20_000, 'both messages')
    expect(wire(atB[0])).toEqual(tx)
    expect(wire(atA[0])).toEqual(block)
    expect(atB[0]?.from).toBe('N0AAA-1')
    expect(atA[0]?.from).toBe('N0BBB-2')
    expect(net.channel.stats().lost).toBeGreaterThan(0) // the loss was real: the ARQ repaired it
  })

  it('switches a TNC in command mode into KISS with the configured init strings', async () => {
    net = createSimNet({ timeScale: 50 })
    const a = await net.add('init-a', 'N0AAA-1', 'serial', {
      returnBehaviour: 'leave-kiss', tnc: { type: 'serial', path: '', initStrings: ['KISS ON\r'], initDelayMs: 100 },
    })
    const b = await net.add('init-b', 'N0BBB-2', 'tcp')
    // KISS Return makes this TNC drop to its command prompt, as a hardware TNC does after a power cycle.
    const panel = a.tnc.connectHost(() => undefined)
    panel.write(Uint8Array.of(0xc0, 0xff, 0xc0))
    panel.close()
    const atB: InboundFrame[] = []
    b.transport.on('frame', (f) => atB.push(f))
    await Promise.all([a.transport.start(), b.transport.start()])
    await a.transport.send(encodeEnvelope(tx))
    await waitFor(() => atB.length === 1, 10_000, 'a frame through the TNC switched into KISS')
    expect(wire(atB[0])).toEqual(tx)
  })

  it('comes back by itself after the serial TNC is unplugged and plugged in again', async () => {
    net = createSimNet({ timeScale: 50 })
    const a = await net.add('plug-a', 'N0AAA-1', 'serial')
    const b = await net.add('plug-b', 'N0BBB-2', 'serial')
    const logs = captureLog()
    const states: StateChange[] = []
    a.transport.on('state', (s) => states.push(s))
    const atB: InboundFrame[] = []
    b.transport.on('frame', (f) => atB.push(f))
    for (const t of [a.transport, b.transport]) {
      const s = new Supervisor(t, logs.log, { backoff: { initialMs: 100, maxMs: 400, jitter: 0 } })
      supervisors.push(s)
      await s.start()
    }
    await a.transport.send(encodeEnvelope(tx), { to: 'N0BBB-2' })
    await waitFor(() => atB.length === 1, 10_000, 'the first message')

    await a.pty?.restart() // socat goes away (both ptys vanish) and comes back at the same paths
    await waitFor(() => states.some((s) => s.to === 'down'), 5_000, 'the link to go down')
    expect(states.find((s) => s.to === 'down')?.reason).toBe('device-unplugged')
    await a.tnc.replugSerial()
    await waitFor(() => a.transport.state === 'up', 10_000, 'the supervisor to bring the link back')
    expect(logs.find('will restart').length).toBeGreaterThanOrEqual(1)

    await a.transport.send(encodeEnvelope(block), { to: 'N0BBB-2' })
    await waitFor(() => atB.length === 2, 10_000, 'a message after the replug')
    expect(wire(atB[1])).toEqual(block)
  })

  it('comes back by itself after the KISS TCP TNC restarts (as when Direwolf is restarted)', async () => {
    net = createSimNet({ timeScale: 50 })
    const a = await net.add('dw-a', 'N0AAA-1', 'tcp')
    const b = await net.add('dw-b', 'N0BBB-2', 'tcp')
    const port = a.tnc.tcpPort ?? 0
    const logs = captureLog()
    const states: StateChange[] = []
    a.transport.on('state', (s) => states.push(s))
    const atB: InboundFrame[] = []
    b.transport.on('frame', (f) => atB.push(f))
    for (const t of [a.transport, b.transport]) {
      const s = new Supervisor(t, logs.log, { backoff: { initialMs: 100, maxMs: 400, jitter: 0 } })
      supervisors.push(s)
      await s.start()
    }
    await a.tnc.close()
    await waitFor(() => states.some((s) => s.to === 'down'), 5_000, 'the link to go down')
    expect(states.find((s) => s.to === 'down')?.reason).toBe('tnc-closed-connection')
    await new Promise((r) => setTimeout(r, 300)) // restarts fail while nothing listens
    const restarted = await startSimKissTnc({ channel: net.channel, name: 'dw-a2', tcp: { port } })
    try {
      await waitFor(() => a.transport.state === 'up', 10_000, 'the supervisor to reconnect')
      await a.transport.send(encodeEnvelope(tx), { to: 'N0BBB-2' })
      await waitFor(() => atB.length === 1, 10_000, 'a message through the restarted TNC')
      expect(wire(atB[0])).toEqual(tx)
    } finally {
      for (const s of supervisors.splice(0)) await s.stop()
      await restarted.close()
    }
  })
})
