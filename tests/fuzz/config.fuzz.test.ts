/**
 * Fuzzing of the configuration loader's parser (`parseConfig`: TOML with syntax-error recovery,
 * environment overrides, the strict schema): any text and any override values give a configuration
 * or a `ConfigError` `ERR_CONFIG_INVALID` with at least one problem, never a throw, quickly.
 */
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect } from 'vitest'
import { ConfigError, ENV_OVERRIDES, parseConfig } from '../../gateway/config/load.js'
import { checkProperty, fuzzTest, INPUT_TIME_BOUND_MS, LARGE_INPUT_TIME_BOUND_MS, mutatedText, withinTime } from './harness.js'

/** Generous bound per input, ms: a whole example file is parsed up to 10 times when lines are broken. */
const CONFIG_TIME_BOUND_MS = 4 * INPUT_TIME_BOUND_MS

type Env = Record<string, string | undefined>

function check(text: string, env: Env, boundMs = CONFIG_TIME_BOUND_MS): void {
  const result = withinTime(() => parseConfig(text, env), boundMs)
  if (result.ok) {
    // the schema ran: a station id, and the defaults filled in
    expect(typeof result.value.config.station.id).toBe('string')
    expect(result.value.config.log.level).toMatch(/^(trace|debug|info|warn|error|fatal)$/)
    return
  }
  expect(result.error).toBeInstanceOf(ConfigError)
  expect(result.error.code).toBe('ERR_CONFIG_INVALID')
  expect(result.error.problems.length).toBeGreaterThan(0)
}

const EXAMPLE = readFileSync(new URL('../../systemd/gateway.example.toml', import.meta.url), 'utf8')
const SEEDS = [
  EXAMPLE,
  '[station]\nid = "N0CALL-10"\n',
  '[station]\nid = "N0CALL-10"\n[links.vhf]\ntype = "ax25"\ncallsign = "N0CALL-1"\ntnc = { type = "serial", path = "/dev/ttyUSB0" }\n',
]
const TOKENS = ['[', ']', '[[', '=', '"', '"""', "'''", '.', ',', '{', '}', '\n', '#', '\r\n']
  .concat(['inf', 'nan', '-0', '0x7f', '1_000', '1979-05-27T07:32:00Z', '__proto__', 'true', '\\u0000'])

const envValueArb = fc.oneof(fc.constantFrom('', 'N0CALL-10', '/var/lib/x', 'debug', '8470', '99999', '0'), fc.string({ maxLength: 20 }))
/** Values for every override variable: unset, empty, plausible, or anything. */
const envArb: fc.Arbitrary<Env> = fc.record(
  Object.fromEntries(ENV_OVERRIDES.map((o) => [o.variable, fc.option(envValueArb, { nil: undefined })])),
)

/** Shapes that stress the parser: deep nesting, long dotted keys, many broken lines. */
const hostileArb = fc.oneof(
  fc.tuple(fc.constantFrom('a = [', 'a = {b = ', '[a.'), fc.integer({ min: 1, max: 20_000 })).map(([unit, n]) => `[station]\nid = "N0CALL"\n${unit.repeat(n)}`),
  fc.integer({ min: 1, max: 2_000 }).map((n) => 'not toml\n'.repeat(n)),
  fc.integer({ min: 1, max: 20_000 }).map((n) => `[station]\nid = "${'x'.repeat(n)}"\n`),
)

describe('parseConfig', () => {
  fuzzTest('arbitrary text and overrides: a configuration or ERR_CONFIG_INVALID', 3000, 0.5, (runs) => {
    checkProperty(fc.tuple(fc.string({ unit: 'binary', maxLength: 300 }), envArb), ([text, env]) => check(text, env), runs)
  })

  fuzzTest('mutated real configurations and overrides: a configuration or ERR_CONFIG_INVALID', 6500, 2, (runs) => {
    checkProperty(fc.tuple(mutatedText(SEEDS, TOKENS), envArb), ([text, env]) => check(text, env), runs)
  })

  fuzzTest('hostile shapes stay within the time bound', 500, 20, (runs) => {
    checkProperty(hostileArb, (text) => check(text, {}, LARGE_INPUT_TIME_BOUND_MS), runs)
  })
})
