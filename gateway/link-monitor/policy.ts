/**
 * The routing policy as one pure function: given the monitor's snapshot, a message (class, size,
 * peer), the config, the peer's hysteresis state, the airtime budgets and the time, choose the
 * link, whether to deflate and the fragment size, or say "hold".
 *
 * How a link is chosen (FreeDATA-style threshold table plus hysteresis):
 * 1. Links are taken in preference order (config `preference`, then kind order tcp, vara, ax25,
 *    js8call).
 * 2. A link is out when it may not carry the class, the message is over its size limit, it is not
 *    up, a known SNR / loss / goodput reading misses its threshold, or its airtime budget cannot pay
 *    for the message's estimated airtime now. Unknown readings pass: a link that reports no SNR
 *    (KISS, TCP) is not barred for it, and a stale bad reading expires from the snapshot.
 * 3. A link whose peer has not been heard for `staleAfterMs` is a last resort (a probe), behind
 *    every link that has heard the peer: otherwise two gateways that have never met would both wait.
 *    A link that is up but over its loss limit comes after those: when it is the only way left it
 *    is still tried (`last-resort`), since loss is measured by sending, and a link that is never
 *    used could never show that it got better. (SNR keeps coming with every frame heard, so an
 *    SNR floor stays a hard limit.)
 * 4. Hysteresis: the current link is left at once when it is down, stale or under a threshold
 *    (failover), but traffic moves back to a better link only once that one has stayed good for
 *    `dwellMs`, so a flapping link does not make the gateway flap. A message the current link cannot
 *    carry (class, size, budget) takes another link without changing the current one (a detour).
 *
 * @packageDocumentation
 */
import type { TransportKind } from '../../transports/types.js'
import { budgetAllows, budgetWaitMs, estimateAirtimeMs, exceedsBudget } from './budget.js'
import type { BudgetState } from './budget.js'
import type { LinkQuality, MonitorSnapshot, QualityReadings } from './monitor.js'
import { DEFAULT_KIND_ORDER, resolveLinkRule } from './policy-config.js'
import type { LinkRule, MessageClass, PolicyConfig } from './policy-config.js'

/** Per-peer memory of the policy; the router keeps one per peer and stores what each decision returns. */
export interface HysteresisState {
  /** The link in use for this peer and since when (ms since the epoch). */
  current?: { transportId: string; since: number }
  /** Since when each link has been continuously good for this peer, ms since the epoch. */
  goodSince: Readonly<Record<string, number>>
}

/** Everything one decision depends on. */
export interface PolicyInput {
  snapshot: MonitorSnapshot
  messageClass: MessageClass
  /** Size of the encoded message before compression, bytes. */
  bytes: number
  /** Destination gateway; absent for a broadcast (beacon), which ignores staleness. */
  peer?: string
  config: PolicyConfig
  /** This peer's state from the previous decision; absent the first time. */
  hysteresis?: HysteresisState
  /** Airtime budget state per transport id; a link without an entry has a full bucket. */
  budgets?: Readonly<Record<string, BudgetState>>
  /** ms since the epoch. */
  now: number
}

/** How to send a message on one link. */
export interface LinkChoice {
  transportId: string
  /** Try deflate (the envelope keeps it only if smaller). */
  compress: boolean
  /** Largest fragment, bytes (header included). */
  fragmentMtu: number
  /** Estimated airtime, ms: what to charge the link's budget. */
  airtimeMs: number
}

/** Why a link was chosen. */
export type SendReason =
  | 'preferred' // the best link, and the current one or there was none
  | 'stay' // a better link is good again but has not yet stayed good for `dwellMs`
  | 'return-after-dwell' // a better link has stayed good for `dwellMs`
  | 'failover' // the current link is down, stale or under a threshold
  | 'detour' // the current link cannot carry this message; it stays current
  | 'stale-probe' // no link has heard the peer lately: try the best one anyway
  | 'last-resort' // every link that could carry it is over its loss limit: try the best of them

