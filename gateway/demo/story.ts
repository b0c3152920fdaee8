/**
 * The demo's story, chapter by chapter, on a running {@link DemoRig}: the setup; blocks and a
 * transaction from node A to node B on the best link; the VARA modem switched off, the failover and
 * a transaction that still arrives exactly once; the modem back on and traffic returning to VARA
 * only after the dwell time. Each chapter waits for what the gateways should do and throws
 * {@link DemoError} naming what did not happen.
 *
 * @packageDocumentation
 */
import { publicKeyFromSecret } from '../../codecs/ed25519.js'
import { blockHash, txHash } from '../../codecs/hashes.js'
import { toHex } from '../../codecs/hex.js'
import { JS8_TIME_SCALE, RADIO_TIME_SCALE } from './demo-links.js'
import { DemoError, waitFor } from './demo-error.js'
import type { DemoRig, DemoSide } from './demo-rig.js'
import { ndjsonBlockBytes, ndjsonTxBytes } from './ndjson-size.js'
import { BLOCK_TYPES, TX_TYPES, type Narrator } from './narrator.js'
import { count, linkWords, shortHash } from './plain-words.js'
import type { SentEvent } from '../router/router.js'

/** Longest wait for one step of the story (a delivery over radio, a link coming up), ms. */
const STEP_TIMEOUT_MS = 30_000
/** Blocks node A mines before its first transaction. */
const FIRST_BLOCKS = 3
/** Margin past the dwell time before the transaction that should go back to VARA, ms. */
const DWELL_MARGIN_MS = 500
/** The recipient of every transaction: a fixed demo key (Bob). */
const BOB = publicKeyFromSecret(new Uint8Array(32).fill(2))

/** A message a gateway sent. */
type Sent = SentEvent & { by: string; at: number }

/** What the story needs besides the rig and the narrator. */
interface Scene {
  readonly rig: DemoRig
  readonly n: Narrator
  /** Every message the gateways sent: by which station, and when (ms since the epoch). */
  readonly sent: Sent[]
  /** Hashes of the transactions node A sent, in order. */
  readonly txs: string[]
  /** Aborted when the user stops the demo. */
  readonly signal: AbortSignal | undefined
}

/** Tells the whole story; resolves when it is told, throws {@link DemoError} when it cannot be (or `signal` aborts it). */
export async function tellStory(rig: DemoRig, n: Narrator, signal?: AbortSignal): Promise<void> {
  const scene: Scene = { rig, n, sent: [], txs: [], signal }
  for (const side of [rig.a, rig.b]) side.gateway.on('sent', (e) => scene.sent.push({ ...e, by: side.station.id, at: Date.now() }))
  await setUp(scene)
  await blocksAndTransaction(scene)
  await cutVara(scene)
  await restoreVara(scene)
  await allAcknowledged(scene)
}

async function setUp({ rig, n, signal }: Scene): Promise<void> {
  const { a, b, links } = rig
  n.chapter('1. Two Bunkercoin nodes, two gateways, three simulated radio links')
  n.say(`node A and node B are simulated Bunkercoin nodes (P2P on 127.0.0.1:${a.node.p2pPort} and :${b.node.p2pPort}); each knows only its own gateway`)
  n.say(`VARA HF: two simulated VARA modems on one HF channel, running ${RADIO_TIME_SCALE}× faster than real time`)
  const via = links.tncVia === 'serial' ? 'through real serial ports (socat pty pairs)' : 'over KISS TCP (socat is not installed, so no serial ptys)'
  n.say(`packet radio: AX.25 at 1200 bit/s through two simulated KISS TNCs, reached ${via}, ${RADIO_TIME_SCALE}× faster`)
  n.say(`JS8Call: two simulated JS8Calls at Turbo speed (a 6 s frame carries 9 bytes), ${JS8_TIME_SCALE}× faster`)
  for (const side of [a, b]) n.say(`gateway ${side.station.id} is running with its node and all three links; status page ${side.gateway.statusUrl ?? '(off)'}`)
  n.detail(`the gateways prefer VARA HF, then packet radio, then JS8Call; after a failover they wait ${rig.dwellMs / 1000} s of good VARA before going back`)
  n.detail(`${a.station.id} has ${b.station.id}'s callsigns in its config and greets it; ${b.station.id} learns of ${a.station.id} from what it hears`)
  await waitFor('both gateways connected to their nodes, with every link up', () => [a, b].every(ready), STEP_TIMEOUT_MS, signal)
  const linkCount = Object.keys(links.a).length
  await waitFor('the gateways hearing each other on every link', () => heardOn(a) === linkCount && heardOn(b) === linkCount, STEP_TIMEOUT_MS, signal)
  n.say('each gateway has now heard the other on all three links (the hello on VARA HF, the beacons on packet radio and JS8Call)')
}

