import { Encoder } from 'cbor-x'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeEnvelope, encodeEnvelope, WireMessageSchema } from '../../codecs/envelope.js'
import type { WireMessage } from '../../codecs/envelope.js'
import { isCodecError } from '../../codecs/errors.js'
import type { CodecErrorCode } from '../../codecs/errors.js'
import { U32_MAX, U64_MAX } from '../../codecs/model.js'
import type { BlockHeader, Transaction } from '../../codecs/model.js'
import type { Result } from '../../codecs/result.js'
import { unwrap } from '../../codecs/result.js'
import { MAX_BLOCK_TXS } from '../../codecs/wire-compact.js'
import { LINK_BITS, MAX_INVENTORY, stationIdProblem } from '../../codecs/wire-gateway.js'
import { encodeWireBody, WIRE_MESSAGE_TYPES } from '../../codecs/wire-model.js'
import { decodeBodiesPayload, encodeBodiesPayload, MAX_CONTEXT_BYTES } from '../../codecs/wire-sync.js'
import type { HeaderEntry } from '../../codecs/wire-sync.js'
import { TRANSPORT_KINDS } from '../../transports/types.js'
import { fromHex, toHex } from '../helpers/vectors.js'

// ---- arbitraries ---------------------------------------------------------------------------------

const bytesOf = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((b) => new Uint8Array(b))
const hash = bytesOf(32, 32)
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: U64_MAX }), fc.constantFrom(0n, 23n, 24n, 2n ** 32n - 1n, 2n ** 32n, U64_MAX))
const u32 = fc.oneof(fc.integer({ min: 0, max: U32_MAX }), fc.constantFrom(0, 1, 10_000, U32_MAX))
const anyTx: fc.Arbitrary<Transaction> = fc.record({ sender: bytesOf(0, 40), recipient: bytesOf(0, 40), amount: u64, nonce: u64, signature: bytesOf(0, 70) })
const relayTx: fc.Arbitrary<Transaction> = fc.record({ sender: bytesOf(32, 32), recipient: bytesOf(32, 32), amount: u64, nonce: u64, signature: bytesOf(64, 64) })
const tx = fc.oneof(relayTx, anyTx)
const header: fc.Arbitrary<BlockHeader> = fc.record({
  version: u32,
  prev_hash: hash,
  merkle_root: hash,
  timestamp: u64,
  vdf_output: hash,
  difficulty: u32,
  nonce: u64,
  tx_count: u32,
  signature: bytesOf(0, 8),
})
const callsign = fc
  .tuple(fc.stringMatching(/^[A-Z0-9]{1,6}$/), fc.integer({ min: 0, max: 15 }))
  .map(([call, ssid]) => (ssid === 0 ? call : `${call}-${ssid}`))
const station = fc.oneof(callsign, fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,31}$/))
const hashes = (max = 4) => fc.array(hash, { maxLength: max })
const nonEmpty = <T extends { tx: unknown[]; block: unknown[]; compact?: unknown[] }>(m: T) => m.tx.length + m.block.length + (m.compact?.length ?? 0) > 0
const increasing = (max: number, min = 0) =>
  fc.uniqueArray(fc.integer({ min: 0, max: MAX_BLOCK_TXS - 1 }), { minLength: min, maxLength: max }).map((a) => a.sort((x, y) => x - y))

const linked: fc.Arbitrary<HeaderEntry> = fc
  .record({ merkle_root: hash, tx_count: u32, timestamp: fc.option(u64, { nil: undefined }) })
  .map(({ timestamp, ...rest }) => (timestamp === undefined ? rest : { ...rest, timestamp }))

const compactBlock = fc
  .tuple(header, bytesOf(8, 8), fc.array(fc.integer({ min: 0, max: 2 ** 48 - 1 }), { maxLength: 6 }), fc.array(tx, { maxLength: 3 }))
  .chain(([h, salt, shortIds, txs]) =>
    fc.shuffledSubarray([...Array(shortIds.length + txs.length).keys()], { minLength: txs.length, maxLength: txs.length }).map(
      (slots): WireMessage => ({
        type: 'cmpctblock',
        header: h,
        salt,
        shortIds,
        prefilled: slots.sort((a, b) => a - b).map((index, i) => ({ index, transaction: txs[i] as Transaction })),
      }),
    ),
  )

