/**
 * The soak's fault schedule: a seeded, reproducible list of what goes wrong and when. The first
 * faults take every kind once in a seeded order, so even the short run covers them all; after that
 * each fault is a seeded pick. A radio fault comes with companions that make it bite: the A–B TCP
 * path is cut around it (so the radios carry A↔B traffic when one fails), and JS8Call quits while
 * VARA A hangs (so A→B traffic is on JS8Call when it goes). Faults of different kinds overlap
 * freely; one already under way is not started twice.
 */
import { createPrng, type Prng } from '../../hardware-sim/prng.js'

/** Everything the soak breaks. */
export const FAULT_KINDS = ['tcp-cut', 'vara-restart', 'vara-hang', 'js8-restart', 'tnc-unplug', 'node-restart', 'gateway-kill', 'invalid-tx'] as const
/** One kind of fault. */
export type FaultKind = (typeof FAULT_KINDS)[number]

/** One scheduled fault. */
export interface Fault {
  /** Start, ms after the run began. */
  at: number
  kind: FaultKind
  /** What it hits: a TCP path (`ab`, `ac`, `bc`), a station's radio (`a`, `b`), a node, the child gateway (`c`), an injection point. */
  target: string
  /** How long it lasts before it is healed, ms (0: nothing to heal). */
  holdMs: number
}

/**
 * Targets per kind; repeats weight the pick. The A–B TCP path is cut most often and longest, so the
 * radio links between A and B carry traffic for much of the run.
 */
const TARGETS: Readonly<Record<FaultKind, readonly string[]>> = {
  'tcp-cut': ['ab', 'ab', 'ab', 'ac', 'bc'],
  'vara-restart': ['a', 'b'],
  'vara-hang': ['a', 'b'],
  'js8-restart': ['a'], // the fixture restarts JS8Call A only
  'tnc-unplug': ['a', 'b'],
  'node-restart': ['b', 'c'], // node A mines: it stays, so the chain never forks
  'gateway-kill': ['c'], // the gateway run as a child process
  'invalid-tx': ['both'], // B's node-facing P2P port and a hostile TCP peer of A
}

/** Least and most hold per kind, ms. */
const HOLD_MS: Readonly<Record<FaultKind, readonly [number, number]>> = {
  'tcp-cut': [3_000, 9_000],
  'vara-restart': [0, 0],
  'vara-hang': [2_000, 5_000],
  'js8-restart': [500, 3_000],
  'tnc-unplug': [500, 4_000],
  'node-restart': [300, 2_000],
  'gateway-kill': [200, 1_500],
  'invalid-tx': [0, 0],
}

/** What else goes wrong around a fault of this kind (starting {@link COMPANION_LEAD_MS} before it). */
const COMPANIONS: Readonly<Partial<Record<FaultKind, readonly Pick<Fault, 'kind' | 'target'>[]>>> = {
  'vara-restart': [{ kind: 'tcp-cut', target: 'ab' }],
  'vara-hang': [{ kind: 'tcp-cut', target: 'ab' }],
  'tnc-unplug': [{ kind: 'tcp-cut', target: 'ab' }],
  'js8-restart': [{ kind: 'tcp-cut', target: 'ab' }, { kind: 'vara-hang', target: 'a' }],
}
/** A companion starts this long before its fault (a hung modem takes ~2.5 s to notice), ms. */
const COMPANION_LEAD_MS = 3_000
/** ...and is healed this long after it, ms. */
const COMPANION_TRAIL_MS = 3_000

/** Kinds drawn after the first round; repeats weight the draw. */
const DRAWN: readonly FaultKind[] = [...FAULT_KINDS, 'tcp-cut', 'vara-hang', 'tnc-unplug', 'js8-restart']

/** Options of {@link faultSchedule}. */
export interface ScheduleOptions {
  seed: number
  /** No fault starts after this, ms. */
  durationMs: number
  /** Least and most time between two fault starts, ms. */
  gapMs: readonly [number, number]
}

/** The faults of one run, in start order. */
export function faultSchedule(o: ScheduleOptions): Fault[] {
  const prng = createPrng(o.seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(prng.next() * xs.length)] as T
  const between = ([lo, hi]: readonly [number, number]): number => Math.round(lo + prng.next() * (hi - lo))
  const firsts = shuffled(FAULT_KINDS, prng)
  const faults: Fault[] = []
  for (let at = COMPANION_LEAD_MS + between(o.gapMs); at < o.durationMs; at += between(o.gapMs)) {
    const kind = firsts.shift() ?? pick(DRAWN)
    const holdMs = between(HOLD_MS[kind])
    faults.push({ at, kind, target: pick(TARGETS[kind]), holdMs })
    for (const c of COMPANIONS[kind] ?? []) faults.push({ ...c, at: at - COMPANION_LEAD_MS, holdMs: COMPANION_LEAD_MS + holdMs + COMPANION_TRAIL_MS })
  }
  return faults.sort((x, y) => x.at - y.at)
}

/** A seeded Fisher–Yates shuffle of a copy of `xs`. */
function shuffled<T>(xs: readonly T[], prng: Prng): T[] {
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(prng.next() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}
