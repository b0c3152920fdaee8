import { describe, expect, it } from 'vitest'
import { BlockHeaderSchema, RelayTransactionSchema, TransactionSchema, U64_MAX, U64Schema } from '../../codecs/model.js'

const tx = {
  sender: new Uint8Array(32),
  recipient: new Uint8Array(32),
  amount: 1n,
  nonce: 0n,
  signature: new Uint8Array(64),
}

describe('model schemas', () => {
  it('range-checks u64 as bigint', () => {
    expect(U64Schema.safeParse(U64_MAX).success).toBe(true)
    expect(U64Schema.safeParse(U64_MAX + 1n).success).toBe(false)
    expect(U64Schema.safeParse(-1n).success).toBe(false)
    expect(U64Schema.safeParse(1).success).toBe(false)
  })

  it('accepts any Vec<u8> length on the wire but not for relay', () => {
    const long = { ...tx, sender: new Uint8Array(33) }
    expect(TransactionSchema.safeParse(long).success).toBe(true)
    const r = RelayTransactionSchema.safeParse(long)
    expect(r.success).toBe(false)
    expect(r.error?.issues[0]?.path).toEqual(['sender'])
    expect(RelayTransactionSchema.safeParse({ ...tx, signature: new Uint8Array(63) }).success).toBe(false)
    expect(RelayTransactionSchema.safeParse(tx).success).toBe(true)
  })

  it('enforces 32-byte hashes in the header', () => {
    const header = {
      version: 1,
      prev_hash: new Uint8Array(32),
      merkle_root: new Uint8Array(32),
      timestamp: 1704067200n,
      vdf_output: new Uint8Array(32),
      difficulty: 10_000,
      nonce: 4156942186214894952n,
      tx_count: 0,
      signature: new Uint8Array(0),
    }
    expect(BlockHeaderSchema.safeParse(header).success).toBe(true)
    expect(BlockHeaderSchema.safeParse({ ...header, prev_hash: new Uint8Array(33) }).success).toBe(false)
    expect(BlockHeaderSchema.safeParse({ ...header, version: 2 ** 32 }).success).toBe(false)
  })
})
