import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ENV_OVERRIDES, formatPath, loadConfig, MAX_CONFIG_BYTES, parseConfig } from '../../gateway/config/load.js'
import { BROKEN, EXAMPLE, MINIMAL } from './config-fixtures.js'

function problemsOf(text: string, env: Record<string, string> = {}) {
  const result = parseConfig(text, env, 'test.toml')
  if (result.ok) throw new Error('expected problems')
  expect(result.error.code).toBe('ERR_CONFIG_INVALID')
  return result.error.problems
}

describe('configuration loading', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bgw-config-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('accepts the annotated example with its four kinds of link, and fills in the defaults', async () => {
    const result = await loadConfig(EXAMPLE, {})
    if (!result.ok) throw result.error
    const { config, overrides } = result.value
    expect(overrides).toEqual([])
    expect(Object.values(config.links).map((l) => l.type).sort()).toEqual(['ax25', 'js8call', 'tcp', 'vara'])
    expect(config.station.stateDir).toBe('/var/lib/bunker-gateway')
    expect(config.status).toEqual({ enabled: true, host: '127.0.0.1', port: 8470 })
    expect(config.shutdownTimeoutMs).toBe(10_000)
    expect(config.policy.preference).toEqual(['internet', 'hf-vara', 'vhf-packet', 'hf-js8'])
  })

  it('names every problem of a broken file by path, syntax errors by line and column', () => {
    const problems = problemsOf(BROKEN)
    expect(problems).toEqual([
      { path: 'line 11, column 6', reason: expect.stringMatching(/./) },
      { path: 'station.colour', reason: 'unknown key' },
      { path: 'links.vhf.callsign', reason: 'invalid callsign "TOOLONGCALL": more than 6 characters (11) in "TOOLONGCALL"' },
      { path: 'links.vhf.tnc.speed', reason: 'unknown key' },
      { path: 'status.port', reason: 'expected number, received string' },
      { path: 'log.level', reason: 'expected one of "trace"|"debug"|"info"|"warn"|"error"|"fatal"' },
    ])
  })

  it('reports each of several broken lines and still checks the keys of the others', () => {
    const problems = problemsOf(`[station]\nid = "N0CALL-10\n[status]\nport = 8470\nport2 = = 1\n[policy]\nprefrence = []\n`)
    expect(problems.map((p) => p.path)).toEqual(['line 2, column 16', 'line 5, column 9', 'station.id', 'policy.prefrence'])
    expect(problems[0]?.reason).not.toContain('\n')
  })

  it('rejects unknown keys in every nested option section', () => {
    const problems = problemsOf(`${MINIMAL}
[links.net]
type = "tcp"
listen = { port = 1, backlog = 5 }
[links.hf]
type = "vara"
callsign = "N0CALL"
modemPath = "x"
[links.js8]
type = "js8call"
heartbeat = true
[policy]
kinds.ax25.budget = { airtimeMs = 1, windowMs = 2, burst = 3 }
budgetReserve = { tx = 0, gossip = 1 }
[monitor]
kinds.tcp = { tauMs = 1, staleAfterMs = 2, halfLife = 3 }
links.net = { tauMs = 1, staleAfterMs = 2, x = 1 }
`)
    expect(problems.filter((p) => p.reason === 'unknown key').map((p) => p.path).sort()).toEqual(
      [
        'links.net.listen.backlog',
        'links.hf.modemPath',
        'links.js8.heartbeat',
        'policy.kinds.ax25.budget.burst',
        'policy.budgetReserve.gossip',
        'monitor.kinds.tcp.halfLife',
        'monitor.links.net.x',
      ].sort(),
    )
  })

  it('applies the environment overrides over the file and reports which were used', () => {
    const env = { BUNKER_GATEWAY_STATION: 'N1CALL-3', BUNKER_GATEWAY_STATE_DIR: '/srv/gw', BUNKER_GATEWAY_LOG_LEVEL: 'debug', BUNKER_GATEWAY_STATUS_PORT: '9000' }
    const result = parseConfig(`${MINIMAL}[log]\nlevel = "warn"\n`, env)
    if (!result.ok) throw result.error
    const { config, overrides } = result.value
    expect(config.station).toEqual({ id: 'N1CALL-3', stateDir: '/srv/gw' })
    expect(config.log.level).toBe('debug')
    expect(config.status.port).toBe(9000)
    expect(overrides.map((o) => o.key)).toEqual(['station.id', 'station.stateDir', 'log.level', 'status.port'])
    expect(ENV_OVERRIDES.map((o) => o.variable)).toEqual(overrides.map((o) => o.variable))
  })

  it('supplies a missing required value from the environment, ignores empty variables, and names the variable of a bad value', () => {
    const fromEnv = parseConfig('', { BUNKER_GATEWAY_STATION: 'hilltop', BUNKER_GATEWAY_LOG_LEVEL: '' })
    if (!fromEnv.ok) throw fromEnv.error
    expect(fromEnv.value.config.station.id).toBe('hilltop')
    expect(fromEnv.value.config.log.level).toBe('info')
    expect(problemsOf(MINIMAL, { BUNKER_GATEWAY_STATUS_PORT: 'eighty', BUNKER_GATEWAY_STATION: 'n0call 1' })).toEqual([
      { path: 'station.id', reason: expect.stringContaining('(set by BUNKER_GATEWAY_STATION)') },
      { path: 'status.port', reason: 'expected number, received string (set by BUNKER_GATEWAY_STATUS_PORT)' },
    ])
  })

  it('leaves a section that is not a table to the schema rather than overriding into it', () => {
    expect(problemsOf('station = 5\n', { BUNKER_GATEWAY_STATION: 'N0CALL' })).toEqual([{ path: 'station', reason: 'expected object, received number' }])
  })

  it('says why a file cannot be read: missing, a directory, too large', async () => {
    const big = join(dir, 'big.toml')
    await writeFile(big, `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`)
    await mkdir(join(dir, 'sub'))
    for (const [file, reason] of [
      [join(dir, 'absent.toml'), 'no such file'],
      [join(dir, 'sub'), 'not a regular file'],
      [big, `larger than ${MAX_CONFIG_BYTES} bytes`],
    ] as const) {
      const result = await loadConfig(file, {})
      expect(result.ok).toBe(false)
      if (!result.ok) {
        expect(result.error.code).toBe('ERR_CONFIG_READ')
        expect(result.error.problems).toEqual([{ path: file, reason }])
      }
    }
  })

  it('loads a file from disk the same as its text', async () => {
    const file = join(dir, 'gateway.toml')
    await writeFile(file, await readFile(EXAMPLE, 'utf8'))
    const fromFile = await loadConfig(file, { BUNKER_GATEWAY_STATUS_PORT: '8999' })
    const fromText = parseConfig(await readFile(EXAMPLE, 'utf8'), { BUNKER_GATEWAY_STATUS_PORT: '8999' })
    expect(fromFile.ok && fromText.ok && fromFile.value.config.status.port).toBe(8999)
    expect(JSON.stringify(fromFile)).toBe(JSON.stringify(fromText))
  })

  it('writes key paths as an operator types them', () => {
    expect(formatPath(['links', 'vhf-packet', 'tnc', 'path'])).toBe('links.vhf-packet.tnc.path')
    expect(formatPath(['peers', 0, 'name'])).toBe('peers[0].name')
    expect(formatPath(['policy', 'links', 'a b'])).toBe('policy.links."a b"')
    expect(formatPath([])).toBe('(top level)')
  })

  it('never throws on arbitrary text: every outcome is a config or a list of problems', () => {
    const tomlish = fc.array(fc.constantFrom('[station]', 'id = "N0CALL"', '[links.a]', 'type = "tcp"', '= =', '"', '[[peers]]', 'x = 1', '\n', '[', '{', 'a.b = 2'), { maxLength: 20 })
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), tomlish.map((parts) => parts.join('\n'))), (text) => {
        const result = parseConfig(text, {})
        if (!result.ok) expect(result.error.problems.length).toBeGreaterThan(0)
      }),
      { seed: 42, numRuns: 300 },
    )
  })
})
