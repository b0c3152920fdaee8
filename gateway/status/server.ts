/**
 * The gateway's local HTTP status server: `GET /status` (the {@link GatewayStatus} JSON), `GET
 * /history` (the last hour of link samples), `GET /metrics` (Prometheus text) and `GET /` (the status
 * page). Loopback only unless `allowRemote` is set, since nothing here is authenticated.
 *
 * Bounded: request bodies are never read (a request that carries one gets its answer and the
 * connection is closed), headers are capped at 8 KiB, idle keep-alive connections close after 2 s
 * and a connection cap keeps a misbehaving client from holding the process.
 *
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { z } from 'zod'
import { silentLogger, type Logger } from '../log.js'
import type { GatewayStatus } from '../status-model.js'
import { StatusHistory, StatusHistoryOptionsSchema, type Ticker } from './history.js'
import { isLoopbackHost } from './loopback.js'
import { GatewayMetrics } from './metrics.js'
import { loadPageAssets, type PageAsset } from './page-assets.js'
import { StatusError } from './status-error.js'
import { readStatus, type StatusSource } from './status-source.js'

/** Where the server listens and how much history it keeps. */
export const StatusServerOptionsSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  /** 0 picks a free port (tests). */
  port: z.number().int().min(0).max(65_535).default(8_470),
  /** Allow a host that is not loopback: `/status` and `/metrics` are then reachable by anyone who can route to it. */
  allowRemote: z.boolean().default(false),
  history: StatusHistoryOptionsSchema.prefault({}),
})
/** Options of {@link StatusServer} as written (every field optional). */
export type StatusServerOptions = z.input<typeof StatusServerOptionsSchema>

/** What the server reads from and reports to; only `source` is required. */
export interface StatusServerComponents {
  /** The gateway's status. */
  source: StatusSource
  /** The gateway's metrics; a fresh set on `source` when omitted. */
  metrics?: GatewayMetrics
  log?: Logger
  /** ms since the epoch, for the history. */
  clock?: () => number
  /** The history's sampling timer. */
  ticker?: Ticker
}

/** One answer, before it is written. */
interface Reply {
  status: number
  contentType: string
  body: string | Buffer
  headers?: Record<string, string>
}

/** ms an idle keep-alive connection stays open. */
const KEEP_ALIVE_TIMEOUT_MS = 2_000
/** ms a client has to send its request headers. */
const HEADERS_TIMEOUT_MS = 5_000
/** ms a client has to send its whole request. */
const REQUEST_TIMEOUT_MS = 10_000
/** bytes of request headers accepted. */
const MAX_HEADER_BYTES = 8_192
/** Open connections accepted at once (a page, a Prometheus scraper and a CLI need a handful). */
const MAX_CONNECTIONS = 32

/** Headers on every answer: nothing cached, nothing sniffed, nothing framed, scripts from here only. */
const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
}

const ROUTES_HINT = 'this server answers GET /, /status, /history and /metrics'

/** The local status server; owns the history's sampling timer. */
export class StatusServer {
  /** The samples behind the page's charts (sampled while the server runs). */
  readonly history: StatusHistory
  private readonly options: z.output<typeof StatusServerOptionsSchema>
  private readonly source: StatusSource
  private readonly metrics: GatewayMetrics
  private readonly log: Logger
  private assets = new Map<string, PageAsset>()
  private server: Server | undefined

  /**
   * @param components - the status source and optional metrics, logger, clock and ticker
   * @param options - see {@link StatusServerOptionsSchema}
   * @throws {@link StatusError} `ERR_STATUS_REMOTE_BIND` for a host that is not loopback without `allowRemote`
   */
  constructor(components: StatusServerComponents, options: StatusServerOptions = {}) {
    this.options = StatusServerOptionsSchema.parse(options)
    const { host, allowRemote } = this.options
    if (!allowRemote && !isLoopbackHost(host)) {
      throw new StatusError(
        'ERR_STATUS_REMOTE_BIND',
        `refusing to serve status on ${host}: not a loopback address, and /status and /metrics have no authentication; use 127.0.0.1, or set allowRemote to expose them on purpose`,
      )
    }
    this.source = components.source
    this.metrics = components.metrics ?? new GatewayMetrics(components.source)
    this.log = components.log ?? silentLogger()
    this.history = new StatusHistory(components.source, this.options.history, components.clock, components.ticker)
  }

  /** Base URL once started, e.g. `http://127.0.0.1:8470`. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined
    if (address == null) throw new Error('StatusServer.url read before start()')
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    return `http://${host}:${address.port}`
  }

  /**
   * Reads the page files, listens and starts sampling the history.
   *
   * @throws {@link StatusError} `ERR_STATUS_ASSETS` when the page files are missing; the listen error (e.g. EADDRINUSE)
   */
  async start(): Promise<void> {
    if (this.server !== undefined) return
    this.assets = await loadPageAssets()
    const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS })
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS
    server.maxConnections = MAX_CONNECTIONS
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.handle(req, res))
    await listen(server, this.options.host, this.options.port)
    this.server = server
    this.history.start()
    this.log.info({ url: this.url }, `status page at ${this.url}/; /status, /history and /metrics answer there until the gateway stops`)
  }

  /** Stops sampling, stops listening and closes every open connection. */
  async stop(): Promise<void> {
    this.history.stop()
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeAllConnections()
    await closed
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    // A body we will not read: answer, then close the connection instead of draining it.
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0'
    if (req.method !== 'GET') {
      write(res, { ...text(405, `method ${req.method ?? '?'} not allowed: ${ROUTES_HINT}`), headers: { Allow: 'GET' } }, true)
      return
    }
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/'
    this.route(path).then(
      (reply) => write(res, reply, hasBody),
      (e: unknown) => {
        this.log.error({ err: e, path }, `GET ${path} failed; the next request tries again`)
        write(res, text(500, `internal error while answering ${path}`), hasBody)
      },
    )
  }

  private async route(path: string): Promise<Reply> {
    switch (path) {
      case '/status':
        return this.statusReply()
      case '/history':
        return json(200, this.history.snapshot())
      case '/metrics':
        return { status: 200, contentType: this.metrics.contentType, body: await this.metrics.render() }
      default: {
        const asset = this.assets.get(path)
        return asset === undefined ? text(404, `not found: ${ROUTES_HINT}`) : { status: 200, ...asset }
      }
    }
  }

  private async statusReply(): Promise<Reply> {
    let status: GatewayStatus
    try {
      status = await readStatus(this.source)
    } catch (e) {
      const why = e instanceof StatusError ? e.message : `the status source failed: ${e instanceof Error ? e.message : String(e)}`
      this.log.warn({ err: e }, `GET /status answered 500 (${why}); the next request asks the gateway again`)
      return json(500, { error: why })
    }
    return json(200, status)
  }
}

function json(status: number, value: unknown): Reply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) }
}

function text(status: number, message: string): Reply {
  return { status, contentType: 'text/plain; charset=utf-8', body: `${message}\n` }
}

function write(res: ServerResponse, reply: Reply, close: boolean): void {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body
  res.writeHead(reply.status, {
    ...COMMON_HEADERS,
    ...reply.headers,
    'Content-Type': reply.contentType,
    'Content-Length': String(body.byteLength),
    ...(close ? { Connection: 'close' } : {}),
  })
  res.end(body)
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}
