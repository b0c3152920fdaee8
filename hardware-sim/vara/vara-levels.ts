/**
 * Speed levels and timing of the simulated VARA modem.
 *
 * VARA is closed source and the exact v4 level tables are not published (radio.md §3.5, §8), so the
 * tables below are a model assembled from the figures that are known:
 * - HF 2300 Hz: levels 1–11 are the VARA 2 net rates (50 … 5802 bit/s, swiss-artg.ch, radio.md
 *   §3.5); level 12 is the VarAC deck's maximum at 2300 Hz, 7050 bit/s.
 * - HF 500 Hz: the 2300 Hz levels up to 892 bit/s, topped by the VarAC figure 1543 bit/s at 500 Hz.
 * - HF 2750 Hz: the 2300 Hz levels scaled by 2750/2300 (same spectral efficiency; derived, no source).
 * - FM: levels 1, 8 and 9 are rates seen in VARA FM logs (566, 8505, 9567 bit/s, la5nta/pat#484);
 *   4–7 are the first VARA FM release's net rates 3400/4534/5689/7111 (swiss-artg.ch); 2–3 are
 *   geometric steps between 566 and 3400 (derived).
 * Note the real VARA HF v4 numbering differs (pat#543 shows "BITRATE (4)  175 bps"); clients must
 * treat the BITRATE line, not a level number, as the truth, which is what this model exercises.
 *
 * Minimum SNR per level (derived): −10 dB at 50 bit/s, the floor of FreeDATA's most robust level
 * (radio.md §5.3), plus 3 dB per doubling of rate (a Shannon-slope assumption).
 *
 * @packageDocumentation
 */
import { z } from 'zod'

/** Which VARA product is simulated. */
export const VaraFlavourSchema = z.enum(['hf', 'fm'])

/** `hf` (VARA HF) or `fm` (VARA FM). */
export type VaraFlavour = z.infer<typeof VaraFlavourSchema>

/** HF bandwidths selectable with BW500 / BW2300 / BW2750, Hz. */
export const VARA_HF_BANDWIDTHS = [500, 2300, 2750] as const

/** An HF bandwidth, Hz. */
export type VaraBandwidth = (typeof VARA_HF_BANDWIDTHS)[number]

/** One speed level. */
export interface VaraLevel {
  /** 1-based level number, as in `BITRATE (n)`. */
  readonly level: number
  /** Net payload rate, bit/s. */
  readonly bitrateBps: number
  /** Lowest SNR at which this level decodes, dB. */
  readonly minSnrDb: number
}

/** Frame timing constants, ms. */
export const VARA_TIMING = {
  /** ACK and other control frames: VARA 2's 48-tone MFSK ACK (radio.md §3.5). */
  controlFrameMs: 842,
  /** Retry cycle with WINLINK SESSION (EA5HVK command list, radio.md §3.2). */
  winlinkCycleMs: 4000,
  /** Retry cycle with P2P SESSION (allows for SDR-to-SDR latency). */
  p2pCycleMs: 4600,
} as const

/** Derived minimum SNR for a rate, rounded to 0.1 dB (see the module comment). */
export function minSnrDbFor(bitrateBps: number): number {
  return Math.round((-10 + 3 * Math.log2(bitrateBps / 50)) * 10) / 10
}

const toLevels = (rates: readonly number[]): readonly VaraLevel[] =>
  rates.map((bitrateBps, i) => ({ level: i + 1, bitrateBps, minSnrDb: minSnrDbFor(bitrateBps) }))

const HF_2300 = [50, 105, 217, 441, 892, 1786, 2641, 3511, 4115, 4972, 5802, 7050]
const HF_500 = [50, 105, 217, 441, 892, 1543]
const HF_2750 = HF_2300.map((bps) => Math.round((bps * 2750) / 2300))
const FM = [566, 1029, 1871, 3400, 4534, 5689, 7111, 8505, 9567]

const TABLES = {
  hf500: toLevels(HF_500),
  hf2300: toLevels(HF_2300),
  hf2750: toLevels(HF_2750),
  fm: toLevels(FM),
}

/** The level table of a flavour (and, for HF, a bandwidth), slowest first. */
export function levelTable(flavour: VaraFlavour, bandwidth: VaraBandwidth): readonly VaraLevel[] {
  return flavour === 'fm' ? TABLES.fm : TABLES[`hf${bandwidth}`]
}

/** The fastest level that decodes at `snrDb`, or the slowest when none does. */
export function selectLevel(table: readonly VaraLevel[], snrDb: number): VaraLevel {
  let chosen = table[0] as VaraLevel
  for (const level of table) if (level.minSnrDb <= snrDb) chosen = level
  return chosen
}

/** The modem's speed report, e.g. `BITRATE (9)  9567 bps TX` (two spaces, as real VARA sends). */
export function formatBitrate(level: VaraLevel): string {
  return `BITRATE (${level.level})  ${level.bitrateBps} bps TX`
}
