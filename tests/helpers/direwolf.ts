/**
 * Two real headless Direwolf 1.6 TNCs joined by AFSK 1200 audio through FIFOs, per the recipe of
 * real-peers.md A.2 method 1 (no sound card, no sound server):
 *
 *   client → KISS TCP → direwolf A → ALSA `file` PCM → FIFO → direwolf B (stdin) → KISS TCP → client
 *
 * and, with `duplex`, the mirror image B → FIFO → A's stdin, so each direwolf reads one FIFO on
 * stdin and writes the other through its `file` PCM at the same time (checked: both directions
 * deliver). Details that matter (all observed there): both FIFOs are held open read-write by us
 * until both direwolfs run, so neither blocks opening its audio output and no reader ever sees EOF
 * (EOF on stdin makes direwolf exit); without `duplex`, A's stdin is an idle FIFO. Each ALSA config
 * lives in its direwolf's own HOME (an inline `file:` device name is truncated at 29 chars); AGW is
 * disabled (`AGWPORT 0`) and the KISS ports come from a free-port probe, retried on a bind
 * failure, because a direwolf on a taken port keeps running without a KISS server. Each direwolf
 * runs in its own process group and is stopped by signalling the group. The FIFOs deliver faster
 * than real time, but a transmitter still occupies the channel for the computed airtime before its
 * next keyup.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stopProcessGroup } from './process-group.js'

/** A running pair: frames sent to A's KISS port come out of B's (and, when duplex, B's out of A's). */
export interface DirewolfPair {
  /** KISS TCP port of direwolf A (the transmitter of a one-way pair), on all interfaces. */
  readonly kissPortA: number
  /** KISS TCP port of direwolf B (the receiver of a one-way pair). */
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
      // XDG_RUNTIME_DIR too: ALSA's pulse plugin (loaded with the ALSA config) otherwise leaves an
      // empty /tmp/pulse-XXXXXXXXXXXX behind for every direwolf run
      env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: home },
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

  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs: number): Promise<void> {
    return stopProcessGroup(this.child, graceMs)
  }
}

/** Options of {@link startDirewolfPair}. */
export interface DirewolfPairOptions {
  /** Deadline for each direwolf's KISS port to listen, ms. */
  readonly timeoutMs?: number
  /** Link audio both ways (B's transmitter into A's receiver too), so acknowledgements get back. */
  readonly duplex?: boolean
}

/** The scratch files of one pair: a FIFO per audio direction, each direwolf's HOME with its `.asoundrc`. */
interface PairFiles {
  readonly dir: string
  /** A's transmit audio, B's stdin. */
  readonly aToB: string
  /** A's stdin: B's transmit audio when duplex, else an idle FIFO nobody writes. */
  readonly toA: string
  readonly homeA: string
  readonly homeB: string
}

/** An ALSA PCM `dwout` that writes raw samples into `fifo` (A.2 method 1). */
const fileOutput = (fifo: string): string => `pcm.dwout {\n type file\n slave.pcm "null"\n file "${fifo}"\n format "raw"\n}\n`

function pairFiles(duplex: boolean): PairFiles {
  const dir = mkdtempSync(join(tmpdir(), 'dw-pair-'))
  const files = { dir, aToB: join(dir, 'a_to_b.fifo'), toA: join(dir, duplex ? 'b_to_a.fifo' : 'a_in.fifo'), homeA: join(dir, 'home-a'), homeB: join(dir, 'home-b') }
  mkdirSync(files.homeA)
  mkdirSync(files.homeB)
  execFileSync('mkfifo', [files.aToB, files.toA])
  writeFileSync(join(files.homeA, '.asoundrc'), fileOutput(files.aToB))
  if (duplex) writeFileSync(join(files.homeB, '.asoundrc'), fileOutput(files.toA))
  return files
}

/** Attempts at fresh ports when a probed port was taken before direwolf bound it (parallel test files). */
const BIND_ATTEMPTS = 3

/**
 * Starts direwolf B then A and resolves when both KISS ports listen. One-way by default (A → B);
 * with `duplex`, B's transmit audio reaches A too. Either direwolf dying takes the other down at
 * its next transmission (SIGPIPE on the FIFO), so a pair is started and stopped as a whole.
 */
export async function startDirewolfPair(options: DirewolfPairOptions = {}): Promise<DirewolfPair> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchPair(options)
    } catch (e) {
      if (attempt >= BIND_ATTEMPTS || !(e instanceof Error && e.message.includes('could not bind'))) throw e
    }
  }
}

async function launchPair(options: DirewolfPairOptions): Promise<DirewolfPair> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const duplex = options.duplex ?? false
  const files = pairFiles(duplex)
  const [kissPortA, kissPortB] = [await freeTcpPort(), await freeTcpPort()]
  writeFileSync(join(files.dir, 'dw-a.conf'), config('N0CALL-1', 'dwout', kissPortA))
  writeFileSync(join(files.dir, 'dw-b.conf'), config('N0CALL-2', duplex ? 'dwout' : 'null', kissPortB))
  // Both FIFOs held open read-write here until both direwolfs run: no open() in either blocks
  // (the ALSA file plugin opens its FIFO at startup) and no reader ever sees EOF.
  const fds = [openSync(files.aToB, 'r+'), openSync(files.toA, 'r+')] as const
  const started: Direwolf[] = []
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.map((d) => d.stop(2000)))
    rmSync(files.dir, { recursive: true, force: true })
  }
  const launch = async (conf: string, stdinFd: number, home: string, port: number): Promise<Direwolf> => {
    const dw = new Direwolf(files.dir, conf, stdinFd, home)
    started.push(dw)
    await dw.ready(port, timeoutMs)
    return dw
  }
  try {
    const b = await launch('dw-b.conf', fds[0], files.homeB, kissPortB)
    const a = await launch('dw-a.conf', fds[1], files.homeA, kissPortA)
    const version = /Dire Wolf version (\S+)/.exec(a.log)?.[1] ?? 'unknown'
    return { kissPortA, kissPortB, version, logs: () => ({ a: a.log, b: b.log }), stop: stopAll }
  } catch (e) {
    await stopAll()
    throw e
  } finally {
    for (const fd of fds) closeSync(fd) // each child has its own copy
  }
}
