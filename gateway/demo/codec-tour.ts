/**
 * The laptop demo, first chapter: real Bunkercoin data made by the documented rules, bridged between
 * two simulated nodes by the gateway's node link, and what each message costs in every byte format
 * the gateway speaks. Every number printed is computed on the spot.
 *
 * @packageDocumentation
 */
import { encodeAx25Frame } from '../../codecs/ax25.js'
import { publicKeyFromSecret } from '../../codecs/ed25519.js'
import { txHash } from '../../codecs/hashes.js'
import { encodeEnvelope } from '../../codecs/envelope.js'
import { fragmentMessage } from '../../codecs/fragment.js'
import { toHex } from '../../codecs/hex.js'
import { js8HuffmanFrames } from '../../codecs/js8-huffman.js'
import { js8AirBits, encodeJs8Text } from '../../codecs/js8-text.js'
import { encodeKissFrame } from '../../codecs/kiss.js'
import { unwrap } from '../../codecs/result.js'
import { validateChain } from '../../codecs/validate.js'
import { SimNode } from '../../hardware-sim/node/sim-node.js'
import { silentLogger } from '../log.js'
import { ChainState } from '../node-link/chain-state.js'
import { P2PService } from '../node-link/p2p-service.js'
import { buildCorpus, type CorpusItem } from '../../hardware-sim/corpus.js'
import { ndjsonBytes } from './ndjson-size.js'

/** Where the demo writes its narration. */
export type Print = (line: string) => void

/** AX.25 information field per frame, bytes (PACLEN 256, the packet-radio default). */
const PACLEN = 256
/** On-air overhead per AX.25 UI frame beyond the info field: addresses, control, PID, FCS, flags, bytes. */
const AX25_FRAME_OVERHEAD = 16 + 2 + 2
/** AFSK 1200 keyup delay (Direwolf's default TXDELAY 30 = 300 ms), s. */
const TXDELAY_S = 0.3
/** JS8 Normal: one frame per 15-s period, s. */
const JS8_PERIOD_S = 15

function pct(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(1)} %`
}

function seconds(s: number): string {
  return s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`
}

/** Airtime of `frames` AX.25 UI frames carrying `infoBytes` in all at 1200 bit/s, one keyup each, s. */
function ax25Airtime(frames: number, infoBytes: number): number {
  return frames * TXDELAY_S + ((infoBytes + frames * AX25_FRAME_OVERHEAD) * 8) / 1200
}

/** Mines a chain on one simulated node and lets the gateway carry it to another. */
async function bridgeDemo(print: Print): Promise<void> {
  print('1. Two simulated Bunkercoin nodes and one gateway on loopback TCP')
  const a = new SimNode({ p2pPort: 0, httpPort: null })
  const b = new SimNode({ p2pPort: 0, httpPort: null })
  await Promise.all([a.start(), b.start()])
  const started = Date.now()
  for (let i = 0; i < 6; i++) a.mine()
  print(`   node A mined 6 blocks by the documented rules (VDF of 10 000 Blake3 rounds each) in ${Date.now() - started} ms`)
  const bob = publicKeyFromSecret(new Uint8Array(32).fill(2))
  const tx = a.send(bob, 1000n)
  print(`   node A's wallet signed a transaction of 1000 units to ${toHex(bob).slice(0, 16)}...`)
  const gw = new P2PService(new ChainState(), { peers: [`127.0.0.1:${a.p2pPort}`, `127.0.0.1:${b.p2pPort}`] }, silentLogger())
  await gw.start()
  const deadline = Date.now() + 10_000
  while ((b.state.tip().height < 6 || b.state.transactions().length < 1) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20))
  }
  const synced = b.state.tip().hash === a.state.tip().hash
  print(`   node B, which only knows the gateway, now has height ${b.state.tip().height}, tip ${b.state.tip().hash?.slice(0, 16) ?? '-'}...: ${synced ? 'same as A' : 'NOT the same as A'}`)
  print(`   node B's mempool holds ${b.state.transactions().length} transaction(s), A's among them: ${b.state.hasTransaction(toHex(txHash(tx))) ? 'yes' : 'no'}`)
  const verdict = validateChain(b.state.chain())
  print(`   every block of B's chain passes the node's validate_block: ${verdict.ok ? 'yes' : `no (${verdict.reason})`}`)
  await gw.stop()
  await Promise.all([a.stop(), b.stop()])
}

function sizeRow(print: Print, item: CorpusItem): void {
  const nd = ndjsonBytes(item.message)
  const wire = encodeEnvelope(item.wire).length
  print(`   ${item.name.padEnd(34)} NDJSON ${String(nd).padStart(7)} B   wire ${String(wire).padStart(6)} B   ${pct(wire, nd).padStart(7)}`)
}

function radioDemo(print: Print): void {
  const corpus = buildCorpus()
  print('')
  print('2. What the node\'s NDJSON costs, and what the gateway sends instead (CBOR envelope, deflate where it pays)')
  for (const item of corpus) sizeRow(print, item)
  const tx = corpus[0] as CorpusItem
  const wire = encodeEnvelope(tx.wire)
  print('')
  print('3. The transaction on 1200 baud packet radio (AX.25 UI frames through a KISS TNC)')
  const fragments = unwrap(fragmentMessage(wire, PACLEN, 1))
  const ax25 = encodeAx25Frame({
    kind: 'UI', destination: { callsign: 'BNKR', ssid: 0 }, source: { callsign: 'N0CALL', ssid: 1 },
    digipeaters: [], commandResponse: 'command', pf: false, pid: 0xf0, info: fragments[0] as Uint8Array,
  })
  const kiss = encodeKissFrame({ port: 0, command: 0, data: ax25 })
  print(`   ${fragments.length} fragment(s); one AX.25 UI frame N0CALL-1>BNKR of ${ax25.length} B, ${kiss.length} B through KISS`)
  const ndBytes = ndjsonBytes(tx.message)
  const ndAir = ax25Airtime(Math.ceil(ndBytes / PACLEN), ndBytes)
  const wireAir = ax25Airtime(fragments.length, fragments.reduce((n, f) => n + f.length, 0))
  print(`   airtime at 1200 bit/s, one keyup per frame: NDJSON ${Math.ceil(ndBytes / PACLEN)} frame(s) ${seconds(ndAir)}, ours ${fragments.length} frame(s) ${seconds(wireAir)}`)
  print('')
  print('4. The same transaction on HF with JS8Call (upper-case text, 72 payload bits per 15-s period)')
  const text = encodeJs8Text(wire)
  const frames = js8HuffmanFrames(text)
  print(`   ${text.length} characters: ${text.slice(0, 48)}...`)
  print(`   ${js8AirBits(text)} Huffman bits on air for ${wire.length * 8} bits of data: ${frames} JS8 frames, about ${seconds(frames * JS8_PERIOD_S)} at Normal speed`)
  print('   (the node\'s NDJSON would not survive at all: JS8Call upper-cases every message, and JSON names are case-sensitive)')
}

/** Runs the demo, narrating through `print`. */
export async function runCodecTour(print: Print): Promise<void> {
  print('bunker-gateway demo: Bunkercoin over radio, on simulated hardware\n')
  await bridgeDemo(print)
  radioDemo(print)
  print('\nNothing on radio is encrypted: docs/PROTOCOL.md says how to decode every byte above.')
}
