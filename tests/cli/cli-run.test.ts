import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCommand, type RunningGateway, type StartGateway } from '../../gateway/cli-run.js'
import type { GatewayConfig } from '../../gateway/config/schema.js'
import { EXIT } from '../../gateway/exit-codes.js'
import { waitFor } from '../helpers/raw-peer.js'
import { requireProgram } from '../helpers/require-program.js'
import { BROKEN, MINIMAL } from './config-fixtures.js'
import { startFakeNotifySocket, type FakeNotifySocket } from './fake-notify-socket.js'

/** A log destination that keeps pino's records. */
function logSink(): { destination: Writable; records: { level: number; msg: string }[] } {
  const records: { level: number; msg: string }[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') records.push(JSON.parse(line) as { level: number; msg: string })
      done()
    },
  })
  return { destination, records }
}

/** A stand-in gateway that records how it was started and stopped. */
function fakeGateway(stop: () => Promise<void> = async () => undefined) {
  const calls: { started?: GatewayConfig; stoppedWith?: number } = {}
  const gateway: RunningGateway = {
    stop: async (timeoutMs) => {
      calls.stoppedWith = timeoutMs
      await stop()
    },
  }
  const start: StartGateway = async (config) => {
    calls.started = config
    return gateway
  }
  return { calls, start }
}

function signal(): { stop: Promise<void>; fire: () => void } {
  let fire = (): void => undefined
  const stop = new Promise<void>((resolve) => (fire = resolve))
  return { stop, fire }
}

describe('bunker-gateway run', () => {
  let dir: string
  let config: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bgw-run-'))
    config = join(dir, 'gateway.toml')
    await writeFile(config, `shutdownTimeoutMs = 2500\n${MINIMAL}[links.net]\ntype = "tcp"\n`)
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('starts the gateway, runs until the stop signal, then stops it within shutdownTimeoutMs and exits 0', async () => {
    const { calls, start } = fakeGateway()
    const { destination, records } = logSink()
    const { stop, fire } = signal()
    const out: string[] = []
    const done = runCommand(['--config', config], (l) => out.push(l), stop, { env: { BUNKER_GATEWAY_STATION: 'N1CALL-2' }, startGateway: start, logDestination: destination })
    await waitFor(() => records.some((r) => r.msg.startsWith('ready')), 5_000, 'the gateway to be ready')
    expect(calls.started?.station.id).toBe('N1CALL-2')
    expect(calls.stoppedWith).toBeUndefined()
    fire()
    expect(await done).toBe(EXIT.OK)
    expect(calls.stoppedWith).toBe(2_500)
    expect(records.map((r) => r.msg.split(':')[0])).toEqual(['starting', 'ready', 'stopping', 'stopped cleanly; exiting'])
    expect(out).toEqual([])
  })

  it('exits 78 without starting anything when the configuration is bad, listing every problem', async () => {
    await writeFile(config, BROKEN)
    const { calls, start } = fakeGateway()
    const out: string[] = []
    expect(await runCommand(['--config', config], (l) => out.push(l), signal().stop, { env: {}, startGateway: start })).toBe(EXIT.CONFIG)
    expect(calls.started).toBeUndefined()
    expect(out[0]).toMatch(/cannot start, 6 configuration problem\(s\); fix them and restart \(not retrying\)/)
    expect(out.slice(1).map((l) => l.trim().split(':')[0])).toEqual(['line 11, column 6', 'station.colour', 'links.vhf.callsign', 'links.vhf.tnc.speed', 'status.port', 'log.level'])
  })

  it('exits 1 with a fatal log line when the gateway cannot start, and when its stop fails', async () => {
    const failing = logSink()
    const start: StartGateway = async () => {
      throw new Error('store locked')
    }
    expect(await runCommand(['--config', config], () => undefined, signal().stop, { env: {}, startGateway: start, logDestination: failing.destination })).toBe(EXIT.FAILURE)
    expect(failing.records.at(-1)).toMatchObject({ level: 60, msg: expect.stringMatching(/^could not start/) })

    const stopping = logSink()
    const { start: startBadStop } = fakeGateway(async () => {
      throw new Error('disk full')
    })
    const { stop, fire } = signal()
    fire()
    expect(await runCommand(['--config', config], () => undefined, stop, { env: {}, startGateway: startBadStop, logDestination: stopping.destination })).toBe(EXIT.FAILURE)
    expect(stopping.records.at(-1)).toMatchObject({ level: 50, msg: expect.stringMatching(/^stop failed/) })
  })

  describe.runIf(requireProgram('systemd-notify', 'systemd') && requireProgram('python3'))('under systemd (Type=notify)', () => {
    let socket: FakeNotifySocket | undefined
    afterEach(async () => {
      await socket?.close()
      socket = undefined
    })

    it('reports READY=1 once started and STOPPING=1 when the stop begins', async () => {
      socket = await startFakeNotifySocket()
      const messages = socket.messages
      const { start } = fakeGateway()
      const { destination } = logSink()
      const { stop, fire } = signal()
      const done = runCommand(['--config', config], () => undefined, stop, { env: { ...process.env, NOTIFY_SOCKET: socket.path, BUNKER_GATEWAY_STATION: '' }, startGateway: start, logDestination: destination })
      await waitFor(() => messages.length > 0, 5_000, 'READY=1')
      expect(messages[0]?.split('\n').sort()).toEqual(['READY=1', 'STATUS=N0CALL-10: running with 1 link'])
      fire()
      expect(await done).toBe(EXIT.OK)
      expect(messages.at(-1)?.split('\n').sort()).toEqual(['STATUS=stopping, flushing for up to 2500 ms', 'STOPPING=1'])
    })
  })

  it('runs the real gateway as a process until SIGTERM, then exits 0', async () => {
    await writeFile(config, `shutdownTimeoutMs = 2000\n[station]\nid = "test-gw"\nstateDir = ${JSON.stringify(join(dir, 'state'))}\n[links.net]\ntype = "tcp"\nlisten = { host = "127.0.0.1", port = 0 }\n[status]\nenabled = false\n`)
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BUNKER_GATEWAY_') && k !== 'NOTIFY_SOCKET'))
    const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/cli.ts', 'run', '--config', config], { env, stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    try {
      let stdout = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
      await waitFor(() => stdout.includes('"msg":"ready'), 15_000, 'the gateway to be ready')
      expect(existsSync(join(dir, 'state'))).toBe(true)
      child.kill('SIGTERM')
      expect(await exited).toBe(EXIT.OK)
      const messages = stdout.trim().split('\n').map((line) => (JSON.parse(line) as { msg: string }).msg)
      expect(messages.at(-1)).toBe('stopped cleanly; exiting')
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
