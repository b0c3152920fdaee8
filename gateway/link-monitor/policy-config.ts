/**
 * Configuration of the routing policy: which link is preferred, what each kind of link may carry,
 * the quality thresholds below which it is not used, how its traffic is shaped, and its airtime
 * budget. Defaults are per kind of link (an operator names links freely, e.g. `vhf-packet`);
 * `links` patches single links by id.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import type { TransportKind } from '../../transports/types.js'
import { MessageClassSchema, type MessageClass } from '../store/message-class.js'
import { BudgetConfigSchema } from './budget.js'

export { MESSAGE_CLASSES, MessageClassSchema, type MessageClass } from '../store/message-class.js'

/** Everything the policy knows about one link. Nullable fields: `null` = no limit / never. */
export const LinkRuleSchema = z.strictObject({
  /** Message classes this link may carry. */
  classes: z.array(MessageClassSchema),
  /** Least SNR to use the link, dB (FreeDATA-style floor). */
  minSnrDb: z.number().nullable(),
  /** Most loss (share of failed sends, 0–1) to use the link. */
  maxLoss: z.number().min(0).max(1).nullable(),
  /** Least goodput to use the link, bytes/s. */
  minGoodputBps: z.number().nonnegative().nullable(),
  /** Largest message (before compression) the link may carry, bytes. */
  maxMessageBytes: z.number().int().positive(),
  /** Deflate messages larger than this, bytes; `null` = never (fast links: CPU, not air, is scarce). */
  compressAboveBytes: z.number().int().nonnegative().nullable(),
  /** Fragment size, bytes; `null` = the transport's MTU. Smaller fragments lose less per error. */
  fragmentMtu: z.number().int().min(8).nullable(),
  /** Fixed airtime per transmission (key-up, preamble, sync, turn-around), ms. */
  txOverheadMs: z.number().nonnegative(),
  /** Airtime budget; `null` = unlimited. */
  budget: BudgetConfigSchema.nullable(),
})
/** Everything the policy knows about one link. */
export type LinkRule = z.infer<typeof LinkRuleSchema>

/** A partial {@link LinkRule}: the fields given replace the kind's defaults. */
export const LinkRulePatchSchema = LinkRuleSchema.partial()
/** A partial {@link LinkRule}. */
export type LinkRulePatch = z.infer<typeof LinkRulePatchSchema>

const ALL_BUT_BEACON: MessageClass[] = ['tx', 'block-announce', 'block-body', 'sync', 'control']

/**
 * Default rules per kind of link, each value with its reason. Rates: TCP Mbit/s; VARA ~50 bit/s to ~25 kbit/s with its own ARQ; AX.25 57–1066 bytes/s measured
 * on a shared channel; JS8Call 2.4–12 bit/s (a 168-byte transaction is ~5 min at Normal speed).
 */
export const DEFAULT_LINK_RULES: Readonly<Record<TransportKind, LinkRule>> = {
  tcp: {
    classes: ALL_BUT_BEACON, // not a broadcast medium: peers meet through hello, not beacons
    minSnrDb: null,
    maxLoss: 0.5,
    minGoodputBps: null,
    maxMessageBytes: 1024 * 1024, // the envelope's decompression cap
    compressAboveBytes: null,
    fragmentMtu: null,
    txOverheadMs: 0,
    budget: null,
  },
  vara: {
    classes: ALL_BUT_BEACON, // point-to-point ARQ sessions, no broadcast
    minSnrDb: -10, // FreeDATA's slowest ARQ level needs −10 dB; below it an HF session mostly retries
    maxLoss: 0.5,
    minGoodputBps: 10, // below ~80 bit/s the session is stuck at its lowest level or retrying
    maxMessageBytes: 256 * 1024,
    compressAboveBytes: 100,
    fragmentMtu: null,
    txOverheadMs: 1_000, // ARQ turn-around and ACK frames (~0.84 s each on VARA HF)
    budget: null, // a connected ARQ session owns its frequency while it lasts
  },
  ax25: {
    classes: [...ALL_BUT_BEACON, 'beacon'],
    minSnrDb: null, // plain KISS reports no SNR
    maxLoss: 0.5, // at 10 % frame loss 1200 baud already drops from 117 to 89 bytes/s
    minGoodputBps: null,
    maxMessageBytes: 64 * 1024,
    compressAboveBytes: 100,
    fragmentMtu: null,
    txOverheadMs: 600, // random wait ~0.25 s + TXDELAY ~0.3 s + TXTAIL (Direwolf's cost model)
    budget: { airtimeMs: 150_000, windowMs: 600_000 }, // 25 % of a shared channel
  },
  js8call: {
    classes: ['tx', 'block-announce', 'control', 'beacon'], // never block bodies or sync at ~5 bit/s
    minSnrDb: -24, // JS8 Normal decodes down to −25 dB; 1 dB margin
    maxLoss: 0.8, // the link of last resort: slow and lossy is still better than nothing
    minGoodputBps: null,
    maxMessageBytes: 300, // a transaction (~170 bytes) with room to spare; ~8 min of air at Normal
    compressAboveBytes: 24, // every byte is ~1.7 s of air; the envelope keeps deflate only if smaller
    fragmentMtu: null,
    txOverheadMs: 15_000, // one JS8 Normal period for the directed-message header per transmission
    budget: { airtimeMs: 900_000, windowMs: 3_600_000 }, // 15 min of TX per hour on a shared net
  },
}

