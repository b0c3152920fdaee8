import { execFile } from 'node:child_process'
import { createConnection } from 'node:net'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { main } from '../../gateway/cli-main.js'
import { packageInfo } from '../../gateway/package-info.js'
import { waitFor } from '../helpers/raw-peer.js'

const run = promisify(execFile)

function stopper(): { stop: Promise<void>; fire: () => void } {
  let fire = (): void => undefined
  const stop = new Promise<void>((resolve) => (fire = resolve))
  return { stop, fire }
}

describe('bunker-gateway command line', () => {
  it('prints its version through the installed bin entry', async () => {
    const { stdout } = await run(process.execPath, ['bin/bunker-gateway.js', '--version'])
    expect(stdout.trim()).toBe(packageInfo().version)
  })

  it('rejects an unknown command with EX_USAGE and the help', async () => {
    const out: string[] = []
    expect(await main(['frobnicate'], (l) => out.push(l))).toBe(64)
    expect(out.join('\n')).toMatch(/unknown command 'frobnicate'[\s\S]*Usage:/)
  })

  it('starts a simulated node with `sim node` that serves the documented HTTP API until stopped', async () => {
    const out: string[] = []
    const { stop, fire } = stopper()
    const done = main(['sim', 'node', '--p2p-port', '0', '--http-port', '0', '--mine-every', '3600'], (l) => out.push(l), stop)
    await waitFor(() => out.some((l) => l.includes('HTTP http://')), 5_000, 'the node to start')
    const url = /HTTP (http:\/\/\S+),/.exec(out.join('\n'))?.[1] as string
    expect(await (await fetch(`${url}/sync`)).json()).toEqual({ height: 0, latest_hash: '0'.repeat(64) })
    const p2p = Number(/P2P 127\.0\.0\.1:(\d+)/.exec(out.join('\n'))?.[1])
    const socket = createConnection({ host: '127.0.0.1', port: p2p })
    const reply = await new Promise<string>((resolve) => {
      socket.on('data', (d) => resolve(d.toString()))
      socket.write('"GetMempool"\n')
    })
    socket.destroy()
    expect(reply).toBe('{"Mempool":[]}\n')
    fire()
    expect(await done).toBe(0)
  })

  it('starts two simulated VARA modems with `sim vara` and names a bad profile', async () => {
    const out: string[] = []
    const { stop, fire } = stopper()
    const done = main(['sim', 'vara', '--cmd-port', '0'], (l) => out.push(l), stop)
    await waitFor(() => out.some((l) => l.includes('running')), 5_000, 'the modems to start')
    const cmd = Number(/A: command 127\.0\.0\.1:(\d+)/.exec(out.join('\n'))?.[1])
    const socket = createConnection({ host: '127.0.0.1', port: cmd })
    const reply = await new Promise<string>((resolve) => {
      socket.on('data', (d) => resolve(d.toString()))
      socket.write('VERSION\r')
    })
    socket.destroy()
    expect(reply).toMatch(/^VERSION VARA HF/)
    fire()
    expect(await done).toBe(0)
    await expect(main(['sim', 'vara', '--profile', 'moon'], () => undefined)).rejects.toThrow(/unknown profile 'moon'/)
  })

  it('starts two KISS TNCs and two JS8Call API servers with `sim`', async () => {
    for (const [args, pattern, probe, expected] of [
      [['sim', 'kiss-tnc', '--kiss-port', '0'], /A: KISS 127\.0\.0\.1:(\d+)/, Buffer.from([0xc0, 0x06, ...Buffer.from('TNC:'), 0xc0]), /TNC:|SIMTNC/],
      [['sim', 'js8call', '--js8-port', '0'], /A \(N0CALL\): API 127\.0\.0\.1:(\d+)/, Buffer.from('{"type":"STATION.GET_CALLSIGN","value":"","params":{"_ID":7}}\n'), /STATION\.CALLSIGN[\s\S]*N0CALL/],
    ] as const) {
      const out: string[] = []
      const { stop, fire } = stopper()
      const done = main([...args], (l) => out.push(l), stop)
      await waitFor(() => out.some((l) => l.includes('running')), 5_000, 'the devices to start')
      const port = Number(pattern.exec(out.join('\n'))?.[1])
      const socket = createConnection({ host: '127.0.0.1', port })
      const reply = await new Promise<string>((resolve) => {
        let got = ''
        socket.on('data', (d) => {
          got += d.toString('latin1')
          if (expected.test(got)) resolve(got)
        })
        socket.write(probe)
      })
      socket.destroy()
      expect(reply).toMatch(expected)
      fire()
      expect(await done).toBe(0)
    }
  })
})
