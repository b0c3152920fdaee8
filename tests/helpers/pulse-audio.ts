/**
 * A private PulseAudio sound server for tests on a machine with no sound hardware (real-peers.md
 * A.2 method 2 and Part B): a user-mode `pulseaudio` on its own unix socket, with one null sink per
 * name given. A program plays into a sink (`PULSE_SINK` or its own device setting) and another
 * records that sink's monitor source `<sink>.monitor`, so two radio programs hear each other in
 * real time. HOME and XDG_RUNTIME_DIR point into a scratch directory (cookies and runtime files
 * stay out of the real ones); the daemon runs in its own process group and never exits on idle.
 */
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { wallSleep } from './js8call.js'
import { stopProcessGroup } from './process-group.js'

/** Options of {@link startPrivatePulse}. */
export interface PrivatePulseOptions {
  /** Null sinks to create; each gets a monitor source `<name>.monitor`. */
  readonly sinks: readonly string[]
  /** Sample rate of the sinks, Hz (JS8Call records at 48000, Direwolf at its ARATE). */
  readonly rateHz?: number
  /** Deadline for the daemon to accept connections, ms. */
  readonly timeoutMs?: number
}

/** A running private PulseAudio. */
export interface PrivatePulse {
  /** `unix:<socket>`, for clients' PULSE_SERVER. */
  readonly server: string
  /** What the daemon logged (errors only). */
  log(): string
  /** Stops the daemon's process group and removes its directory; safe to call twice. */
  stop(): Promise<void>
}

const POLL_MS = 50 // between connection attempts to the socket

async function socketAccepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path }, () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })
}

/** Starts the daemon with its null sinks; resolves once its socket accepts connections. */
export async function startPrivatePulse(options: PrivatePulseOptions): Promise<PrivatePulse> {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-'))
  const run = join(dir, 'run')
  mkdirSync(run, { mode: 0o700 })
  const socket = join(run, 'native')
  const rate = options.rateHz ?? 48_000
  const script = [
    `load-module module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
    ...options.sinks.map((s) => `load-module module-null-sink sink_name=${s} rate=${rate} channels=1 format=s16le`),
  ]
  writeFileSync(join(dir, 'pa.pa'), `${script.join('\n')}\n`)
  const logPath = join(dir, 'pa.log')
  const logFd = openSync(logPath, 'w')
  const args = ['-n', '--daemonize=no', '--use-pid-file=no', '--disallow-exit', '--exit-idle-time=-1', `--file=${join(dir, 'pa.pa')}`, '--log-target=stderr', '--log-level=error']
  const child = spawn('pulseaudio', args, {
    detached: true, // own process group, so stop() reaches it
    stdio: ['ignore', logFd, logFd],
    env: { PATH: process.env.PATH, HOME: dir, XDG_RUNTIME_DIR: run },
  })
  closeSync(logFd)
  child.on('error', () => undefined) // a failed spawn shows as pid undefined below
  const log = (): string => readFileSync(logPath, 'utf8')
  const stop = async (): Promise<void> => {
    await stopProcessGroup(child)
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + (options.timeoutMs ?? 10_000)
  while (!(await socketAccepts(socket))) {
    if (child.pid === undefined || child.exitCode !== null || Date.now() > deadline) {
      const why = log().slice(-1000)
      await stop()
      throw new Error(`pulseaudio did not start (exit ${child.exitCode}): ${why}`)
    }
    await wallSleep(POLL_MS)
  }
  return { server: `unix:${socket}`, log, stop }
}
