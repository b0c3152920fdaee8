import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { main } from '../../gateway/cli-main.js'
import { listPortsCommand, type PortInfo } from '../../gateway/cli-list-ports.js'
import { EXIT } from '../../gateway/exit-codes.js'
import type { GatewayStatus } from '../../gateway/status-model.js'
import { BROKEN, EXAMPLE } from './config-fixtures.js'

/** Runs the real entry in a child process with a clean environment (no inherited overrides). */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BUNKER_GATEWAY_')))
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'gateway/cli.ts', ...args], { env: { ...clean, ...env } }, (error, stdout) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout })
    })
  })
}

function capture(): { out: string[]; print: (line: string) => void; text: () => string } {
  const out: string[] = []
  return { out, print: (line) => out.push(line), text: () => out.join('\n') }
}

const STATUS: GatewayStatus = {
  station: 'N0CALL-10',
  version: '0.1.0',
  startedAt: 1_000_000,
  now: 1_000_000 + 3 * 3_600_000 + 7 * 60_000,
  role: 'gateway',
  chain: { height: 1234, tip: 'ab'.repeat(32), mempool: 3 },
  node: { connected: true, queued: 0 },
  links: [
    { id: 'vhf-packet', kind: 'ax25', state: 'up', stateSince: 1_000_000 + 3_600_000, availability: 0.98, rttMs: 1_200, loss: 0.03, goodputBps: 85, bytesSent: 12_300, bytesReceived: 4_500, budgetLeft: 0.62, stale: false },
    { id: 'hf-js8', kind: 'js8call', state: 'down', reason: 'JS8Call not running', availability: 0, bytesSent: 0, bytesReceived: 0, stale: true },
  ],
  peers: [{ name: 'N1CALL-10', height: 1230, currentLink: 'vhf-packet', heard: { 'vhf-packet': 1_000_000 + 3 * 3_600_000 + 6 * 60_000 }, queued: 2, inFlight: 1, pendingBytes: 2_048, sync: { done: 3, total: 4 } }],
  counters: { txRelayed: 12, blocksRelayed: 3, rejected: 1, failovers: 1 },
}

describe('bunker-gateway check-config (the real entry)', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bgw-cli-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('passes the annotated example with exit 0 and a one-line summary', async () => {
    const { code, stdout } = await cli(['check-config', EXAMPLE])
    expect(code).toBe(EXIT.OK)
    expect(stdout.trim().split('\n')).toEqual([
      `${EXAMPLE}: OK: station N0CALL-10, node over P2P (1 to dial), 4 links: internet (tcp), vhf-packet (ax25), hf-vara (vara), hf-js8 (js8call); 1 peer; state in /var/lib/bunker-gateway; status on 127.0.0.1:8470`,
    ])
  })

  it('exits 78 and names every problem of a broken file by path and reason, with env overrides applied', async () => {
    const file = join(dir, 'broken.toml')
    await writeFile(file, BROKEN)
    const { code, stdout } = await cli(['check-config', file], { BUNKER_GATEWAY_STATE_DIR: 'relative/ok', BUNKER_GATEWAY_STATION: 'N0CALL-0' })
    expect(code).toBe(EXIT.CONFIG)
    const lines = stdout.trim().split('\n')
    expect(lines[0]).toBe(`${file}: 7 problems`)
    expect(lines.slice(1).map((l) => l.trim().split(':')[0])).toEqual(['line 11, column 6', 'station.id', 'station.colour', 'links.vhf.callsign', 'links.vhf.tnc.speed', 'status.port', 'log.level'])
    expect(stdout).toMatch(/station\.id: .*\(set by BUNKER_GATEWAY_STATION\)/)
    expect(stdout).toContain('station.colour: unknown key')
    expect(stdout).toContain('status.port: expected number, received string')
  })
})

describe('bunker-gateway subcommands', () => {
  it.each(['run', 'check-config', 'status', 'list-ports', 'demo', 'sim'])('%s --help explains itself and exits 0', async (command) => {
    const { print, text } = capture()
    expect(await main([command, '--help'], print)).toBe(EXIT.OK)
    expect(text()).toMatch(new RegExp(`^bunker-gateway ${command}\\b`))
    expect(text().length).toBeGreaterThan(150)
  })

  it('lists every subcommand in the top-level help', async () => {
    const { print, text } = capture()
    expect(await main(['--help'], print)).toBe(EXIT.OK)
    for (const command of ['run', 'check-config', 'status', 'list-ports', 'demo', 'sim', '--version']) expect(text()).toContain(`bunker-gateway ${command}`)
  })

  it('answers a bad option or a missing argument with EX_USAGE and where to look', async () => {
    const bad = capture()
    expect(await main(['status', '--frobnicate'], bad.print)).toBe(EXIT.USAGE)
    expect(bad.text()).toMatch(/^status: .*--frobnicate.*see 'bunker-gateway status --help'/)
    const missing = capture()
    expect(await main(['check-config'], missing.print)).toBe(EXIT.USAGE)
    expect(missing.text()).toMatch(/check-config takes one FILE/)
    const config = capture()
    expect(await main(['run', '--config'], config.print)).toBe(EXIT.USAGE)
  })
})