function ready(side: DemoSide): boolean {
  const s = side.gateway.status()
  return s.node?.connected === true && s.links.every((l) => l.state === 'up')
}

/** On how many links `side` has heard its peer. */
function heardOn(side: DemoSide): number {
  return Math.max(0, ...side.gateway.status().peers.map((p) => Object.keys(p.heard).length))
}

async function blocksAndTransaction(scene: Scene): Promise<void> {
  const { rig, n } = scene
  n.chapter(`2. Node A mines ${FIRST_BLOCKS} blocks and sends a transaction; node B gets them over the air`)
  for (let i = 0; i < FIRST_BLOCKS; i++) await mineAndCarry(scene)
  await sendAndCarry(scene)
  await mineAndCarry(scene)
  const asked = scene.sent.some((e) => e.by === rig.b.station.id && e.type === 'getblocktxn')
  n.say(asked
    ? 'node B lacked transactions of that block and asked for them before it could rebuild it'
    : 'node B rebuilt that block from the compact block and the transaction already in its mempool: the transaction crossed the air once')
  const [tipA, tipB] = [rig.a.node.state.tip(), rig.b.node.state.tip()]
  if (tipA.hash !== tipB.hash) throw new DemoError('ERR_DEMO_WRONG', `node B's tip ${tipB.hash} is not node A's ${tipA.hash}`)
  n.say(`both nodes now have the same chain: height ${tipB.height}, tip ${shortHash(tipB.hash ?? '')}`)
}

/**
 * Mines a block at node A and waits until node B has it as its tip and gateway A's link has
 * reported it sent (so the next block is not taken for this one in the narration).
 */
async function mineAndCarry(scene: Scene): Promise<void> {
  const { rig, n, signal } = scene
  const { a, b } = rig
  const sentBefore = sendsOf(scene, BLOCK_TYPES).length
  const started = Date.now()
  const height = a.node.state.tip().height + 1
  const block = a.node.mine()
  const hash = toHex(blockHash(block.header))
  const name = `block ${height} (${shortHash(hash)})`
  const ndjsonBytes = ndjsonBlockBytes(block)
  n.cargo.block = { name, ndjsonBytes }
  const txs = block.transactions.length
  n.say(`node A mined ${name} with ${txs} transaction${txs === 1 ? '' : 's'} in ${Date.now() - started} ms (VDF of 10 000 Blake3 rounds); as NDJSON it is ${count(ndjsonBytes)} bytes`)
  await waitFor(`${name} reaching node B`, () => b.node.state.tip().hash === hash, STEP_TIMEOUT_MS, signal)
  n.say(`node B's chain tip is now ${name}`)
  await waitFor(`${a.station.id}'s link reporting ${name} sent`, () => sendsOf(scene, BLOCK_TYPES).length > sentBefore, STEP_TIMEOUT_MS, signal)
}

/**
 * Sends a transaction from node A's wallet and waits until node B has it and gateway A's link has
 * reported it sent (on ARQ links that report comes once the far side has it all).
 */
async function sendAndCarry(scene: Scene, label = ''): Promise<void> {
  const { rig, n, txs, signal } = scene
  const { a, b } = rig
  const sentBefore = sendsOf(scene, TX_TYPES).length
  const tx = a.node.send(BOB, 1_000n)
  const hash = toHex(txHash(tx))
  const name = `transaction ${shortHash(hash)}`
  const ndjsonBytes = ndjsonTxBytes(tx)
  n.cargo.tx = { name, ndjsonBytes }
  txs.push(hash)
  n.say(`node A's wallet signs ${name}${label}: 1 000 units to Bob; as NDJSON it is ${count(ndjsonBytes)} bytes`)
  await waitFor(`${name} reaching node B`, () => b.node.state.hasTransaction(hash), STEP_TIMEOUT_MS, signal)
  n.say(`node B has ${name} in its mempool`)
  await waitFor(`${a.station.id}'s link reporting ${name} sent`, () => sendsOf(scene, TX_TYPES).length > sentBefore, STEP_TIMEOUT_MS, signal)
}

