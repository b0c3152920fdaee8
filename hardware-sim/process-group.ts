/**
 * Stopping external programs that the simulators and tests start (socat, direwolf, js8call,
 * pulseaudio): each is spawned with `detached: true`, so it leads its own process group, and is
 * stopped by signalling the whole group, which also reaches its children (JS8Call's `js8` decoder
 * outlives a SIGTERM to js8call).
 *
 * @packageDocumentation
 */
import type { ChildProcess } from 'node:child_process'

// Captured at import, before a test installs fake timers: the grace period runs on wall time.
const wallSetTimeout = globalThis.setTimeout
const wallClearTimeout = globalThis.clearTimeout

/** Sends `signal` to the process group `pgid`; a group already gone is fine. */
function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // the group is already gone
  }
}

/**
 * Stops a child spawned with `detached: true` and everything in its process group: SIGTERM, then
 * SIGKILL after `graceMs` wall ms; resolves once the child has exited. Safe to call twice.
 *
 * @param graceMs - time the group gets to exit on SIGTERM, ms
 */
export async function stopProcessGroup(child: ChildProcess, graceMs = 3_000): Promise<void> {
  const pgid = child.pid
  if (pgid === undefined) return // it never started
  const running = child.exitCode === null && child.signalCode === null
  const exited = running ? new Promise<void>((resolve) => child.once('exit', () => resolve())) : Promise.resolve()
  signalGroup(pgid, 'SIGTERM') // even when the leader is gone: its children may not be
  let timer: NodeJS.Timeout | undefined
  await Promise.race([exited, new Promise<void>((resolve) => (timer = wallSetTimeout(resolve, graceMs)))])
  wallClearTimeout(timer)
  signalGroup(pgid, 'SIGKILL')
  await exited
}