/** Kinds in the default preference order: fastest and cheapest first. */
export const DEFAULT_KIND_ORDER: readonly TransportKind[] = ['tcp', 'vara', 'ax25', 'js8call']

/** `patch` over `base`, skipping fields that are absent or undefined. */
export function applyRulePatch(base: LinkRule, patch: LinkRulePatch | undefined): LinkRule {
  const defined = Object.entries(patch ?? {}).filter(([, v]) => v !== undefined)
  return { ...base, ...(Object.fromEntries(defined) as LinkRulePatch) }
}

function kindRuleSchema(kind: TransportKind) {
  return LinkRulePatchSchema.transform((patch) => applyRulePatch(DEFAULT_LINK_RULES[kind], patch)).prefault({})
}

/**
 * Share of a budget's capacity (0–1) each class must leave in the bucket. Transactions and the
 * control messages that complete them may use everything; bulk sync only the top half.
 */
export const BudgetReserveSchema = z.strictObject({
  tx: z.number().min(0).max(1).default(0),
  control: z.number().min(0).max(1).default(0), // acks and requests finish what tx started
  'block-announce': z.number().min(0).max(1).default(0.1),
  'block-body': z.number().min(0).max(1).default(0.25),
  beacon: z.number().min(0).max(1).default(0.25), // discovery can wait for a refill
  sync: z.number().min(0).max(1).default(0.5),
})
/** Reserve per class. */
export type BudgetReserve = z.infer<typeof BudgetReserveSchema>

/** The routing policy's configuration; every field has a default. */
export const PolicyConfigSchema = z.strictObject({
  /** Transport ids, most preferred first; links not listed follow in {@link DEFAULT_KIND_ORDER}. */
  preference: z.array(z.string().min(1)).default([]),
  /** How long a better link must have stayed good before traffic moves back to it, ms. */
  dwellMs: z.number().nonnegative().default(60_000),
  /** Rules per kind of link, each field defaulting to {@link DEFAULT_LINK_RULES}. */
  kinds: z
    .strictObject({ tcp: kindRuleSchema('tcp'), ax25: kindRuleSchema('ax25'), vara: kindRuleSchema('vara'), js8call: kindRuleSchema('js8call') })
    .prefault({}),
  /** Patches for single links, by transport id, over their kind's rule. */
  links: z.record(z.string(), LinkRulePatchSchema).default({}),
  /** Budget reserve per class. */
  budgetReserve: BudgetReserveSchema.prefault({}),
})
/** The routing policy's configuration (parsed, all defaults filled in). */
export type PolicyConfig = z.infer<typeof PolicyConfigSchema>
/** The routing policy's configuration as written (every field optional). */
export type PolicyConfigInput = z.input<typeof PolicyConfigSchema>

/** The rule in force for link `transportId` of `kind`: the kind's rule patched by the link's. */
export function resolveLinkRule(config: PolicyConfig, transportId: string, kind: TransportKind): LinkRule {
  const patch = Object.hasOwn(config.links, transportId) ? config.links[transportId] : undefined
  return applyRulePatch(config.kinds[kind], patch)
}
