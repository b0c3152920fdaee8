/**
 * Two real JS8Calls that hear each other: a private PulseAudio with one null sink per station,
 * each JS8Call playing into its own sink and recording the other's monitor (real-peers.md Part B,
 * "Two JS8Calls hearing each other"). The launcher is tests/helpers/js8call.ts's, plus the audio
 * settings and PULSE_SERVER it does not set.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, wallSleep } from '../helpers/js8call.js'

/** A private PulseAudio daemon with the sinks `<name>_tx`. */
export interface PrivatePulse {
  /** `unix:<socket>` for PULSE_SERVER. */
  readonly server: string
  stop(): Promise<void>
}

/** Kills a process group (setsid'd child and its children); ignores one already gone. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid ?? 0), signal)
  } catch {
    // already gone
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())))
  killGroup(child, 'SIGTERM')
  await Promise.race([exited, wallSleep(3_000)])
  killGroup(child, 'SIGKILL')
}

/** Starts `pulseaudio` in user mode on its own socket, with a null sink per station; resolves once it answers. */
export async function startPrivatePulse(stations: readonly string[]): Promise<PrivatePulse> {
  const dir = mkdtempSync(join(tmpdir(), 'js8-pulse-'))
  const run = join(dir, 'run')
  mkdirSync(run, { mode: 0o700 })
  const socket = join(run, 'native')
  const script = [
    `load-module module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
    ...stations.map((s) => `load-module module-null-sink sink_name=${s}_tx rate=48000 channels=1`),
  ].join('\n')
  writeFileSync(join(dir, 'pa.pa'), `${script}\n`)
  const log = openSync(join(dir, 'pa.log'), 'w')
  const child = spawn('pulseaudio', ['-n', '--daemonize=no', '--use-pid-file=no', '--disallow-exit', '--exit-idle-time=-1', `--file=${join(dir, 'pa.pa')}`, '--log-target=stderr', '--log-level=error'], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { PATH: process.env.PATH, HOME: dir, XDG_RUNTIME_DIR: run },
  })
  closeSync(log)
  const stop = async (): Promise<void> => {
    await stopGroup(child)
    rmSync(dir, { recursive: true, force: true })
  }
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect({ path: socket }, () => (s.destroy(), resolve(true)))
      s.once('error', () => resolve(false))
    })
    if (up) break
    if (i > 100 || child.exitCode !== null) {
      const why = readFileSync(join(dir, 'pa.log'), 'utf8').slice(-500)
      await stop()
      throw new Error(`pulseaudio did not start: ${why}`)
    }
    await wallSleep(50)
  }
  return { server: `unix:${socket}`, stop }
}

/** Options of {@link startAudioJs8Call}. */
export interface AudioJs8CallOptions {
  readonly callsign: string
  readonly grid: string
  /** `[Common] SubMode`: 0 Normal, 1 Fast, 2 Turbo. */
  readonly subMode: number
  /** Sink this station plays into (`<name>_tx`) and source it records (the other's monitor). */
  readonly sink: string
  readonly source: string
  readonly pulse: PrivatePulse
}

/** A running real JS8Call with audio. */
export interface AudioJs8Call {
  readonly port: number
  log(): string
  stop(): Promise<void>
}

/** Starts a real JS8Call headless (offscreen) on the private PulseAudio; resolves once its API listens. */
export async function startAudioJs8Call(o: AudioJs8CallOptions): Promise<AudioJs8Call> {
  const home = mkdtempSync(join(tmpdir(), 'js8-audio-'))
  const rig = `bga-${process.pid}-${o.callsign}`
  const port = await freePort()
  mkdirSync(join(home, '.config'), { recursive: true })
  writeFileSync(
    join(home, '.config', `JS8Call - ${rig}.ini`),
    [
      '[MultiSettings]', 'CurrentName=Default', '',
      '[Configuration]', `MyCall=${o.callsign}`, `MyGrid=${o.grid}`,
      'TCPEnabled=true', 'TCPServer=127.0.0.1', `TCPServerPort=${port}`, 'TCPMaxConnections=4', 'AcceptTCPRequests=true',
      'UDPEnabled=false', 'AcceptUDPRequests=false', 'PSKReporter=false',
      `SoundInName=${o.source}`, `SoundOutName=${o.sink}`, 'AudioInputChannel=Mono', 'AudioOutputChannel=Mono', '',
      '[Common]', `SubMode=${o.subMode}`, '',
    ].join('\n'),
  )
  const logPath = join(home, 'js8call.log')
  const log = openSync(logPath, 'w')
  const child = spawn('js8call', ['-r', rig], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: home, QT_QPA_PLATFORM: 'offscreen', PULSE_SERVER: o.pulse.server },
  })
  closeSync(log)
  const stop = async (): Promise<void> => {
    await stopGroup(child)
    rmSync(home, { recursive: true, force: true })
    for (const name of readdirSync(tmpdir())) if (name.startsWith(`JS8Call - ${rig}`)) rmSync(join(tmpdir(), name), { recursive: true, force: true })
  }
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)))
      s.once('error', () => resolve(false))
    })
    if (up) break
    if (i > 200 || child.exitCode !== null) {
      await stop()
      throw new Error(`js8call did not listen on ${port}`)
    }
    await wallSleep(100)
  }
  return { port, log: () => readFileSync(logPath, 'utf8'), stop }
}
