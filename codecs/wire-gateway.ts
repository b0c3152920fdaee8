/**
 * Gateway protocol control messages (docs/PROTOCOL.md §8.1–§8.4, §8.10, §8.13): `hello`, the
 * inventory messages `inv` / `getdata` / `notfound`, `ack`, and the mesh `relay` wrapper. Each is a
 * zod schema of the decoded message (the type) and a {@link MessageCodec} for the registry in
 * codecs/wire-model.ts.
 *
 * Hash lists travel as one byte string of n × 32 bytes per kind, so an inventory of one hash costs
 * 37 bytes in all. Station names travel as ASCII byte strings (only three CBOR major types occur on
 * the wire, §2.2).
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { formatCallsign, parseCallsign } from './ax25-address.js'
import { BytesSchema, Hash32Schema, U32Schema } from './model.js'
import { BytesWireSchema, Hash32WireSchema, hashListWire, joinHashes, messageCheck } from './wire-fields.js'
import type { MessageCodec } from './wire-fields.js'

/** Type codes of the control messages. */
export const CONTROL_MESSAGE_TYPES = { hello: 4, inv: 5, getdata: 6, notfound: 7, ack: 13, relay: 16 } as const

/** Gateway protocol revision this code speaks, sent in `hello`. */
export const PROTOCOL_VERSION = 1
/** Most hashes per kind in one `inv`, `getdata`, `notfound` or `ack` (32 KiB of hashes). */
export const MAX_INVENTORY = 1024
/** Highest hop limit a `relay` may carry. */
export const MAX_RELAY_HOPS = 7
/** Largest envelope a `relay` may wrap, bytes (the reassembly limit per message). */
export const MAX_RELAY_INNER_BYTES = 256 * 1024

/** Bits of `hello.links`: which kinds of link the station has (order of TRANSPORT_KINDS). */
export const LINK_BITS = { tcp: 1, ax25: 2, vara: 4, js8call: 8 } as const
/** Bits of `hello.features`. */
export const FEATURE_BITS = {
  /** Sends and reconstructs `cmpctblock` / `getblocktxn` / `blocktxn`. */
  compactBlocks: 1,
  /** Serves and uses `getheaders` / `headers` / `getbodies` / `bodies`. */
  headersSync: 2,
  /** Forwards `relay` messages for other stations. */
  relay: 4,
  /** Has a Bunkercoin node of its own (a relay station has not). */
  node: 8,
} as const

// ---- station ids ------------------------------------------------------------------------------

/** Longest configured station name, characters. */
export const STATION_NAME_MAX_LENGTH = 32
const STATION_NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/

/**
 * What is wrong with a station id, or undefined when it is valid: an AX.25 callsign with optional
 * SSID in its canonical spelling (`N0CALL`, `N0CALL-7`; not `N0CALL-0` or `N0CALL-07`), or, for
 * TCP-only peers, a configured name of 1–32 characters `a-z 0-9 . _ -` (lower case, so a name is
 * never mistaken for a callsign).
 */
export function stationIdProblem(id: string): string | undefined {
  if (STATION_NAME.test(id)) return undefined
  const call = parseCallsign(id)
  if (call.ok && formatCallsign(call.value) === id) return undefined
  const why = call.ok ? `write it ${JSON.stringify(formatCallsign(call.value))}` : call.error.message
  return `station ${JSON.stringify(id)} is neither a callsign (${why}) nor a lower-case name of 1–${STATION_NAME_MAX_LENGTH} characters a-z 0-9 . _ -`
}

/** A station id, see {@link stationIdProblem}. */
export const StationIdSchema = z.string().check((ctx) => {
  const problem = stationIdProblem(ctx.value)
  if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value })
})

/** A station id on the wire: its ASCII bytes. */
const StationIdWireSchema = BytesSchema.refine((b) => b.length <= STATION_NAME_MAX_LENGTH, { message: 'station id too long' })
  .transform((b) => String.fromCharCode(...b))
  .pipe(StationIdSchema)

function stationIdToWire(id: string): Uint8Array {
  return Uint8Array.from(id, (c) => c.charCodeAt(0))
}

// ---- message schemas --------------------------------------------------------------------------

const bitmask = (bits: number) => z.number().int().min(0).max(2 ** bits - 1)
const hashes = z.array(Hash32Schema).max(MAX_INVENTORY)

/** `hello`: who the station is, its chain tip, its links and what it can do. */
export const HelloSchema = z.object({
  type: z.literal('hello'),
  /** {@link PROTOCOL_VERSION} of the sender. */
  version: bitmask(8),
  /** Callsign or configured name. */
  station: StationIdSchema,
  /** Number of blocks in the sender's chain (the node's `/sync` height). */
  height: U32Schema,
  /** Hash of the sender's last block; 32 zero bytes when its chain is empty. */
  tip: Hash32Schema,
  /** {@link LINK_BITS}; unknown bits are kept. */
  links: bitmask(8),
  /** {@link FEATURE_BITS}; unknown bits are kept. */
  features: bitmask(16),
  /** Bit d set: the sender inflates preset dictionary d (bit 0: plain deflate). */
  dictionaries: bitmask(8),
})
/** A `hello` message. */
export type Hello = z.infer<typeof HelloSchema>