/** Why a link was not usable, in the order checked. */
export type RejectReason =
  | 'unregistered'
  | 'class-not-allowed'
  | 'too-large'
  | 'not-up'
  | 'snr-below-min'
  | 'loss-above-max'
  | 'goodput-below-min'
  | 'exceeds-budget' // even a full bucket could not pay for it
  | 'over-budget' // the bucket must refill first

/** A link that was passed over, and why. */
export interface Rejection {
  transportId: string
  reason: RejectReason
}

/** Send on `transportId`; on failure go down `fallbacks` at once. */
export interface SendDecision extends LinkChoice {
  type: 'send'
  reason: SendReason
  /** Other usable links, best first. */
  fallbacks: LinkChoice[]
  rejected: Rejection[]
  /** Store for the next decision for this peer. */
  hysteresis: HysteresisState
}

/** Nothing may carry the message now: keep it queued. */
export interface HoldDecision {
  type: 'hold'
  /** `over-budget`: a link will take it once its budget refills (see `retryInMs`). */
  reason: 'over-budget' | 'no-usable-link'
  /** With `over-budget`: when the first budget will allow it, ms from now. */
  retryInMs?: number
  rejected: Rejection[]
  /** Store for the next decision for this peer. */
  hysteresis: HysteresisState
}

/** Outcome of {@link selectLink}. */
export type LinkDecision = SendDecision | HoldDecision

/** What the policy concluded about one link for one message. */
interface Assessment {
  transportId: string
  choice?: LinkChoice
  /** First hard problem, if any. */
  problem?: RejectReason
  /** The peer has not been heard lately (soft: the link is a probe). */
  stale: boolean
  /** Up, thresholds met, peer heard: counts towards the dwell. */
  qualified: boolean
  upSince?: number
  /** Time until the budget allows the message, ms (with `over-budget`). */
  waitMs: number
  /** The airtime budget allows the message now. */
  budgetOk: boolean
}

/** Chooses the link for one message; pure. */
export function selectLink(input: PolicyInput): LinkDecision {
  const assessed = linkOrder(input.snapshot, input.config).map((id) => assess(id, input))
  const goodSince = nextGoodSince(assessed, input)
  const fresh = assessed.filter((a) => a.problem === undefined && !a.stale)
  const probes = assessed.filter((a) => a.problem === undefined && a.stale)
  const rejected = assessed.flatMap((a) => (a.problem === undefined ? [] : [{ transportId: a.transportId, reason: a.problem }]))
  const pick = pickLink(assessed, { fresh, probes }, goodSince, input) ?? lastResort(assessed)
  if (pick === undefined) return hold(assessed, rejected, { ...keepCurrent(input.hysteresis), goodSince })
  const usable = pick.reason === 'last-resort' ? [pick.assessment] : [...fresh, ...probes]
  return {
    type: 'send',
    ...(pick.assessment.choice as LinkChoice),
    reason: pick.reason,
    fallbacks: usable.filter((a) => a !== pick.assessment).map((a) => a.choice as LinkChoice),
    rejected,
    hysteresis: { current: nextCurrent(pick, input), goodSince },
  }
}

/** Transport ids in preference order: `config.preference` first, then by kind order and id. */
export function linkOrder(snapshot: MonitorSnapshot, config: PolicyConfig): string[] {
  const known = Object.keys(snapshot.links)
  const listed = [...new Set(config.preference)].filter((id) => known.includes(id))
  const byKind = (a: string, b: string): number => kindRank(snapshot, a) - kindRank(snapshot, b) || a.localeCompare(b)
  const rest = known.filter((id) => !listed.includes(id)).sort(byKind)
  return [...listed, ...rest]
}

function kindRank(snapshot: MonitorSnapshot, id: string): number {
  const kind: TransportKind | undefined = ownEntry(snapshot.links, id)?.capabilities?.kind
  return kind === undefined ? DEFAULT_KIND_ORDER.length : DEFAULT_KIND_ORDER.indexOf(kind)
}

