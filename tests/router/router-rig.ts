/**
 * A {@link Router} over fake transports, a real in-memory store, a link monitor and a peer
 * directory, plus the small message builders the router tests share.
 *
 * @packageDocumentation
 */
import type { WireMessage } from '../../codecs/envelope.js'
import { txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Transaction } from '../../codecs/model.js'
import { LinkFraming } from '../../gateway/link-framing.js'
import { LinkMonitor } from '../../gateway/link-monitor/monitor.js'
import { PolicyConfigSchema, type PolicyConfigInput } from '../../gateway/link-monitor/policy-config.js'
import { PeerDirectory, type ConfiguredPeer } from '../../gateway/peer-directory.js'
import { Router, type RouterOptions } from '../../gateway/router/router.js'
import { GatewayStore, IN_MEMORY } from '../../gateway/store/store.js'
import { FakeTransport } from './fake-transport.js'

/** What a router rig is made of. */
export interface RigOptions {
  links: FakeTransport[]
  peers: ConfiguredPeer[]
  policy?: PolicyConfigInput
  /** Router options over the rig's defaults (probes off, so sends are only what the test caused). */
  router?: Partial<RouterOptions>
}

/** A router with its parts; `close()` in afterEach. */
export interface Rig {
  router: Router
  store: GatewayStore
  monitor: LinkMonitor
  directory: PeerDirectory
  link(id: string): FakeTransport
  close(): Promise<void>
}

/** Our own station in the rigs. */
export const US = 'gw-a'

/** A hello from `station`. */
export function hello(station: string): WireMessage {
  return { type: 'hello', version: 1, station, height: 0, tip: new Uint8Array(32), links: 1, features: 0, dictionaries: 1 }
}

/** An `inv` for block hash `n` (a small message that tells which one it is). */
export function inv(n: number): WireMessage {
  return { type: 'inv', tx: [], block: [new Uint8Array(32).fill(n)] }
}

/** A `tx` message and its queue key. */
export function txMsg(tx: Transaction): { key: string; msg: WireMessage } {
  return { key: `tx:${toHex(txHash(tx))}`, msg: { type: 'tx', transaction: tx } }
}

/** A short name of a sent message: its type, and for an inv its number. */
export function label(m: WireMessage): string {
  return m.type === 'inv' ? `inv${m.block[0]?.[0] ?? '?'}` : m.type
}

/** Builds a router rig (not started). */
export function routerRig(o: RigOptions): Rig {
  const store = GatewayStore.open(IN_MEMORY)
  const monitor = new LinkMonitor()
  const directory = new PeerDirectory(o.peers)
  const transports = new Map(o.links.map((t) => [t.id, t] as const))
  const router = new Router({
    store,
    monitor,
    policy: PolicyConfigSchema.parse(o.policy ?? {}),
    directory,
    transports,
    framing: new LinkFraming(),
    hello: () => hello(US),
    probeIntervalMs: { tcp: 0, vara: 0 },
    ...o.router,
  })
  return {
    router,
    store,
    monitor,
    directory,
    link: (id) => {
      const t = transports.get(id)
      if (t === undefined) throw new Error(`no link ${id}`)
      return t
    },
    close: async () => {
      router.stop()
      await new Promise((r) => setTimeout(r, 5)) // a send under way finishes before the store closes
      store.close()
    },
  }
}

/** Polls `check` every 5 ms until true; throws after `timeoutMs`. */
export async function until(what: string, check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
