/**
 * The simulated node's HTTP API, behaving as the node's docs describe (web.rs, warp): `GET /chain`
 * serves the chain file and is 404 before the first block; `POST /broadcast` answers plain-text `OK`
 * or 400 `Invalid block`; `POST /tx` always answers 200 `OK`; a non-JSON Content-Type gets 415, a
 * malformed body 400; `GET /events` is an SSE stream of log strings.
 *
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { decodeBlockJson, decodeTransactionJson, encodeChainJson, encodeTransactionsJson } from '../../codecs/ndjson.js'
import { encodeSyncInfo } from '../../codecs/sync-info.js'
import type { Block, Transaction } from '../../codecs/model.js'
import type { ChainState } from '../../gateway/node-link/chain-state.js'

/** What the HTTP API needs from the node behind it. */
export interface HttpApiNode {
  /** The chain and mempool. */
  state: ChainState
  /** `add_block`: true when accepted. */
  submitBlock(block: Block): boolean
  /** `add_transaction`: the result is not reported (the real `/tx` always answers OK). */
  submitTransaction(tx: Transaction): void
}

/** Largest request body accepted, bytes (a block of a few hundred transactions). */
const MAX_BODY_BYTES = 4 * 1024 * 1024

/** The HTTP API server with its SSE clients. */
export class SimNodeHttpApi {
  private readonly server: Server
  private readonly sse = new Set<ServerResponse>()

  /** @param node - the node behind the API */
  constructor(private readonly node: HttpApiNode) {
    this.server = createServer((req, res) => void this.route(req, res))
  }

  /** Listens; resolves with the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => {
        const a = this.server.address()
        resolve(typeof a === 'object' && a !== null ? a.port : port)
      })
    })
  }

  /** Number of clients following `/events`. */
  get eventClients(): number {
    return this.sse.size
  }

  /** Sends `message` to every `/events` client (the node's `web::broadcast`). */
  broadcast(message: string): void {
    for (const res of this.sse) res.write(`data: ${message}\n\n`)
  }

  /** Closes the server and every open stream. */
  close(): Promise<void> {
    for (const res of this.sse) res.end()
    this.sse.clear()
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const key = `${req.method ?? ''} ${(req.url ?? '').split('?')[0] ?? ''}`
    switch (key) {
      case 'GET /events':
        return this.events(res)
      case 'GET /chain':
        return this.chain(res)
      case 'GET /sync':
        return reply(res, 200, 'application/json', encodeSyncInfo(syncInfo(this.node.state)))
      case 'GET /mempool':
        return reply(res, 200, 'application/json', encodeTransactionsJson(this.node.state.transactions()))
      case 'POST /broadcast':
        return this.post(req, res, decodeBlockJson, (b) => (this.node.submitBlock(b) ? [200, 'OK'] : [400, 'Invalid block']))
      case 'POST /tx':
        return this.post(req, res, decodeTransactionJson, (tx) => {
          this.node.submitTransaction(tx)
          return [200, 'OK']
        })
      default:
        return reply(res, 404, 'text/plain', 'Not Found')
    }
  }

  private events(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    res.write(': connected\n\n')
    this.sse.add(res)
    res.on('close', () => this.sse.delete(res))
  }

  private chain(res: ServerResponse): void {
    // warp::fs::file on a chain.json that is written only after the first block.
    if (this.node.state.tip().height === 0) return reply(res, 404, 'text/plain', 'Not Found')
    reply(res, 200, 'application/json', encodeChainJson(this.node.state.chain()))
  }

  private async post<T>(
    req: IncomingMessage,
    res: ServerResponse,
    decode: (text: string) => { ok: true; value: T } | { ok: false; error: Error },
    handle: (value: T) => [number, string],
  ): Promise<void> {
    const type = req.headers['content-type']
    if (type !== undefined && !type.startsWith('application/json')) return reply(res, 415, 'text/plain', 'Unsupported Media Type')
    const body = await readBody(req)
    if (body === undefined) return reply(res, 413, 'text/plain', 'Payload Too Large')
    const decoded = decode(body)
    if (!decoded.ok) return reply(res, 400, 'text/plain', `Request body deserialize error: ${decoded.error.message}`)
    const [status, text] = handle(decoded.value)
    reply(res, status, 'text/plain', text)
  }
}

/** The `/sync` body: block count and the tip's hex hash (zeros for an empty chain). */
export function syncInfo(state: ChainState): { height: number; latest_hash: string } {
  const tip = state.tip()
  return { height: tip.height, latest_hash: tip.hash ?? '0'.repeat(64) }
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > MAX_BODY_BYTES) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
