/**
 * Real Direwolf in the loop: gateway A → KISS TCP → Direwolf A → AFSK 1200 audio (a FIFO through
 * ALSA's `file` plugin) → Direwolf B → KISS TCP → gateway B (tests/helpers/direwolf.ts). The pair
 * carries audio one way only, so the transaction and the block cross as broadcasts and as
 * unicast data (B delivers a unicast message once it has every segment; A's ARQ then gives up,
 * since B's acknowledgements have no way back). Then both Direwolfs are restarted and the
 * supervisor reconnects. Needs `direwolf` (Debian package `direwolf`); CI=true makes its absence a
 * failure.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { decodeEnvelope, encodeEnvelope, type WireMessage } from '../../codecs/envelope.js'
import { Supervisor } from '../../gateway/supervisor.js'
import { corpusChain, corpusTransactions } from '../../hardware-sim/corpus.js'
import { Ax25Transport } from '../../transports/ax25/ax25-transport.js'
import type { Ax25TransportOptions } from '../../transports/ax25/config.js'
import { tcpKissPortOpener } from '../../transports/ax25/tcp-kiss-port.js'
import { isTransportError } from '../../transports/errors.js'
import type { InboundFrame, StateChange } from '../../transports/types.js'
import { startDirewolfPair, type DirewolfPair } from '../helpers/direwolf.js'
import { captureLog } from '../helpers/log-capture.js'
import { waitFor } from '../helpers/raw-peer.js'
import { requireProgram } from '../helpers/require-program.js'

const tx: WireMessage = { type: 'tx', transaction: corpusTransactions(1, 3)[0] as NonNullable<ReturnType<typeof corpusTransactions>[0]> }
const block: WireMessage = { type: 'block', block: corpusChain(1, 3)[0] as NonNullable<ReturnType<typeof corpusChain>[0]> }

/** Fast channel access for tests (real-peers.md A.3: full duplex, TXDELAY 100 ms, never below 50). */
const OPTIONS: Partial<Ax25TransportOptions> = {
  kiss: { fullDuplex: true, txDelayMs: 100, txTailMs: 50 },
  arq: { retries: 2, t1InitialMs: 1_000, t1MinMs: 500, t1MaxMs: 2_000 },
}

function wire(frame: InboundFrame | undefined): WireMessage | undefined {
  const decoded = frame === undefined ? undefined : decodeEnvelope(frame.payload)
  if (decoded !== undefined && !decoded.ok) throw decoded.error
  return decoded?.value
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A transport on `port()` of the current pair (the port is read at every start). */
function gateway(callsign: string, port: () => number): Ax25Transport {
  const t = new Ax25Transport(
    { ...OPTIONS, id: `dw-${callsign}`, callsign, tnc: { type: 'tcp', port: 1 } },
    { openPort: (signal) => tcpKissPortOpener({ type: 'tcp', host: '127.0.0.1', port: port(), connectTimeoutMs: 2_000 })(signal) },
  )
  cleanups.push(() => t.stop())
  return t
}

describe.runIf(requireProgram('direwolf'))('two gateways through two real Direwolf 1.6 linked by AFSK audio', () => {
  it('carry a transaction and a block from A to B, as broadcast and as unicast', async () => {
    const pair = await startDirewolfPair()
    cleanups.push(() => pair.stop())
    const a = gateway('N0AAA-1', () => pair.kissPortA)
    const b = gateway('N0BBB-2', () => pair.kissPortB)
    const atB: InboundFrame[] = []
    b.on('frame', (f) => atB.push(f))
    await Promise.all([a.start(), b.start()])

    await Promise.all([a.send(encodeEnvelope(tx)), a.send(encodeEnvelope(block))])
    await waitFor(() => atB.length === 2, 30_000, `both broadcasts at B\n${pair.logs().b}`)
    expect(atB.map(wire)).toEqual([tx, block])
    expect(atB.every((f) => f.from === 'N0AAA-1')).toBe(true)

    const unicast = a.send(encodeEnvelope(block), { to: 'N0BBB-2' }).catch((e: unknown) => e)
    await waitFor(() => atB.length === 3, 30_000, `the unicast at B\n${pair.logs().b}`)
    expect(wire(atB[2])).toEqual(block)
    expect(isTransportError(await unicast, 'ERR_UNREACHABLE')).toBe(true) // no audio path back from B to A
    expect(a.stats().tncAnswersTxbuf).toBe(true) // Direwolf reports its queue: T1 ran from real departures
    expect(pair.logs().a).toMatch(/N0AAA-1>N0BBB-2/) // Direwolf A's monitor shows our callsign as source
  })

  it('goes down when Direwolf restarts and comes back by itself', async () => {
    let pair: DirewolfPair = await startDirewolfPair()
    cleanups.push(() => pair.stop())
    const a = gateway('N0AAA-1', () => pair.kissPortA)
    const b = gateway('N0BBB-2', () => pair.kissPortB)
    const logs = captureLog()
    const states: StateChange[] = []
    a.on('state', (s) => states.push(s))
    const atB: InboundFrame[] = []
    b.on('frame', (f) => atB.push(f))
    for (const t of [a, b]) {
      const s = new Supervisor(t, logs.log, { backoff: { initialMs: 200, maxMs: 1_000, jitter: 0 } })
      cleanups.push(() => s.stop())
      await s.start()
    }
    expect(a.state).toBe('up')
    await pair.stop()
    await waitFor(() => states.some((s) => s.to === 'down'), 5_000, 'A to go down')
    expect(states.find((s) => s.to === 'down')?.reason).toBe('tnc-closed-connection')
    pair = await startDirewolfPair() // new processes (and ports, which the openers read at each start)
    await waitFor(() => a.state === 'up' && b.state === 'up', 10_000, 'both links back up')
    await a.send(encodeEnvelope(tx))
    await waitFor(() => atB.length === 1, 30_000, `a broadcast after the restart\n${pair.logs().b}`)
    expect(wire(atB[0])).toEqual(tx)
  })
})
