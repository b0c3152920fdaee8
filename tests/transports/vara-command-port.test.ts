import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { isTransportError } from '../../transports/errors.js'
import { wallClock } from '../../transports/clock.js'
import { VaraCommandPort } from '../../transports/vara/vara-command-port.js'
import { VaraLinkError } from '../../transports/vara/vara-link-error.js'
import type { VaraMessage } from '../../transports/vara/vara-messages.js'
import { openSocket } from '../../transports/vara/vara-socket.js'
import { captureLog } from '../helpers/log-capture.js'
import { waitFor } from '../helpers/raw-peer.js'

/** A fake modem: a TCP server that records what the client writes and lets the test write raw bytes. */
interface FakeModem {
  readonly port: number
  readonly received: string[]
  peer(): Promise<Socket>
}

const servers: Server[] = []
const ports: VaraCommandPort[] = []

afterEach(async () => {
  for (const p of ports.splice(0)) p.close()
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
})

async function fakeModem(): Promise<FakeModem> {
  const received: string[] = []
  let socket: Socket | undefined
  const server = createServer((s) => {
    socket = s
    s.on('data', (d: Buffer) => received.push(...d.toString('latin1').split('\r').filter((l) => l !== '')))
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    port,
    received,
    peer: async () => {
      await waitFor(() => socket !== undefined, 2000, 'the client')
      return socket as Socket
    },
  }
}

async function client(port: number, timeoutMs = 2000): Promise<{ cmd: VaraCommandPort; messages: VaraMessage[]; log: ReturnType<typeof captureLog> }> {
  const log = captureLog()
  const socket = await openSocket({ host: '127.0.0.1', port, what: 'command', timeoutMs: 2000, clock: wallClock })
  const cmd = new VaraCommandPort(socket, wallClock, log.log, timeoutMs)
  ports.push(cmd)
  const messages: VaraMessage[] = []
  cmd.on('message', (m) => messages.push(m))
  return { cmd, messages, log }
}

describe('VARA command port', () => {
  it('reassembles lines split across TCP reads at every possible position', async () => {
    const modem = await fakeModem()
    const { messages } = await client(modem.port)
    const peer = await modem.peer()
    const text = 'BITRATE (9)  9567 bps TX\rBUFFER 1200\r'
    for (let cut = 1; cut < text.length; cut++) {
      peer.write(text.slice(0, cut))
      await new Promise((r) => setTimeout(r, 2)) // separate TCP reads
      peer.write(text.slice(cut))
    }
    const n = text.length - 1
    await waitFor(() => messages.length === 2 * n, 3000, 'every line')
    expect(messages.filter((m) => m.kind === 'bitrate')).toHaveLength(n)
    expect(messages.filter((m) => m.kind === 'buffer' && m.bytes === 1200)).toHaveLength(n)
  })

  it('matches OK and WRONG to commands in order, and ignores a stray OK', async () => {
    const modem = await fakeModem()
    const { cmd } = await client(modem.port)
    const peer = await modem.peer()
    const results = Promise.allSettled([cmd.send('LISTEN ON'), cmd.send('BW1000'), cmd.send('P2P SESSION')])
    await waitFor(() => modem.received.length === 3, 2000, 'three commands')
    peer.write('OK\rIAMALIVE\rWRONG\rOK\rOK\r') // the last OK answers nothing
    const [a, b, c] = await results
    expect(a.status).toBe('fulfilled')
    expect(b.status === 'rejected' && isTransportError(b.reason, 'ERR_CONFIG') && /BW1000/.test((b.reason as Error).message)).toBe(true)
    expect(c.status).toBe('fulfilled')
    expect(modem.received).toEqual(['LISTEN ON', 'BW1000', 'P2P SESSION'])
  })

  it('closes with command-timeout when the modem does not answer, failing the command', async () => {
    const modem = await fakeModem()
    const { cmd } = await client(modem.port, 100)
    const closed = new Promise<VaraLinkError>((r) => cmd.once('close', r))
    const err = await cmd.send('MYCALL N0AAA').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VaraLinkError)
    expect((err as VaraLinkError).reason).toBe('command-timeout')
    expect(isTransportError(err, 'ERR_TIMEOUT')).toBe(true)
    expect((await closed).reason).toBe('command-timeout')
  })

  it('logs an unknown line once, keeps going, and reports the modem closing the port', async () => {
    const modem = await fakeModem()
    const { cmd, messages, log } = await client(modem.port)
    const peer = await modem.peer()
    const closed = new Promise<VaraLinkError>((r) => cmd.once('close', r))
    peer.write('FANCY NEW THING 1\rFANCY NEW THING 1\rIAMALIVE\r')
    await waitFor(() => messages.length === 3, 2000, 'three lines')
    expect(log.find('unknown message from VARA')).toHaveLength(1)
    expect(messages.map((m) => m.kind)).toEqual(['unknown', 'unknown', 'iamalive'])
    peer.destroy()
    expect((await closed).reason).toBe('device-closed')
  })

  it('reports a refused port as connect-refused', async () => {
    const modem = await fakeModem()
    await new Promise((r) => (servers.pop() as Server).close(r))
    const err = await openSocket({ host: '127.0.0.1', port: modem.port, what: 'command', timeoutMs: 2000, clock: wallClock }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VaraLinkError)
    expect((err as VaraLinkError).reason).toBe('connect-refused')
    expect(isTransportError(err, 'ERR_DEVICE')).toBe(true)
  })
})