const gatewayMessage: fc.Arbitrary<WireMessage> = fc.oneof(
  fc.record({
    type: fc.constant('hello' as const),
    version: fc.integer({ min: 0, max: 255 }),
    station,
    height: u32,
    tip: hash,
    links: fc.integer({ min: 0, max: 255 }),
    features: fc.integer({ min: 0, max: 65_535 }),
    dictionaries: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ type: fc.constantFrom('inv' as const, 'notfound' as const, 'ack' as const), tx: hashes(), block: hashes() }).filter(nonEmpty),
  fc.record({ type: fc.constant('getdata' as const), tx: hashes(), block: hashes(), compact: hashes() }).filter(nonEmpty),
  compactBlock,
  fc.record({ type: fc.constant('getblocktxn' as const), block: hash, indexes: increasing(8, 1) }),
  fc.record({ type: fc.constant('blocktxn' as const), block: hash, transactions: fc.array(tx, { minLength: 1, maxLength: 3 }) }),
  fc.record(
    { type: fc.constant('getheaders' as const), locator: hashes(12), max: fc.integer({ min: 1, max: 2000 }), stop: hash },
    { requiredKeys: ['type', 'locator', 'max'] },
  ),
  fc
    .record(
      {
        type: fc.constant('headers' as const),
        headers: fc.tuple(header, fc.array(fc.oneof(header, linked), { maxLength: 4 })).map(([h, rest]) => [h, ...rest]),
        pushed: fc.integer({ min: 1, max: 5 }),
      },
      { requiredKeys: ['type', 'headers'] },
    )
    .map((m) => (m.pushed === undefined || m.pushed <= m.headers.length ? m : { ...m, pushed: m.headers.length })),
  fc.record({ type: fc.constant('getbodies' as const), last: hash, count: fc.integer({ min: 1, max: 500 }) }),
  fc.record({ type: fc.constant('bodies' as const), last: hash, context: fc.integer({ min: 0, max: MAX_CONTEXT_BYTES }), payload: bytesOf(1, 60) }),
  fc.record({ type: fc.constant('relay' as const), origin: station, destination: station, hops: fc.integer({ min: 0, max: 7 }), id: u32, inner: bytesOf(2, 60) }),
)

// ---- helpers ------------------------------------------------------------------------------------

const rawCbor = new Encoder({ useRecords: false, tagUint8Array: false })
const plainEnvelope = (value: unknown): Uint8Array => Uint8Array.of(0x10, ...rawCbor.encode(value))
const h32 = (fill: number) => new Uint8Array(32).fill(fill)
const ascii = (text: string) => new TextEncoder().encode(text)
const hexOf = (spaced: string) => spaced.replaceAll(' ', '')
const EMPTY = new Uint8Array(0)
const tinyTx: Transaction = { sender: EMPTY, recipient: EMPTY, amount: 1n, nonce: 2n, signature: EMPTY }
const sampleHeader = (tx_count: number): BlockHeader => ({
  version: 1,
  prev_hash: h32(0),
  merkle_root: h32(1),
  timestamp: 0n,
  vdf_output: h32(2),
  difficulty: 10_000,
  nonce: 0n,
  tx_count,
  signature: EMPTY,
})

function expectError<T>(r: Result<T>, code: CodecErrorCode, message?: RegExp): void {
  expect(r.ok).toBe(false)
  if (r.ok) return
  expect(isCodecError(r.error, code), `${r.error.code}: ${r.error.message}`).toBe(true)
  if (message) expect(r.error.message).toMatch(message)
}

const hello: WireMessage = {
  type: 'hello',
  version: 1,
  station: 'N0CALL-7',
  height: 100,
  tip: h32(0xab),
  links: LINK_BITS.tcp | LINK_BITS.vara,
  features: 3,
  dictionaries: 3,
}

// ---- tests --------------------------------------------------------------------------------------

