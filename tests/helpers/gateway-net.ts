/**
 * Test networks of whole gateways: simulated nodes, gateways with their stores in temp directories,
 * links built by the caller (real TCP sockets, simulated radios). Everything is stopped and removed
 * by {@link GatewayNet.close}.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GatewayConfigSchema, type GatewayConfigInput } from '../../gateway/config/schema.js'
import { Gateway, type GatewayDeps } from '../../gateway/gateway.js'
import { afterEach, beforeEach } from 'vitest'
import { createLogger, silentLogger, type Logger } from '../../gateway/log.js'
import { SimNode } from '../../hardware-sim/node/sim-node.js'

/** A free TCP port on 127.0.0.1 (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0))
    })
  })
}

/** Nodes, gateways and temp directories of one test. */
export class GatewayNet {
  readonly nodes: SimNode[] = []
  readonly gateways: Gateway[] = []
  private readonly dirs: string[] = []
  private readonly cleanups: (() => Promise<void> | void)[] = []

  /** @param log - where the gateways log (silent by default) */
  constructor(readonly log: Logger = silentLogger()) {}

  /** A started simulated node with P2P on a free port and no HTTP API. */
  async node(): Promise<SimNode> {
    const n = new SimNode({ p2pPort: 0, httpPort: null })
    await n.start()
    this.nodes.push(n)
    return n
  }

  /** A fresh state directory. */
  stateDir(): string {
    const d = mkdtempSync(join(tmpdir(), 'bgw-'))
    this.dirs.push(d)
    return d
  }

  /** Starts a gateway from `config` (parsed here; status server on a free port) with `deps` over the defaults. */
  async gateway(config: GatewayConfigInput, deps: Partial<GatewayDeps> = {}): Promise<Gateway> {
    const gw = await Gateway.start(GatewayConfigSchema.parse({ status: { port: 0 }, ...config }), { log: this.log, ...deps })
    this.gateways.push(gw)
    return gw
  }

  /** Runs `fn` at close, after the gateways and nodes stopped (simulated devices, proxies). */
  onClose(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn)
  }

  /** Stops everything and removes the state directories. */
  async close(): Promise<void> {
    await Promise.all(this.gateways.splice(0).map((g) => g.stop(0)))
    await Promise.all(this.nodes.splice(0).map((n) => n.stop()))
    for (const fn of this.cleanups.splice(0)) await fn()
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  }
}

/**
 * A fresh {@link GatewayNet} for every test of the calling `describe`, closed after each. With
 * `GW_LOG=/path` in the environment the gateways log at debug level to that file.
 */
export function perTestNet(): () => GatewayNet {
  let net: GatewayNet | undefined
  beforeEach(() => {
    const file = process.env.GW_LOG
    net = new GatewayNet(file === undefined ? undefined : createLogger('debug', createWriteStream(file, { flags: 'a' })))
  })
  afterEach(async () => {
    await net?.close()
    net = undefined
  })
  return () => {
    if (net === undefined) throw new Error('perTestNet() is used inside a test')
    return net
  }
}

/** Polls `check` every 20 ms until it is true or `timeoutMs` passes (then throws `what`). */
export async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
