import { afterEach, describe, expect, it } from 'vitest'
import { simTransportOptions, startVaraPair, type VaraPair, type VaraPairOptions } from '../../bench/vara-goodput.js'
import { Supervisor } from '../../gateway/supervisor.js'
import { startSimVara, type SimVara } from '../../hardware-sim/vara/sim-vara.js'
import { isTransportError } from '../../transports/errors.js'
import type { InboundFrame, StateChange } from '../../transports/types.js'
import type { VaraLinkSample } from '../../transports/vara/vara-samples.js'
import { VaraTransport } from '../../transports/vara/vara-transport.js'
import { captureLog, type CapturedLog } from '../helpers/log-capture.js'
import { waitFor } from '../helpers/raw-peer.js'

// Real supervisors (wall-time backoff of 20–100 ms) over transports whose own timeouts run on the
// simulated channel's clock. Each scenario checks the reason the link reports and that every frame
// a send() handed over reaches the peer in the end.

let pair: VaraPair | undefined
let logs: CapturedLog
const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await pair?.close()
  pair = undefined
})

async function setup(o: VaraPairOptions = {}): Promise<VaraPair> {
  logs = captureLog()
  pair = await startVaraPair({ log: logs.log, channel: { timeScale: 200 }, ...o })
  return pair
}

function supervise(t: VaraTransport): Supervisor {
  const s = new Supervisor(t, logs.log, { backoff: { initialMs: 20, maxMs: 100, jitter: 0 } })
  cleanups.push(() => s.stop())
  return s
}

function statesOf(t: VaraTransport): StateChange[] {
  const out: StateChange[] = []
  t.on('state', (s) => out.push(s))
  return out
}

const payload = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed * 101) & 0xff)
const key = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/**
 * Sends every frame, one after the other, as a router would: a rejected send (link down, peer not
 * reachable) leaves the frame with the caller, who tries again once the link is up. Returns the
 * rejections by code.
 */
async function sendAll(t: VaraTransport, frames: Uint8Array[], to: string): Promise<Record<string, number>> {
  const rejected: Record<string, number> = {}
  for (const f of frames) {
    for (;;) {
      const err = await t.send(f, { to }).then(() => undefined, (e: unknown) => e)
      if (err === undefined) break
      if (!isTransportError(err, 'ERR_NOT_UP') && !isTransportError(err, 'ERR_UNREACHABLE')) throw err
      rejected[err.code] = (rejected[err.code] ?? 0) + 1
      await new Promise((r) => setTimeout(r, 50))
      await waitFor(() => t.state === 'up', 10_000, 'the supervisor to restart the link')
    }
  }
  return rejected
}

/** True once every frame was received at least once (duplicates are allowed, losses are not). */
const allArrived = (got: InboundFrame[], frames: Uint8Array[]): boolean => {
  const seen = new Set(got.map((f) => key(f.payload)))
  return frames.every((f) => seen.has(key(f)))
}