describe('gateway messages round-trip', () => {
  it('decode(encode(x)) = x for every new message type, plain and compressed (property)', () => {
    const seen = new Set<string>()
    fc.assert(
      fc.property(gatewayMessage, (msg) => {
        seen.add(msg.type)
        for (const compress of ['auto', 'never'] as const) expect(unwrap(decodeEnvelope(encodeEnvelope(msg, { compress })))).toEqual(msg)
      }),
      { seed: 42, numRuns: 600 },
    )
    expect(seen.size).toBe(Object.keys(WIRE_MESSAGE_TYPES).length - 3) // all but tx, block, blocks
  })

  it('never throws on garbage, mutated messages or random CBOR arrays, and returns only valid messages (property)', () => {
    const valid = fc.sample(gatewayMessage, { seed: 7, numRuns: 40 }).map((m) => encodeEnvelope(m, { compress: 'never' }))
    const mutated = fc
      .tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
      .map(([bytes, edits]) => {
        const copy = Uint8Array.from(bytes)
        for (const [at, value] of edits) copy[at % copy.length] = value
        return copy
      })
    const leaf = fc.oneof(fc.nat(), fc.constantFrom(2 ** 48, 2n ** 64n - 1n), bytesOf(0, 40), fc.constant(new Uint8Array(32)))
    const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({ tree: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('tree'), { maxLength: 5 })) }))
    const shaped = fc
      .tuple(fc.integer({ min: 4, max: 17 }), fc.array(tree, { maxLength: 7 }))
      .map(([code, fields]) => plainEnvelope([code, ...fields]))
    fc.assert(
      fc.property(fc.oneof(mutated, shaped, bytesOf(0, 80)), (bytes) => {
        const r = decodeEnvelope(bytes)
        if (r.ok) expect(WireMessageSchema.safeParse(r.value).success).toBe(true)
        else expect(isCodecError(r.error)).toBe(true)
      }),
      { seed: 42, numRuns: 3000 },
    )
  })

  it('gives the link bits in the order of the transport kinds', () => {
    expect(TRANSPORT_KINDS.map((k, i) => LINK_BITS[k] === 1 << i)).toEqual(TRANSPORT_KINDS.map(() => true))
  })
})

describe('gateway message layout (docs/PROTOCOL.md §8)', () => {
  it('sends one inventory hash in 37 bytes: [5, tx hashes, block hashes]', () => {
    const bytes = encodeEnvelope({ type: 'inv', tx: [h32(0x11)], block: [] }, { compress: 'never' }) // a real hash does not compress
    expect(toHex(bytes)).toBe(hexOf(`108305 5820${'11'.repeat(32)} 40`))
  })

  it('lays out hello as [4, version, station ASCII, height, tip, links, features, dictionaries]', () => {
    const hex = toHex(encodeWireBody(hello))
    expect(hex).toBe(hexOf(`8804 01 48${toHex(ascii('N0CALL-7'))} 1864 5820${'ab'.repeat(32)} 05 03 03`))
  })

  it('packs short ids in one byte string and prefilled indexes as BIP152 differences', () => {
    const prefilled = [1, 3].map((index) => ({ index, transaction: tinyTx }))
    const msg: WireMessage = { type: 'cmpctblock', header: sampleHeader(4), salt: fromHex('0102030405060708'), shortIds: [0x0a0b0c0d0e0f, 1], prefilled }
    const hex = toHex(encodeWireBody(msg))
    expect(hex.slice(0, 6)).toBe('850889') // [8, header(9), ...]
    // salt, 2 short ids in 12 bytes, prefilled [index 1 - 0, tx], [index 3 - 1 - 1, tx]
    expect(hex.endsWith(hexOf('48 0102030405060708 4c 0a0b0c0d0e0f 000000000001 82 86 01 40 40 01 02 40 86 01 40 40 01 02 40'))).toBe(true)
    const request = toHex(encodeWireBody({ type: 'getblocktxn', block: h32(3), indexes: [1, 2, 5, 9] }))
    expect(request).toBe(hexOf(`8309 5820${'03'.repeat(32)} 84 01 00 02 03`))
  })

  it('sends the stop hash of getheaders only when there is one, and the locator as one byte string', () => {
    expect(toHex(encodeWireBody({ type: 'getheaders', locator: [], max: 200 }))).toBe('830b4018c8')
    const withStop = toHex(encodeWireBody({ type: 'getheaders', locator: [h32(1)], max: 1, stop: h32(2) }))
    expect(withStop).toBe(hexOf(`840b 5820${'01'.repeat(32)} 01 5820${'02'.repeat(32)}`))
  })

  it('sends a linked header as [merkle_root, tx_count] or with its timestamp', () => {
    const headers = [sampleHeader(0), { merkle_root: h32(4), tx_count: 5 }, { merkle_root: h32(6), tx_count: 0, timestamp: 1704067200n }]
    const hex = toHex(encodeWireBody({ type: 'headers', headers }))
    expect(hex.startsWith('820c8389')).toBe(true)
    expect(hex.endsWith(hexOf(`82 5820${'04'.repeat(32)} 05 83 5820${'06'.repeat(32)} 00 1a65920080`))).toBe(true)
  })

  it('sends the pushed-bodies count of headers only when there is one, as a third element', () => {
    const headers = [sampleHeader(0)]
    expect(toHex(encodeWireBody({ type: 'headers', headers })).startsWith('820c81')).toBe(true)
    const hex = toHex(encodeWireBody({ type: 'headers', headers, pushed: 1 }))
    expect(hex.startsWith('830c81')).toBe(true)
    expect(hex.endsWith('01')).toBe(true)
    expect(unwrap(decodeEnvelope(encodeEnvelope({ type: 'headers', headers, pushed: 1 })))).toMatchObject({ type: 'headers', pushed: 1 })
  })

  it('wraps a relayed envelope as [16, origin, destination, hops, id, inner]', () => {
    const inner = encodeEnvelope(hello)
    const relay: WireMessage = { type: 'relay', origin: 'N0CALL', destination: 'hilltop', hops: 3, id: 0xdeadbeef, inner }
    const hex = toHex(encodeWireBody(relay))
    expect(hex.startsWith(hexOf(`8610 46${toHex(ascii('N0CALL'))} 47${toHex(ascii('hilltop'))} 03 1adeadbeef`))).toBe(true)
    const unwrapped = unwrap(decodeEnvelope(encodeEnvelope(relay)))
    expect(unwrapped.type === 'relay' && unwrap(decodeEnvelope(unwrapped.inner))).toEqual(hello)
  })
})

