/**
 * Our API client and transport against one real JS8Call 2.2 (Debian `js8call`) run headless. No
 * audio is needed: JS8Call keys a null output and still reports PTT. CI must have the program: a
 * missing one fails there (requireProgram); it is skipped only on a laptop without it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { isTransportError } from '../../transports/errors.js'
import { Js8ApiClient } from '../../transports/js8call/api-client.js'
import { Js8CallTransport } from '../../transports/js8call/js8call-transport.js'
import type { LinkSample } from '../../transports/types.js'
import { pollFor, startRealJs8Call } from '../helpers/js8call.js'
import { requireProgram } from '../helpers/require-program.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function transport(port: number, callsign: string): Js8CallTransport {
  const t = new Js8CallTransport({ port, callsign, speed: 'turbo', livenessIntervalMs: 2_000 })
  cleanups.push(() => t.stop())
  return t
}

describe.runIf(requireProgram('js8call'))('JS8Call transport against a real JS8Call 2.2 API', () => {
  it('identifies the station, times out what JS8Call does not answer, and keys up for a send', async () => {
    const real = await startRealJs8Call({ callsign: 'K1AAA', grid: 'FN42', subMode: 2, udpPort: 9 })
    cleanups.push(() => real.stop())

    const client = await Js8ApiClient.connect({ host: '127.0.0.1', port: real.port, timeoutMs: 5_000 })
    cleanups.push(() => client.close())
    expect((await client.request('STATION.GET_GRID', { reply: 'STATION.GRID', timeoutMs: 3_000 })).value).toBe('FN42')
    const ping = await client.request('PING', { reply: 'PONG', timeoutMs: 500 }).catch((e: unknown) => e)
    expect(isTransportError(ping, 'ERR_TIMEOUT')).toBe(true) // real JS8Call never answers PING

    const wrong = new Js8CallTransport({ port: real.port, callsign: 'K9XXX' })
    expect(isTransportError(await wrong.start().catch((e: unknown) => e), 'ERR_CONFIG')).toBe(true)

    const t = transport(real.port, 'K1AAA')
    const samples: LinkSample[] = []
    t.on('sample', (s) => samples.push(s))
    await t.start()
    expect([t.state, t.callsign, t.js8Speed]).toEqual(['up', 'K1AAA', 'turbo'])
    await t.send(Uint8Array.of(1, 2, 3), { to: 'K2BBB' })
    const airtime = await pollFor(() => samples.find((s) => s.txAirtimeMs !== undefined)?.txAirtimeMs, 20_000, 'a keyed frame')
    // About a Turbo frame's 3.95 s signal: PTT holds a little longer, a late start cuts it short.
    expect(airtime).toBeGreaterThan(3_000)
    expect(airtime).toBeLessThan(5_000)
  }, 40_000)
})
