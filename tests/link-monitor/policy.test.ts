import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { BudgetState } from '../../gateway/link-monitor/budget.js'
import { DEFAULT_LINK_TIMING, LinkMonitor } from '../../gateway/link-monitor/monitor.js'
import type { LinkQuality, MonitorSnapshot, PeerQuality, QualityReadings } from '../../gateway/link-monitor/monitor.js'
import { linkOrder, selectLink } from '../../gateway/link-monitor/policy.js'
import type { HysteresisState, LinkDecision, PolicyInput, RejectReason, SendReason } from '../../gateway/link-monitor/policy.js'
import { MESSAGE_CLASSES, PolicyConfigSchema, resolveLinkRule } from '../../gateway/link-monitor/policy-config.js'
import type { MessageClass, PolicyConfigInput } from '../../gateway/link-monitor/policy-config.js'
import type { LinkState, TransportCapabilities } from '../../transports/types.js'

const NOW = 1_700_000_000_000 // ms
const HOUR = 3_600_000 // ms
const IDS = ['inet', 'hf', 'vhf', 'js8'] as const
type Id = (typeof IDS)[number]

const CAPS: Record<Id, TransportCapabilities> = {
  inet: { kind: 'tcp', mtu: 60_000, nominalBitrateBps: 10_000_000, broadcast: false, reliable: true, halfDuplex: false, publicMedium: false },
  hf: { kind: 'vara', mtu: 1_024, nominalBitrateBps: 2_000, broadcast: false, reliable: true, halfDuplex: true, publicMedium: true },
  vhf: { kind: 'ax25', mtu: 256, nominalBitrateBps: 1_200, broadcast: true, reliable: false, halfDuplex: true, publicMedium: true },
  js8: { kind: 'js8call', mtu: 64, nominalBitrateBps: 4.8, broadcast: true, reliable: false, halfDuplex: true, publicMedium: true },
}

/** How one link looks in a row: `down`, `stale` (peer not heard lately), `absent`, `unregistered`, or details. */
type LinkSpec =
  | 'down'
  | 'stale'
  | 'absent'
  | 'unregistered'
  | { state?: LinkState; stateSince?: number; peer?: Partial<PeerQuality> | 'stale' | 'absent'; readings?: Partial<QualityReadings> }

function linkQuality(id: Id, spec: LinkSpec = {}): LinkQuality | undefined {
  if (spec === 'absent') return undefined
  const s = spec === 'down' ? { state: 'down' as const } : spec === 'stale' ? { peer: 'stale' as const } : spec === 'unregistered' ? {} : spec
  const peer = s.peer === 'stale' ? { stale: true, lastHeardAt: NOW - 10 * HOUR } : s.peer === 'absent' ? undefined : { stale: false, lastHeardAt: NOW - 1_000, ...s.peer }
  return {
    transportId: id,
    ...(spec === 'unregistered' ? {} : { capabilities: CAPS[id] }),
    state: s.state ?? 'up',
    stateSince: s.stateSince ?? NOW - 10 * HOUR,
    availability: 1,
    stale: false,
    ...s.readings,
    peers: peer === undefined ? {} : { PEER: { peer: 'PEER', ...peer } },
  }
}

function snapshot(specs: Partial<Record<Id, LinkSpec>> = {}): MonitorSnapshot {
  const links = IDS.flatMap((id) => {
    const q = linkQuality(id, specs[id])
    return q === undefined ? [] : [[id, q] as const]
  })
  return { at: NOW, links: Object.fromEntries(links) }
}

/** Every link down except `ids`. */
function onlyUp(...ids: Id[]): Partial<Record<Id, LinkSpec>> {
  return Object.fromEntries(IDS.filter((id) => !ids.includes(id)).map((id) => [id, 'down']))
}

