/**
 * A headers-first sync from scratch as the actual message sequence (docs/PROTOCOL.md §8.15), every
 * message through the envelope codec both ways with compression `auto`: `getheaders`, `headers`
 * (linked, §8.9) with the first `pushBytes` of bodies pushed behind it, one `getbodies` per later run
 * of about `batchBytes` (as `planBodies` cuts them), the `bodies` answers (§8.12) and an `ack` of each
 * run's last block (§8.10). Counts envelope bytes per message type; used by the bytes-on-air
 * benchmark and tests/protocol/sync-size.test.ts.
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
import { answerGetHeadersPushing, chainViewOf, checkHeaderChain, planBodies, planSync } from '../gateway/protocol/sync.js'
import { SYNC_DEFAULTS } from '../gateway/exchange/sync-session.js'

/** Payload bytes per `getbodies` run before compression: the gateway's default, as in PROTOCOL.md §9.1. */
export const SYNC_BATCH_BYTES = SYNC_DEFAULTS.batchBytes

/** Options of {@link syncFromScratch}. */
export interface SyncExchangeOptions {
  /** Payload bytes per `getbodies` run; default {@link SYNC_BATCH_BYTES}. */
  batchBytes?: number
  /** Payload bytes the responder pushes behind `headers`; default the gateway's (`SYNC_DEFAULTS.pushBytes`). */
  pushBytes?: number
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
  const [answer, pushed] = answerGetHeadersPushing(server, send(request), o.pushBytes ?? SYNC_DEFAULTS.pushBytes)
  const headers = must(expandHeaders(send(answer).headers, vdfOf))
  if (headers.length < chain.length) throw new RangeError(`one getheaders carries ${headers.length} of ${chain.length} headers; sync fewer blocks`)
  const { hashes } = must(checkHeaderChain(chainViewOf([]), headers))
  let received: Block[] = []
  const take = (count: number, bodies: WireMessage): void => {
    if (bodies.type !== 'bodies') throw new Error(`bodies for block ${received.length + count} were answered with ${bodies.type}`)
    const run = headers.slice(received.length, received.length + count)
    received = [...received, ...must(unpackBodies(bodies, run, must(chainContext(chainViewOf(received), received.length))))]
    if (o.acks ?? true) send({ type: 'ack', tx: [], block: [bodies.last] })
  }
  if (pushed !== undefined) take(answer.pushed ?? 0, send(pushed))
  for (const batch of planBodies(headers.slice(received.length), hashes.slice(received.length), o.batchBytes ?? SYNC_BATCH_BYTES)) {
    take(batch.count, send(answerGetBodies(server, send(batch))))
  }
  const totalBytes = Object.values(bytes).reduce((a, b) => a + b, 0)
  return { bytes, messages, totalBytes, received }
}
