/**
 * Gate for tests that drive a real program (socat, direwolf): on a laptop without it they skip; in
 * CI (`CI=true`, set by .ci/run) a missing program is a failure with a clear message, never a
 * silent skip.
 *
 * Usage, at the top level of a test file:
 *   describe.runIf(requireProgram('socat'))('over a pty pair', () => { ... })
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { it } from 'vitest'

/** True when an executable `name` is on PATH. */
export function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    if (dir === '') return false
    try {
      accessSync(join(dir, name), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/**
 * True when `name` is on PATH. When it is not: returns false (so `describe.runIf` skips) and, in
 * CI, also registers a test that fails naming the program and the Debian package to install.
 *
 * @param debianPackage - package that provides it, for the message (defaults to `name`)
 */
export function requireProgram(name: string, debianPackage = name): boolean {
  if (onPath(name)) return true
  if (process.env.CI === 'true') {
    it(`requires the program "${name}"`, () => {
      throw new Error(`"${name}" is not on PATH but CI=true: install the Debian package "${debianPackage}" (apt-get install -y ${debianPackage})`)
    })
  }
  return false
}
