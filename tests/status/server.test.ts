import { request, Agent } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { GatewayStatusSchema } from '../../gateway/status-model.js'
import { HistorySnapshotSchema } from '../../gateway/status/history.js'
import { isLoopbackHost } from '../../gateway/status/loopback.js'
import { GatewayMetrics } from '../../gateway/status/metrics.js'
import { StatusServer, type StatusServerComponents, type StatusServerOptions } from '../../gateway/status/server.js'
import { StatusError } from '../../gateway/status/status-error.js'
import { captureLog } from '../helpers/log-capture.js'
import { FakeStatusSource } from './fake-status.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function started(components: Partial<StatusServerComponents> = {}, options: StatusServerOptions = {}) {
  const fake = new FakeStatusSource()
  const logs = captureLog()
  const server = new StatusServer({ source: fake.read, log: logs.log, ...components }, { port: 0, ...options })
  await server.start()
  cleanups.push(() => server.stop())
  return { server, fake, logs, url: server.url }
}

/** Sends a raw request and resolves with status, headers and body. */
function raw(url: string, method: string, body?: string, agent?: Agent) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request(url, { method, agent }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('StatusServer endpoints', () => {
  it('GET /status answers the source\'s report as JSON that matches the schema', async () => {
    const { url } = await started()
    const res = await fetch(`${url}/status?pretty=1`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-store')
    const body = GatewayStatusSchema.parse(await res.json())
    expect(body.station).toBe('N0CALL-10')
    expect(body.links.map((l) => [l.id, l.state])).toEqual([
      ['backbone', 'up'],
      ['vhf-packet', 'up'],
      ['hf-vara', 'down'],
      ['hf-js8', 'starting'],
    ])
  })

  it('GET /history answers the samples taken since start', async () => {
    const { url } = await started()
    const snap = HistorySnapshotSchema.parse(await (await fetch(`${url}/history`)).json())
    expect(snap.intervalMs).toBe(10_000)
    expect(snap.samples.length).toBeGreaterThanOrEqual(1)
    expect(snap.samples[0]?.links['hf-vara']).toMatchObject({ state: 'down', up: false })
  })

  it('GET /metrics answers Prometheus text with the counters bumped and the gauges read from the status', async () => {
    const metrics = new GatewayMetrics(new FakeStatusSource().read)
    const { url } = await started({ metrics })
    metrics.frameSent('vhf-packet', 120)
    metrics.frameSent('vhf-packet', 80)
    metrics.frameReceived('hf-vara', 33)
    metrics.messageSent('vhf-packet', 'inv', 57)
    metrics.messageReceived('backbone', 'block')
    metrics.relayed('tx', 'node')
    metrics.relayed('block', 'peer')
    metrics.rejected('ERR_CHECKSUM')
    metrics.failover('vhf-packet', 'hf-vara')
    metrics.delivered('block')
    const res = await fetch(`${url}/metrics`)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    for (const line of [
      'bunker_gateway_link_sent_frames_total{link="vhf-packet"} 2',
      'bunker_gateway_link_sent_bytes_total{link="vhf-packet"} 200',
      'bunker_gateway_link_received_bytes_total{link="hf-vara"} 33',
      'bunker_gateway_messages_sent_total{link="vhf-packet",type="inv"} 1',
      'bunker_gateway_message_sent_bytes_total{link="vhf-packet",type="inv"} 57',
      'bunker_gateway_messages_received_total{link="backbone",type="block"} 1',
      'bunker_gateway_relayed_total{kind="tx",from="node"} 1',
      'bunker_gateway_relayed_total{kind="block",from="peer"} 1',
      'bunker_gateway_rejected_total{reason="ERR_CHECKSUM"} 1',
      'bunker_gateway_failovers_total{from="vhf-packet",to="hf-vara"} 1',
      'bunker_gateway_delivered_to_node_total{kind="block"} 1',
      'bunker_gateway_status_up 1',
      'bunker_gateway_link_up{link="vhf-packet",kind="ax25"} 1',
      'bunker_gateway_link_up{link="hf-vara",kind="vara"} 0',
      'bunker_gateway_link_rtt_seconds{link="vhf-packet"} 2.3',
      'bunker_gateway_link_snr_db{link="hf-js8"} -14',
      'bunker_gateway_link_loss_ratio{link="vhf-packet"} 0.04',
      'bunker_gateway_link_goodput_bytes_per_second{link="backbone"} 52000',
      'bunker_gateway_link_bitrate_bits_per_second{link="vhf-packet"} 1200',
      'bunker_gateway_peer_queued_messages{peer="N1PEER-10"} 4',
      'bunker_gateway_peer_pending_bytes{peer="N1PEER-10"} 2048',
      'bunker_gateway_chain_height_blocks 1234',
      'bunker_gateway_mempool_transactions 3',
    ]) {
      expect(text.split('\n')).toContain(line)
    }
    expect(text).toMatch(/^process_cpu_seconds_total /m) // default process metrics, standard names
    expect(text).not.toContain('bunker_gateway_link_snr_db{link="backbone"}') // unknown reading: no series, not 0
  })

  it('GET / serves the status page and its script and stylesheet', async () => {
    const { url } = await started()
    const page = await fetch(`${url}/`)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")
    const html = await page.text()
    expect(html).toContain('<script src="page.js" defer></script>')
    const js = await fetch(`${url}/page.js`)
    expect([js.status, js.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8'])
    expect(await js.text()).toContain("getJson('history')")
    expect((await fetch(`${url}/page.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8')
  })

  it('answers 404 for other paths and 405 (Allow: GET, connection closed, body unread) for other methods', async () => {
    const { url } = await started()
    const missing = await fetch(`${url}/status/extra`)
    expect(missing.status).toBe(404)
    expect(await missing.text()).toContain('GET /, /status, /history and /metrics')
    expect((await fetch(`${url}/../etc/passwd`)).status).toBe(404)
    const post = await raw(`${url}/status`, 'POST', 'x'.repeat(100_000))
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET')
    expect(post.headers.connection).toBe('close')
    expect((await raw(`${url}/metrics`, 'DELETE')).status).toBe(405)
    expect((await raw(`${url}/status`, 'HEAD')).status).toBe(405)
  })

  it('answers 500 with the reason when the source throws, and serves again once it recovers', async () => {
    const { url, fake, logs } = await started()
    fake.failure = new Error('relay lock timed out')
    const res = await fetch(`${url}/status`)
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ error: 'the status source failed: relay lock timed out' })
    expect(logs.find('GET /status answered 500')).toHaveLength(1)
    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metrics.split('\n')).toContain('bunker_gateway_status_up 0')
    expect(metrics).not.toContain('bunker_gateway_link_up{')
    fake.failure = undefined
    expect((await fetch(`${url}/status`)).status).toBe(200)
  })

  it('answers 500 naming the field when the source returns a report that does not match the schema', async () => {
    const fake = new FakeStatusSource()
    const broken = () => ({ ...fake.read(), chain: { height: 1.5, tip: null, mempool: 0 } })
    const { url } = await started({ source: broken })
    const res = await fetch(`${url}/status`)
    expect(res.status).toBe(500)
    const { error } = (await res.json()) as { error: string }
    expect(error).toMatch(/does not match the schema: chain\.height/)
  })
})

describe('StatusServer binding and lifecycle', () => {
  it('refuses a host that is not loopback unless allowRemote is set', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'gateway.local']) {
      let caught: unknown
      try {
        new StatusServer({ source: new FakeStatusSource().read }, { host })
      } catch (e) {
        caught = e
      }
      expect(caught).toBeInstanceOf(StatusError)
      expect((caught as StatusError).code).toBe('ERR_STATUS_REMOTE_BIND')
      expect((caught as StatusError).message).toContain(`refusing to serve status on ${host}`)
    }
    expect(() => new StatusServer({ source: new FakeStatusSource().read }, { host: '0.0.0.0', allowRemote: true })).not.toThrow()
  })

  it('counts 127.0.0.0/8, ::1 and localhost as loopback', () => {
    expect(['127.0.0.1', '127.3.2.1', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost'].map(isLoopbackHost)).toEqual([true, true, true, true, true, true])
    expect(['0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', 'example.org', ''].map(isLoopbackHost)).toEqual([false, false, false, false, false, false])
  })

  it('stop() closes idle keep-alive connections at once and frees the port', async () => {
    const { server, url } = await started()
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    cleanups.push(() => agent.destroy())
    expect((await raw(`${url}/status`, 'GET', undefined, agent)).status).toBe(200)
    const socket = Object.values(agent.freeSockets).flat()[0]
    expect(socket).toBeDefined()
    const closed = new Promise<void>((resolve) => socket?.once('close', () => resolve()))
    const t0 = performance.now()
    await server.stop()
    await closed
    expect(performance.now() - t0).toBeLessThan(1_000) // not the 2 s keep-alive timeout
    await expect(fetch(`${url}/status`)).rejects.toThrow()
  })

  it('rejects start() when the port is taken', async () => {
    const { server } = await started()
    const port = Number(new URL(server.url).port)
    const second = new StatusServer({ source: new FakeStatusSource().read }, { port })
    cleanups.push(() => second.stop())
    await expect(second.start()).rejects.toMatchObject({ code: 'EADDRINUSE' })
  })
})

describe('GatewayMetrics', () => {
  it('keeps each instance on its own registry', async () => {
    const a = new GatewayMetrics(new FakeStatusSource().read, { defaultMetrics: false })
    const b = new GatewayMetrics(new FakeStatusSource().read, { defaultMetrics: false })
    a.rejected('ERR_FRAGMENT')
    expect(await a.render()).toContain('bunker_gateway_rejected_total{reason="ERR_FRAGMENT"} 1')
    expect(await b.render()).not.toContain('ERR_FRAGMENT')
    expect(await b.render()).not.toContain('process_cpu')
  })

  it('names every metric with the bunker_gateway_ prefix', async () => {
    const m = new GatewayMetrics(new FakeStatusSource().read, { defaultMetrics: false })
    const names = (await m.render()).split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2])
    expect(names.length).toBeGreaterThan(20)
    for (const n of names) expect(n).toMatch(/^bunker_gateway_[a-z_]+$/)
  })

  it('drops the series of a peer that is gone at the next scrape', async () => {
    const fake = new FakeStatusSource()
    let peers = fake.read().peers
    const m = new GatewayMetrics(() => ({ ...fake.read(), peers }), { defaultMetrics: false })
    expect(await m.render()).toContain('peer="N1PEER-10"')
    peers = peers.filter((p) => p.name !== 'N1PEER-10')
    expect(await m.render()).not.toContain('peer="N1PEER-10"')
  })
})