interface SendExpect {
  send: Id
  reason?: SendReason
  compress?: boolean
  fragmentMtu?: number
  airtimeMs?: number
  fallbacks?: Id[]
  rejected?: Partial<Record<Id, RejectReason>>
  current?: { transportId: Id; since: number }
  goodSince?: Partial<Record<Id, number>>
}
interface HoldExpect {
  hold: 'no-usable-link' | 'over-budget'
  retryInMs?: number
  rejected?: Partial<Record<Id, RejectReason>>
  current?: { transportId: Id; since: number }
}
interface Row {
  name: string
  links?: Partial<Record<Id, LinkSpec>>
  cls?: MessageClass
  bytes?: number
  /** `null`: no peer (broadcast). */
  peer?: string | null
  config?: PolicyConfigInput
  hysteresis?: HysteresisState
  budgets?: Partial<Record<Id, BudgetState>>
  expect: SendExpect | HoldExpect
}

function decide(row: Row): LinkDecision {
  const peer = row.peer === undefined ? 'PEER' : row.peer
  const input: PolicyInput = {
    snapshot: snapshot(row.links),
    messageClass: row.cls ?? 'tx',
    bytes: row.bytes ?? 170,
    config: PolicyConfigSchema.parse(row.config ?? {}),
    now: NOW,
    ...(peer === null ? {} : { peer }),
    ...(row.hysteresis === undefined ? {} : { hysteresis: row.hysteresis }),
    ...(row.budgets === undefined ? {} : { budgets: row.budgets as Record<string, BudgetState> }),
  }
  return selectLink(input)
}

function rejectedMap(d: LinkDecision): Record<string, RejectReason> {
  return Object.fromEntries(d.rejected.map((r) => [r.transportId, r.reason]))
}

function check(d: LinkDecision, e: SendExpect | HoldExpect): void {
  if ('hold' in e) {
    expect(d).toMatchObject({ type: 'hold', reason: e.hold })
    if (e.retryInMs !== undefined) expect(d.type === 'hold' && d.retryInMs).toBe(e.retryInMs)
  } else {
    expect(d.type).toBe('send')
    if (d.type !== 'send') return
    expect(d.transportId).toBe(e.send)
    if (e.reason !== undefined) expect(d.reason).toBe(e.reason)
    if (e.compress !== undefined) expect(d.compress).toBe(e.compress)
    if (e.fragmentMtu !== undefined) expect(d.fragmentMtu).toBe(e.fragmentMtu)
    if (e.airtimeMs !== undefined) expect(d.airtimeMs).toBeCloseTo(e.airtimeMs, 6)
    if (e.fallbacks !== undefined) expect(d.fallbacks.map((f) => f.transportId)).toEqual(e.fallbacks)
    if (e.goodSince !== undefined) expect(d.hysteresis.goodSince).toMatchObject(e.goodSince)
  }
  if (e.rejected !== undefined) expect(rejectedMap(d)).toEqual(e.rejected)
  if (e.current !== undefined) expect(d.hysteresis.current).toEqual(e.current)
}

const JS8_TX_MS = (170 * 8_000) / 4.8 + 3 * 15_000 // 3 fragments of 64 bytes, 15 s overhead each
const current = (transportId: Id, since: number, goodSince: Partial<Record<Id, number>> = {}): HysteresisState => ({
  current: { transportId, since },
  goodSince: goodSince as Record<string, number>,
})

