/**
 * Test helpers for JS8Call's TCP API: a client that records every message (for the simulator and
 * the real program alike), a JSON "shape" for comparing the two, and a launcher for a real headless
 * JS8Call (real-peers.md Part B: `QT_QPA_PLATFORM=offscreen`, a preseeded ini, own HOME and rig
 * name, killed by process group).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { connect, createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stopProcessGroup } from './process-group.js'

/** A received API message (loosely typed: the tests check it). */
export interface ApiMessage {
  readonly type: string
  readonly value: unknown
  readonly params: Record<string, unknown>
}

// Captured at import, before a test installs fake timers: waits here always run on wall time.
const wallSetTimeout = globalThis.setTimeout
const wallClearTimeout = globalThis.clearTimeout
/** Sleeps `ms` wall ms, even under fake timers. */
export const wallSleep = (ms: number): Promise<void> => new Promise((r) => wallSetTimeout(r, ms))

/** Polls `check` every 10 wall ms until it returns a value or `timeoutMs` (wall) passes. */
export async function pollFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  for (let waited = 0; ; waited += 10) {
    const found = check()
    if (found !== undefined) return found
    if (waited > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await wallSleep(10)
  }
}

/** A JSON-lines API client recording every line and parsed message. */
export class Js8ApiClient {
  /** Raw lines received, without the newline. */
  readonly lines: string[] = []
  /** Parsed messages, in order. */
  readonly messages: ApiMessage[] = []
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>
  private carry = ''
  private readonly waiters = new Set<() => void>()

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (s: string) => {
      const parts = (this.carry + s).split('\n')
      this.carry = parts.pop() ?? ''
      for (const line of parts) {
        this.lines.push(line)
        this.messages.push(JSON.parse(line) as ApiMessage)
      }
      for (const check of [...this.waiters]) check()
    })
    socket.on('error', () => undefined)
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
  }

  /** Connects to 127.0.0.1:`port`. */
  static connect(port: number): Promise<Js8ApiClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new Js8ApiClient(socket)))
      socket.once('error', reject)
    })
  }

  /** Writes raw text (add the newline yourself). */
  write(text: string): void {
    this.socket.write(text)
  }

  /** Sends `{type, value, params}` as one line. */
  request(type: string, value = '', params: Record<string, unknown> = {}): void {
    this.write(`${JSON.stringify({ type, value, params })}\n`)
  }

  /** Messages of `type`. */
  ofType(type: string): ApiMessage[] {
    return this.messages.filter((m) => m.type === type)
  }

  /**
   * Waits for the `n`-th (1-based) message matching `match`, counting all received so far. Driven
   * by socket data, with a wall-time limit, so it works under fake timers too.
   */
  waitFor(match: (m: ApiMessage) => boolean, timeoutMs = 5_000, n = 1): Promise<ApiMessage> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.waiters.delete(check)
        wallClearTimeout(timer)
      }
      const check = (): void => {
        const found = this.messages.filter(match)[n - 1]
        if (found === undefined) return
        done()
        resolve(found)
      }
      const timer = wallSetTimeout(() => {
        done()
        reject(new Error(`timed out after ${timeoutMs} ms waiting for API message #${n} (got ${this.lines.length} lines)`))
      }, timeoutMs)
      this.waiters.add(check)
      check()
    })
  }

  /** Waits for the reply carrying `_ID` = `id`. */
  reply(id: number, timeoutMs = 5_000): Promise<ApiMessage> {
    return this.waitFor((m) => m.params._ID === id, timeoutMs)
  }

  /** Drops the connection. */
  close(): void {
    this.socket.destroy()
  }
}

/** A JSON value's shape: objects keep their keys, arrays the shape of their first element, leaves their type. */
export type Shape = string | Shape[] | { [key: string]: Shape }

/** The shape of a JSON value (see {@link Shape}). */
export function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])]
  if (value === null) return 'null'
  if (typeof value !== 'object') return typeof value
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))
  return Object.fromEntries(entries.map(([k, v]) => [k, shapeOf(v)]))
}

/** A free TCP port on 127.0.0.1 (bound, read and released). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (typeof address !== 'object' || address === null) throw new Error('no port')
  return address.port
}

/** Sound devices of a JS8Call on a PulseAudio server (tests/helpers/pulse-audio.ts). */
export interface Js8CallAudio {
  /** `unix:<socket>` of the server (PULSE_SERVER). */
  readonly pulseServer: string
  /** Source it records (`[Configuration] SoundInName`), e.g. the other station's `<sink>.monitor`. */
  readonly soundIn: string
  /** Sink it plays into (`SoundOutName`). */
  readonly soundOut: string
}

/** Options of {@link startRealJs8Call}. */
export interface RealJs8CallOptions {
  readonly callsign: string
  readonly grid: string
  /** SPEED code to start with (`[Common] SubMode`: 0 Normal, 1 Fast, 2 Turbo, 4 Slow); the API cannot change it on 2.2.0. */
  readonly subMode: number
  /** UDP port JS8Call sends PING and events to (127.0.0.1); omitted: UDP off. */
  readonly udpPort?: number
  /** Sound devices; omitted: none (JS8Call transmits into a null output and hears nothing). */
  readonly audio?: Js8CallAudio
}

/** A running real JS8Call. */
export interface RealJs8Call {
  /** Its TCP API port. */
  readonly port: number
  /** Whatever it printed (warnings only; qDebug is compiled out). */
  log(): string
  /** Frame texts it logged as transmitted (ALL.TXT `Transmitting … JS8:  <text>` lines, trailing spaces trimmed). */
  transmitted(): string[]
  /** SIGTERM to the process group (js8call and its js8 decoder), SIGKILL after 3 s; removes its files. */
  stop(): Promise<void>
}

