import { deflateRawSync } from 'node:zlib'
import { Encoder } from 'cbor-x'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeHeaderBincode, decodeTransactionBincode, decodeTransactionsBincode } from '../../codecs/bincode.js'
import { CURRENT_DICTIONARY_ID, deflateWithDictionary } from '../../codecs/compress.js'
import { decodeEnvelope, encodeEnvelope, WireMessageSchema } from '../../codecs/envelope.js'
import type { WireMessage } from '../../codecs/envelope.js'
import { isCodecError } from '../../codecs/errors.js'
import type { CodecErrorCode } from '../../codecs/errors.js'
import { U32_MAX, U64_MAX } from '../../codecs/model.js'
import type { Block, BlockHeader, Transaction } from '../../codecs/model.js'
import type { Result } from '../../codecs/result.js'
import { unwrap } from '../../codecs/result.js'
import { encodeWireBody, RESERVED_MESSAGE_TYPES, WIRE_MESSAGE_TYPES } from '../../codecs/wire-model.js'
import { fromHex, toHex, vectors } from '../helpers/vectors.js'

// ---- model objects from the vectors, each checked against the vector's own hex/decimal fields ----

function vectorTx(i: number): Transaction {
  const v = vectors.transactions[i]
  if (!v) throw new Error(`no tx vector ${i}`)
  const tx = unwrap(decodeTransactionBincode(fromHex(v.bincode)))
  expect([toHex(tx.sender), toHex(tx.recipient), String(tx.amount), String(tx.nonce), toHex(tx.signature)]).toEqual([
    v.sender,
    v.recipient,
    v.amount,
    v.nonce,
    v.signature,
  ])
  return tx
}

const chain: Block[] = vectors.blocks.map((v) => {
  const header = unwrap(decodeHeaderBincode(fromHex(v.header_bincode)))
  expect([toHex(header.prev_hash), String(header.nonce), String(header.timestamp), header.tx_count]).toEqual([
    v.prev_hash,
    v.nonce,
    v.timestamp,
    v.tx_count,
  ])
  return { header, transactions: unwrap(decodeTransactionsBincode(fromHex(v.transactions_bincode))) }
})

const txMessage = (transaction: Transaction): WireMessage => ({ type: 'tx', transaction })
const blockMessage = (block: Block): WireMessage => ({ type: 'block', block })

const V1_PLAIN = 0x10 // version 1, not compressed
const V1_DICT1 = 0x19 // version 1, compressed, dictionary 1

function expectError<T>(r: Result<T>, code: CodecErrorCode, message?: RegExp): void {
  expect(r.ok).toBe(false)
  if (r.ok) return
  expect(isCodecError(r.error, code), `${r.error.code}: ${r.error.message}`).toBe(true)
  if (message) expect(r.error.message).toMatch(message)
}

function roundTrip(msg: WireMessage, compress: 'auto' | 'never' = 'auto'): WireMessage {
  const decoded = decodeEnvelope(encodeEnvelope(msg, { compress }))
  expect(decoded.ok).toBe(true)
  return unwrap(decoded)
}

function envelope(header: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length)
  out[0] = header
  out.set(body, 1)
  return out
}

/** Raw CBOR encoder for hand-made bodies (records off, plain byte strings). */
const rawCbor = new Encoder({ useRecords: false, tagUint8Array: false })
const cbor = (value: unknown): Uint8Array => new Uint8Array(rawCbor.encode(value))