describe('bunker-gateway status', () => {
  let server: Server | undefined
  afterEach(async () => {
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)))
    server = undefined
  })

  async function serve(body: unknown, status = 200): Promise<string> {
    server = createServer((req, res) => {
      if (req.url !== '/status') {
        res.writeHead(404).end()
        return
      }
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  it('prints the station, a table of links and peers, and the counters', async () => {
    const url = await serve(STATUS)
    const { print, text } = capture()
    expect(await main(['status', '--url', url], print)).toBe(EXIT.OK)
    const lines = text().split('\n')
    expect(lines[0]).toBe('N0CALL-10 (gateway), bunker-gateway 0.1.0, up 3h 07m')
    expect(lines[1]).toBe(`chain height 1234, tip abababab…ababab, mempool 3; node connected, 0 queued`)
    const row = (name: string): string[] => (lines.find((l) => l.startsWith(name)) ?? '').split(/\s{2,}/)
    expect(lines.find((l) => l.startsWith('LINK'))?.split(/\s{2,}/)).toEqual(['LINK', 'KIND', 'STATE', 'SINCE', 'AVAIL', 'SNR', 'RTT', 'LOSS', 'GOODPUT', 'SENT', 'RECEIVED', 'BUDGET'])
    expect(row('vhf-packet')).toEqual(['vhf-packet', 'ax25', 'up', '2h 07m', '98%', '-', '1200 ms', '3%', '85 B/s', '12.3 kB', '4.5 kB', '62%'])
    expect(row('hf-js8')).toEqual(['hf-js8', 'js8call', 'down?', '-', '0%', '-', '-', '-', '-', '0 B', '0 B', '-'])
    expect(row('N1CALL-10')).toEqual(['N1CALL-10', 'vhf-packet', '1230', '1m 00s ago', '2', '1', '2.0 kB', '3/4'])
    expect(lines.at(-1)).toBe('relayed 12 transactions and 3 blocks; rejected 1; failovers 1')
  })

  it('prints the validated JSON with --json', async () => {
    const url = await serve(STATUS)
    const { print, text } = capture()
    expect(await main(['status', '--url', `${url}/`, '--json'], print)).toBe(EXIT.OK)
    expect(JSON.parse(text())).toEqual(STATUS)
  })

  it('exits 1 with a clear message when nothing answers, or the answer is not a gateway status', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise((resolve) => probe.close(resolve))
    const silent = capture()
    expect(await main(['status', '--url', `http://127.0.0.1:${port}`], silent.print)).toBe(EXIT.FAILURE)
    expect(silent.text()).toBe(`no gateway answers at http://127.0.0.1:${port}/status (ECONNREFUSED): is it running? (systemctl status bunker-gateway)`)

    const url = await serve({ ...STATUS, links: [{ id: 'x' }] })
    const wrong = capture()
    expect(await main(['status', '--url', url], wrong.print)).toBe(EXIT.FAILURE)
    expect(wrong.text()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/status answered, but not with a gateway status: links\[0\]\.\w+: expected /)

    const notUrl = capture()
    expect(await main(['status', '--url', 'not a url'], notUrl.print)).toBe(EXIT.FAILURE)
    expect(notUrl.text()).toMatch(/is not a URL/)
  })

  it('exits 1 naming the HTTP status of a server that is not a gateway', async () => {
    const url = await serve({}, 500)
    const { print, text } = capture()
    expect(await main(['status', '--url', url], print)).toBe(EXIT.FAILURE)
    expect(text()).toMatch(/answered HTTP 500/)
  })
})

describe('bunker-gateway list-ports', () => {
  let dir: string
  beforeEach(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'bgw-ports-')))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const port = (path: string, more: Partial<PortInfo> = {}): PortInfo => ({ path, manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, productId: undefined, vendorId: undefined, ...more })

  it('shows each port with its stable by-id name, manufacturer, ids and serial', async () => {
    await mkdir(join(dir, 'dev'))
    await mkdir(join(dir, 'by-id'))
    const usb = join(dir, 'dev', 'ttyUSB0')
    await writeFile(usb, '')
    const link = join(dir, 'by-id', 'usb-FTDI_FT232R_USB_UART_A10KXYZ1-if00-port0')
    await symlink('../dev/ttyUSB0', link)
    await symlink('../dev/gone', join(dir, 'by-id', 'usb-unplugged')) // dangling: ignored
    const ports = [port(usb, { manufacturer: 'FTDI', vendorId: '0403', productId: '6001', serialNumber: 'A10KXYZ1' }), port('/dev/ttyAMA0')]
    const { print, text } = capture()
    expect(await listPortsCommand([], print, { list: async () => ports, byIdDir: join(dir, 'by-id') })).toBe(EXIT.OK)
    const rows = text().split('\n').map((l) => l.split(/\s{2,}/))
    expect(rows).toEqual([
      ['PATH', 'STABLE NAME (use in the config)', 'MANUFACTURER', 'VID:PID', 'SERIAL'],
      [usb, link, 'FTDI', '0403:6001', 'A10KXYZ1'],
      ['/dev/ttyAMA0', '-', '-', '-', '-'],
    ])
  })

  it('says so when there are no ports, and exits 1 when they cannot be listed', async () => {
    const none = capture()
    expect(await listPortsCommand([], none.print, { list: async () => [], byIdDir: join(dir, 'absent') })).toBe(EXIT.OK)
    expect(none.text()).toMatch(/^no serial ports found/)
    const broken = capture()
    const list = async (): Promise<PortInfo[]> => {
      throw new Error('spawn udevadm ENOENT')
    }
    expect(await listPortsCommand([], broken.print, { list })).toBe(EXIT.FAILURE)
    expect(broken.text()).toBe('could not list serial ports: spawn udevadm ENOENT (serialport asks udevadm: is udev installed and running?)')
  })
})
