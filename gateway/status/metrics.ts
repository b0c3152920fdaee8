/**
 * Prometheus metrics of the gateway on a Registry of its own (not prom-client's global one, so two
 * gateways in one process, as in the demo and the tests, do not share counters). Counters are bumped
 * by the gateway through {@link MetricsRecorder}; the gauges (link state and quality, queues, chain)
 * are filled from the status source at each scrape, so they are never older than the scrape.
 *
 * Names carry the `bunker_gateway_` prefix and their unit (`_bytes_total`, `_seconds`, `_ratio`);
 * the process metrics keep prom-client's standard names (`process_*`, `nodejs_*`).
 *
 * @packageDocumentation
 */
import { Counter, Gauge, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client'
import { z } from 'zod'
import type { GatewayStatus } from '../status-model.js'
import type { MetricsRecorder, RelayKind, RelaySource } from './metrics-recorder.js'
import { readStatus, type StatusSource } from './status-source.js'

/** Prefix of every gateway metric name. */
export const METRIC_PREFIX = 'bunker_gateway_'

/** Options of {@link GatewayMetrics}. */
export const GatewayMetricsOptionsSchema = z.strictObject({
  /** Also export prom-client's process metrics (CPU, memory, event-loop lag, GC). */
  defaultMetrics: z.boolean().default(true),
})
/** Options of {@link GatewayMetrics} as written (every field optional). */
export type GatewayMetricsOptions = z.input<typeof GatewayMetricsOptionsSchema>

/** The gateway's metrics: the counters it bumps and the gauges read from its status at scrape time. */
export class GatewayMetrics implements MetricsRecorder {
  /** The registry `/metrics` serialises. */
  readonly registry = new Registry()
  private readonly counters = {
    framesSent: this.counter('link_sent_frames_total', 'Frames (fragments) transmitted on a link.', ['link']),
    frameBytesSent: this.counter('link_sent_bytes_total', 'Bytes transmitted on a link, every fragment.', ['link']),
    framesReceived: this.counter('link_received_frames_total', 'Frames received on a link.', ['link']),
    frameBytesReceived: this.counter('link_received_bytes_total', 'Bytes received on a link.', ['link']),
    messagesSent: this.counter('messages_sent_total', 'Gateway messages sent, by link and message type.', ['link', 'type']),
    messageBytesSent: this.counter('message_sent_bytes_total', 'Encoded bytes of gateway messages sent, by link and type.', ['link', 'type']),
    messagesReceived: this.counter('messages_received_total', 'Whole gateway messages received, by link and message type.', ['link', 'type']),
    relayed: this.counter('relayed_total', 'Transactions and blocks accepted for relay, by origin.', ['kind', 'from']),
    rejected: this.counter('rejected_total', 'Items refused, by stable reason code.', ['reason']),
    failovers: this.counter('failovers_total', 'Times traffic moved from one link to another.', ['from', 'to']),
    delivered: this.counter('delivered_to_node_total', 'Transactions and blocks handed to our node.', ['kind']),
  }
  private readonly gauges = {
    statusUp: this.gauge('status_up', '1 when the last scrape could read the gateway status, else 0 (the other gauges are then empty).', []),
    linkUp: this.gauge('link_up', '1 when the link is up, else 0.', ['link', 'kind']),
    linkAvailability: this.gauge('link_availability_ratio', 'Time-weighted share of time the link was up, 0-1.', ['link']),
    linkSnr: this.gauge('link_snr_db', 'Averaged signal-to-noise ratio, dB.', ['link']),
    linkRtt: this.gauge('link_rtt_seconds', 'Averaged round-trip time, seconds.', ['link']),
    linkLoss: this.gauge('link_loss_ratio', 'Averaged share of failed sends, 0-1.', ['link']),
    linkGoodput: this.gauge('link_goodput_bytes_per_second', 'Averaged acknowledged bytes per second.', ['link']),
    linkBitrate: this.gauge('link_bitrate_bits_per_second', 'Modem bit rate, bits per second.', ['link']),
    peerQueued: this.gauge('peer_queued_messages', 'Messages waiting to be sent to a peer gateway.', ['peer']),
    peerInFlight: this.gauge('peer_in_flight_messages', 'Messages sent to a peer and not yet acknowledged.', ['peer']),
    peerPendingBytes: this.gauge('peer_pending_bytes', 'Payload bytes queued or in flight to a peer.', ['peer']),
    chainHeight: this.gauge('chain_height_blocks', 'Height of the chain the gateway mirrors.', []),
    mempool: this.gauge('mempool_transactions', 'Transactions in the mempool.', []),
  }

  /**
   * @param source - the gateway's status, read once per scrape
   * @param options - see {@link GatewayMetricsOptionsSchema}
   */
  constructor(
    private readonly source: StatusSource,
    options: GatewayMetricsOptions = {},
  ) {
    if (GatewayMetricsOptionsSchema.parse(options).defaultMetrics) collectDefaultMetrics({ register: this.registry })
  }

  /** The `Content-Type` of {@link GatewayMetrics.render}'s text. */
  get contentType(): string {
    return this.registry.contentType
  }

  /** Reads the status into the gauges and returns every metric in Prometheus text format. */
  async render(): Promise<string> {
    let status: GatewayStatus | undefined
    try {
      status = await readStatus(this.source)
    } catch {
      status = undefined // reported as status_up 0; /status says why
    }
    for (const g of Object.values(this.gauges)) g.reset()
    this.gauges.statusUp.set(status === undefined ? 0 : 1)
    if (status !== undefined) this.fill(status)
    return this.registry.metrics()
  }

  /** {@inheritDoc MetricsRecorder.frameSent} */
  frameSent(link: string, bytes: number): void {
    this.counters.framesSent.inc({ link })
    this.counters.frameBytesSent.inc({ link }, bytes)
  }

  /** {@inheritDoc MetricsRecorder.frameReceived} */
  frameReceived(link: string, bytes: number): void {
    this.counters.framesReceived.inc({ link })
    this.counters.frameBytesReceived.inc({ link }, bytes)
  }

  /** {@inheritDoc MetricsRecorder.messageSent} */
  messageSent(link: string, messageType: string, bytes: number): void {
    this.counters.messagesSent.inc({ link, type: messageType })
    this.counters.messageBytesSent.inc({ link, type: messageType }, bytes)
  }

  /** {@inheritDoc MetricsRecorder.messageReceived} */
  messageReceived(link: string, messageType: string): void {
    this.counters.messagesReceived.inc({ link, type: messageType })
  }

  /** {@inheritDoc MetricsRecorder.relayed} */
  relayed(kind: RelayKind, from: RelaySource): void {
    this.counters.relayed.inc({ kind, from })
  }

  /** {@inheritDoc MetricsRecorder.rejected} */
  rejected(reason: string): void {
    this.counters.rejected.inc({ reason })
  }

  /** {@inheritDoc MetricsRecorder.failover} */
  failover(fromLink: string, toLink: string): void {
    this.counters.failovers.inc({ from: fromLink, to: toLink })
  }

  /** {@inheritDoc MetricsRecorder.delivered} */
  delivered(kind: RelayKind): void {
    this.counters.delivered.inc({ kind })
  }

  private fill(status: GatewayStatus): void {
    const g = this.gauges
    for (const l of status.links) {
      const link = { link: l.id }
      g.linkUp.set({ link: l.id, kind: l.kind }, l.state === 'up' ? 1 : 0)
      g.linkAvailability.set(link, l.availability)
      setKnown(g.linkSnr, link, l.snrDb)
      setKnown(g.linkRtt, link, l.rttMs === undefined ? undefined : l.rttMs / 1000) // ms → s
      setKnown(g.linkLoss, link, l.loss)
      setKnown(g.linkGoodput, link, l.goodputBps)
      setKnown(g.linkBitrate, link, l.bitrateBps)
    }
    for (const p of status.peers) {
      g.peerQueued.set({ peer: p.name }, p.queued)
      g.peerInFlight.set({ peer: p.name }, p.inFlight)
      g.peerPendingBytes.set({ peer: p.name }, p.pendingBytes)
    }
    g.chainHeight.set(status.chain.height)
    g.mempool.set(status.chain.mempool)
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name: METRIC_PREFIX + name, help, labelNames, registers: [this.registry] })
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name: METRIC_PREFIX + name, help, labelNames, registers: [this.registry] })
  }
}

/** Sets a gauge only when the reading is known: an absent reading is no series, not a zero. */
function setKnown<L extends string>(gauge: Gauge<L>, labels: LabelValues<L>, value: number | undefined): void {
  if (value !== undefined) gauge.set(labels, value)
}
