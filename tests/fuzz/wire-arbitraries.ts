/**
 * Arbitrary valid gateway-to-gateway messages, one generator per type of `WireMessageSchema`, for
 * the envelope round trips and as mutation seeds.
 *
 * @packageDocumentation
 */
import fc from 'fast-check'
import type { WireMessage } from '../../codecs/envelope.js'
import type { Transaction } from '../../codecs/model.js'
import { MAX_BLOCK_TXS } from '../../codecs/wire-compact.js'
import { MAX_CONTEXT_BYTES } from '../../codecs/wire-sync.js'
import type { HeaderEntry } from '../../codecs/wire-sync.js'
import { blockArb, fixedBytesArb, hashArb, headerArb, transactionArb, u32Arb, u64Arb } from './model-arbitraries.js'

/** A station id: a callsign in canonical spelling, or a lower-case name. */
const stationArb = fc.oneof(
  fc.tuple(fc.stringMatching(/^[A-Z0-9]{1,6}$/), fc.nat(15)).map(([call, ssid]) => (ssid === 0 ? call : `${call}-${ssid}`)),
  fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,31}$/),
)
const hashesArb = fc.array(hashArb, { maxLength: 4 })
const someHash = (m: { tx: unknown[]; block: unknown[]; compact?: unknown[] }): boolean => m.tx.length + m.block.length + (m.compact?.length ?? 0) > 0
const increasingArb = (minLength: number, maxLength: number): fc.Arbitrary<number[]> =>
  fc.uniqueArray(fc.nat(MAX_BLOCK_TXS - 1), { minLength, maxLength }).map((a) => a.sort((x, y) => x - y))

const linkedHeaderArb: fc.Arbitrary<HeaderEntry> = fc
  .record({ merkle_root: hashArb, tx_count: u32Arb, timestamp: fc.option(u64Arb, { nil: undefined }) })
  .map(({ timestamp, ...rest }) => (timestamp === undefined ? rest : { ...rest, timestamp }))

const compactBlockArb: fc.Arbitrary<WireMessage> = fc
  .tuple(headerArb, fixedBytesArb(8), fc.array(fc.nat(2 ** 48 - 1), { maxLength: 6 }), fc.array(transactionArb, { maxLength: 3 }))
  .chain(([header, salt, shortIds, txs]) =>
    fc.shuffledSubarray([...Array(shortIds.length + txs.length).keys()], { minLength: txs.length, maxLength: txs.length }).map(
      (slots): WireMessage => ({
        type: 'cmpctblock',
        header,
        salt,
        shortIds,
        prefilled: slots.sort((a, b) => a - b).map((index, i) => ({ index, transaction: txs[i] as Transaction })),
      }),
    ),
  )

/** Any valid message of every type. */
export const wireMessageArb: fc.Arbitrary<WireMessage> = fc.oneof(
  transactionArb.map((transaction): WireMessage => ({ type: 'tx', transaction })),
  blockArb.map((block): WireMessage => ({ type: 'block', block })),
  fc.array(blockArb, { maxLength: 3 }).map((blocks): WireMessage => ({ type: 'blocks', blocks })),
  fc.record({
    type: fc.constant('hello' as const),
    version: fc.nat(255),
    station: stationArb,
    height: u32Arb,
    tip: hashArb,
    links: fc.nat(255),
    features: fc.nat(65_535),
    dictionaries: fc.nat(255),
  }),
  fc.record({ type: fc.constantFrom('inv' as const, 'notfound' as const, 'ack' as const), tx: hashesArb, block: hashesArb }).filter(someHash),
  fc.record({ type: fc.constant('getdata' as const), tx: hashesArb, block: hashesArb, compact: hashesArb }).filter(someHash),
  compactBlockArb,
  fc.record({ type: fc.constant('getblocktxn' as const), block: hashArb, indexes: increasingArb(1, 8) }),
  fc.record({ type: fc.constant('blocktxn' as const), block: hashArb, transactions: fc.array(transactionArb, { minLength: 1, maxLength: 3 }) }),
  fc.record(
    { type: fc.constant('getheaders' as const), locator: fc.array(hashArb, { maxLength: 12 }), max: fc.integer({ min: 1, max: 2000 }), stop: hashArb },
    { requiredKeys: ['type', 'locator', 'max'] },
  ),
  fc.record({
    type: fc.constant('headers' as const),
    // empty, or a full header first and then full or linked ones
    headers: fc
      .option(fc.tuple(headerArb, fc.array(fc.oneof(headerArb, linkedHeaderArb), { maxLength: 4 })), { nil: undefined })
      .map((h) => (h === undefined ? [] : [h[0], ...h[1]])),
  }),
  fc.record({ type: fc.constant('getbodies' as const), last: hashArb, count: fc.integer({ min: 1, max: 500 }) }),
  fc.record({
    type: fc.constant('bodies' as const),
    last: hashArb,
    context: fc.nat(MAX_CONTEXT_BYTES),
    payload: fc.uint8Array({ minLength: 1, maxLength: 60 }),
  }),
  fc.record({
    type: fc.constant('relay' as const),
    origin: stationArb,
    destination: stationArb,
    hops: fc.nat(7),
    id: u32Arb,
    inner: fc.uint8Array({ minLength: 2, maxLength: 60 }),
  }),
)