const ROWS: Row[] = [
  // ---- availability and preference
  { name: 'all links good: TCP first, the rest as fallbacks', expect: { send: 'inet', reason: 'preferred', compress: false, fragmentMtu: 60_000, fallbacks: ['hf', 'vhf', 'js8'], rejected: {} } },
  { name: 'TCP down: VARA', links: { inet: 'down' }, expect: { send: 'hf', fallbacks: ['vhf', 'js8'], rejected: { inet: 'not-up' } } },
  { name: 'TCP and VARA down: AX.25 carries a block body', links: onlyUp('vhf', 'js8'), cls: 'block-body', bytes: 2_000, expect: { send: 'vhf', compress: true, fragmentMtu: 256, fallbacks: [], rejected: { inet: 'not-up', hf: 'not-up', js8: 'class-not-allowed' } } },
  { name: 'only JS8Call: a transaction goes, compressed', links: onlyUp('js8'), expect: { send: 'js8', compress: true, fragmentMtu: 64, airtimeMs: JS8_TX_MS } },
  { name: 'JS8Call never carries block bodies', links: onlyUp('js8'), cls: 'block-body', bytes: 200, expect: { hold: 'no-usable-link', rejected: { inet: 'not-up', hf: 'not-up', vhf: 'not-up', js8: 'class-not-allowed' } } },
  { name: 'JS8Call never carries sync', links: onlyUp('js8'), cls: 'sync', bytes: 100, expect: { hold: 'no-usable-link' } },
  { name: 'JS8Call carries block announcements', links: onlyUp('js8'), cls: 'block-announce', bytes: 40, expect: { send: 'js8' } },
  { name: 'JS8Call carries control messages; small ones uncompressed', links: onlyUp('js8'), cls: 'control', bytes: 24, expect: { send: 'js8', compress: false } },
  { name: 'JS8Call refuses 301 bytes', links: onlyUp('js8'), bytes: 301, expect: { hold: 'no-usable-link', rejected: { inet: 'not-up', hf: 'not-up', vhf: 'not-up', js8: 'too-large' } } },
  { name: 'JS8Call takes 300 bytes', links: onlyUp('js8'), bytes: 300, expect: { send: 'js8' } },
  { name: 'all links down: hold', links: onlyUp(), expect: { hold: 'no-usable-link', rejected: { inet: 'not-up', hf: 'not-up', vhf: 'not-up', js8: 'not-up' } } },
  { name: 'a starting link is not up', links: { ...onlyUp('js8'), hf: { state: 'starting' } }, expect: { send: 'js8', rejected: { inet: 'not-up', hf: 'not-up', vhf: 'not-up' } } },
  { name: 'no links at all: hold', links: { inet: 'absent', hf: 'absent', vhf: 'absent', js8: 'absent' }, expect: { hold: 'no-usable-link', rejected: {} } },
  { name: 'a beacon goes on broadcast-class links only', peer: null, cls: 'beacon', bytes: 30, expect: { send: 'vhf', fallbacks: ['js8'], rejected: { inet: 'class-not-allowed', hf: 'class-not-allowed' } } },
  { name: 'a beacon ignores staleness', peer: null, cls: 'beacon', bytes: 30, links: { vhf: 'stale', js8: 'stale' }, expect: { send: 'vhf', reason: 'preferred' } },
  { name: 'preference from config comes first', config: { preference: ['vhf', 'inet'] }, expect: { send: 'vhf', fallbacks: ['inet', 'hf', 'js8'] } },
  { name: 'unknown and repeated ids in preference are ignored', config: { preference: ['nope', 'js8', 'js8'] }, expect: { send: 'js8', fallbacks: ['inet', 'hf', 'vhf'] } },
  { name: 'a link without capabilities is never used', links: { inet: 'down', hf: 'unregistered' }, expect: { send: 'vhf', rejected: { inet: 'not-up', hf: 'unregistered' } } },

  // ---- thresholds (FreeDATA-style table)
  { name: 'VARA under its min SNR (peer reading)', links: { inet: 'down', hf: { peer: { snrDb: -12 } } }, expect: { send: 'vhf', rejected: { inet: 'not-up', hf: 'snr-below-min' } } },
  { name: 'VARA exactly at its min SNR', links: { inet: 'down', hf: { peer: { snrDb: -10 } } }, expect: { send: 'hf' } },
  { name: 'the link-wide SNR counts when the peer has none', links: { inet: 'down', hf: { readings: { snrDb: -12 } } }, expect: { send: 'vhf' } },
  { name: "the peer's SNR wins over the link-wide one", links: { inet: 'down', hf: { readings: { snrDb: -12 }, peer: { snrDb: -5 } } }, expect: { send: 'hf' } },
  { name: 'JS8Call at −25 dB is under its floor', links: { ...onlyUp('js8'), js8: { peer: { snrDb: -25 } } }, expect: { hold: 'no-usable-link', rejected: { inet: 'not-up', hf: 'not-up', vhf: 'not-up', js8: 'snr-below-min' } } },
  { name: 'JS8Call at −24 dB is used', links: { ...onlyUp('js8'), js8: { peer: { snrDb: -24 } } }, expect: { send: 'js8' } },
  { name: 'AX.25 loss over its max', links: { ...onlyUp('vhf', 'js8'), vhf: { peer: { loss: 0.6 } } }, expect: { send: 'js8', rejected: { inet: 'not-up', hf: 'not-up', vhf: 'loss-above-max' } } },
  { name: 'AX.25 loss at its max', links: { ...onlyUp('vhf', 'js8'), vhf: { peer: { loss: 0.5 } } }, expect: { send: 'vhf' } },
  { name: 'TCP with heavy loss gives way to radio', links: { inet: { peer: { loss: 0.9 } } }, expect: { send: 'hf', rejected: { inet: 'loss-above-max' } } },
  { name: 'VARA goodput under its min', links: { inet: 'down', hf: { peer: { goodputBps: 5 } } }, expect: { send: 'vhf', rejected: { inet: 'not-up', hf: 'goodput-below-min' } } },
  { name: 'unknown readings pass', links: { inet: 'down', hf: { peer: {}, readings: {} } }, expect: { send: 'hf' } },
  { name: 'a per-link patch lifts a threshold', links: { inet: 'down', hf: { peer: { snrDb: -15 } } }, config: { links: { hf: { minSnrDb: null } } }, expect: { send: 'hf' } },
  { name: 'a per-kind patch lets JS8Call carry block bodies', links: onlyUp('js8'), cls: 'block-body', bytes: 200, config: { kinds: { js8call: { classes: ['tx', 'block-body'] } } }, expect: { send: 'js8' } },

  // ---- staleness
  { name: 'TCP peer stale: fresh radio links first, TCP last', links: { inet: 'stale' }, expect: { send: 'hf', reason: 'preferred', fallbacks: ['vhf', 'js8', 'inet'] } },
  { name: 'nobody has heard the peer: probe the best link', links: { inet: { peer: 'absent' }, hf: { peer: 'absent' }, vhf: { peer: 'absent' }, js8: { peer: 'absent' } }, expect: { send: 'inet', reason: 'stale-probe', fallbacks: ['hf', 'vhf', 'js8'] } },
  { name: 'a stale link is still better than a down one', links: { ...onlyUp('js8'), js8: 'stale' }, expect: { send: 'js8', reason: 'stale-probe' } },
  { name: 'a stale link under a threshold is out', links: { ...onlyUp('hf'), hf: { peer: 'stale', readings: { snrDb: -30 } } }, expect: { hold: 'no-usable-link' } },

  // ---- shaping
  { name: 'no compression on TCP even for big messages', bytes: 5_000, expect: { send: 'inet', compress: false } },
  { name: 'VARA: 100 bytes stay plain', links: { inet: 'down' }, bytes: 100, expect: { send: 'hf', compress: false } },
  { name: 'VARA: 101 bytes are deflated', links: { inet: 'down' }, bytes: 101, expect: { send: 'hf', compress: true } },
  { name: 'a configured fragment size below the MTU is used', links: onlyUp('vhf'), config: { links: { vhf: { fragmentMtu: 128 } } }, expect: { send: 'vhf', fragmentMtu: 128 } },
  { name: 'a configured fragment size above the MTU is capped', links: onlyUp('vhf'), config: { links: { vhf: { fragmentMtu: 1_000 } } }, expect: { send: 'vhf', fragmentMtu: 256 } },
  { name: "the modem's reported bitrate sets the airtime", links: { inet: 'down', hf: { readings: { bitrateBps: 500 } } }, expect: { send: 'hf', airtimeMs: (170 * 8_000) / 500 + 1_000 } },

  // ---- airtime budgets
  { name: 'JS8Call budget spent: hold until it refills', links: onlyUp('js8'), budgets: { js8: { tokensMs: 0, at: NOW } }, expect: { hold: 'over-budget', retryInMs: Math.ceil(JS8_TX_MS * 4), rejected: { inet: 'not-up', hf: 'not-up', vhf: 'not-up', js8: 'over-budget' } } },
  { name: 'AX.25 budget spent: the tx goes to JS8Call', links: onlyUp('vhf', 'js8'), budgets: { vhf: { tokensMs: 0, at: NOW } }, expect: { send: 'js8', rejected: { inet: 'not-up', hf: 'not-up', vhf: 'over-budget' } } },
  { name: 'sync stops at its reserve', links: onlyUp('vhf'), cls: 'sync', bytes: 2_000, budgets: { vhf: { tokensMs: 82_500, at: NOW } }, expect: { hold: 'over-budget', retryInMs: 42_534 } },
  { name: '…while a tx still goes on the same budget', links: onlyUp('vhf'), budgets: { vhf: { tokensMs: 82_500, at: NOW } }, expect: { send: 'vhf' } },
  { name: 'a budget refills with time', links: onlyUp('js8'), budgets: { js8: { tokensMs: 0, at: NOW - Math.ceil(JS8_TX_MS * 4) } }, expect: { send: 'js8' } },
  { name: 'a message no full bucket could pay for', links: onlyUp('js8'), config: { links: { js8: { budget: { airtimeMs: 100_000, windowMs: HOUR } } } }, expect: { hold: 'no-usable-link', rejected: { inet: 'not-up', hf: 'not-up', vhf: 'not-up', js8: 'exceeds-budget' } } },
  { name: 'TCP has no budget', budgets: { inet: { tokensMs: -1e12, at: NOW } }, expect: { send: 'inet' } },

  // ---- hysteresis
  { name: 'stays while the better link has not stayed good for dwellMs', hysteresis: current('hf', NOW - HOUR, { inet: NOW - 10_000, hf: NOW - HOUR }), expect: { send: 'hf', reason: 'stay', current: { transportId: 'hf', since: NOW - HOUR }, goodSince: { inet: NOW - 10_000, hf: NOW - HOUR } } },
  { name: 'returns once the better link has stayed good for dwellMs', hysteresis: current('hf', NOW - HOUR, { inet: NOW - 60_000 }), expect: { send: 'inet', reason: 'return-after-dwell', current: { transportId: 'inet', since: NOW } } },
  { name: 'a link first seen good starts its dwell now', hysteresis: current('hf', NOW - HOUR), expect: { send: 'hf', reason: 'stay', goodSince: { inet: NOW, hf: NOW, vhf: NOW, js8: NOW } } },
  { name: 'a link that flapped between decisions restarts its dwell', links: { inet: { stateSince: NOW - 5_000 } }, hysteresis: current('hf', NOW - HOUR, { inet: NOW - HOUR }), expect: { send: 'hf', reason: 'stay', goodSince: { inet: NOW - 5_000 } } },
  { name: 'fails over at once when the current link goes down', links: { inet: 'down' }, hysteresis: current('inet', NOW - HOUR, { inet: NOW - HOUR }), expect: { send: 'hf', reason: 'failover', current: { transportId: 'hf', since: NOW } } },
  { name: "fails over at once when the current link's peer goes stale", links: { inet: 'stale' }, hysteresis: current('inet', NOW - HOUR), expect: { send: 'hf', reason: 'failover' } },
  { name: 'fails over at once under a threshold', links: { inet: 'down', hf: { peer: { snrDb: -20 } } }, hysteresis: current('hf', NOW - HOUR), expect: { send: 'vhf', reason: 'failover', current: { transportId: 'vhf', since: NOW } } },
  { name: 'moves back past an undwelt best link to a dwelt second best', hysteresis: current('js8', NOW - HOUR, { inet: NOW - 1_000, hf: NOW - 120_000, vhf: NOW - 1_000 }), expect: { send: 'hf', reason: 'return-after-dwell' } },
  { name: 'a tx stays on JS8Call while AX.25 dwells', links: onlyUp('vhf', 'js8'), hysteresis: current('js8', NOW - HOUR, { vhf: NOW - 1_000 }), expect: { send: 'js8', reason: 'stay' } },
  { name: 'a block body detours to AX.25 and JS8Call stays current', links: onlyUp('vhf', 'js8'), cls: 'block-body', bytes: 500, hysteresis: current('js8', NOW - HOUR, { vhf: NOW - 1_000 }), expect: { send: 'vhf', reason: 'detour', current: { transportId: 'js8', since: NOW - HOUR } } },
  { name: 'dwellMs 0 returns at once', config: { dwellMs: 0 }, hysteresis: current('hf', NOW - HOUR), expect: { send: 'inet', reason: 'return-after-dwell' } },
  { name: 'the current link that is best is preferred and keeps its since', hysteresis: current('inet', NOW - HOUR), expect: { send: 'inet', reason: 'preferred', current: { transportId: 'inet', since: NOW - HOUR } } },
  { name: 'a hold keeps the current link', links: onlyUp(), hysteresis: current('hf', NOW - HOUR), expect: { hold: 'no-usable-link', current: { transportId: 'hf', since: NOW - HOUR } } },
  { name: 'stale current and nothing fresh: probe, keeping the current link', links: { inet: 'stale', hf: 'stale', vhf: 'stale', js8: 'stale' }, hysteresis: current('inet', NOW - HOUR), expect: { send: 'inet', reason: 'stale-probe', current: { transportId: 'inet', since: NOW - HOUR } } },
]

