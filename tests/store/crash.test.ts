import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { ChainState } from '../../gateway/node-link/chain-state.js'
import { GatewayStore, storeFile } from '../../gateway/store/store.js'
import { CRASH_PEERS } from './fixtures.js'

const WRITER = fileURLToPath(new URL('./crash-writer.ts', import.meta.url))

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

/** A running writer and the lines it has printed so far. */
interface Writer {
  child: ChildProcess
  lines: string[]
  /** Resolves with the lines once the process is gone (killed or finished). */
  exited: Promise<string[]>
}

function startWriter(file: string, mode: 'enqueue' | 'deliver'): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, mode], { stdio: ['ignore', 'pipe', 'pipe'] })
  cleanups.push(() => child.kill('SIGKILL'))
  const lines: string[] = []
  let partial = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop() ?? '' // a line cut by the kill was never fully printed: not counted
    lines.push(...parts)
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk))
  const exited = new Promise<string[]>((resolve, reject) => {
    child.on('exit', (code, signal) => (code === 0 || signal === 'SIGKILL' ? resolve(lines) : reject(new Error(`writer exited ${code}: ${stderr}`))))
  })
  return { child, lines, exited }
}

/** Waits until the writer has printed `count` lines starting with `prefix`, then SIGKILLs it. */
async function killAfter(writer: Writer, prefix: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 15_000
  while (writer.lines.filter((l) => l.startsWith(prefix)).length < count) {
    if (writer.child.exitCode !== null) throw new Error(`writer ended before printing ${count} × ${prefix}`)
    if (Date.now() > deadline) throw new Error(`writer printed only ${writer.lines.length} lines`)
    await new Promise((r) => setTimeout(r, 5))
  }
  writer.child.kill('SIGKILL')
  return writer.exited
}

const field = (lines: string[], prefix: string) => lines.filter((l) => l.startsWith(`${prefix} `)).map((l) => l.slice(prefix.length + 1))

function reopen(file: string): GatewayStore {
  const store = GatewayStore.open(file)
  cleanups.push(() => store.close())
  return store
}

describe('crash safety (SIGKILL mid-stream)', () => {
  it('keeps every commit printed before the kill, consistently, and delivers nothing twice after restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bunker-crash-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const file = storeFile(dir)

    // phase 1: enqueue, killed mid-stream
    const written = await killAfter(startWriter(file, 'enqueue'), 'committed', 150)
    const committed = field(written, 'committed')
    const blocks = field(written, 'block')
    let store = reopen(file)
    expect(store.integrityCheck()).toEqual(['ok'])
    const queued = CRASH_PEERS.map((peer) => store.queue.peek(peer, 1_000_000).map((e) => e.key))
    for (const keys of queued) expect(keys).toEqual(queued[0]) // each commit reached all three peers or none
    const stored = new Set(queued[0])
    expect(committed.filter((k) => !stored.has(k))).toEqual([])
    expect(stored.size - committed.length).toBeLessThanOrEqual(1) // at most the commit the kill cut before its line
    const chain = new ChainState({ persistence: store.chain })
    const [height, hash] = (blocks.at(-1) ?? '').split(' ')
    expect(chain.tip().height).toBeGreaterThanOrEqual(Number(height) + 1)
    expect(store.chain.blockAt(Number(height))?.hash).toBe(hash)
    store.close()

    // phase 2: deliver the node queue, killed mid-stream, then a restarted gateway finishes
    const firstRun = field(await killAfter(startWriter(file, 'deliver'), 'delivered', 40), 'delivered')
    const secondRun = await startWriter(file, 'deliver').exited
    expect(secondRun.at(-1)).toBe('drained')
    const delivered = [...firstRun, ...field(secondRun, 'delivered')]
    expect(new Set(delivered).size).toBe(delivered.length) // nothing delivered twice
    store = reopen(file)
    expect(store.integrityCheck()).toEqual(['ok'])
    expect(store.queue.count('node')).toMatchObject({ queued: 0, sent: 0, acked: stored.size })
    for (const key of stored) expect(store.delivered.has(key.slice('tx:'.length))).toBe(true)
    expect(stored.size - delivered.length).toBeLessThanOrEqual(1) // at most the delivery the kill cut before its line
    expect(store.queue.count('N0CALL').queued).toBe(stored.size) // other peers' queues untouched
  })
})