describe('envelope round trips', () => {
  it('round-trips every vector transaction exactly, including u64 = 2^64-1 and nonces above 2^53', () => {
    vectors.transactions.forEach((_, i) => {
      const tx = vectorTx(i)
      for (const mode of ['auto', 'never'] as const) expect(roundTrip(txMessage(tx), mode)).toEqual(txMessage(tx))
    })
    const big = vectors.transactions.filter((v) => BigInt(v.nonce) > 2n ** 53n || BigInt(v.amount) === U64_MAX)
    expect(big.length).toBeGreaterThanOrEqual(4)
  })

  it('round-trips every vector block, the whole chain and the mempool', () => {
    for (const block of chain) expect(roundTrip(blockMessage(block))).toEqual(blockMessage(block))
    expect(roundTrip({ type: 'blocks', blocks: chain })).toEqual({ type: 'blocks', blocks: chain })
    expect(roundTrip({ type: 'blocks', blocks: [] })).toEqual({ type: 'blocks', blocks: [] })
  })

  it('round-trips arbitrary messages (property)', () => {
    const bytes = fc.uint8Array({ maxLength: 70 }).map((b) => new Uint8Array(b))
    const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => new Uint8Array(b))
    const u64 = fc.oneof(fc.bigInt({ min: 0n, max: U64_MAX }), fc.constantFrom(0n, 23n, 24n, 255n, 256n, 2n ** 32n - 1n, 2n ** 32n, U64_MAX))
    const u32 = fc.oneof(fc.integer({ min: 0, max: U32_MAX }), fc.constantFrom(0, 1, 10_000, U32_MAX))
    const tx: fc.Arbitrary<Transaction> = fc.record({ sender: bytes, recipient: bytes, amount: u64, nonce: u64, signature: bytes })
    const header: fc.Arbitrary<BlockHeader> = fc.record({
      version: u32,
      prev_hash: hash,
      merkle_root: hash,
      timestamp: u64,
      vdf_output: hash,
      difficulty: u32,
      nonce: u64,
      tx_count: u32,
      signature: bytes,
    })
    const block = fc.record({ header, transactions: fc.array(tx, { maxLength: 4 }) })
    const msg: fc.Arbitrary<WireMessage> = fc.oneof(
      tx.map(txMessage),
      block.map(blockMessage),
      fc.array(block, { maxLength: 3 }).map((blocks): WireMessage => ({ type: 'blocks', blocks })),
    )
    fc.assert(
      fc.property(msg, (m) => {
        expect(roundTrip(m)).toEqual(m)
      }),
      { seed: 42, numRuns: 200 },
    )
  })

  it('returns byte fields as copies that do not alias the input', () => {
    const bytes = encodeEnvelope(txMessage(vectorTx(0)), { compress: 'never' })
    const decoded = unwrap(decodeEnvelope(bytes))
    bytes.fill(0)
    expect(decoded).toEqual(txMessage(vectorTx(0)))
  })
})

describe('wire layout', () => {
  it('encodes a transaction as the documented array (worked example of docs/PROTOCOL.md)', () => {
    const v = vectors.transactions.find((t) => t.name === 'random small amount and nonce')
    expect(v).toBeDefined()
    if (!v) return
    const tx = vectorTx(vectors.transactions.indexOf(v))
    const expected = ['10', '86', '01', `5820${v.sender}`, `5820${v.recipient}`, '1a3624b8c3', '190377', `5840${v.signature}`]
    expect(v.amount).toBe(String(0x3624b8c3))
    expect(v.nonce).toBe(String(0x0377))
    expect(toHex(encodeEnvelope(txMessage(tx), { compress: 'never' }))).toBe(expected.join(''))
  })

  it('encodes a header as the documented 9-element array', () => {
    const body = toHex(encodeWireBody(blockMessage(chain[0] as Block)))
    const v = vectors.blocks[0]
    expect(v).toBeDefined()
    const h = chain[0]?.header as BlockHeader
    const expected = [
      '8302', // [2, header, txs]
      '8901', // 9 fields, version 1
      `5820${toHex(h.prev_hash)}`,
      `5820${toHex(h.merkle_root)}`,
      '1a65920080', // timestamp 1704067200
      `5820${toHex(h.vdf_output)}`,
      '192710', // difficulty 10000
      `1b${h.nonce.toString(16).padStart(16, '0')}`,
      '00', // tx_count
      '40', // empty signature
      '80', // no transactions
    ]
    expect(body).toBe(expected.join(''))
  })

  it('writes u64 values as the shortest CBOR integer', () => {
    const cases: [bigint, string][] = [
      [0n, '00'],
      [23n, '17'],
      [24n, '1818'],
      [256n, '190100'],
      [2n ** 32n - 1n, '1affffffff'],
      [2n ** 32n, '1b0000000100000000'],
      [U64_MAX, '1bffffffffffffffff'],
    ]
    const base = vectorTx(0)
    for (const [amount, hex] of cases) {
      const body = toHex(encodeWireBody(txMessage({ ...base, amount })))
      expect(body).toBe(`8601${'5820' + toHex(base.sender)}${'5820' + toHex(base.recipient)}${hex}00${'5840' + toHex(base.signature)}`)
    }
  })

  it('numbers the message types and reserves the gateway protocol ones without overlap', () => {
    const codes = [...Object.values(WIRE_MESSAGE_TYPES), ...Object.values(RESERVED_MESSAGE_TYPES)]
    expect(new Set(codes).size).toBe(codes.length)
    expect(codes.every((c) => c > 0 && c < 24)).toBe(true) // one CBOR byte each
  })
})

