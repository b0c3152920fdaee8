import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../../gateway/cli-main.js'
import { EXIT } from '../../gateway/exit-codes.js'
import { stopProcessGroup } from '../helpers/process-group.js'
import { waitFor } from '../helpers/raw-peer.js'

/** The demo's promise: the whole story in under two minutes, ms. */
const DEMO_BUDGET_MS = 120_000

/** What a finished child process said. */
interface Run {
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

/** Runs `npx tsx gateway/cli.ts demo` in its own process group; the group is killed after `timeoutMs`. */
function runDemo(timeoutMs: number): Promise<Run> {
  const started = Date.now()
  const child = spawn('npx', ['tsx', 'gateway/cli.ts', 'demo'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const timer = setTimeout(() => void stopProcessGroup(child), timeoutMs)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, ms: Date.now() - started })
    }),
  )
}

/** The demo's temp directory, from the log path it prints last. */
function demoDir(text: string): string | undefined {
  const file = /The gateways' log: (\S+gateways\.log)/.exec(text)?.[1]
  return file === undefined ? undefined : dirname(file)
}

describe('bunker-gateway demo', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('tells the whole story as a child process and exits 0 in under two minutes', async () => {
    const run = await runDemo(DEMO_BUDGET_MS + 10_000)
    const dir = demoDir(run.stdout)
    if (dir !== undefined) dirs.push(dir)
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.ms).toBeLessThan(DEMO_BUDGET_MS)
    const out = run.stdout
    // a transaction and compact blocks over VARA, both nodes on one tip
    expect(out).toMatch(/N0AAA-1 sent N0BBB-2 transaction [0-9a-f]{8}… over VARA HF: \d+ bytes \(the node's NDJSON: [\d ]+ bytes/)
    expect(out).toMatch(/node B has transaction [0-9a-f]{8}… in its mempool/)
    expect(out).toMatch(/N0AAA-1 sent N0BBB-2 a compact block .* of block \d \([0-9a-f]{8}…\) over VARA HF/)
    expect(out).toMatch(/both nodes now have the same chain: height 4/)
    // the cut, the failover and the return after the dwell time, in that order
    const failover = out.search(/traffic for N0BBB-2 moves from VARA HF to packet radio/)
    const carried = out.search(/transaction [0-9a-f]{8}… over packet radio: /) // its reason depends on timing: failover, or a probe of a stale link
    const back = out.search(/traffic for N0BBB-2 moves from packet radio to VARA HF/)
    const dwelt = out.search(/over VARA HF: .*back on the better link: it stayed good for 5 s/)
    expect(failover).toBeGreaterThan(out.indexOf('VARA modem is off'))
    expect(carried).toBeGreaterThan(failover)
    expect(back).toBeGreaterThan(carried)
    expect(dwelt).toBeGreaterThan(back)
    expect(out).toMatch(/node B got each of the 4 transactions exactly once/)
    // the summary, status pages while running, and no log JSON on the terminal
    expect(out).toMatch(/What each link carried[\s\S]*link +messages +bytes[\s\S]*VARA HF[\s\S]*packet radio[\s\S]*JS8Call[\s\S]*total/)
    expect(out).toMatch(/status page http:\/\/127\.0\.0\.1:\d+/)
    expect(out.split('\n').filter((l) => l.trimStart().startsWith('{'))).toEqual([])
    // the gateways logged to the file the demo named, and removed their stores
    expect(dir).toBeDefined()
    const log = readFileSync(`${dir}/gateways.log`, 'utf8').trim().split('\n')
    expect(log.every((l) => typeof (JSON.parse(l) as { msg?: unknown }).msg === 'string')).toBe(true)
    expect(existsSync(`${dir}/state-a`)).toBe(false)
  }, DEMO_BUDGET_MS + 20_000)

  it('keeps everything up with --keep-running, status pages answering, until stopped', async () => {
    const lines: string[] = []
    let stop = (): void => undefined
    const stopped = new Promise<void>((resolve) => (stop = resolve))
    const done = main(['demo', '--keep-running'], (l) => lines.push(l), stopped)
    try {
      await waitFor(() => lines.some((l) => l.includes('press Ctrl-C to stop')), 60_000, 'the story to end')
      const url = /N0BBB-2: status page (http:\/\/\S+)/.exec(lines.join('\n'))?.[1] as string
      const status = (await (await fetch(`${url}/status`)).json()) as { station: string; links: { state: string }[] }
      expect(status.station).toBe('N0BBB-2')
      expect(status.links.map((l) => l.state)).toEqual(['up', 'up', 'up'])
    } finally {
      stop()
      expect(await done).toBe(EXIT.OK)
      const dir = demoDir(lines.join('\n'))
      if (dir !== undefined) dirs.push(dir)
    }
  }, 90_000)

  it('still has the codec tour (--codecs): bytes per format, no links', async () => {
    const lines: string[] = []
    expect(await main(['demo', '--codecs'], (l) => lines.push(l))).toBe(EXIT.OK)
    expect(lines.join('\n')).toMatch(/one transaction +NDJSON +\d+ B +wire +\d+ B/)
  })
})
