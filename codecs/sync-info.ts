/**
 * The body of the node's GET /sync: `SyncInfo { height: usize, latest_hash: String }` (fact sheet
 * §1.4), byte for byte as serde_json writes it: `{"height":6,"latest_hash":"0c3c…"}`.
 *
 * `height` is the block count (the node fetches /chain only when it is above 0). `latest_hash` is
 * the tip's Blake3 hash as 64 lowercase hex characters, the form `hex::encode` writes; for an
 * empty chain the docs say nothing and the reference implementation sends 64 zeros.
 *
 * Decoding follows serde's struct rules (fields in any order, unknown fields ignored, duplicates
 * and missing fields rejected) and then checks what a gateway relies on: the hash is 64 lowercase
 * hex characters, the height fits a JS number exactly (at most 2^53-1).
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { CodecError } from './errors.js'
import type { Result } from './result.js'
import { decodeJsonText } from './serde-reader.js'
import { defineStruct, readStruct } from './serde-struct.js'

/** A 32-byte hash as lowercase hex. */
const HASH_HEX = /^[0-9a-f]{64}$/

/** The GET /sync body. */
export const SyncInfoSchema = z.object({
  /** Number of blocks in the chain (a Rust `usize`). */
  height: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** Hash of the tip header, 64 lowercase hex characters (zeros for an empty chain). */
  latest_hash: z.string().regex(HASH_HEX, 'must be 64 lowercase hex characters'),
})
/** The GET /sync body. */
export type SyncInfo = z.infer<typeof SyncInfoSchema>

const SYNC_INFO = defineStruct<SyncInfo>('SyncInfo', {
  height: (r) => {
    const height = r.readU64('usize')
    if (height > BigInt(Number.MAX_SAFE_INTEGER)) r.fail('ERR_NUMBER_RANGE', `${height} is above 2^53-1, past what a JS number holds exactly`, r.pos)
    return Number(height)
  },
  latest_hash: (r) => {
    const hash = r.readString()
    if (!HASH_HEX.test(hash)) r.fail('ERR_INVALID_TYPE', 'expected 64 lowercase hex characters (a 32-byte hash)', r.pos)
    return hash
  },
})

/** Decodes a GET /sync body. Never throws. */
export function decodeSyncInfo(text: string | Uint8Array): Result<SyncInfo> {
  return decodeJsonText(text, (r) => readStruct(r, SYNC_INFO))
}

/**
 * Encodes a GET /sync body as serde_json does. Throws {@link CodecError} (`ERR_INVALID_TYPE`) if
 * `info` does not match {@link SyncInfoSchema}.
 */
export function encodeSyncInfo(info: SyncInfo): string {
  const checked = SyncInfoSchema.safeParse(info)
  if (!checked.success) throw new CodecError('ERR_INVALID_TYPE', `SyncInfo: ${z.prettifyError(checked.error)}`)
  // the hash is plain hex, so it needs no JSON escaping
  return `{"height":${checked.data.height},"latest_hash":"${checked.data.latest_hash}"}`
}