describe('compression', () => {
  const samples: WireMessage[] = [
    ...vectors.transactions.map((_, i) => txMessage(vectorTx(i))),
    ...chain.map(blockMessage),
    { type: 'blocks', blocks: chain },
  ]

  it('sets the compression flag only when the frame gets smaller', () => {
    let compressed = 0
    for (const msg of samples) {
      const auto = encodeEnvelope(msg)
      const plain = encodeEnvelope(msg, { compress: 'never' })
      expect(plain[0]).toBe(V1_PLAIN)
      const deflated = deflateWithDictionary(plain.subarray(1), CURRENT_DICTIONARY_ID)
      if (deflated.length < plain.length - 1) {
        expect(auto[0]).toBe(V1_DICT1)
        expect(auto.length).toBe(deflated.length + 1)
        compressed++
      } else {
        expect(auto).toEqual(plain)
      }
    }
    expect(compressed).toBeGreaterThan(0) // the chain compresses; a lone transaction does not
    expect(encodeEnvelope(txMessage(vectorTx(0)))[0]).toBe(V1_PLAIN)
    expect(encodeEnvelope({ type: 'blocks', blocks: chain })[0]).toBe(V1_DICT1)
  })

  it('decodes plain raw deflate (dictionary 0) too', () => {
    const body = encodeWireBody(blockMessage(chain[3] as Block))
    const bytes = envelope(0x18, deflateRawSync(body))
    expect(unwrap(decodeEnvelope(bytes))).toEqual(blockMessage(chain[3] as Block))
  })

  it('refuses a decompression bomb and honours maxDecompressedBytes', () => {
    const bomb = envelope(V1_DICT1, deflateWithDictionary(new Uint8Array(50 * 1024 * 1024), CURRENT_DICTIONARY_ID))
    expect(bomb.length).toBeLessThan(60_000)
    expectError(decodeEnvelope(bomb), 'ERR_DECOMPRESS', /exceeds 1048576 bytes/)
    const chainMsg: WireMessage = { type: 'blocks', blocks: chain }
    const bytes = encodeEnvelope(chainMsg)
    const bodyLength = encodeWireBody(chainMsg).length
    expectError(decodeEnvelope(bytes, { maxDecompressedBytes: bodyLength - 1 }), 'ERR_DECOMPRESS')
    expect(unwrap(decodeEnvelope(bytes, { maxDecompressedBytes: bodyLength }))).toEqual(chainMsg)
  })

  it('refuses bad deflate data, unknown dictionaries and bytes after the deflate stream', () => {
    const packed = encodeEnvelope({ type: 'blocks', blocks: chain })
    expectError(decodeEnvelope(packed.subarray(0, packed.length - 10)), 'ERR_DECOMPRESS')
    expectError(decodeEnvelope(Uint8Array.of(...packed, 0)), 'ERR_DECOMPRESS', /after the end/)
    expectError(decodeEnvelope(Uint8Array.of(0x1d, ...packed.subarray(1))), 'ERR_DECOMPRESS', /dictionary 5/)
    expectError(decodeEnvelope(Uint8Array.of(0x18, ...packed.subarray(1))), 'ERR_DECOMPRESS') // wrong dictionary
  })
})

