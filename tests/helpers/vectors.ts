/**
 * Loads the golden vectors made by an independent Rust implementation (serde_json, bincode, blake3,
 * ring). A copy lives in tests/vectors so a clean checkout tests against them; see its README.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** One signed transaction vector. */
export interface TxVector {
  name: string
  secret_key: string
  sender: string
  recipient: string
  amount: string
  nonce: string
  signature: string
  json: string
  bincode: string
  data_to_sign: string
  hash: string
  verify: boolean
}

/** One block of the valid 6-block chain. */
export interface BlockVector {
  height: number
  json: string
  header_bincode: string
  hash: string
  prev_hash: string
  merkle_root: string
  transactions_bincode: string
  vdf_output: string
  timestamp: string
  nonce: string
  difficulty: number
  tx_count: number
  tx_hashes: string[]
  predecessor: number | null
  validate_block: string
}

/** A mutated transaction or block with the documented validator's verdict. */
export interface InvalidVector {
  name: string
  kind: 'transaction' | 'block'
  base: string
  mutation: string
  predecessor: number | null
  json: string
  documented_validator: 'rejects' | 'accepts'
  result: string
  reason: string
}

/** The whole vector file. */
export interface Vectors {
  format: string
  seed: number
  transactions: TxVector[]
  blocks: BlockVector[]
  mempool: { hash: string; json: string }[]
  invalid: InvalidVector[]
  messages: {
    encode: { variant: string; content: string; line: string }[]
    decode: { name: string; line: string; accepted: boolean; detail: string }[]
  }
  sync: { json: string; height: number; latest_hash: string; empty_chain_json: string; note: string }
}

const file = fileURLToPath(new URL('../vectors/bunkercoin-vectors.json', import.meta.url))

/** The parsed vector file (plain JSON.parse is safe: every u64 in it is a decimal string). */
export const vectors: Vectors = JSON.parse(readFileSync(file, 'utf8')) as Vectors

/** Lowercase hex to bytes. */
export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

/** Bytes to lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}
