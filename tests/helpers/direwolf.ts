/**
 * Two real headless Direwolf 1.6 TNCs joined by AFSK 1200 audio through a FIFO, per the recipe of
 * real-peers.md A.2 method 1 (no sound card, no sound server):
 *
 *   client → KISS TCP → direwolf A → ALSA `file` PCM → FIFO → direwolf B (stdin) → KISS TCP → client
 *
 * Details that matter (all observed there): B holds the FIFO open read-write before A starts, so A
 * never blocks opening its audio output and B never sees EOF; A's own stdin is an idle FIFO, also
 * opened read-write, because EOF on stdin makes direwolf exit; A's ALSA config lives in its own
 * HOME (an inline `file:` device name is truncated at 29 chars); AGW is disabled (`AGWPORT 0`) and
 * the KISS ports come from a free-port probe, because a second direwolf on a taken port keeps
 * running without a KISS server. Each direwolf runs in its own process group and is stopped by
 * signalling the group. The FIFO delivers faster than real time, but A still occupies the channel
 * for the computed airtime before its next keyup.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A running pair: frames sent to A's KISS port come out of B's. */
export interface DirewolfPair {
  /** KISS TCP port of the transmitting direwolf. */
  readonly kissPortA: number
  /** KISS TCP port of the receiving direwolf. */
  readonly kissPortB: number
  /** Version from the banner, e.g. `1.6`. */
  readonly version: string
  /** stdout + stderr of A and B so far (for failure messages). */
  logs(): { a: string; b: string }
  /** Stops both process groups and removes the scratch directory. */
  stop(): Promise<void>
}

/** A TCP port that was free on all interfaces a moment ago (direwolf binds 0.0.0.0). */
export async function freeTcpPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '0.0.0.0', () => resolve())
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (typeof address !== 'object' || address === null) throw new Error('no port from the probe')
  return address.port
}

function config(call: string, output: string, kissPort: number): string {
  return [`ADEVICE stdin ${output}`, 'ARATE 44100', 'ACHANNELS 1', 'CHANNEL 0', `MYCALL ${call}`, 'MODEM 1200',
    `KISSPORT ${kissPort}`, 'AGWPORT 0', ''].join('\n')
}

const LOG_KEEP = 64 * 1024 // chars of each direwolf's output kept

/** One direwolf process with its output collected. */
class Direwolf {
  readonly child: ChildProcess
  log = ''

  constructor(dir: string, conf: string, stdinFd: number, home: string) {
    this.child = spawn('direwolf', ['-t', '0', '-c', conf], {
      cwd: dir,
      env: { ...process.env, HOME: home },
      stdio: [stdinFd, 'pipe', 'pipe'],
      detached: true, // own process group, so stop() reaches everything it started
    })
    const keep = (text: string): void => void (this.log = (this.log + text).slice(-LOG_KEEP))
    this.child.stdout?.setEncoding('latin1')
    this.child.stderr?.setEncoding('latin1')
    this.child.stdout?.on('data', keep)
    this.child.stderr?.on('data', keep)
  }

  /** Resolves when the KISS port listens; rejects on a bind failure, an early exit or the deadline. */
  ready(kissPort: number, timeoutMs: number): Promise<void> {
    const line = `Ready to accept KISS TCP client application 0 on port ${kissPort}`
    return new Promise((resolve, reject) => {
      const done = (error?: Error): void => {
        clearTimeout(timer)
        this.child.stdout?.off('data', check)
        this.child.off('exit', exited)
        if (error === undefined) resolve()
        else reject(error)
      }
      const check = (): void => {
        if (this.log.includes('Bind failed')) done(new Error(`direwolf could not bind port ${kissPort}:\n${this.log}`))
        else if (this.log.includes(line)) done()
      }
      const exited = (code: number | null, signal: string | null): void =>
        done(new Error(`direwolf exited early (code ${code}, signal ${signal}):\n${this.log}`))
      const timer = setTimeout(() => done(new Error(`direwolf not ready within ${timeoutMs} ms:\n${this.log}`)), timeoutMs)
      this.child.stdout?.on('data', check)
      this.child.once('exit', exited)
      this.child.once('error', (e) => done(e))
      check()
    })
  }

  /** SIGTERM to the process group, SIGKILL after `timeoutMs`; resolves when it has exited. */
  async stop(timeoutMs: number): Promise<void> {
    const { child } = this
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    const pid = child.pid
    const signal = (s: NodeJS.Signals): void => {
      try {
        process.kill(-pid, s)
      } catch {
        // already gone
      }
    }
    signal('SIGTERM')
    const timer = setTimeout(() => signal('SIGKILL'), timeoutMs)
    await exited
    clearTimeout(timer)
  }
}

/** Starts direwolf B (receiver) then A (transmitter) and resolves when both KISS ports listen. */
export async function startDirewolfPair(options: { timeoutMs?: number } = {}): Promise<DirewolfPair> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const dir = mkdtempSync(join(tmpdir(), 'dw-pair-'))
  const [homeA, homeB] = [join(dir, 'home-a'), join(dir, 'home-b')]
  mkdirSync(homeA)
  mkdirSync(homeB)
  const audio = join(dir, 'a_to_b.fifo')
  const idle = join(dir, 'a_in.fifo')
  execFileSync('mkfifo', [audio, idle])
  writeFileSync(join(homeA, '.asoundrc'), `pcm.dwout {\n type file\n slave.pcm "null"\n file "${audio}"\n format "raw"\n}\n`)
  const [kissPortA, kissPortB] = [await freeTcpPort(), await freeTcpPort()]
  writeFileSync(join(dir, 'dw-a.conf'), config('N0CALL-1', 'dwout', kissPortA))
  writeFileSync(join(dir, 'dw-b.conf'), config('N0CALL-2', 'null', kissPortB))

  const started: Direwolf[] = []
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.map((d) => d.stop(2000)))
    rmSync(dir, { recursive: true, force: true })
  }
  const launch = async (conf: string, fifo: string, home: string, port: number): Promise<Direwolf> => {
    const fd = openSync(fifo, 'r+') // read-write: open() never blocks and the reader never sees EOF
    try {
      const dw = new Direwolf(dir, conf, fd, home)
      started.push(dw)
      await dw.ready(port, timeoutMs)
      return dw
    } finally {
      closeSync(fd) // the child has its own copy
    }
  }
  try {
    const b = await launch('dw-b.conf', audio, homeB, kissPortB)
    const a = await launch('dw-a.conf', idle, homeA, kissPortA)
    const version = /Dire Wolf version (\S+)/.exec(a.log)?.[1] ?? 'unknown'
    return { kissPortA, kissPortB, version, logs: () => ({ a: a.log, b: b.log }), stop: stopAll }
  } catch (e) {
    await stopAll()
    throw e
  }
}
