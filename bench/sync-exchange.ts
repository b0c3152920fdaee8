/**
 * A headers-first sync from scratch as the actual message sequence (docs/PROTOCOL.md §8.15), every
 * message through the envelope codec both ways with compression `auto`: `getheaders`, `headers`
 * (linked, §8.9), one `getbodies` per run of about `batchBytes` (as `planBodies` cuts them), the
 * `bodies` answers (§8.12) and an `ack` of each run's last block (§8.10). Counts envelope bytes per
 * message type; used by the bytes-on-air benchmark and tests/protocol/sync-size.test.ts.
 *
 * @packageDocumentation
 */
import { decodeEnvelope, encodeEnvelope } from '../codecs/envelope.js'
import type { WireMessage } from '../codecs/envelope.js'
import { toHex } from '../codecs/hex.js'
import type { Block } from '../codecs/model.js'
import { unwrap } from '../codecs/result.js'
import type { Result } from '../codecs/result.js'
import { answerGetBodies, chainContext, unpackBodies } from '../gateway/protocol/bodies.js'
import type { ProtocolFailure } from '../gateway/protocol/failure.js'
import { expandHeaders, type VdfOf } from '../gateway/protocol/header-links.js'
import { answerGetHeaders, chainViewOf, checkHeaderChain, planBodies, planSync } from '../gateway/protocol/sync.js'

/** Payload bytes per `getbodies` run before compression: the default of the size figures in PROTOCOL.md §9.1. */
export const SYNC_BATCH_BYTES = 16 * 1024 // bytes

/** Options of {@link syncFromScratch}. */
export interface SyncExchangeOptions {
  /** Payload bytes per `getbodies` run; default {@link SYNC_BATCH_BYTES}. */
  batchBytes?: number
  /** Whether the receiver acks each run (links without their own ARQ do, §8.10); default true. */
  acks?: boolean
  /** VDF used to rebuild linked headers; default: looked up in `chain` (see {@link syncFromScratch}). */
  vdfOf?: VdfOf
}

/** What a sync from scratch put on the air, and what the receiver ended with. */
export interface SyncExchange {
  /** Envelope bytes per message type, both directions. */
  bytes: Record<string, number>
  /** Messages per type. */
  messages: Record<string, number>
  /** Sum of `bytes`. */
  totalBytes: number
  /** The receiver's chain after the sync. */
  received: Block[]
}

/** The value of a protocol result; throws with the failure's reason otherwise (a bug: the input is our own chain). */
function must<T>(r: Result<T, ProtocolFailure>): T {
  if (!r.ok) throw new Error(`${r.error.reason}: ${r.error.message}`)
  return r.value
}

/**
 * Syncs `chain` (at most one `getheaders` worth: 200 blocks) from a gateway that has it to one that
 * has nothing and counts the envelope bytes.
 * Linked headers are rebuilt by default with `chain`'s own VDF outputs: computing one VDF per block
 * again changes no byte (the real VDF path is tested in tests/protocol/sync.test.ts).
 */
export function syncFromScratch(chain: readonly Block[], o: SyncExchangeOptions = {}): SyncExchange {
  const bytes: Record<string, number> = {}
  const messages: Record<string, number> = {}
  const send = <M extends WireMessage>(msg: M): M => {
    const envelope = encodeEnvelope(msg)
    bytes[msg.type] = (bytes[msg.type] ?? 0) + envelope.length
    messages[msg.type] = (messages[msg.type] ?? 0) + 1
    return unwrap(decodeEnvelope(envelope)) as M
  }
  const server = chainViewOf(chain)
  const vdfByPrev = new Map(chain.map((b) => [toHex(b.header.prev_hash), b.header.vdf_output]))
  const vdfOf = o.vdfOf ?? ((prev: Uint8Array) => vdfByPrev.get(toHex(prev)) ?? new Uint8Array(32))

  const request = planSync(chainViewOf([]), { height: chain.length, tip: server.hashAt(chain.length - 1) ?? new Uint8Array(32) })
  if (request === undefined) throw new RangeError('nothing to sync: the chain is empty')
  const headers = must(expandHeaders(send(answerGetHeaders(server, send(request))).headers, vdfOf))
  if (headers.length < chain.length) throw new RangeError(`one getheaders carries ${headers.length} of ${chain.length} headers; sync fewer blocks`)
  const { hashes } = must(checkHeaderChain(chainViewOf([]), headers))
  let received: Block[] = []
  for (const batch of planBodies(headers, hashes, o.batchBytes ?? SYNC_BATCH_BYTES)) {
    const answer = send(answerGetBodies(server, send(batch)))
    if (answer.type !== 'bodies') throw new Error(`getbodies for ${toHex(batch.last)} was answered with ${answer.type}`)
    const run = headers.slice(received.length, received.length + batch.count)
    received = [...received, ...must(unpackBodies(answer, run, must(chainContext(chainViewOf(received), received.length))))]
    if (o.acks ?? true) send({ type: 'ack', tx: [], block: [batch.last] })
  }
  const totalBytes = Object.values(bytes).reduce((a, b) => a + b, 0)
  return { bytes, messages, totalBytes, received }
}