/** The messages of `types` gateway A has sent. */
function sendsOf(scene: Scene, types: ReadonlySet<string>): Sent[] {
  return scene.sent.filter((e) => e.by === scene.rig.a.station.id && types.has(e.type))
}

/** Waits until gateway A holds an acknowledgement for everything it sent, then checks every transaction reached node B once. */
async function allAcknowledged({ rig, n, txs, signal }: Scene): Promise<void> {
  const { a, b } = rig
  const peer = b.station.id
  await waitFor(`${peer}'s acknowledgements of everything ${a.station.id} sent`, () => {
    const c = a.gateway.store.queue.count(peer)
    return c.queued === 0 && c.sent === 0
  }, STEP_TIMEOUT_MS, signal)
  n.say(`${a.station.id} holds an acknowledgement from ${peer} for everything it sent: nothing is left to resend`)
  const counts = txs.map((h) => b.node.arrivals.get(`tx:${h}`) ?? 0)
  if (counts.some((c) => c !== 1)) throw new DemoError('ERR_DEMO_WRONG', `node B got the transactions ${counts.join(', ')} times, not once each`)
  n.say(`node B got each of the ${txs.length} transactions exactly once, whichever link carried it`)
}

/** The last message gateway A sent carrying a transaction. */
function lastTxSent(scene: Scene): Sent | undefined {
  return sendsOf(scene, TX_TYPES).at(-1)
}

async function cutVara(scene: Scene): Promise<void> {
  const { rig, n, signal } = scene
  const vara = rig.a.gateway.transports.get('vara')
  n.chapter(`3. ${rig.a.station.id}'s VARA modem is switched off`)
  await rig.links.cutVara()
  n.say(`${rig.a.station.id}'s VARA modem is off: its command and data ports close, as when the modem program is quit`)
  await waitFor(`${rig.a.station.id} noticing VARA is down`, () => vara?.state !== 'up', STEP_TIMEOUT_MS, signal)
  await sendAndCarry(scene, ' while VARA is down')
  const used = lastTxSent(scene)?.link
  if (used === 'vara' || used === undefined) throw new DemoError('ERR_DEMO_WRONG', `the transaction went on ${used ?? 'no link'} while VARA was down`)
  n.say(`it went on ${linkWords(used)} instead, without anyone having to tell the gateway`)
}

async function restoreVara(scene: Scene): Promise<void> {
  const { rig, n, signal } = scene
  const { a, b } = rig
  const vara = a.gateway.transports.get('vara')
  n.chapter('4. The VARA modem is switched on again')
  const backAt = Date.now()
  await rig.links.restoreVara()
  n.say(`${a.station.id}'s VARA modem is on again, on the same ports`)
  await waitFor(`${a.station.id} reconnecting to its VARA modem`, () => vara?.state === 'up', STEP_TIMEOUT_MS, signal)
  // A link that failed for a peer counts again only once the peer is heard on it.
  await waitFor(`${a.station.id} hearing ${b.station.id} on VARA again`, () => heardAt(a, b.station.id, 'vara') > backAt, STEP_TIMEOUT_MS, signal)
  n.say(`${a.station.id} hears ${b.station.id} on VARA HF again`)
  await sendAndCarry(scene, ' at once')
  const early = lastTxSent(scene)
  if (early?.link !== 'vara') n.say(`it still went on ${linkWords(early?.link ?? '?')}: VARA has to stay good for ${rig.dwellMs / 1000} s first`)
  const until = (early?.at ?? Date.now()) + rig.dwellMs + DWELL_MARGIN_MS
  n.say(`waiting ${(Math.max(0, until - Date.now()) / 1000).toFixed(1)} s for the dwell time to pass`)
  await waitFor('the dwell time', () => Date.now() >= until, rig.dwellMs + STEP_TIMEOUT_MS, signal)
  await sendAndCarry(scene, ' after the dwell time')
  const late = lastTxSent(scene)
  if (late?.link !== 'vara') throw new DemoError('ERR_DEMO_WRONG', `after the dwell time the transaction went on ${late?.link ?? 'no link'}, not VARA`)
  n.say(`traffic is back on VARA HF, ${((late.at - backAt) / 1000).toFixed(1)} s after the modem was switched on`)
}

/** When `side` last heard `peer` on `link`, ms since the epoch (0: never). */
function heardAt(side: DemoSide, peer: string, link: string): number {
  return side.gateway.status().peers.find((p) => p.name === peer)?.heard[link] ?? 0
}
