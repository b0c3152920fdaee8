/**
 * The set of P2P connections: an inbound listener with a peer cap and a ban list, and outbound
 * peers redialled forever with backoff and jitter, each on its own timer so one failing peer never
 * delays the others. What the messages mean is not this module's business.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { Backoff, type BackoffOptions } from '../backoff.js'
import type { Logger } from '../log.js'
import { DEFAULT_P2P_LIMITS, fullLineBudget, P2PConnection, type LineBudget, type P2PConnectionLimits } from './p2p-connection.js'

/** The node's P2P port (`bunkercoin node --port`, default 7000). */
export const P2P_DEFAULT_PORT = 7000

/** Options of a {@link P2PPeers}. */
export interface P2PPeersOptions {
  /** Where to listen for inbound peers; omit for outbound only. Port 0 picks a free port. */
  listen?: { host: string; port: number }
  /** Outbound peers as `host:port`. */
  peers?: string[]
  /** Most simultaneous connections, inbound and outbound together; default 64. */
  maxPeers?: number
  /**
   * Most inbound connections from one IP address; default 8. One host cannot take every slot of
   * {@link P2PPeersOptions.maxPeers} and lock honest peers out.
   */
  maxPeersPerAddress?: number
  /** Per-connection socket limits. */
  limits?: Partial<P2PConnectionLimits>
  /** Redial schedule for outbound peers (default 3 s doubling to the seed's 30 s cycle). */
  redial?: BackoffOptions
  /** Ban schedule for addresses that send garbage (default 30 s doubling to 1 h). */
  ban?: BackoffOptions
  /** A connection that stayed up this long resets its peer's redial backoff, ms. */
  stableAfterMs?: number
  /** Connect timeout for outbound dials, ms. */
  connectTimeoutMs?: number
}

/** Events of {@link P2PPeers}. */
export interface P2PPeersEvents {
  /** A connection is up (inbound accepted, or outbound connected). */
  connection: [conn: P2PConnection]
}

/** Default of {@link P2PPeersOptions.maxPeers}. */
const DEFAULT_MAX_PEERS = 64
/** Default of {@link P2PPeersOptions.maxPeersPerAddress}. */
const DEFAULT_MAX_PEERS_PER_ADDRESS = 8

/** Most addresses remembered in the ban table. */
const MAX_BANS = 4096
/** How long an ended ban still counts towards the next one's length, ms. */
const MAX_BAN_MEMORY_MS = 24 * 3_600_000

interface Outbound {
  address: string
  host: string
  port: number
  backoff: Backoff
  timer?: NodeJS.Timeout
  conn?: P2PConnection
}

/** Splits `host:port` (IPv6 as `[::1]:7000`). */
export function parsePeerAddress(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address.trim())
  const port = Number(m?.[2])
  if (m === null || m[1] === undefined || !(port > 0 && port < 65536)) {
    throw new Error(`peer address '${address}' is not host:port`)
  }
  return { host: m[1], port }
}

/** Inbound and outbound P2P connections with caps, bans and redial. */
export class P2PPeers extends EventEmitter<P2PPeersEvents> {
  private readonly conns = new Set<P2PConnection>()
  private readonly outbound = new Map<string, Outbound>()
  private readonly bans = new Map<string, { until: number; backoff: Backoff }>()
  /** Open connections and the shared line budget of every connected IP address. */
  private readonly addresses = new Map<string, { conns: number; budget: LineBudget }>()
  private readonly limits: P2PConnectionLimits
  private server?: Server
  private stopped = false

  /** @param options - listen address, peers and limits */
  constructor(
    private readonly options: P2PPeersOptions,
    private readonly log: Logger,
  ) {
    super()
    this.limits = { ...DEFAULT_P2P_LIMITS, ...options.limits }
  }

  /** Open connections. */
  connections(): P2PConnection[] {
    return [...this.conns]
  }

  /** The listening address once started, if listening. */
  address(): { host: string; port: number } | undefined {
    const a = this.server?.address()
    return a !== null && typeof a === 'object' ? { host: a.address, port: a.port } : undefined
  }

  /** Starts listening (if configured) and dialling every outbound peer. */
  async start(): Promise<void> {
    if (this.options.listen !== undefined) await this.listen(this.options.listen)
    for (const address of this.options.peers ?? []) this.addPeer(address)
  }

  /** Adds an outbound peer and dials it now. */
  addPeer(address: string): void {
    if (this.outbound.has(address)) return
    const { host, port } = parsePeerAddress(address)
    const peer: Outbound = { address, host, port, backoff: new Backoff({ initialMs: 3_000, maxMs: 30_000, ...this.options.redial }) }
    this.outbound.set(address, peer)
    this.dial(peer)
  }

