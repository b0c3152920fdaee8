/**
 * Ed25519 (RFC 8032, plain, not prehashed) over raw 32-byte keys, with node:crypto only.
 *
 * node:crypto wants KeyObjects, so raw keys are wrapped in the fixed DER prefix of an Ed25519
 * SubjectPublicKeyInfo (RFC 8410) or PKCS#8 private key; the 32 key bytes follow the prefix.
 *
 * @packageDocumentation
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { CodecError } from './errors.js'
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './model.js'

/** Ed25519 secret key (RFC 8032 seed) length, bytes. */
export const SECRET_KEY_LENGTH = 32

/** DER of SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (33 bytes, 0 unused bits) }, key follows. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
/** DER of a PKCS#8 v1 PrivateKeyInfo for OID 1.3.101.112 with an OCTET STRING of 32 bytes, key follows. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/** The group order L = 2^252 + 27742317777372353535851937790883648493. */
const GROUP_ORDER = (1n << 252n) + 27742317777372353535851937790883648493n
/** Offset of the scalar S in a signature (R || S), bytes. */
const S_OFFSET = 32

function privateKeyObject(secret: Uint8Array): KeyObject {
  if (!(secret instanceof Uint8Array) || secret.length !== SECRET_KEY_LENGTH) {
    throw new CodecError('ERR_BYTE_LENGTH', `Ed25519 secret key must be ${SECRET_KEY_LENGTH} bytes`)
  }
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secret]), format: 'der', type: 'pkcs8' })
}

/**
 * The public key of a 32-byte secret key (what the node's wallet re-derives from `secret_key_bytes`).
 *
 * @throws CodecError `ERR_BYTE_LENGTH` if `secret` is not 32 bytes
 */
export function publicKeyFromSecret(secret: Uint8Array): Uint8Array<ArrayBuffer> {
  const spki = createPublicKey(privateKeyObject(secret)).export({ format: 'der', type: 'spki' })
  return Uint8Array.from(spki.subarray(SPKI_PREFIX.length))
}

/**
 * Signs `message` with a 32-byte secret key; Ed25519 is deterministic, so the same inputs always give
 * the same 64-byte signature.
 *
 * @throws CodecError `ERR_BYTE_LENGTH` if `secret` is not 32 bytes
 */
export function sign(secret: Uint8Array, message: Uint8Array): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(cryptoSign(null, message, privateKeyObject(secret)))
}

/** True when the scalar S of `signature` is canonical (S < L), as RFC 8032 §5.1.7 requires. */
function hasCanonicalScalar(signature: Uint8Array): boolean {
  let s = 0n
  for (let i = SIGNATURE_LENGTH - 1; i >= S_OFFSET; i--) s = (s << 8n) | BigInt(signature[i] ?? 0)
  return s < GROUP_ORDER
}

/**
 * Verifies an Ed25519 signature. Returns false, never throws, for a key that is not 32 bytes or not a
 * curve point, a signature that is not 64 bytes, a non-canonical S (S >= L, a malleated copy of a valid
 * signature) or any input that is not a byte array.
 */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) return false
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false
  if (!(message instanceof Uint8Array)) return false
  // OpenSSL 3 already rejects S >= L; checking here keeps that rule whatever crypto library Node links
  if (!hasCanonicalScalar(signature)) return false
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
    return cryptoVerify(null, message, key, signature)
  } catch {
    return false // a key OpenSSL cannot decode: not a valid signature either way
  }
}
