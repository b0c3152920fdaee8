import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CODEC_ERROR_CODES, CodecError } from '../../codecs/errors.js'
import { U32_MAX, U64_MAX, type Block, type P2PMessage, type Transaction } from '../../codecs/model.js'
import {
  decodeBlockJson,
  decodeChainJson,
  decodeP2PMessage,
  decodeTransactionJson,
  decodeTransactionsJson,
  encodeBlockJson,
  encodeChainJson,
  encodeP2PMessage,
  encodeTransactionJson,
  encodeTransactionsJson,
} from '../../codecs/ndjson.js'
import type { Result } from '../../codecs/result.js'
import { fromHex, vectors } from '../helpers/vectors.js'

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected success, got ${r.error.code}: ${r.error.message}`)
  return r.value
}

function failure<T>(r: Result<T>): CodecError {
  if (r.ok) throw new Error('expected a failure')
  return r.error
}

/** The code each rejected `messages.decode` vector must get. */
const REJECTION_CODES: Record<string, string> = {
  'unknown variant Hello': 'ERR_UNKNOWN_VARIANT',
  'variant name in lower case': 'ERR_UNKNOWN_VARIANT',
  'unit variant in object form with {}': 'ERR_INVALID_TYPE',
  'newtype variant as a bare string': 'ERR_INVALID_TYPE',
  'two variants in one object': 'ERR_INVALID_TYPE',
  'empty object': 'ERR_INVALID_TYPE',
  null: 'ERR_INVALID_TYPE',
  'empty line': 'ERR_EMPTY_LINE',
  'two messages on one line': 'ERR_TRAILING_CHARACTERS',
  'leading UTF-8 byte order mark': 'ERR_JSON_SYNTAX',
  'amount as a string where a number is expected': 'ERR_INVALID_TYPE',
  'amount = 2^64 (above u64)': 'ERR_NUMBER_RANGE',
  'amount = 1.5 (float for u64)': 'ERR_INVALID_TYPE',
  'amount = 1.0 (integral float for u64)': 'ERR_INVALID_TYPE',
  'amount = 1e3 (exponent form)': 'ERR_INVALID_TYPE',
  'amount = -1': 'ERR_NUMBER_RANGE',
  'amount = -0': 'ERR_INVALID_TYPE',
  'amount = 01 (leading zero)': 'ERR_JSON_SYNTAX',
  'amount = null': 'ERR_INVALID_TYPE',
  'missing field nonce in a transaction': 'ERR_MISSING_FIELD',
  'missing field signature in a block header': 'ERR_MISSING_FIELD',
  'extra key next to the variant': 'ERR_INVALID_TYPE',
  'duplicate field amount in a transaction': 'ERR_DUPLICATE_FIELD',
  'prev_hash with 33 elements': 'ERR_INVALID_LENGTH',
  'prev_hash with 31 elements': 'ERR_INVALID_LENGTH',
  'prev_hash as a hex string': 'ERR_INVALID_TYPE',
  'sender byte 256': 'ERR_NUMBER_RANGE',
  'sender = null': 'ERR_INVALID_TYPE',
  'header version = 2^32 (above u32)': 'ERR_NUMBER_RANGE',
}

describe('golden vectors: messages', () => {
  it('re-encodes every messages.encode line byte for byte', () => {
    expect(vectors.messages.encode).toHaveLength(6)
    for (const { variant, line } of vectors.messages.encode) {
      const msg = value(decodeP2PMessage(line))
      expect(msg.type).toBe(variant)
      expect(encodeP2PMessage(msg)).toBe(line)
    }
  })

  it('gives serde_json verdict on all 41 messages.decode lines, re-encoding accepted ones as serde does', () => {
    expect(vectors.messages.decode).toHaveLength(41)
    for (const { name, line, accepted, detail } of vectors.messages.decode) {
      const r = decodeP2PMessage(line)
      expect(r.ok, name).toBe(accepted)
      if (r.ok) expect(encodeP2PMessage(r.value), name).toBe(detail)
    }
  })

  it('rejects each bad line with the right code and serde_json error text (position included)', () => {
    const rejected = vectors.messages.decode.filter((d) => !d.accepted)
    expect(rejected.map((d) => d.name).sort()).toEqual(Object.keys(REJECTION_CODES).sort())
    for (const { name, line, detail } of rejected) {
      const error = failure(decodeP2PMessage(line))
      expect(error, name).toBeInstanceOf(CodecError)
      expect(error.code, name).toBe(REJECTION_CODES[name])
      expect(error.message, name).toContain(detail)
    }
  })

  it('names the field path in a message', () => {
    const byName = new Map(vectors.messages.decode.map((d) => [d.name, d.line]))
    const messageOf = (name: string): string => failure(decodeP2PMessage(byName.get(name) ?? '')).message
    expect(messageOf('amount = 1.5 (float for u64)')).toMatch(/^NewTransaction\.amount: /)
    expect(messageOf('sender byte 256')).toMatch(/^NewTransaction\.sender\[0\]: /)
    expect(messageOf('prev_hash with 31 elements')).toMatch(/^NewBlock\.header\.prev_hash: /)
  })
})

describe('golden vectors: transactions, blocks, mempool, invalid', () => {
  it('decodes every transaction losslessly (u64 up to 2^64-1) and re-encodes it byte for byte', () => {
    for (const t of vectors.transactions) {
      const tx = value(decodeTransactionJson(t.json))
      expect(tx).toEqual({
        sender: fromHex(t.sender),
        recipient: fromHex(t.recipient),
        amount: BigInt(t.amount),
        nonce: BigInt(t.nonce),
        signature: fromHex(t.signature),
      })
      expect(encodeTransactionJson(tx)).toBe(t.json)
    }
  })

  it('decodes every block with its exact header nonce (above 2^53) and re-encodes it', () => {
    for (const b of vectors.blocks) {
      const block = value(decodeBlockJson(b.json))
      expect(block.header.nonce).toBe(BigInt(b.nonce))
      expect(block.header.timestamp).toBe(BigInt(b.timestamp))
      expect(block.header.prev_hash).toEqual(fromHex(b.prev_hash))
      expect(block.header.tx_count).toBe(b.tx_count)
      expect(block.transactions).toHaveLength(b.tx_count)
      expect(encodeBlockJson(block)).toBe(b.json)
    }
  })

  it('round-trips the chain, the mempool and every mutated object', () => {
    const chainText = `[${vectors.blocks.map((b) => b.json).join(',')}]`
    expect(encodeChainJson(value(decodeChainJson(chainText)))).toBe(chainText)
    const mempoolText = `[${vectors.mempool.map((m) => m.json).join(',')}]`
    expect(encodeTransactionsJson(value(decodeTransactionsJson(mempoolText)))).toBe(mempoolText)
    for (const inv of vectors.invalid) {
      const text = inv.kind === 'block' ? encodeBlockJson(value(decodeBlockJson(inv.json))) : encodeTransactionJson(value(decodeTransactionJson(inv.json)))
      expect(text, inv.name).toBe(inv.json)
    }
  })
})

const txLine = vectors.messages.encode.find((e) => e.variant === 'NewTransaction')?.line ?? ''
const tx0 = vectors.mempool[0]?.json ?? ''

describe('serde rules beyond the vectors', () => {
  it('accepts a struct written as an array of its fields (serde visit_seq), strictly by count', () => {
    const msg = value(decodeP2PMessage('{"NewTransaction":[[1,2],[3],5,18446744073709551615,[]]}'))
    expect(msg).toEqual({
      type: 'NewTransaction',
      transaction: { sender: Uint8Array.of(1, 2), recipient: Uint8Array.of(3), amount: 5n, nonce: U64_MAX, signature: new Uint8Array(0) },
    })
    const short = failure(decodeP2PMessage('{"NewTransaction":[[1],[2],3,4]}'))
    expect(short.code).toBe('ERR_INVALID_LENGTH')
    expect(short.message).toContain('invalid length 4, expected struct Transaction with 5 elements at line 1 column 31')
    expect(failure(decodeP2PMessage('{"NewTransaction":[[1],[2],3,4,[],5]}')).code).toBe('ERR_INVALID_LENGTH')
  })

  it('decodes escaped keys and variant names, ignores unknown fields of any depth and drops them', () => {
    const escaped = txLine.replace('"sender"', '"\\u0073ender"').replace('"NewTransaction"', '"New\\u0054ransaction"')
    expect(encodeP2PMessage(value(decodeP2PMessage(escaped)))).toBe(txLine)
    const deep = txLine.replace('{"sender"', `{"x":${'['.repeat(50_000)}${']'.repeat(50_000)},"y":"\\ud800","sender"`)
    expect(encodeP2PMessage(value(decodeP2PMessage(deep)))).toBe(txLine)
    // keys are decoded strictly, so a lone surrogate there is an error even in an unknown field
    expect(failure(decodeP2PMessage(txLine.replace('{"sender"', '{"\\ud800":1,"sender"'))).code).toBe('ERR_JSON_SYNTAX')
  })

  it('checks integer bounds exactly', () => {
    const withAmount = (a: string): Result<P2PMessage> => decodeP2PMessage(txLine.replace(/"amount":\d+/, `"amount":${a}`))
    expect(value(withAmount('9007199254740993'))).toMatchObject({ transaction: { amount: 9007199254740993n } })
    expect(failure(withAmount('99999999999999999999999')).code).toBe('ERR_NUMBER_RANGE')
    expect(failure(withAmount('-9223372036854775809')).code).toBe('ERR_NUMBER_RANGE')
    expect(failure(withAmount('1e400')).message).toContain('number out of range')
    expect(failure(withAmount('"1"')).code).toBe('ERR_INVALID_TYPE')
    expect(failure(withAmount('true')).message).toContain('invalid type: boolean `true`, expected u64')
    expect(value(decodeP2PMessage(txLine.replace('"sender":[163', '"sender":[255')))).toMatchObject({ type: 'NewTransaction' })
    const header = '{"version":4294967295,"prev_hash":[0],"merkle_root":[0],"timestamp":0,"vdf_output":[0],"difficulty":0,"nonce":0,"tx_count":0,"signature":[]}'
    expect(failure(decodeP2PMessage(`{"NewBlock":{"header":${header},"transactions":[]}}`)).message).toContain(
      'NewBlock.header.prev_hash: invalid length 1, expected an array of length 32',
    )
  })

  it('applies the number rules to every byte element', () => {
    const withSender = (s: string): Result<P2PMessage> => decodeP2PMessage(txLine.replace(/"sender":\[[^\]]*\]/, `"sender":${s}`))
    expect(value(withSender('[ 0 , 255,\t7 ]'))).toMatchObject({ transaction: { sender: Uint8Array.of(0, 255, 7) } })
    const cases = [['01', 'ERR_JSON_SYNTAX'], ['00', 'ERR_JSON_SYNTAX'], ['1.0', 'ERR_INVALID_TYPE'], ['2e1', 'ERR_INVALID_TYPE'], ['-1', 'ERR_NUMBER_RANGE'], ['1000', 'ERR_NUMBER_RANGE'], ['"1"', 'ERR_INVALID_TYPE'], ['[]', 'ERR_INVALID_TYPE']]
    for (const [element, code] of cases) expect(failure(withSender(`[5,${element}]`)).code, element).toBe(code)
  })

  it('treats a trailing comma inside a byte array as a syntax error', () => {
    const e = failure(decodeP2PMessage(txLine.replace('150,250]', '150,250,]')))
    expect(e.code).toBe('ERR_JSON_SYNTAX')
    expect(e.message).toContain('trailing comma')
  })

  it('reads pretty-printed HTTP bodies and reports the line of an error', () => {
    const pretty = JSON.stringify(JSON.parse(vectors.transactions[0]?.json ?? ''), null, 2)
    expect(encodeTransactionJson(value(decodeTransactionJson(pretty)))).toBe(vectors.transactions[0]?.json)
    const bad = pretty.replace('"amount": 0', '"amount": 0.5')
    expect(failure(decodeTransactionJson(bad)).message).toMatch(/^amount: invalid type: floating point `0.5`, expected u64 at line \d+ column 15$/)
    expect(failure(decodeChainJson('[{"header":1}]')).message).toContain('[0].header: invalid type: integer `1`, expected struct BlockHeader')
  })

  it('takes UTF-8 bytes like text, and refuses invalid UTF-8', () => {
    expect(value(decodeP2PMessage(Buffer.from(txLine)))).toEqual(value(decodeP2PMessage(txLine)))
    const line = Buffer.from('"GetChain"')
    expect(value(decodeP2PMessage(line.subarray(0, line.length)))).toEqual({ type: 'GetChain' })
    expect(failure(decodeP2PMessage(Uint8Array.of(0x22, 0xff, 0x22))).code).toBe('ERR_JSON_SYNTAX')
  })
})

describe('encoders refuse values the Rust types cannot hold', () => {
  const tx = value(decodeTransactionJson(tx0))
  const block = value(decodeBlockJson(vectors.blocks[1]?.json ?? ''))

  it.each([
    ['a 31-byte prev_hash', () => encodeBlockJson({ ...block, header: { ...block.header, prev_hash: new Uint8Array(31) } }), 'ERR_INVALID_LENGTH'],
    ['a negative amount', () => encodeTransactionJson({ ...tx, amount: -1n }), 'ERR_NUMBER_RANGE'],
    ['an amount of 2^64', () => encodeTransactionJson({ ...tx, amount: U64_MAX + 1n }), 'ERR_NUMBER_RANGE'],
    ['a fractional version', () => encodeBlockJson({ ...block, header: { ...block.header, version: 1.5 } }), 'ERR_NUMBER_RANGE'],
    ['a difficulty of 2^32', () => encodeBlockJson({ ...block, header: { ...block.header, difficulty: 2 ** 32 } }), 'ERR_NUMBER_RANGE'],
    ['a sender that is not bytes', () => encodeTransactionJson({ ...tx, sender: [1, 2] as unknown as Uint8Array }), 'ERR_INVALID_TYPE'],
  ])('%s', (_name, encode, code) => {
    expect(encode).toThrow(CodecError)
    expect(() => encode()).toThrow(expect.objectContaining({ code }))
  })
})

const u64 = fc.oneof(fc.bigInt({ min: 0n, max: U64_MAX }), fc.bigInt({ min: 1n << 53n, max: U64_MAX }))
const bytes = fc.uint8Array({ maxLength: 70 })
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 })
const txArb: fc.Arbitrary<Transaction> = fc.record({ sender: bytes, recipient: bytes, amount: u64, nonce: u64, signature: bytes })
const u32 = fc.integer({ min: 0, max: U32_MAX })
const blockArb: fc.Arbitrary<Block> = fc.record({
  header: fc.record({
    version: u32, prev_hash: hash, merkle_root: hash, timestamp: u64, vdf_output: hash, difficulty: u32, nonce: u64, tx_count: u32, signature: bytes,
  }),
  transactions: fc.array(txArb, { maxLength: 3 }),
})
const messageArb: fc.Arbitrary<P2PMessage> = fc.oneof(
  fc.constant({ type: 'GetChain' as const }),
  fc.constant({ type: 'GetMempool' as const }),
  fc.array(blockArb, { maxLength: 3 }).map((blocks) => ({ type: 'Chain' as const, blocks })),
  fc.array(txArb, { maxLength: 3 }).map((transactions) => ({ type: 'Mempool' as const, transactions })),
  blockArb.map((block) => ({ type: 'NewBlock' as const, block })),
  txArb.map((transaction) => ({ type: 'NewTransaction' as const, transaction })),
)

function expectResult(r: Result<unknown>): void {
  expect(typeof r.ok).toBe('boolean')
  if (!r.ok) {
    expect(r.error).toBeInstanceOf(CodecError)
    expect(CODEC_ERROR_CODES).toContain(r.error.code)
  }
}

describe('properties', () => {
  it('decode(encode(x)) deep-equals x, as text and as bytes', () => {
    fc.assert(
      fc.property(messageArb, (msg) => {
        const line = encodeP2PMessage(msg)
        expect(line).not.toMatch(/[\s]/)
        expect(value(decodeP2PMessage(line))).toEqual(msg)
        expect(value(decodeP2PMessage(Buffer.from(line)))).toEqual(msg)
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('decoding arbitrary text or bytes returns a Result and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 120 }), fc.uint8Array({ maxLength: 120 })), (input) => {
        expectResult(decodeP2PMessage(input))
      }),
      { seed: 42, numRuns: 2000 },
    )
  })

  it('a mutated valid line decodes to a Result; what it accepts re-encodes to a stable line', () => {
    const lines = [txLine, '"GetChain"', vectors.messages.encode.find((e) => e.variant === 'NewBlock')?.line ?? '']
    const edit = fc.record({ line: fc.constantFrom(...lines), at: fc.nat(), len: fc.integer({ min: 0, max: 3 }), insert: fc.string({ maxLength: 3 }) })
    fc.assert(
      fc.property(edit, ({ line, at, len, insert }) => {
        const i = at % (line.length + 1)
        const r = decodeP2PMessage(line.slice(0, i) + insert + line.slice(i + len))
        expectResult(r)
        if (r.ok) {
          const again = encodeP2PMessage(r.value)
          expect(encodeP2PMessage(value(decodeP2PMessage(again)))).toBe(again)
        }
      }),
      { seed: 42, numRuns: 2000 },
    )
  })
})

describe('size', () => {
  it('decodes a 5 MB Chain line (bytes, as a socket delivers it) and re-encodes it exactly', () => {
    const parts: string[] = []
    for (let size = 0; size < 5_000_000; size += (parts.at(-1)?.length ?? 0) + 1) {
      parts.push(vectors.blocks[parts.length % vectors.blocks.length]?.json ?? '')
    }
    const line = `{"Chain":[${parts.join(',')}]}`
    const msg = value(decodeP2PMessage(Buffer.from(line)))
    if (msg.type !== 'Chain') throw new Error('expected Chain')
    expect(msg.blocks).toHaveLength(parts.length)
    expect(msg.blocks.at(-1)?.header.nonce).toBe(BigInt(vectors.blocks[(parts.length - 1) % vectors.blocks.length]?.nonce ?? ''))
    expect(encodeP2PMessage(msg)).toBe(line)
  })
})