function assess(transportId: string, input: PolicyInput): Assessment {
  const link = ownEntry(input.snapshot.links, transportId)
  if (link?.capabilities === undefined) return { transportId, problem: 'unregistered', stale: true, qualified: false, waitMs: Infinity, budgetOk: false }
  const rule = resolveLinkRule(input.config, transportId, link.capabilities.kind)
  const r = readingsFor(link, input.peer)
  const choice = shape(link, rule, r, input.bytes)
  const quality = qualityProblem(link, rule, r)
  const stale = input.peer !== undefined && r.stale
  const budget = budgetProblem(rule, input, transportId, choice.airtimeMs)
  const problem = fitProblem(rule, input) ?? quality ?? budget.problem
  const upSince = link.stateSince
  return { transportId, choice, stale, qualified: quality === undefined && !stale, waitMs: budget.waitMs, budgetOk: budget.problem === undefined, ...defined({ problem, upSince }) }
}

/** The peer's readings where known, else the link's; staleness is the peer's (never heard = stale). */
function readingsFor(link: LinkQuality, peer: string | undefined): QualityReadings {
  if (peer === undefined) return link
  const p = ownEntry(link.peers, peer)
  return { ...linkWide(link), ...(p ?? {}), stale: p?.stale ?? true }
}

function linkWide(link: LinkQuality): QualityReadings {
  const { snrDb, rttMs, loss, goodputBps, bitrateBps } = link
  return { stale: link.stale, ...defined({ snrDb, rttMs, loss, goodputBps, bitrateBps }) }
}

function shape(link: LinkQuality, rule: LinkRule, r: QualityReadings, bytes: number): LinkChoice {
  const caps = link.capabilities as NonNullable<LinkQuality['capabilities']>
  const fragmentMtu = Math.min(caps.mtu, rule.fragmentMtu ?? caps.mtu)
  const transmissions = Math.max(1, Math.ceil(bytes / fragmentMtu))
  const bitrate = r.bitrateBps ?? caps.nominalBitrateBps // bit/s: the modem's current rate when reported
  return {
    transportId: link.transportId,
    compress: rule.compressAboveBytes !== null && bytes > rule.compressAboveBytes,
    fragmentMtu,
    airtimeMs: estimateAirtimeMs(bytes, bitrate, transmissions, rule.txOverheadMs),
  }
}

function fitProblem(rule: LinkRule, input: PolicyInput): RejectReason | undefined {
  if (!rule.classes.includes(input.messageClass)) return 'class-not-allowed'
  if (input.bytes > rule.maxMessageBytes) return 'too-large'
  return undefined
}

function qualityProblem(link: LinkQuality, rule: LinkRule, r: QualityReadings): RejectReason | undefined {
  if (link.state !== 'up') return 'not-up'
  if (below(r.snrDb, rule.minSnrDb)) return 'snr-below-min'
  if (below(rule.maxLoss, r.loss)) return 'loss-above-max'
  if (below(r.goodputBps, rule.minGoodputBps)) return 'goodput-below-min'
  return undefined
}

/** `a < b` when both are known; an unknown reading or an absent threshold passes. */
function below(a: number | null | undefined, b: number | null | undefined): boolean {
  return a !== undefined && a !== null && b !== undefined && b !== null && a < b
}

interface BudgetVerdict {
  problem?: RejectReason
  /** ms until the budget allows the message. */
  waitMs: number
}

function budgetProblem(rule: LinkRule, input: PolicyInput, transportId: string, costMs: number): BudgetVerdict {
  if (rule.budget === null) return { waitMs: 0 }
  const reserve = input.config.budgetReserve[input.messageClass]
  const state = input.budgets !== undefined ? ownEntry(input.budgets, transportId) : undefined
  if (exceedsBudget(rule.budget, costMs, reserve)) return { problem: 'exceeds-budget', waitMs: Infinity }
  if (budgetAllows(state, rule.budget, costMs, reserve, input.now)) return { waitMs: 0 }
  return { problem: 'over-budget', waitMs: budgetWaitMs(state, rule.budget, costMs, reserve, input.now) }
}