describe('gateway message validation', () => {
  it('accepts canonical callsigns and lower-case names as station ids, nothing else', () => {
    for (const good of ['N0CALL', 'N0CALL-7', 'N0CALL-15', 'hilltop-relay', 'gw.1', 'n0call', 'a'.repeat(32)]) expect(stationIdProblem(good)).toBeUndefined()
    for (const bad of ['', 'N0CALL-0', 'N0CALL-07', 'N0CALL-16', 'TOOLONGCALL', 'Hilltop', '-x', 'a'.repeat(33), 'gw 1']) {
      expect(stationIdProblem(bad), bad).toMatch(/neither a callsign/)
    }
    expect(stationIdProblem('N0CALL-0')).toMatch(/write it "N0CALL"/)
  })

  it('refuses to encode what a receiver would reject', () => {
    const bad: unknown[] = [
      { ...hello, station: 'N0CALL-0' },
      { ...hello, links: 256 },
      { type: 'inv', tx: [], block: [] },
      { type: 'ack', tx: Array.from({ length: MAX_INVENTORY + 1 }, () => h32(1)), block: [] },
      { type: 'getblocktxn', block: h32(1), indexes: [3, 3] },
      { type: 'getblocktxn', block: h32(1), indexes: [] },
      { type: 'headers', headers: [{ merkle_root: h32(1), tx_count: 0 }] },
      { type: 'headers', headers: [sampleHeader(0)], pushed: 2 },
      { type: 'headers', headers: [sampleHeader(0)], pushed: 0 },
      { type: 'getbodies', last: h32(1), count: 501 },
      { type: 'bodies', last: h32(1), context: MAX_CONTEXT_BYTES + 1, payload: Uint8Array.of(1) },
      { type: 'relay', origin: 'N0CALL', destination: 'N1CALL', hops: 8, id: 1, inner: Uint8Array.of(0x10, 0x80) },
    ]
    bad.forEach((msg, i) => expect(() => encodeWireBody(msg as WireMessage), `case ${i}`).toThrow(expect.objectContaining({ code: 'ERR_ENVELOPE' })))
  })

  it('rejects prefilled transactions out of order or past the end of the block', () => {
    const base = { type: 'cmpctblock' as const, header: sampleHeader(2), salt: new Uint8Array(8), shortIds: [5] }
    const at = (...indexes: number[]) => indexes.map((index) => ({ index, transaction: tinyTx }))
    expect(() => encodeWireBody({ ...base, prefilled: at(1, 0) })).toThrow(/prefilled indexes must increase/)
    expect(() => encodeWireBody({ ...base, prefilled: at(2) })).toThrow(/past the last transaction/)
    // on the wire: a difference of 1 puts the only prefilled transaction at index 1 of a 1-transaction block
    const headerArray = [1, h32(0), h32(1), 0, h32(2), 1, 0, 2, EMPTY]
    const prefilledArray = [1, EMPTY, EMPTY, 1, 2, EMPTY]
    const body = [8, headerArray, new Uint8Array(8), EMPTY, [prefilledArray]]
    expectError(decodeEnvelope(plainEnvelope(body)), 'ERR_ENVELOPE', /past the last transaction/)
  })

  it('rejects malformed fields on the wire with the failing path', () => {
    expectError(decodeEnvelope(plainEnvelope([5, new Uint8Array(33), new Uint8Array(0)])), 'ERR_ENVELOPE', /^body\[1\]: length must be a multiple of 32/)
    expectError(decodeEnvelope(plainEnvelope([8, [], new Uint8Array(8), new Uint8Array(7), []])), 'ERR_ENVELOPE', /body\[3\]: must be at most/)
    expectError(decodeEnvelope(plainEnvelope([11, new Uint8Array(0), 1, h32(1), 0])), 'ERR_ENVELOPE')
    expectError(decodeEnvelope(plainEnvelope([12, [[h32(1), 0]]])), 'ERR_ENVELOPE', /first header must be full/)
    expectError(decodeEnvelope(plainEnvelope([9, h32(1), [MAX_BLOCK_TXS - 1, 0]])), 'ERR_ENVELOPE', /body\.indexes\[1\]/)
    expectError(decodeEnvelope(plainEnvelope([4, 1, ascii('N0CALL-0'), 0, h32(0), 0, 0, 1])), 'ERR_ENVELOPE', /write it "N0CALL"/)
    const relay = [16, ascii('N0CALL'), new Uint8Array(200), 1, 1, Uint8Array.of(0x10, 0x80)]
    expectError(decodeEnvelope(plainEnvelope(relay)), 'ERR_ENVELOPE', /body\[2\]: station id too long/)
  })

  it('accepts only the deterministic encoding of the new messages', () => {
    const good = toHex(encodeWireBody(hello))
    expect(good.slice(4, 6)).toBe('01') // version as one byte
    expectError(decodeEnvelope(fromHex(`10${good.slice(0, 4)}1801${good.slice(6)}`)), 'ERR_ENVELOPE', /deterministic/)
  })
})