describe('VARA recovery with a supervisor', () => {
  it('a silent modem: down with heartbeat-lost after 2 × IAMALIVE, back up once it answers again', async () => {
    const p = await setup({ a: { commandTimeoutMs: 20_000 } })
    const states = statesOf(p.a)
    await p.b.start()
    await supervise(p.a).start()
    expect(p.a.state).toBe('up')
    const silentFrom = p.channel.clock.now()
    p.simA.setSilent(true)
    await waitFor(() => p.a.state === 'down', 5000, 'heartbeat loss')
    const lost = states.find((s) => s.reason === 'heartbeat-lost')
    expect(lost?.to).toBe('down')
    expect(isTransportError(lost?.error, 'ERR_TIMEOUT')).toBe(true)
    expect(p.channel.clock.now() - silentFrom).toBeGreaterThanOrEqual(120_000 - 60_000) // the last line came ≤ 60 s before
    await waitFor(() => states.some((s) => s.reason === 'command-timeout'), 5000, 'a restart to fail on the silent modem')
    p.simA.setSilent(false)
    await waitFor(() => p.a.state === 'up', 5000, 'the supervisor to bring it back')
    expect(logs.find('will restart').length).toBeGreaterThanOrEqual(2)
  })

  it('a stalled host is not mistaken for a dead modem: lines waiting in the socket count', async () => {
    const p = await setup({ channel: { timeScale: 100 } })
    const states = statesOf(p.a)
    await p.a.start()
    const until = Date.now() + 1_500 // wall ms: 150 s simulated, past the 120 s liveness deadline
    while (Date.now() < until); // the event loop is blocked, as on an overloaded Pi
    await new Promise((r) => setTimeout(r, 100))
    expect(p.a.state).toBe('up')
    expect(states.map((s) => s.to)).toEqual(['starting', 'up'])
  })

  it('the modem program restarting mid-transfer: down with device-closed, restarted, nothing lost', async () => {
    const p = await setup()
    const states = statesOf(p.a)
    const got: InboundFrame[] = []
    p.b.on('frame', (f) => got.push(f))
    await p.b.start()
    await supervise(p.a).start()
    const frames = Array.from({ length: 12 }, (_, i) => payload(3000, i))
    const sending = sendAll(p.a, frames, 'N0BBB')
    await waitFor(() => got.length >= 3, 5000, 'the transfer to be under way')
    await p.simA.restart()
    await sending
    await waitFor(() => allArrived(got, frames), 10_000, 'every frame')
    expect(states).toContainEqual(expect.objectContaining({ to: 'down', reason: 'device-closed' }))
    expect(logs.find('frames not acknowledged by the peer are queued again').length).toBeGreaterThan(0)
    expect(p.a.state).toBe('up')
  })

  it('the TCP ports refusing: start fails with connect-refused until the modem is there', async () => {
    const p = await setup()
    const probe = await startSimVara({ channel: p.channel, cmdPort: 0, seed: 5 })
    const ports = { cmdPort: probe.cmdPort, dataPort: probe.dataPort }
    await probe.close() // nothing listens there now
    const options = simTransportOptions(probe, p.channel, 'N0CCC')
    const c = new VaraTransport(options, { clock: p.channel.clock, log: logs.log })
    const states = statesOf(c)
    await supervise(c).start()
    expect(c.state).toBe('down')
    await waitFor(() => states.filter((s) => s.reason === 'connect-refused').length >= 2, 5000, 'a second refused attempt')
    expect(isTransportError(states.find((s) => s.reason === 'connect-refused')?.error, 'ERR_DEVICE')).toBe(true)
    let modem: SimVara | undefined
    cleanups.push(async () => void (await modem?.close()))
    modem = await startSimVara({ channel: p.channel, ...ports, seed: 6 })
    await waitFor(() => c.state === 'up', 5000, 'the supervisor to connect')
    await p.b.start()
    const got: InboundFrame[] = []
    p.b.on('frame', (f) => got.push(f))
    await c.send(payload(500, 1), { to: 'N0BBB' })
    await waitFor(() => got.length === 1, 5000, 'a frame over the late modem')
    expect(got[0]?.from).toBe('N0CCC')
  })

  it('a session dropping mid-transfer (the band fades out): frames re-sent in a new session', async () => {
    const p = await setup({ a: { peerRetryMs: 20_000 }, b: { idleTimeoutMs: 600_000 } })
    const got: InboundFrame[] = []
    p.b.on('frame', (f) => got.push(f))
    const samples: VaraLinkSample[] = []
    p.a.on('sample', (s) => samples.push(s))
    await p.b.start()
    await supervise(p.a).start()
    const frames = Array.from({ length: 10 }, (_, i) => payload(3000, i))
    const sending = sendAll(p.a, frames, 'N0BBB')
    await waitFor(() => got.length >= 2, 5000, 'the transfer to be under way')
    p.channel.setSnr(-40) // nothing decodes: the modems' retries run out
    await waitFor(() => samples.some((s) => s.session === 'lost'), 10_000, 'the session to drop')
    p.channel.setSnr(15)
    expect((await sending).ERR_NOT_UP).toBeUndefined() // the link to the modem itself never went down
    await waitFor(() => allArrived(got, frames), 15_000, 'every frame')
    expect(p.a.state).toBe('up')
    expect(samples.filter((s) => s.session === 'connected').length).toBeGreaterThanOrEqual(2)
  })
})