function nextGoodSince(assessed: Assessment[], input: PolicyInput): Record<string, number> {
  const prev = input.hysteresis?.goodSince ?? {}
  const entries = assessed.filter((a) => a.qualified).map((a) => {
    const since = ownEntry(prev, a.transportId)
    // a link that went down and up again between two decisions has been good only since it came up
    return [a.transportId, since === undefined ? input.now : Math.max(since, a.upSince ?? since)] as const
  })
  return Object.fromEntries(entries)
}

interface Chosen {
  assessment: Assessment
  reason: SendReason
}

/** Usable links: `fresh` ones have heard the peer lately, `probes` have not. */
interface Usable {
  fresh: Assessment[]
  probes: Assessment[]
}

function pickLink(assessed: Assessment[], { fresh, probes }: Usable, goodSince: Record<string, number>, input: PolicyInput): Chosen | undefined {
  const currentId = input.hysteresis?.current?.transportId
  const current = assessed.find((a) => a.transportId === currentId)
  const best = fresh[0] ?? probes[0]
  if (best === undefined) return undefined
  if (current === undefined) return { assessment: best, reason: fresh[0] === undefined ? 'stale-probe' : 'preferred' }
  if (!current.qualified) return { assessment: best, reason: fresh[0] === undefined ? 'stale-probe' : 'failover' }
  if (!fresh.includes(current)) return { assessment: best, reason: 'detour' }
  return withDwell(fresh, current, goodSince, input)
}

/** The first link whose only problem is its loss (it is up, may carry the message and has budget). */
function lastResort(assessed: Assessment[]): Chosen | undefined {
  const poor = assessed.find((a) => a.problem !== undefined && QUALITY_PROBLEMS.has(a.problem) && a.budgetOk)
  return poor === undefined ? undefined : { assessment: poor, reason: 'last-resort' }
}

const QUALITY_PROBLEMS: ReadonlySet<RejectReason> = new Set(['loss-above-max'])

/** The current link, unless a link ahead of it has stayed good for `dwellMs`. */
function withDwell(fresh: Assessment[], current: Assessment, goodSince: Record<string, number>, input: PolicyInput): Chosen {
  const ahead = fresh.slice(0, fresh.indexOf(current))
  const dwelt = ahead.find((a) => input.now - (ownEntry(goodSince, a.transportId) ?? input.now) >= input.config.dwellMs)
  if (dwelt !== undefined) return { assessment: dwelt, reason: 'return-after-dwell' }
  return { assessment: current, reason: ahead.length === 0 ? 'preferred' : 'stay' }
}

/** The current link after sending on `pick`: a detour leaves it, anything else makes `pick` current. */
function nextCurrent(pick: Chosen, input: PolicyInput): NonNullable<HysteresisState['current']> {
  const prev = input.hysteresis?.current
  if (prev !== undefined && (prev.transportId === pick.assessment.transportId || pick.reason === 'detour')) return prev
  return { transportId: pick.assessment.transportId, since: input.now }
}

function keepCurrent(h: HysteresisState | undefined): Pick<HysteresisState, 'current'> {
  return h?.current === undefined ? {} : { current: h.current }
}

function hold(assessed: Assessment[], rejected: Rejection[], hysteresis: HysteresisState): HoldDecision {
  const waits = assessed.filter((a) => a.problem === 'over-budget').map((a) => a.waitMs)
  if (waits.length === 0) return { type: 'hold', reason: 'no-usable-link', rejected, hysteresis }
  return { type: 'hold', reason: 'over-budget', retryInMs: Math.min(...waits), rejected, hysteresis }
}

/** `record[key]` if it is the record's own property (keys such as `constructor` come off the air). */
function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

/** `values` without its undefined fields (optional properties stay absent, not `undefined`). */
function defined<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> }
}
