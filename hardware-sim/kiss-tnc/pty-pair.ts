/**
 * A real serial line for tests: a pseudo-terminal pair made by
 * `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B` (Debian package `socat`). Bytes
 * written to one end come out of the other; the real `serialport` binding opens both.
 *
 * Facts this relies on (real-peers.md Part C): socat logs "starting data transfer loop" once both
 * ptys exist; it removes the links when it exits; a pty accepts any baud rate and never throttles;
 * DTR/RTS ioctls fail on a pty; bytes written before the other end is opened with `serialport`
 * are lost, so open both ends before writing. Stopping socat is what a host sees as the device
 * being unplugged: its next write fails with EIO and `serialport` closes the port with
 * `disconnected: true` (a pending read alone does not reliably notice).
 *
 * @packageDocumentation
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stopProcessGroup } from '../process-group.js'

/** Options of {@link openPtyPair}. */
export interface PtyPairOptions {
  /** Directory for the two links; a fresh temporary one (removed on close) when omitted. */
  dir?: string
  /** Link names inside `dir`. */
  names?: readonly [string, string]
  /** Longest wait for socat to create both ptys, or to exit when stopped, ms. */
  timeoutMs?: number
}

/** A running socat pty pair. */
export interface PtyPair {
  /** Link to the first pty (e.g. the TNC's end). */
  readonly pathA: string
  /** Link to the second pty (e.g. the host's end). */
  readonly pathB: string
  /** Stops socat and starts it again at the same link paths (unplug and replug). */
  restart(): Promise<void>
  /** Stops socat (both ends vanish) and removes a temporary directory. */
  close(): Promise<void>
}

const READY_LINE = 'starting data transfer loop'
const STDERR_KEEP = 4096 // chars of socat's log kept for error messages

/** Starts socat and resolves once both links exist. */
function startSocat(pathA: string, pathB: string, timeoutMs: number): Promise<ChildProcess> {
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${pathA}`, `pty,raw,echo=0,link=${pathB}`], {
    detached: true, // own process group: stop() kills exactly this socat
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let log = ''
    const fail = (why: string): void => {
      clearTimeout(timer)
      if (child.exitCode === null) child.kill('SIGKILL')
      reject(new Error(`socat pty pair ${pathA} <-> ${pathB}: ${why}\n${log}`))
    }
    const timer = setTimeout(() => fail(`no "${READY_LINE}" within ${timeoutMs} ms`), timeoutMs)
    child.once('error', (e) => fail(e.message))
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`))
    child.stderr?.setEncoding('latin1')
    child.stderr?.on('data', (text: string) => {
      log = (log + text).slice(-STDERR_KEEP)
      if (!log.includes(READY_LINE)) return
      if (!existsSync(pathA) || !existsSync(pathB)) return fail('ready, but a link is missing')
      clearTimeout(timer)
      child.removeAllListeners('exit')
      child.removeAllListeners('error')
      child.stderr?.removeAllListeners('data')
      child.stderr?.resume() // keep draining the pipe so socat never blocks on its log
      resolve(child)
    })
  })
}

/** Starts a socat pty pair and resolves once both link paths exist. */
export async function openPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const timeoutMs = options.timeoutMs ?? 5000
  const ownDir = options.dir === undefined
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'pty-pair-'))
  const [a, b] = options.names ?? ['ttyA', 'ttyB']
  const pathA = join(dir, a)
  const pathB = join(dir, b)
  let child = await startSocat(pathA, pathB, timeoutMs)
  const stop = async (): Promise<void> => {
    await stopProcessGroup(child, timeoutMs)
    // socat removes its links on a clean exit; after SIGKILL they would dangle.
    for (const p of [pathA, pathB]) rmSync(p, { force: true })
  }
  return {
    pathA,
    pathB,
    restart: async () => {
      await stop()
      child = await startSocat(pathA, pathB, timeoutMs)
    },
    close: async () => {
      await stop()
      if (ownDir) rmSync(dir, { recursive: true, force: true })
    },
  }
}
