/**
 * What happens around the link: JS8Call quitting, restarting, hanging or changing callsign is
 * reported as `down` with a reason and recovered by the supervisor; a start that does not match the
 * config fails with ERR_CONFIG; only traffic for our callsign or group is read.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Supervisor } from '../../gateway/supervisor.js'
import { isTransportError } from '../../transports/errors.js'
import { Js8CallTransport } from '../../transports/js8call/js8call-transport.js'
import { linkFrameText } from '../../transports/js8call/link-frame.js'
import type { Js8CallTransportOptions } from '../../transports/js8call/config.js'
import type { InboundFrame, StateChange } from '../../transports/types.js'
import { captureLog } from '../helpers/log-capture.js'
import { pollFor } from '../helpers/js8call.js'
import { waitFor } from '../helpers/raw-peer.js'
import { FakeJs8, js8Line, stationScript, type FakeStation } from './js8call-fake.js'
import { CALL_A, CALL_B, startJs8Pair, type Js8Pair } from './js8call-fixture.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const FAST_RETRY = { backoff: { initialMs: 50, maxMs: 200 }, random: () => 0.5 }

function supervise(t: Js8CallTransport): { sup: Supervisor; states: StateChange[]; log: ReturnType<typeof captureLog> } {
  const log = captureLog()
  const states: StateChange[] = []
  t.on('state', (s) => states.push(s))
  const sup = new Supervisor(t, log.log, FAST_RETRY)
  cleanups.push(() => sup.stop())
  return { sup, states, log }
}

async function simPair(): Promise<Js8Pair> {
  const p = await startJs8Pair({ transport: { requestTimeoutMs: 500 } })
  cleanups.push(() => p.close())
  return p
}

async function fakeStation(station: Partial<FakeStation> = {}): Promise<{ fake: FakeJs8; station: FakeStation }> {
  const s: FakeStation = { callsign: 'K1AAA', grid: 'FN42AB', speed: 0, silent: false, ...station }
  const fake = await FakeJs8.start(stationScript(s))
  cleanups.push(() => fake.close())
  return { fake, station: s }
}

function transportOn(port: number, options: Partial<Js8CallTransportOptions> = {}): Js8CallTransport {
  const t = new Js8CallTransport({ port, requestTimeoutMs: 300, livenessIntervalMs: 100, ...options })
  cleanups.push(() => t.stop())
  return t
}

describe('JS8Call going away and coming back', () => {
  it('reports JS8Call quitting as device-closed, and the supervisor reconnects once it is back', async () => {
    const p = await simPair()
    const got: InboundFrame[] = []
    p.b.on('frame', (f) => got.push(f))
    await p.b.start()
    const { sup, states, log } = supervise(p.a)
    await sup.start()
    expect(p.a.state).toBe('up')

    await p.simA.close()
    await waitFor(() => p.a.state === 'down', 5_000, 'the link to go down')
    expect(states.find((s) => s.to === 'down')).toMatchObject({ reason: 'device-closed', error: { code: 'ERR_DEVICE' } })
    await waitFor(() => states.some((s) => s.reason === 'connect-failed'), 5_000, 'a failed restart') // JS8Call not back yet
    expect(log.find('link down; will restart it').length).toBeGreaterThan(0)

    await p.restartSimA()
    await waitFor(() => p.a.state === 'up', 5_000, 'the link to come back')
    await p.a.send(Uint8Array.of(7), { to: CALL_B })
    await pollFor(() => got[0], 10_000, 'a frame after the restart')
    expect([...got[0]!.payload]).toEqual([7])
  })

  it('reconnects when JS8Call restarts its API, and rejects sends still waiting with ERR_NOT_UP', async () => {
    const p = await simPair()
    await p.b.start()
    const { sup, states } = supervise(p.a)
    await sup.start()
    await p.a.send(Uint8Array.of(1), { to: CALL_B }) // on air, awaiting its ack
    const waiting = p.a.send(Uint8Array.of(2), { to: CALL_B }).then(() => undefined, (e: unknown) => e)

    await p.simA.restartApi()
    expect(isTransportError(await waiting, 'ERR_NOT_UP')).toBe(true)
    await waitFor(() => states.filter((s) => s.to === 'up').length === 2, 5_000, 'the second up')
    expect(states.map((s) => s.reason)).toContain('device-closed')
  })

  it('takes a hung JS8Call down as heartbeat-lost', async () => {
    const p = await simPair()
    await p.a.start()
    const states: StateChange[] = []
    p.a.on('state', (s) => states.push(s))
    p.simA.freeze(true)
    await waitFor(() => p.a.state === 'down', 5_000, 'the link to go down')
    expect(states.at(-1)).toMatchObject({ reason: 'heartbeat-lost', error: { code: 'ERR_TIMEOUT' } })
  })

  it('reports a callsign change and follows JS8Call to the new call when none is configured', async () => {
    const { fake, station } = await fakeStation()
    const t = transportOn(fake.port)
    const { sup, states } = supervise(t)
    await sup.start()
    expect(t.callsign).toBe('K1AAA')

    station.callsign = 'K3CCC'
    await waitFor(() => t.callsign === 'K3CCC' && t.state === 'up', 5_000, 'the new callsign')
    expect(states.find((s) => s.to === 'down')).toMatchObject({ reason: 'callsign-changed', error: { code: 'ERR_CONFIG' } })
  })

  it('refuses to start under another callsign than configured, until JS8Call has ours again', async () => {
    const { fake, station } = await fakeStation({ callsign: 'K9XXX' })
    const t = transportOn(fake.port, { callsign: 'k1aaa' })
    const err = await t.start().catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_CONFIG')).toBe(true)
    expect((err as Error).message).toBe("JS8Call's callsign is K9XXX but the gateway is configured for K1AAA")
    expect(t.state).toBe('down')

    const { sup, states } = supervise(t)
    await sup.start()
    expect(states.at(-1)).toMatchObject({ to: 'down', reason: 'identity-mismatch' })
    station.callsign = 'K1AAA'
    await waitFor(() => t.state === 'up', 5_000, 'the link to come up')
  })
})

describe('JS8Call identity checks at start', () => {
  it.each([
    ['a different grid', { grid: 'JO62' }, {}, 'ERR_CONFIG', /grid is 'FN42AB'/],
    ['another speed than configured', { speed: 'turbo' as const }, {}, 'ERR_CONFIG', /runs at normal speed/],
    ['no callsign in JS8Call', {}, { callsign: '' }, 'ERR_CONFIG', /no callsign set/],
    ['a speed code JS8Call 2.2 does not have', {}, { speed: 8 }, 'ERR_DEVICE', /unknown speed 8/],
    ['a cap too small for one transmission', { maxAirtimeMsPerHour: 100_000 }, {}, 'ERR_CONFIG', /below one/],
  ] as const)('fails on %s', async (_name, options, station, code, message) => {
    const { fake } = await fakeStation(station)
    const err = await transportOn(fake.port, options).start().catch((e: unknown) => e)
    expect(isTransportError(err, code)).toBe(true)
    expect((err as Error).message).toMatch(message)
  })

  it('accepts a grid given more or less precisely than JS8Call has it', async () => {
    const { fake } = await fakeStation()
    const t = transportOn(fake.port, { grid: 'FN42' })
    await t.start()
    expect(t.state).toBe('up')
  })

  it('times out a JS8Call that accepts the connection but never answers', async () => {
    const { fake } = await fakeStation({ silent: true })
    const t = transportOn(fake.port)
    const states: StateChange[] = []
    t.on('state', (s) => states.push(s))
    const err = await t.start().catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_TIMEOUT')).toBe(true)
    expect(states.at(-1)).toMatchObject({ to: 'down', reason: 'no-reply' })
  })
})

describe('what the transport reads from the band', () => {
  const directed = (from: string, to: string, body: string): string =>
    js8Line('RX.DIRECTED', `${from}: ${to}  ${body} \u2662 `, { CMD: ' ', FROM: from, TO: to, TEXT: `${from}: ${to}  ${body} \u2662 `, SNR: -7, OFFSET: 1200, _ID: -1 })

  it('takes our frames addressed to us or our group, acks the directed ones, and ignores the rest', async () => {
    const { fake } = await fakeStation()
    const t = transportOn(fake.port, { group: '@BNKR' })
    const got: InboundFrame[] = []
    t.on('frame', (f) => got.push(f))
    await t.start()
    const ours = (n: number): string => linkFrameText({ kind: 'whole', messageId: n, payload: Uint8Array.of(n) })

    fake.push(directed('K2BBB', 'K7OTHER', ours(1))) // someone else's traffic
    fake.push(directed('K2BBB', 'K1AAA', 'HELLO HOW ARE YOU')) // a human
    fake.push(directed('K2BBB', 'K1AAA', ours(2)))
    fake.push(directed('K4DDD', '@BNKR', ours(3)))
    await waitFor(() => got.length === 2, 2_000, 'two frames')
    await waitFor(() => fake.requests.some((r) => r.type === 'TX.SEND_MESSAGE'), 2_000, 'the ack')

    expect(got.map((f) => [f.from, [...f.payload], f.snrDb])).toEqual([['K2BBB', [2], -7], ['K4DDD', [3], -7]])
    const sent = fake.requests.filter((r) => r.type === 'TX.SEND_MESSAGE').map((r) => r.value)
    expect(sent).toEqual([`K2BBB ${linkFrameText({ kind: 'ack', messageIds: [2] })}`]) // the group message is not acked
    expect(t.lastHeard('k2bbb')).toBeDefined()
    expect(t.lastHeard('K7OTHER')).toBeUndefined()
  })

  it('rejects a destination that is neither a callsign nor a group', async () => {
    const { fake } = await fakeStation()
    const t = transportOn(fake.port)
    await t.start()
    const err = await t.send(Uint8Array.of(1), { to: 'not a call!' }).catch((e: unknown) => e)
    expect(isTransportError(err, 'ERR_UNREACHABLE')).toBe(true)
  })
})