function writeIni(dir: string, rig: string, o: RealJs8CallOptions, port: number): void {
  mkdirSync(join(dir, '.config'), { recursive: true })
  const ini = [
    '[MultiSettings]', 'CurrentName=Default', '',
    '[Configuration]', `MyCall=${o.callsign}`, `MyGrid=${o.grid}`,
    'TCPEnabled=true', 'TCPServer=127.0.0.1', `TCPServerPort=${port}`, 'TCPMaxConnections=4', 'AcceptTCPRequests=true',
    ...(o.udpPort === undefined ? ['UDPEnabled=false'] : ['UDPEnabled=true', 'UDPServer=127.0.0.1', `UDPServerPort=${o.udpPort}`]),
    'AcceptUDPRequests=false', 'PSKReporter=false',
    ...(o.audio === undefined ? [] : [`SoundInName=${o.audio.soundIn}`, `SoundOutName=${o.audio.soundOut}`, 'AudioInputChannel=Mono', 'AudioOutputChannel=Mono']),
    '',
    '[Common]', `SubMode=${o.subMode}`, '',
  ].join('\n')
  writeFileSync(join(dir, '.config', `JS8Call - ${rig}.ini`), ini)
}

/** Resolves once 127.0.0.1:`port` accepts a connection (then closes it). */
async function waitListening(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`js8call exited with ${child.exitCode} before listening`)
    const up = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)))
      s.once('error', () => resolve(false))
    })
    if (up) return
    if (Date.now() > deadline) throw new Error(`js8call did not listen on ${port} within ${timeoutMs} ms`)
    await wallSleep(100)
  }
}

/**
 * System V IPC key Qt derived from `file` for JS8Call's shared memory and semaphore:
 * `ftok(file, 'Q')` = 'Q' << 24 | (device & 0xff) << 16 | (inode & 0xffff).
 */
function ipcKey(file: string): string {
  const st = statSync(file)
  return `0x${(((0x51 << 24) | ((st.dev & 0xff) << 16) | (st.ino & 0xffff)) >>> 0).toString(16)}`
}

/**
 * Removes what a killed JS8Call leaves behind, whatever HOME is: `/tmp/JS8Call - RIG*`, Qt's IPC
 * key files `/tmp/qipc_{sharedmemory,systemsem}_<letters of the key><sha1 of the key>` (key
 * `JS8Call - RIG`), and the System V segment and semaphore keyed on them. A killed JS8Call does
 * not remove its 6.5 MB segment; left behind, it would also make a later instance whose key file
 * reuses the inode fail with "memory create error: 4" (already exists).
 */
function removeTmpFiles(rig: string): void {
  const key = `JS8Call - ${rig}`
  const ipc = `${key.replace(/[^A-Za-z]/g, '')}${createHash('sha1').update(key).digest('hex')}`
  for (const file of [`qipc_sharedmemory_${ipc}`, `qipc_systemsem_${ipc}`].map((f) => join(tmpdir(), f))) {
    if (!existsSync(file)) continue
    const ipcId = ipcKey(file)
    for (const flag of ['-M', '-S']) spawnSync('ipcrm', [flag, ipcId], { stdio: 'ignore' }) // absent ones fail: fine
    rmSync(file, { force: true })
  }
  for (const name of readdirSync(tmpdir())) {
    if (name.startsWith(key)) rmSync(join(tmpdir(), name), { recursive: true, force: true })
  }
}

/** The `Transmitting` lines of the ALL.TXT under `home` (its folder name depends on the rig name). */
function transmittedFrames(home: string): string[] {
  const file = readdirSync(home, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('ALL.TXT'))
  if (file === undefined) return []
  const lines = readFileSync(join(home, file), 'utf8').split('\n')
  return lines.flatMap((l) => /Transmitting .* JS8: {2}(.*)$/.exec(l)?.[1]?.trimEnd() ?? [])
}

let instances = 0 // rig names stay distinct when several start in the same ms

/**
 * Starts a real JS8Call headless with its own HOME, rig name and ports; resolves once its API
 * listens. With `audio`, it plays into and records from the given PulseAudio devices.
 */
export async function startRealJs8Call(o: RealJs8CallOptions): Promise<RealJs8Call> {
  const home = mkdtempSync(join(tmpdir(), 'js8-real-'))
  const rig = `bg-${process.pid}-${Date.now()}-${++instances}`
  const port = await freePort()
  writeIni(home, rig, o, port)
  const logPath = join(home, 'js8call.log')
  const logFd = openSync(logPath, 'w')
  const child = spawn('js8call', ['-r', rig], {
    detached: true, // own session and process group, so the decoder child dies with it
    stdio: ['ignore', logFd, logFd],
    env: {
      PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: home, QT_QPA_PLATFORM: 'offscreen',
      ...(o.audio === undefined ? {} : { PULSE_SERVER: o.audio.pulseServer }),
    },
  })
  closeSync(logFd)
  child.on('error', () => undefined) // a failed spawn shows as exitCode below
  const stop = async (): Promise<void> => {
    await stopProcessGroup(child)
    rmSync(home, { recursive: true, force: true })
    removeTmpFiles(rig)
  }
  try {
    await waitListening(port, child, 20_000)
  } catch (e) {
    const log = readFileSync(logPath, 'utf8').slice(-2000)
    await stop()
    throw new Error(`${(e as Error).message}; its output:\n${log}`, { cause: e })
  }
  return { port, log: () => readFileSync(logPath, 'utf8'), transmitted: () => transmittedFrames(home), stop }
}