describe('decoding untrusted input', () => {
  const good = encodeEnvelope(txMessage(vectorTx(10)), { compress: 'never' })
  const body = good.subarray(1)

  it('rejects unknown versions and reserved header bits', () => {
    for (const header of [0x00, 0x20, 0x29, 0xf0, 0xff]) {
      expectError(decodeEnvelope(envelope(header, body)), 'ERR_ENVELOPE_VERSION', new RegExp(`version ${header >> 4}`))
    }
    expectError(decodeEnvelope(envelope(0x11, body)), 'ERR_ENVELOPE', /dictionary bits/)
    expectError(decodeEnvelope(new Uint8Array(0)), 'ERR_TRUNCATED')
    expectError(decodeEnvelope(Uint8Array.of(V1_PLAIN)), 'ERR_ENVELOPE', /CBOR/)
  })

  it('names the failing field by its body path', () => {
    const tx = vectorTx(0)
    const txArray = [tx.sender, tx.recipient, 5, 0, tx.signature]
    expectError(decodeEnvelope(envelope(V1_PLAIN, cbor([1, tx.sender, tx.recipient, -1, 0, tx.signature]))), 'ERR_ENVELOPE', /^body\[3\]/)
    expectError(decodeEnvelope(envelope(V1_PLAIN, cbor([1, tx.sender, 'bob', 1, 0, tx.signature]))), 'ERR_ENVELOPE', /^body\[2\]/)
    expectError(decodeEnvelope(envelope(V1_PLAIN, cbor([1, tx.sender, tx.recipient, 1]))), 'ERR_ENVELOPE', /^body/)
    const header = [1, new Uint8Array(31), new Uint8Array(32), 1, new Uint8Array(32), 10_000, 7, 1, new Uint8Array(0)]
    expectError(decodeEnvelope(envelope(V1_PLAIN, cbor([2, header, [txArray]]))), 'ERR_ENVELOPE', /^body\[1\]\[1\]: must be exactly 32 bytes/)
    const okHeader = [1, new Uint8Array(32), ...header.slice(2)]
    expectError(decodeEnvelope(envelope(V1_PLAIN, cbor([3, [okHeader, [txArray, [1]]]]))), 'ERR_ENVELOPE', /^body\[1\]\[1\]\[1\]/)
    const fine = decodeEnvelope(envelope(V1_PLAIN, cbor([3, [okHeader, [txArray]]])))
    expect(unwrap(fine)).toMatchObject({ type: 'blocks' })
  })

  it('rejects unknown and reserved message types and bodies that are not typed arrays', () => {
    expectError(decodeEnvelope(envelope(V1_PLAIN, cbor([RESERVED_MESSAGE_TYPES.nack, []]))), 'ERR_ENVELOPE', /reserved for 'nack'/)
    expectError(decodeEnvelope(envelope(V1_PLAIN, cbor([99]))), 'ERR_ENVELOPE', /type 99 is unknown/)
    expectError(decodeEnvelope(envelope(V1_PLAIN, cbor([0]))), 'ERR_ENVELOPE', /type 0/)
    for (const value of [{ type: 'tx' }, 'tx', 1, [], ['tx']]) {
      expectError(decodeEnvelope(envelope(V1_PLAIN, cbor(value))), 'ERR_ENVELOPE', /^body\[0\]/)
    }
  })

  it('accepts only the deterministic encoding', () => {
    const hex = toHex(body)
    const nonce = '190377'
    const variants = [
      hex.replace(nonce, '1a00000377'), // nonce in 4 bytes instead of 2
      hex.replace(nonce, 'fb408bb80000000000'), // nonce as a float64
      hex.replace('5820', '590020'), // byte-string length in 2 bytes
      hex.replace('5820', 'd8405820'), // tag 64 (typed array) on the sender
      `9f${hex.slice(2)}ff`, // indefinite-length array
    ]
    for (const v of variants) expectError(decodeEnvelope(envelope(V1_PLAIN, fromHex(v))), 'ERR_ENVELOPE', /deterministic/)
    expectError(decodeEnvelope(Uint8Array.of(...good, 0)), 'ERR_ENVELOPE', /CBOR/)
  })

  it('keeps no cbor-x record state between messages', () => {
    const withRecords = new Encoder({ useRecords: true })
    const record = envelope(V1_PLAIN, new Uint8Array(withRecords.encode([{ a: 1 }, { a: 2 }])))
    expectError(decodeEnvelope(record), 'ERR_ENVELOPE')
    expect(unwrap(decodeEnvelope(good))).toEqual(txMessage(vectorTx(10)))
  })

  it('survives hostile shapes: deep nesting, huge length claims', () => {
    expectError(decodeEnvelope(envelope(V1_PLAIN, new Uint8Array(200_000).fill(0x81))), 'ERR_ENVELOPE')
    expectError(decodeEnvelope(fromHex('109bffffffffffffffff')), 'ERR_ENVELOPE')
    expectError(decodeEnvelope(fromHex('10830258')), 'ERR_ENVELOPE')
    expectError(decodeEnvelope(fromHex('105bffffffffffffffff')), 'ERR_ENVELOPE')
  })

  it('never throws on garbage and only ever returns schema-valid messages (property)', () => {
    const valid = [good, encodeEnvelope(blockMessage(chain[3] as Block)), encodeEnvelope({ type: 'blocks', blocks: chain.slice(0, 2) })]
    const mutated = fc
      .tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
      .map(([bytes, edits]) => {
        const copy = Uint8Array.from(bytes)
        for (const [at, value] of edits) copy[at % copy.length] = value
        return copy
      })
    const random = fc.tuple(fc.constantFrom(V1_PLAIN, V1_DICT1, 0x18), fc.uint8Array({ maxLength: 300 })).map(([h, b]) => Uint8Array.of(h, ...b))
    fc.assert(
      fc.property(fc.oneof(mutated, random, fc.uint8Array({ maxLength: 64 })), (bytes) => {
        const r = decodeEnvelope(bytes)
        if (r.ok) expect(WireMessageSchema.safeParse(r.value).success).toBe(true)
        else expect(isCodecError(r.error)).toBe(true)
      }),
      { seed: 42, numRuns: 1500 },
    )
  })

  it('refuses to encode a message that violates the schema', () => {
    const bad = { type: 'block', block: { ...(chain[0] as Block), header: { ...(chain[0] as Block).header, vdf_output: new Uint8Array(3) } } }
    expect(() => encodeEnvelope(bad as WireMessage)).toThrow(expect.objectContaining({ code: 'ERR_ENVELOPE' }))
    expect(() => encodeEnvelope({ type: 'tx', transaction: { ...vectorTx(0), amount: U64_MAX + 1n } })).toThrow(/message\.transaction\.amount/)
  })
})