describe('selectLink (table)', () => {
  it.each(ROWS)('$name', (row) => check(decide(row), row.expect))
})

describe('selectLink (properties)', () => {
  const linkArb = fc.record({
    state: fc.constantFrom<LinkState>('up', 'up', 'up', 'down', 'starting'),
    stale: fc.boolean(),
    snrDb: fc.option(fc.integer({ min: -30, max: 20 }), { nil: undefined }),
    loss: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    goodputBps: fc.option(fc.integer({ min: 0, max: 1_000 }), { nil: undefined }),
    tokensMs: fc.option(fc.integer({ min: -100_000, max: 900_000 }), { nil: undefined }),
  })
  const inputArb = fc.record({
    links: fc.tuple(linkArb, linkArb, linkArb, linkArb),
    cls: fc.constantFrom(...MESSAGE_CLASSES),
    bytes: fc.integer({ min: 1, max: 300_000 }),
    current: fc.option(fc.constantFrom(...IDS), { nil: undefined }),
  })

  type Drawn = typeof inputArb extends fc.Arbitrary<infer T> ? T : never

  function toInput(x: Drawn): PolicyInput {
    const specs = Object.fromEntries(
      IDS.map((id, i) => {
        const l = x.links[i] as Drawn['links'][0]
        const peer = l.stale ? ('stale' as const) : defined({ snrDb: l.snrDb, loss: l.loss, goodputBps: l.goodputBps })
        return [id, { state: l.state, peer }]
      }),
    )
    const budgets = Object.fromEntries(IDS.flatMap((id, i) => (x.links[i]?.tokensMs === undefined ? [] : [[id, { tokensMs: x.links[i]?.tokensMs, at: NOW }]])))
    return {
      snapshot: snapshot(specs as Partial<Record<Id, LinkSpec>>),
      messageClass: x.cls,
      bytes: x.bytes,
      peer: 'PEER',
      config: PolicyConfigSchema.parse({}),
      budgets: budgets as Record<string, BudgetState>,
      now: NOW,
      ...(x.current === undefined ? {} : { hysteresis: current(x.current, NOW - HOUR) }),
    }
  }

  it('only ever sends on a link that is up and may carry the message', () => {
    fc.assert(
      fc.property(inputArb, (x) => {
        const input = toInput(x)
        const d = selectLink(input)
        if (d.type === 'hold') return d.rejected.length === Object.keys(input.snapshot.links).length
        const all = [d, ...d.fallbacks]
        const ids = all.map((c) => c.transportId)
        expect(new Set(ids).size).toBe(ids.length)
        for (const c of all) {
          const link = input.snapshot.links[c.transportId] as LinkQuality
          const rule = resolveLinkRule(input.config, c.transportId, CAPS[c.transportId as Id].kind)
          expect(link.state).toBe('up')
          expect(rule.classes).toContain(input.messageClass)
          expect(input.bytes).toBeLessThanOrEqual(rule.maxMessageBytes)
          const snr = link.peers.PEER?.snrDb
          if (snr !== undefined && rule.minSnrDb !== null) expect(snr).toBeGreaterThanOrEqual(rule.minSnrDb)
          expect(c.fragmentMtu).toBeLessThanOrEqual(CAPS[c.transportId as Id].mtu)
        }
        return true
      }),
      { seed: 42, numRuns: 400 },
    )
  })

  it('is pure: frozen input, same answer twice', () => {
    fc.assert(
      fc.property(inputArb, (x) => {
        const input = deepFreeze(toInput(x))
        expect(selectLink(input)).toEqual(selectLink(input))
        return true
      }),
      { seed: 42, numRuns: 100 },
    )
  })
})

