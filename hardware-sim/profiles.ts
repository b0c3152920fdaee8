/**
 * Named RF channel profiles shared by the simulators, the e2e tests and `npm run sim`.
 *
 * A profile describes the medium and the radios on it: the default bitrate (a device may state its
 * own per transmission, as VARA does per speed level), keyup and tail times, propagation latency,
 * random frame loss, bit errors and the SNR seen by receivers. Figures come from
 * /work/shared/reference/radio.md (cited per field); where no source gives a number it says
 * "assumed" and the value is a round, plausible choice.
 *
 * @packageDocumentation
 */
import { z } from 'zod'

/** One point of an SNR script: from `atMs` on (simulated ms), SNR ramps linearly to the next point. */
export const SnrPointSchema = z.object({
  atMs: z.number().min(0),
  snrDb: z.number(),
})

/** A point of an SNR script. */
export type SnrPoint = z.infer<typeof SnrPointSchema>

/** The numbers that define a channel. */
export const RfProfileSchema = z.object({
  /** Default modulation rate when a transmission does not state its own, bit/s. */
  bitrateBps: z.number().positive(),
  /** Keyup time before data (KISS TXDELAY), ms. */
  txDelayMs: z.number().min(0),
  /** Carrier hold after data (KISS TXtail), ms. */
  txTailMs: z.number().min(0),
  /** Propagation plus demodulator delay from end of transmission to delivery, ms. */
  latencyMs: z.number().min(0),
  /** Probability that a frame is lost regardless of SNR, 0..1. */
  lossProbability: z.number().min(0).max(1),
  /** Probability that a delivered bit is flipped, 0..1. */
  bitErrorRate: z.number().min(0).max(1),
  /** SNR when no script is given, dB. */
  snrDb: z.number(),
  /** SNR over time (piecewise linear); overrides `snrDb`. */
  snrScript: z.array(SnrPointSchema).min(1).optional(),
  /** When set, the script repeats with this period, simulated ms. */
  snrScriptPeriodMs: z.number().positive().optional(),
  /** Decode floor of the default mode: below it frames start to be lost, dB. */
  snrThresholdDb: z.number(),
  /** Loss rises linearly from 0 at the threshold to 1 this many dB below it. */
  snrFadeDb: z.number().positive(),
})

/** A resolved channel profile. */
export type RfProfile = z.infer<typeof RfProfileSchema>

/** Names of the built-in profiles. */
export const RF_PROFILE_NAMES = ['lan', 'vhf-1200', 'vhf-9600', 'hf-good', 'hf-poor', 'dead'] as const

/** A built-in profile name. */
export type RfProfileName = (typeof RF_PROFILE_NAMES)[number]

/**
 * Direwolf defaults (radio.md §1.2, `src/audio.h`): TXDELAY 30 × 10 ms, TXTAIL 10 × 10 ms. The
 * Direwolf cost model (radio.md §2.5) uses the same ≈0.3 s keyup for 1200 and 9600, which is why
 * 9600 is "only twice as fast".
 */
const DIREWOLF_TXDELAY_MS = 300
const DIREWOLF_TXTAIL_MS = 100

/** HF AFSK packet runs at 300 baud; VARA and JS8 state their own rates per transmission. */
const HF_PACKET_BPS = 300

/** The built-in profiles. */
export const RF_PROFILES: Readonly<Record<RfProfileName, RfProfile>> = {
  // An ideal wire for plumbing tests: 10 Mbit/s, 1 ms, no loss (assumed, not a radio).
  lan: {
    bitrateBps: 10_000_000,
    txDelayMs: 0,
    txTailMs: 0,
    latencyMs: 1,
    lossProbability: 0,
    bitErrorRate: 0,
    snrDb: 40,
    snrThresholdDb: -100,
    snrFadeDb: 1,
  },
  // Bell 202 AFSK 1200 bit/s with Direwolf's keyup/tail. Loss 1 % and SNR figures are assumed for a
  // good simplex path (Direwolf's 10 %-loss test in radio.md §2.5 is the stress case).
  'vhf-1200': {
    bitrateBps: 1200,
    txDelayMs: DIREWOLF_TXDELAY_MS,
    txTailMs: DIREWOLF_TXTAIL_MS,
    latencyMs: 5, // assumed: demodulator delay dominates line-of-sight propagation (µs)
    lossProbability: 0.01,
    bitErrorRate: 0,
    snrDb: 20,
    snrThresholdDb: 6, // assumed
    snrFadeDb: 6,
  },
  // G3RUH 9600 bit/s, same keyup (radio.md §2.5); more fragile than AFSK, so 2 % loss (assumed).
  'vhf-9600': {
    bitrateBps: 9600,
    txDelayMs: DIREWOLF_TXDELAY_MS,
    txTailMs: DIREWOLF_TXTAIL_MS,
    latencyMs: 5,
    lossProbability: 0.02,
    bitErrorRate: 0,
    snrDb: 20,
    snrThresholdDb: 12, // assumed: FSK 9600 needs a stronger signal than AFSK 1200
    snrFadeDb: 6,
  },
  // A steady HF path: SNR 15 dB lets VARA HF reach its top level (vara-levels.ts), 2 % loss (assumed).
  'hf-good': {
    bitrateBps: HF_PACKET_BPS,
    txDelayMs: 50, // assumed PTT-to-RF time of an HF transceiver
    txTailMs: 0,
    latencyMs: 20, // assumed: skywave path (≤ ~10 ms) plus modem DSP
    lossProbability: 0.02,
    bitErrorRate: 0,
    snrDb: 15,
    snrThresholdDb: 5, // assumed decode floor of 300 baud AFSK
    snrFadeDb: 6,
  },
  // A fading HF path: 10 % loss (Direwolf's loss test, radio.md §2.5) and SNR swinging between
  // +3 and −6 dB every minute (assumed), which moves VARA between levels 5 and 2.
  'hf-poor': {
    bitrateBps: HF_PACKET_BPS,
    txDelayMs: 50,
    txTailMs: 0,
    latencyMs: 30,
    lossProbability: 0.1,
    bitErrorRate: 0,
    snrDb: 0,
    snrScript: [
      { atMs: 0, snrDb: 3 },
      { atMs: 30_000, snrDb: -6 },
      { atMs: 60_000, snrDb: 3 },
    ],
    snrScriptPeriodMs: 60_000,
    snrThresholdDb: 5,
    snrFadeDb: 6,
  },
  // Nothing gets through: the band is closed.
  dead: {
    bitrateBps: HF_PACKET_BPS,
    txDelayMs: 50,
    txTailMs: 0,
    latencyMs: 20,
    lossProbability: 1,
    bitErrorRate: 0,
    snrDb: -30,
    snrThresholdDb: 5,
    snrFadeDb: 6,
  },
}
