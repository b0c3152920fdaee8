/**
 * Short transaction ids of compact blocks: the first 6 bytes of `blake3(txHash, { key })` with
 * `key = blake3(blockHash || salt)`, read as a 48-bit big-endian number (exact in a JS number).
 *
 * Why keyed Blake3 and not BIP152's SipHash-2-4: Blake3 is already how every Bunkercoin hash is made
 * (one primitive, one audited library, no SipHash to write), and keyed Blake3 is a PRF, so its first
 * 48 bits collide like any 48-bit random value, which is all BIP152 asks of SipHash. Speed does not
 * matter at our sizes (tens of transactions per block, not thousands). The chance that one of a
 * block's n ids matches another of the receiver's m mempool transactions is about n·m / 2^48: BIP152
 * quotes 1 in 281 474 blocks for n = 10 000 and m = 100 000; for our n = 30 and m = 1 000 it is 1 in
 * 9.4 billion. A collision never yields a wrong block: the merkle root check after reconstruction
 * catches it and the receiver asks for the full block.
 *
 * The salt is 8 random bytes per send (the caller draws them), not derived from the block: a derived
 * key would be the same on every hop and every retry, so one unlucky (or crafted) collision would
 * fail every reconstruction of that block network-wide; a fresh salt makes each attempt independent.
 *
 * @packageDocumentation
 */
import { blake3 } from '@noble/hashes/blake3.js'
import { concatBytes } from '@noble/hashes/utils.js'
import { blockHash } from '../../codecs/hashes.js'
import type { BlockHeader } from '../../codecs/model.js'
import { SHORT_ID_BYTES } from '../../codecs/wire-compact.js'

/** The 32-byte key of a compact block's short ids: `blake3(blockHash(header) || salt)`. */
export function shortIdKey(header: BlockHeader, salt: Uint8Array): Uint8Array {
  return blake3(concatBytes(blockHash(header), salt))
}

/** The short id of a transaction (by its Bunkercoin hash) under `key`, a number below 2^48. */
export function shortId(key: Uint8Array, txHash: Uint8Array): number {
  const digest = blake3(txHash, { key, dkLen: SHORT_ID_BYTES })
  return digest.reduce((v, byte) => v * 256 + byte, 0)
}
