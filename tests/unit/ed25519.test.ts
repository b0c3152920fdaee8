import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { publicKeyFromSecret, sign, verify } from '../../codecs/ed25519.js'
import { fromHex, toHex, vectors } from '../helpers/vectors.js'

/** The Ed25519 group order L. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n

/** The signature with S replaced by S + L (same scalar mod L, non-canonical encoding). */
function addOrderToS(signature: Uint8Array): Uint8Array {
  const s = BigInt('0x' + toHex(signature.slice(32).reverse())) + L
  const sBytes = fromHex(s.toString(16).padStart(64, '0')).reverse()
  return Uint8Array.from([...signature.slice(0, 32), ...sBytes])
}

const cases = vectors.transactions.map((t) => ({
  name: t.name,
  secret: fromHex(t.secret_key),
  publicKey: fromHex(t.sender),
  message: fromHex(t.data_to_sign),
  signature: fromHex(t.signature),
}))
const first = cases[0]!

describe('Ed25519 against the golden vectors', () => {
  it.each(cases)('$name: derives the sender key, signs deterministically and verifies', (c) => {
    expect(toHex(publicKeyFromSecret(c.secret))).toBe(toHex(c.publicKey))
    expect(toHex(sign(c.secret, c.message))).toBe(toHex(c.signature))
    expect(verify(c.publicKey, c.message, c.signature)).toBe(true)
  })

  it('matches the fact sheet key for the 32 x 0x01 secret', () => {
    const pk = toHex(publicKeyFromSecret(new Uint8Array(32).fill(1)))
    expect(pk.startsWith('8a88e3dd')).toBe(true)
    expect(pk.endsWith('6f5c')).toBe(true)
  })
})

describe('verify rejects, never throws', () => {
  it('rejects a flipped signature bit, a changed message and the wrong key', () => {
    const bad = Uint8Array.from(first.signature)
    bad[0]! ^= 1
    expect(verify(first.publicKey, first.message, bad)).toBe(false)
    const msg = Uint8Array.from(first.message)
    msg[64]! ^= 1 // amount
    expect(verify(first.publicKey, msg, first.signature)).toBe(false)
    expect(verify(cases[1]!.publicKey, first.message, first.signature)).toBe(false)
  })

  it('rejects the non-canonical S + L copy of a valid signature', () => {
    for (const c of cases) {
      const malleated = addOrderToS(c.signature)
      expect(malleated).toHaveLength(64)
      expect(verify(c.publicKey, c.message, malleated)).toBe(false)
    }
  })

  it('rejects wrong lengths, an undecodable key and non-byte inputs', () => {
    expect(verify(first.publicKey.subarray(0, 31), first.message, first.signature)).toBe(false)
    expect(verify(first.publicKey, first.message, first.signature.subarray(0, 63))).toBe(false)
    expect(verify(new Uint8Array([...first.publicKey, 0]), first.message, first.signature)).toBe(false)
    expect(verify(new Uint8Array(32).fill(0xff), first.message, first.signature)).toBe(false)
    const notBytes = 'x'.repeat(64) as unknown as Uint8Array
    expect(verify(notBytes, first.message, first.signature)).toBe(false)
    expect(verify(first.publicKey, notBytes, first.signature)).toBe(false)
    expect(verify(first.publicKey, first.message, null as unknown as Uint8Array)).toBe(false)
  })

  it('returns false for arbitrary keys, messages and signatures of any length', () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 64, maxLength: 64 }))
    fc.assert(
      fc.property(bytes, bytes, bytes, (pk, msg, sig) => {
        expect(verify(pk, msg, sig)).toBe(false)
      }),
      { seed: 42, numRuns: 300 },
    )
  })
})

describe('secret keys', () => {
  it('refuses a secret key that is not 32 bytes with ERR_BYTE_LENGTH', () => {
    expect(() => publicKeyFromSecret(new Uint8Array(31))).toThrow(expect.objectContaining({ code: 'ERR_BYTE_LENGTH' }))
    expect(() => sign(new Uint8Array(33), first.message)).toThrow(expect.objectContaining({ code: 'ERR_BYTE_LENGTH' }))
  })

  it('signs any message so that verify accepts it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), (secret, msg) => {
        expect(verify(publicKeyFromSecret(secret), msg, sign(secret, msg))).toBe(true)
      }),
      { seed: 42, numRuns: 50 },
    )
  })
})