describe('bodies payload', () => {
  it('round-trips bodies of packed and odd-sized transactions (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(tx, { maxLength: 4 }), { minLength: 1, maxLength: 4 }), (bodies) => {
        expect(unwrap(decodeBodiesPayload(encodeBodiesPayload(bodies)))).toEqual(bodies)
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('packs a relay-valid transaction as [sender ‖ recipient ‖ signature, amount, nonce] and refuses it as a 5-array', () => {
    const t: Transaction = { sender: h32(1), recipient: h32(2), amount: 5n, nonce: 0n, signature: new Uint8Array(64).fill(3) }
    const packed = encodeBodiesPayload([[t]])
    expect(toHex(packed)).toBe(hexOf(`81 81 83 5880 ${'01'.repeat(32)}${'02'.repeat(32)}${'03'.repeat(64)} 05 00`))
    const unpacked = rawCbor.encode([[[t.sender, t.recipient, 5, 0, t.signature]]])
    expectError(decodeBodiesPayload(new Uint8Array(unpacked)), 'ERR_ENVELOPE', /deterministic/)
  })

  it('never throws on garbage payloads (property)', () => {
    fc.assert(
      fc.property(bytesOf(0, 200), (bytes) => {
        const r = decodeBodiesPayload(bytes)
        if (!r.ok) expect(isCodecError(r.error, 'ERR_ENVELOPE')).toBe(true)
      }),
      { seed: 42, numRuns: 500 },
    )
    expectError(decodeBodiesPayload(new Uint8Array(rawCbor.encode([]))), 'ERR_ENVELOPE', /payload/)
  })
})
