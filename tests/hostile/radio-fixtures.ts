/**
 * Fixtures of the hostile radio-station tests: two honest gateways (A and B, each with its node) on
 * one simulated 1200 bit/s AX.25 channel (simulated KISS TNCs over KISS TCP, ×50 time), and a
 * hostile station on the same channel that can transmit anything under any callsign: gateway
 * messages it builds itself, or raw frames it recorded off the air. HOSTILE_LOG=FILE writes the
 * gateways' debug log.
 */
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import type { WireMessage } from '../../codecs/envelope.js'
import { txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import type { Transaction } from '../../codecs/model.js'
import { createTransaction } from '../../codecs/producer.js'
import { FEATURE_BITS, LINK_BITS, PROTOCOL_VERSION, type Hello } from '../../codecs/wire-gateway.js'
import type { Gateway, GatewayDeps } from '../../gateway/gateway.js'
import { LinkFraming } from '../../gateway/link-framing.js'
import { createLogger } from '../../gateway/log.js'
import type { SimNode } from '../../hardware-sim/node/sim-node.js'
import type { RfFrame } from '../../hardware-sim/rf-channel.js'
import type { Ax25Transport } from '../../transports/ax25/ax25-transport.js'
import { createSimNet, type SimNet } from '../helpers/ax25-sim-stations.js'
import { GatewayNet, until } from '../helpers/gateway-net.js'
import { radioGateways, type RadioSide } from '../helpers/radio-gateways.js'

/** Callsigns on the channel: the two gateways and the hostile station's own. */
export const CALL = { a: 'N0AAA-1', b: 'N0BBB-2', evil: 'N0EVL-1' } as const

/** A station that transmits whatever it likes. */
export class HostileStation {
  /** Gateway messages addressed to it, decoded. */
  readonly heard: WireMessage[] = []
  private readonly framing = new LinkFraming()

  /** @param transport - its AX.25 transport (started), with the callsign it claims */
  constructor(readonly transport: Ax25Transport) {
    transport.on('frame', (f) => {
      const r = this.framing.inbound(f.payload, transport.id, f.from ?? '')
      if ('message' in r) this.heard.push(r.message)
    })
  }

  /** Sends `msg` to `to` as a gateway would (fragmented, CRC-checked, over the ARQ). */
  async send(msg: WireMessage, to: string = CALL.a): Promise<void> {
    for (const f of this.framing.outbound(msg, this.transport.id, to, this.transport.capabilities.mtu)) await this.sendRaw(f, to)
  }

  /** Sends bytes as they are: a fragment, or what was recorded from someone else. */
  async sendRaw(payload: Uint8Array, to: string = CALL.a): Promise<void> {
    await this.transport.send(payload, { to })
  }
}

/** The honest pair, the hostile station, and a recording of the channel. */
export interface HostileRadioNet {
  net: GatewayNet
  sim: SimNet
  nodeA: SimNode
  nodeB: SimNode
  gwA: Gateway
  gwB: Gateway
  /** Every frame heard on the channel so far. */
  air: RfFrame[]
  /** A hostile station with `callsign` on the channel, started. */
  hostile(callsign: string): Promise<HostileStation>
  close(): Promise<void>
}

/** Starts the honest pair (links up, nodes connected); `deps` tune gateway A's router (ban limits). */
export async function hostileRadioNet(deps: Partial<GatewayDeps> = {}): Promise<HostileRadioNet> {
  const net = new GatewayNet(process.env.HOSTILE_LOG === undefined ? undefined : createLogger('debug', createWriteStream(process.env.HOSTILE_LOG)))
  const sim = createSimNet({ timeScale: 50, seed: 9 })
  const air: RfFrame[] = []
  sim.channel.attach({ id: 'recorder', onFrame: (f) => air.push(f) })
  const side = async (name: string, call: string): Promise<RadioSide> => {
    const s = await sim.add(name, call, 'tcp')
    return { station: call, transport: s.transport, section: { type: 'ax25', callsign: call, tnc: { type: 'tcp' }, beaconIntervalMs: 0 }, address: call }
  }
  const { nodeA, nodeB, gwA, gwB } = await radioGateways(net, await side('a', CALL.a), await side('b', CALL.b), deps)
  await until('node links up', () => gwA.status().node?.connected === true && gwB.status().node?.connected === true)
  let hostiles = 0
  return {
    net, sim, nodeA, nodeB, gwA, gwB, air,
    async hostile(callsign) {
      const s = await sim.add(`evil-${hostiles++}`, callsign, 'tcp')
      await s.transport.start()
      return new HostileStation(s.transport)
    },
    async close() {
      await net.close()
      await sim.close()
    },
  }
}

const wallet = new Uint8Array(32).fill(77)
let nonce = 0n

/** A validly signed transaction nobody has seen (a new nonce each call). */
export function freshTx(): { tx: Transaction; hash: string } {
  const tx = createTransaction({ secretKey: wallet, recipient: randomBytes(32), amount: 5n, nonce: nonce++ })
  return { tx, hash: toHex(txHash(tx)) }
}

/** A transaction whose signature does not verify (one bit flipped). */
export function forgedTx(): { tx: Transaction; hash: string } {
  const { tx } = freshTx()
  const signature = Uint8Array.from(tx.signature)
  signature[10] = (signature[10] ?? 0) ^ 0x40
  const forged = { ...tx, signature }
  return { tx: forged, hash: toHex(txHash(forged)) }
}

/** A `hello` from `station` claiming a chain of `height` blocks ending in a made-up tip. */
export function helloClaiming(station: string, height: number): Hello {
  return { type: 'hello', version: PROTOCOL_VERSION, station, height, tip: randomBytes(32), links: LINK_BITS.ax25, features: FEATURE_BITS.headersSync | FEATURE_BITS.compactBlocks, dictionaries: 1 }
}

/** Sends a transaction from node B and waits until node A holds it; returns its hash. */
export async function honestTx(r: HostileRadioNet, timeoutMs = 20_000): Promise<string> {
  const hash = toHex(txHash(r.nodeB.send(randomBytes(32), 9n)))
  await until('an honest transaction from B at node A', () => r.nodeA.state.hasTransaction(hash), timeoutMs)
  return hash
}