  /** Closes everything and stops redialling. */
  async stop(): Promise<void> {
    this.stopped = true
    for (const peer of this.outbound.values()) clearTimeout(peer.timer)
    for (const conn of this.conns) conn.close('local', 'gateway stopping')
    const server = this.server
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private listen(at: { host: string; port: number }): Promise<void> {
    const server = createServer((socket) => this.onInbound(socket))
    this.server = server
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(at.port, at.host, () => {
        server.off('error', reject)
        server.on('error', (e) => this.log.error({ err: e.message }, 'P2P listener error; inbound peers cannot connect until restart'))
        resolve()
      })
    })
  }

  private onInbound(socket: Socket): void {
    const ip = socket.remoteAddress ?? '?'
    const ban = this.bans.get(ip)
    if (ban !== undefined && ban.until > Date.now()) {
      this.log.debug({ peer: ip, bannedForMs: ban.until - Date.now() }, 'refused banned peer')
      socket.destroy()
      return
    }
    const maxPeers = this.options.maxPeers ?? DEFAULT_MAX_PEERS
    if (this.conns.size >= maxPeers) {
      this.log.warn({ peer: `${ip}:${socket.remotePort}`, maxPeers }, 'refused inbound peer: peer limit reached')
      socket.destroy()
      return
    }
    const perAddress = this.options.maxPeersPerAddress ?? DEFAULT_MAX_PEERS_PER_ADDRESS
    if ((this.addresses.get(ip)?.conns ?? 0) >= perAddress) {
      // debug, not warn: a host opening thousands of connections must not flood the journal too
      this.log.debug({ peer: `${ip}:${socket.remotePort}`, maxPeersPerAddress: perAddress }, 'refused inbound peer: too many connections from its address')
      socket.destroy()
      return
    }
    this.adopt(socket, 'inbound')
  }

  private dial(peer: Outbound): void {
    if (this.stopped) return
    const socket = connect({ host: peer.host, port: peer.port })
    const timeout = setTimeout(() => socket.destroy(new Error('connect timeout')), this.options.connectTimeoutMs ?? 10_000)
    socket.once('connect', () => {
      clearTimeout(timeout)
      const upAt = Date.now()
      const conn = this.adopt(socket, 'outbound', () => {
        peer.conn = undefined
        if (Date.now() - upAt >= (this.options.stableAfterMs ?? 60_000)) peer.backoff.reset()
        this.redial(peer, 'connection closed')
      })
      if (conn.open) peer.conn = conn // not if it already closed while being announced
    })
    socket.once('error', (e) => {
      clearTimeout(timeout)
      if (peer.conn === undefined) this.redial(peer, e.message)
    })
  }

  private redial(peer: Outbound, why: string): void {
    if (this.stopped) return
    const delay = peer.backoff.next()
    this.log.info({ peer: peer.address, why, retryInMs: delay, failures: peer.backoff.failures }, 'outbound peer down; will redial')
    peer.timer = setTimeout(() => this.dial(peer), delay)
  }

  /** Wraps a connected socket, counts it against its address, and announces it. */
  private adopt(socket: Socket, direction: 'inbound' | 'outbound', onClose?: () => void): P2PConnection {
    const ip = socket.remoteAddress ?? '?'
    const address = this.addresses.get(ip) ?? { conns: 0, budget: fullLineBudget(this.limits) }
    address.conns++
    this.addresses.set(ip, address)
    const conn = new P2PConnection(socket, direction, this.limits, address.budget)
    this.conns.add(conn)
    conn.on('bad-line', (e) => this.log.warn({ peer: conn.remote, code: e.code, reason: e.message }, 'dropped a bad line from peer; connection stays up'))
    conn.once('close', (reason, detail) => {
      this.conns.delete(conn)
      if (--address.conns === 0) this.addresses.delete(ip)
      this.log.info({ peer: conn.remote, reason, detail }, 'peer disconnected')
      if (reason === 'garbage' && conn.direction === 'inbound') this.ban(ip)
      onClose?.()
    })
    this.emit('connection', conn)
    return conn
  }

  private ban(ip: string): void {
    this.pruneBans()
    const entry = this.bans.get(ip) ?? { until: 0, backoff: new Backoff({ initialMs: 30_000, maxMs: 3_600_000, jitter: 0, ...this.options.ban }) }
    const ms = entry.backoff.next()
    entry.until = Date.now() + ms
    this.bans.set(ip, entry)
    this.log.warn({ peer: ip, banMs: ms }, 'banned peer that kept sending garbage; its connections are refused until the ban ends')
  }

  /**
   * Forgets bans that ended long enough ago for their backoff to matter no more, and keeps the table
   * bounded: a flood of addresses cannot grow it without limit.
   */
  private pruneBans(): void {
    const now = Date.now()
    for (const [ip, ban] of this.bans) if (ban.until + MAX_BAN_MEMORY_MS < now) this.bans.delete(ip)
    while (this.bans.size >= MAX_BANS) {
      const oldest = this.bans.keys().next().value
      if (oldest === undefined) break
      this.bans.delete(oldest)
    }
  }
}