const someHash = (m: { tx: unknown[]; block: unknown[]; compact?: unknown[] }) => m.tx.length + m.block.length + (m.compact?.length ?? 0) > 0
const EMPTY = { message: 'lists no hash' }
const inventory = <T extends string>(type: T) => z.object({ type: z.literal(type), tx: hashes, block: hashes }).refine(someHash, EMPTY)

/** `inv`: transactions and blocks the sender has, by Bunkercoin hash. */
export const InvSchema = inventory('inv')
/** An `inv` message. */
export type Inv = z.infer<typeof InvSchema>
/** `notfound`: what the sender was asked for with `getdata` (or `getbodies`) and does not have. */
export const NotFoundSchema = inventory('notfound')
/** A `notfound` message. */
export type NotFound = z.infer<typeof NotFoundSchema>
/** `ack`: what the sender has durably stored (a block acknowledges its `bodies` batch too). */
export const AckSchema = inventory('ack')
/** An `ack` message. */
export type Ack = z.infer<typeof AckSchema>
/** `getdata`: transactions (answer `tx`), full blocks (answer `block`) and compact blocks (answer `cmpctblock`). */
export const GetDataSchema = z
  .object({ type: z.literal('getdata'), tx: hashes, block: hashes, compact: hashes })
  .refine(someHash, EMPTY)
/** A `getdata` message. */
export type GetData = z.infer<typeof GetDataSchema>

/** `relay`: an envelope for a station the sender does not hear directly, carried by one that does. */
export const RelaySchema = z.object({
  type: z.literal('relay'),
  /** Station that wrote the inner envelope. */
  origin: StationIdSchema,
  /** Station it is for. */
  destination: StationIdSchema,
  /** Forwarding hops left; a station that is not the destination drops it at 0, else sends it on with hops − 1. */
  hops: z.number().int().min(0).max(MAX_RELAY_HOPS),
  /** Chosen by the origin (random u32); (origin, id) is the dedupe key. */
  id: U32Schema,
  /** The inner envelope (header byte + body), never itself a `relay`. */
  inner: BytesSchema.refine((b) => b.length >= 2 && b.length <= MAX_RELAY_INNER_BYTES, {
    message: `must be 2–${MAX_RELAY_INNER_BYTES} bytes`,
  }),
})
/** A `relay` message. */
export type Relay = z.infer<typeof RelaySchema>

// ---- codecs -----------------------------------------------------------------------------------

const hashWire = hashListWire(MAX_INVENTORY)
type Inventory = { tx: Uint8Array[]; block: Uint8Array[] }

function inventoryCodec<T extends 'inv' | 'notfound' | 'ack', M extends Inventory & { type: T }>(
  type: T,
  schema: z.ZodType<M>,
): MessageCodec<M> {
  const code = CONTROL_MESSAGE_TYPES[type]
  return {
    code,
    body: z
      .tuple([z.literal(code), hashWire, hashWire])
      .transform(([, tx, block]) => ({ type, tx, block }))
      .pipe(messageCheck(schema)),
    toBody: (m) => [code, joinHashes(m.tx), joinHashes(m.block)],
  }
}

/** Codecs of the control messages, for the registry. */
export const CONTROL_CODECS = {
  hello: {
    code: CONTROL_MESSAGE_TYPES.hello,
    body: z
      .tuple([z.literal(CONTROL_MESSAGE_TYPES.hello), z.number(), StationIdWireSchema, z.number(), Hash32WireSchema, z.number(), z.number(), z.number()])
      .transform(([, version, station, height, tip, links, features, dictionaries]) => {
        return { type: 'hello' as const, version, station, height, tip, links, features, dictionaries }
      })
      .pipe(messageCheck(HelloSchema)),
    toBody: (m) => [CONTROL_MESSAGE_TYPES.hello, m.version, stationIdToWire(m.station), m.height, m.tip, m.links, m.features, m.dictionaries],
  } satisfies MessageCodec<Hello>,
  inv: inventoryCodec('inv', InvSchema),
  notfound: inventoryCodec('notfound', NotFoundSchema),
  ack: inventoryCodec('ack', AckSchema),
  getdata: {
    code: CONTROL_MESSAGE_TYPES.getdata,
    body: z
      .tuple([z.literal(CONTROL_MESSAGE_TYPES.getdata), hashWire, hashWire, hashWire])
      .transform(([, tx, block, compact]) => ({ type: 'getdata' as const, tx, block, compact }))
      .pipe(messageCheck(GetDataSchema)),
    toBody: (m) => [CONTROL_MESSAGE_TYPES.getdata, joinHashes(m.tx), joinHashes(m.block), joinHashes(m.compact)],
  } satisfies MessageCodec<GetData>,
  relay: {
    code: CONTROL_MESSAGE_TYPES.relay,
    body: z
      .tuple([z.literal(CONTROL_MESSAGE_TYPES.relay), StationIdWireSchema, StationIdWireSchema, z.number(), z.number(), BytesWireSchema])
      .transform(([, origin, destination, hops, id, inner]) => ({ type: 'relay' as const, origin, destination, hops, id, inner }))
      .pipe(messageCheck(RelaySchema)),
    toBody: (m) => [CONTROL_MESSAGE_TYPES.relay, stationIdToWire(m.origin), stationIdToWire(m.destination), m.hops, m.id, m.inner],
  } satisfies MessageCodec<Relay>,
}
