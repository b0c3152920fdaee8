/**
 * What a message costs as the node's own P2P protocol: one NDJSON line (newline included), the
 * yardstick the demo measures the gateway's bytes against.
 *
 * @packageDocumentation
 */
import type { Block, P2PMessage, Transaction } from '../../codecs/model.js'
import { encodeP2PMessage } from '../../codecs/ndjson.js'

/** Bytes of `msg` as the node's NDJSON line, newline included. */
export function ndjsonBytes(msg: P2PMessage): number {
  return Buffer.byteLength(encodeP2PMessage(msg)) + 1
}

/** Bytes of the node's `NewTransaction` line for `transaction`. */
export function ndjsonTxBytes(transaction: Transaction): number {
  return ndjsonBytes({ type: 'NewTransaction', transaction })
}

/** Bytes of the node's `NewBlock` line for `block`. */
export function ndjsonBlockBytes(block: Block): number {
  return ndjsonBytes({ type: 'NewBlock', block })
}
