/**
 * The JS8Call API client against a tiny scripted server: `_ID` correlation, replies that never
 * come, API.ERROR, events, junk lines and a vanishing JS8Call.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { isTransportError } from '../../transports/errors.js'
import { Js8ApiClient } from '../../transports/js8call/api-client.js'
import type { Js8Message } from '../../transports/js8call/api-messages.js'
import { waitFor } from '../helpers/raw-peer.js'
import { FakeJs8, js8Line as line, type FakeRequest as Request } from './js8call-fake.js'

/** Answers the way JS8Call 2.2 does: reply types per request, numeric `_ID` echoed, PING ignored. */
const js8Like = (r: Request): string[] => {
  const id = r.params._ID
  if (r.type === 'STATION.GET_CALLSIGN') return [line('STATION.CALLSIGN', 'K1AAA', { _ID: id })]
  if (r.type === 'STATION.GET_GRID') return [line('STATION.GRID', 'FN42', { _ID: id })]
  if (r.type === 'TX.SET_TEXT') return [line('API.ERROR', 'nope', { _ID: id })]
  return []
}

const fakes: FakeJs8[] = []
const clients: Js8ApiClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  for (const f of fakes.splice(0)) await f.close()
})

async function connected(script?: (r: Request) => string[]): Promise<{ fake: FakeJs8; client: Js8ApiClient }> {
  const fake = await FakeJs8.start(script)
  fakes.push(fake)
  const client = await Js8ApiClient.connect({ host: '127.0.0.1', port: fake.port, timeoutMs: 2_000 })
  clients.push(client)
  await waitFor(() => fake.sockets.length === 1, 2_000, 'the connection')
  return { fake, client }
}

const rejection = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)

describe('JS8Call API client', () => {
  it('correlates replies by numeric _ID, also when they come out of order', async () => {
    const held: string[] = []
    const { fake, client } = await connected((r) => {
      held.push(line(r.type === 'STATION.GET_GRID' ? 'STATION.GRID' : 'STATION.CALLSIGN', String(r.params._ID), { _ID: r.params._ID }))
      return []
    })
    const call = client.request('STATION.GET_CALLSIGN', { reply: 'STATION.CALLSIGN', timeoutMs: 2_000 })
    const grid = client.request('STATION.GET_GRID', { reply: 'STATION.GRID', timeoutMs: 2_000 })
    await waitFor(() => held.length === 2, 2_000, 'both requests')
    fake.push(`${held[1]}${held[0]}`) // grid first
    const [c, g] = await Promise.all([call, grid])
    expect(typeof fake.requests[0]?.params._ID).toBe('number') // JS8Call echoes only numeric ids
    expect(c.value).toBe(String(fake.requests[0]?.params._ID))
    expect(g.value).toBe(String(fake.requests[1]?.params._ID))
  })

  it('times out a reply that never comes (PING gets none), with ERR_TIMEOUT', async () => {
    const { client } = await connected(js8Like)
    const started = Date.now()
    const err = await rejection(client.request('PING', { reply: 'PONG', timeoutMs: 150 }))
    expect(isTransportError(err, 'ERR_TIMEOUT')).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect((await client.request('STATION.GET_CALLSIGN', { reply: 'STATION.CALLSIGN', timeoutMs: 2_000 })).value).toBe('K1AAA')
  })

  it('rejects with ERR_DEVICE when JS8Call answers API.ERROR', async () => {
    const { client } = await connected(js8Like)
    const err = await rejection(client.request('TX.SET_TEXT', { value: 'x', reply: 'TX.TEXT', timeoutMs: 2_000 }))
    expect(isTransportError(err, 'ERR_DEVICE')).toBe(true)
    expect((err as Error).message).toMatch(/API.ERROR "nope"/)
  })

  it('passes events (_ID -1, JS8Call-made string ids) on, skips junk lines, tolerates CRLF', async () => {
    const { fake, client } = await connected(js8Like)
    const events: Js8Message[] = []
    const junk: string[] = []
    client.on('message', (m) => events.push(m))
    client.on('invalid', (l) => junk.push(l))
    fake.push(line('RIG.PTT', 'on', { PTT: true, _ID: -1 }))
    fake.push('not json\n{"type":1}\n')
    fake.push(line('STATION.STATUS', '', { SPEED: 1, _ID: '296191024171' }).replace('\n', '\r\n'))
    await waitFor(() => events.length === 2 && junk.length === 2, 2_000, 'two events and two junk lines')
    expect(events.map((e) => e.type)).toEqual(['RIG.PTT', 'STATION.STATUS'])
    expect(junk).toEqual(['not json', '{"type":1}'])
  })

  it('rejects pending requests and reports the close when JS8Call goes away', async () => {
    const { fake, client } = await connected()
    const closed: string[] = []
    client.on('close', (reason) => closed.push(reason))
    const pending = rejection(client.request('STATION.GET_CALLSIGN', { reply: 'STATION.CALLSIGN', timeoutMs: 5_000 }))
    await waitFor(() => fake.requests.length === 1, 2_000, 'the request')
    await fake.close()
    expect(isTransportError(await pending, 'ERR_DEVICE')).toBe(true)
    expect(closed).toEqual(['JS8Call closed the API connection'])
    expect(client.isClosed).toBe(true)
    expect(() => client.notify('TX.SEND_MESSAGE', 'K2BBB HI')).toThrow(/closed/)
  })

  it('writes notifications as one JSON line with a numeric _ID', async () => {
    const { fake, client } = await connected()
    client.notify('TX.SEND_MESSAGE', 'K2BBB EQRR')
    await waitFor(() => fake.requests.length === 1, 2_000, 'the line')
    expect(fake.requests[0]).toMatchObject({ type: 'TX.SEND_MESSAGE', value: 'K2BBB EQRR', params: { _ID: expect.any(Number) } })
  })

  it('fails to connect with ERR_DEVICE when nothing listens, and honours an abort', async () => {
    const fake = await FakeJs8.start()
    const port = fake.port
    await fake.close()
    const refused = await rejection(Js8ApiClient.connect({ host: '127.0.0.1', port, timeoutMs: 2_000 }))
    expect(isTransportError(refused, 'ERR_DEVICE')).toBe(true)
    expect((refused as Error).message).toMatch(/is JS8Call running/)
    const ac = new AbortController()
    ac.abort()
    const aborted = await rejection(Js8ApiClient.connect({ host: '127.0.0.1', port, timeoutMs: 2_000, signal: ac.signal }))
    expect(isTransportError(aborted, 'ERR_ABORTED')).toBe(true)
  })
})
