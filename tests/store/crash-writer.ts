/**
 * Child process for crash.test.ts: writes to a store in a loop and prints a line after each commit,
 * until the test SIGKILLs it. Run as `node --import tsx crash-writer.ts <file> enqueue|deliver`.
 *
 * - `enqueue`: each commit queues one key for three peers (one transaction); every 40 commits a block
 *   is mined into a persisted ChainState. Prints `committed <key>` and `block <height> <hash>`.
 * - `deliver`: requeues anything sent but unacked (as a restarted gateway does), then delivers the
 *   `node` queue one entry at a time: mark sent, hand over, ack + record delivered in one
 *   transaction. Prints `delivered <key>` after each commit and `drained` at the end.
 *
 * Pipes are synchronous on Linux, so a printed line means its commit returned.
 */
import { blake3 } from '@noble/hashes/blake3.js'
import { toHex } from '../../codecs/hex.js'
import { buildNextBlock } from '../../codecs/producer.js'
import { ChainState } from '../../gateway/node-link/chain-state.js'
import { GatewayStore } from '../../gateway/store/store.js'
import { CRASH_PEERS } from './fixtures.js'

/** A safety net so a child orphaned by a dying test stops by itself, ms. */
const MAX_RUN_MS = 20_000
const MAX_COMMITS = 200_000
const BLOCK_EVERY = 40 // commits

function say(line: string): void {
  process.stdout.write(`${line}\n`)
}

function enqueueForever(store: GatewayStore, deadline: number): void {
  const chain = new ChainState({ persistence: store.chain })
  for (let i = 0; i < MAX_COMMITS && Date.now() < deadline; i++) {
    const key = `tx:${toHex(blake3(new TextEncoder().encode(`item ${i}`)))}`
    const payload = blake3(new TextEncoder().encode(key), { dkLen: 200 })
    store.transaction(() => {
      for (const peer of CRASH_PEERS) store.queue.enqueue({ peer, key, class: 'tx', payload })
    })
    say(`committed ${key}`)
    if (i % BLOCK_EVERY === 0) {
      const outcome = chain.addBlock(buildNextBlock(chain.tipBlock(), [], { timestamp: 1_704_067_200n + 30n * BigInt(chain.tip().height) }))
      if (outcome.status === 'added') say(`block ${chain.tip().height - 1} ${outcome.hash}`)
    }
  }
}

function deliverAll(store: GatewayStore, deadline: number): void {
  store.queue.requeueExpired(0, 'node')
  while (Date.now() < deadline) {
    const [entry] = store.queue.next('node', { limit: 1 })
    if (entry === undefined) break
    const hash = entry.key.slice('tx:'.length)
    store.queue.markSent('node', [entry.key])
    // a real gateway writes the message to the node here
    if (store.ackDelivered('node', entry.key, hash)) say(`delivered ${entry.key}`)
  }
  say('drained')
}

const [file, mode] = process.argv.slice(2)
if (file === undefined || (mode !== 'enqueue' && mode !== 'deliver')) {
  process.stderr.write('usage: crash-writer.ts <file> enqueue|deliver\n')
  process.exit(2)
}
const store = GatewayStore.open(file)
const deadline = Date.now() + MAX_RUN_MS
if (mode === 'enqueue') enqueueForever(store, deadline)
else deliverAll(store, deadline)
store.close()
