import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { EXIT } from '../../gateway/exit-codes.js'
import { requireProgram } from '../helpers/require-program.js'

const run = promisify(execFile)
const UNIT = 'systemd/bunker-gateway.service'
/** Highest `systemd-analyze security` exposure we accept (0 = locked down, 10 = unprotected). */
const MAX_EXPOSURE = 2.0

/** The unit's active settings: `Key=value` lines outside comments, by key. */
async function directives(): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>()
  for (const line of (await readFile(UNIT, 'utf8')).split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line)
    if (match !== null) map.set(match[1]!, [...(map.get(match[1]!) ?? []), match[2]!])
  }
  return map
}

describe('the systemd unit', () => {
  it('is a notify service with a watchdog that does not restart on a bad configuration', async () => {
    const d = await directives()
    expect(d.get('Type')).toEqual(['notify'])
    expect(d.get('NotifyAccess')).toEqual(['all']) // systemd-notify children send the messages
    expect(Number(d.get('WatchdogSec')?.[0])).toBeGreaterThan(0)
    expect(d.get('Restart')).toEqual(['on-failure'])
    expect(d.get('RestartPreventExitStatus')).toEqual([String(EXIT.CONFIG)])
    expect(d.get('ExecStart')?.[0]).toMatch(/ run --config \/etc\/bunker-gateway\/gateway\.toml$/)
    expect(Number(d.get('TimeoutStopSec')?.[0]) * 1_000).toBeGreaterThan(10_000 + 5_000) // default shutdownTimeoutMs + grace
  })

  it('is sandboxed without the settings that break Node or hide serial ports', async () => {
    const d = await directives()
    expect(d.get('DynamicUser')).toEqual(['yes'])
    expect(d.get('SupplementaryGroups')).toEqual(['dialout'])
    expect(d.get('StateDirectory')).toEqual(['bunker-gateway'])
    expect(d.get('ConfigurationDirectory')).toEqual(['bunker-gateway'])
    expect(d.get('DevicePolicy')).toEqual(['closed'])
    expect(d.get('DeviceAllow')).toEqual(['char-ttyUSB rw', 'char-ttyACM rw'])
    expect(d.get('RestrictAddressFamilies')).toEqual(['AF_UNIX AF_INET AF_INET6'])
    for (const key of ['ProtectSystem', 'ProtectHome', 'NoNewPrivileges']) expect(d.has(key)).toBe(true)
    expect(d.has('MemoryDenyWriteExecute')).toBe(false) // V8's JIT aborts under it
    expect(d.has('PrivateDevices')).toBe(false) // it hides /dev/ttyUSB*
  })

  it('gives the TNC a stable name in the udev example', async () => {
    const rules = (await readFile('systemd/99-bunker-tnc.rules', 'utf8')).split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'))
    expect(rules).toHaveLength(1)
    expect(rules[0]).toMatch(/^SUBSYSTEM=="tty", ATTRS\{idVendor\}=="[0-9a-f]{4}", ATTRS\{idProduct\}=="[0-9a-f]{4}", ATTRS\{serial\}=="[^"]+", SYMLINK\+="bunker-tnc", GROUP="dialout", MODE="0660"/)
  })
})

describe.runIf(requireProgram('systemd-analyze', 'systemd'))('systemd-analyze', () => {
  it('verifies the unit without a warning', async () => {
    const { stderr } = await run('systemd-analyze', ['verify', UNIT])
    expect(stderr).toBe('')
  })

  it(`rates the unit's exposure at most ${MAX_EXPOSURE}`, async () => {
    const { stdout } = await run('systemd-analyze', ['security', '--offline=yes', '--no-pager', UNIT])
    const exposure = Number(/Overall exposure level for bunker-gateway\.service: (\d+\.\d)/.exec(stdout)?.[1])
    expect(exposure).toBeGreaterThan(0)
    expect(exposure).toBeLessThanOrEqual(MAX_EXPOSURE)
  })
})