describe('linkOrder', () => {
  it('puts configured ids first, then kinds in default order, then by id', () => {
    const snap = snapshot()
    const extra = linkQuality('inet') as LinkQuality
    snap.links.backup = { ...extra, transportId: 'backup' }
    expect(linkOrder(snap, PolicyConfigSchema.parse({ preference: ['js8'] }))).toEqual(['js8', 'backup', 'inet', 'hf', 'vhf'])
  })
})

describe('selectLink over a live LinkMonitor (failover and recovery on fake time)', () => {
  function world() {
    const clock = { t: NOW }
    const monitor = new LinkMonitor({}, () => clock.t)
    for (const id of ['inet', 'hf'] as const) {
      monitor.registerLink(id, CAPS[id])
      monitor.recordState(id, 'up', clock.t)
    }
    const config = PolicyConfigSchema.parse({ dwellMs: 60_000 })
    let hysteresis: HysteresisState | undefined
    const route = (): string => {
      const d = selectLink({ snapshot: monitor.snapshot(), messageClass: 'tx', bytes: 170, peer: 'B', config, now: clock.t, ...(hysteresis ? { hysteresis } : {}) })
      hysteresis = d.hysteresis
      return d.type === 'send' ? d.transportId : 'hold'
    }
    const hear = (): void => {
      monitor.recordHeard('inet', 'B', clock.t)
      monitor.recordHeard('hf', 'B', clock.t)
    }
    return { clock, monitor, route, hear }
  }

  it('fails over at once, and returns only after the better link stayed up for the dwell', () => {
    const { clock, monitor, route, hear } = world()
    hear()
    expect(route()).toBe('inet')
    clock.t += 1_000
    monitor.recordState('inet', 'down', clock.t)
    expect(route()).toBe('hf')
    clock.t += 5_000
    monitor.recordState('inet', 'up', clock.t)
    hear()
    const backUp = clock.t
    const seen: string[] = []
    while (clock.t < backUp + 90_000) {
      clock.t += 5_000
      hear()
      seen.push(`${clock.t - backUp}:${route()}`)
    }
    // the dwell counts from the first decision that saw TCP good again (5 s after it came up): never early
    expect(seen.slice(0, 12).every((s) => s.endsWith(':hf'))).toBe(true) // 5 s … 60 s
    expect(seen.slice(12)).toEqual(['65000:inet', '70000:inet', '75000:inet', '80000:inet', '85000:inet', '90000:inet'])
  })

  it('does not flap with a link that drops every 30 s', () => {
    const { clock, monitor, route, hear } = world()
    hear()
    const used: string[] = []
    for (let s = 0; s < 600; s += 5) {
      clock.t = NOW + s * 1_000
      if (s % 30 === 0) monitor.recordState('inet', s % 60 === 0 ? 'down' : 'up', clock.t)
      hear()
      used.push(route())
    }
    const switches = used.filter((u, i) => i > 0 && u !== used[i - 1]).length
    expect(used[0]).toBe('hf')
    expect(switches).toBe(0) // inet is never up for a whole dwell
  })

  it('moves off a link whose peer falls silent once staleAfterMs passes', () => {
    const { clock, monitor, route, hear } = world()
    hear()
    expect(route()).toBe('inet')
    clock.t += DEFAULT_LINK_TIMING.tcp.staleAfterMs + 1
    monitor.recordHeard('hf', 'B', clock.t) // only VARA still hears B
    expect(route()).toBe('hf')
  })
})

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v)
    Object.freeze(o)
  }
  return o
}
