/**
 * What every benchmark section gets: the mode, its sizes, and the fixed corpus (hardware-sim/corpus.ts),
 * built once per run because every block costs a VDF.
 *
 * @packageDocumentation
 */
import type { Block, Transaction } from '../codecs/model.js'
import { corpusChain, corpusEmptyBlock, corpusFullBlock, corpusTransactions } from '../hardware-sim/corpus.js'
import type { BenchMode } from './results-model.js'

/** The sizes of one mode. */
export interface ModeSettings {
  /** Blocks of the synced corpus chain (the corpus: 100). */
  sizeChainBlocks: number
  /** Bytes per AX.25 transfer (Direwolf's test: 64 000). */
  ax25Bytes: number
  /** Airtime each VARA run aims at, at its level's rate, simulated s. */
  varaAirtimeSeconds: number
  /** Most blocks per VARA run. */
  varaMaxBlocks: number
  /** VARA HF levels run, as channel SNRs (dB; vara-levels.ts picks the level). */
  varaHfSnrs: readonly number[]
  /** Transaction envelopes sent over JS8Call (0: a chain-tip `inv` instead, 38 bytes). */
  js8Transactions: number
  /** Length of one timing window, ms. */
  speedWindowMs: number
  /** Interleaved rounds per timed comparison. */
  speedRounds: number
}

/** SNR that puts the simulated VARA HF on level 12 (7050 bit/s), 9, 6, 4 and 1 (50 bit/s), dB. */
const ALL_HF_LEVELS = [12, 9.5, 6, 0, -8]

/** Sizes per mode: `tiny` checks shapes in seconds, `quick` stays under two minutes, `full` goes bigger. */
export const MODE_SETTINGS: Readonly<Record<BenchMode, ModeSettings>> = {
  tiny: { sizeChainBlocks: 4, ax25Bytes: 4_000, varaAirtimeSeconds: 1, varaMaxBlocks: 1, varaHfSnrs: [12], js8Transactions: 0, speedWindowMs: 5, speedRounds: 1 },
  quick: { sizeChainBlocks: 100, ax25Bytes: 64_000, varaAirtimeSeconds: 20, varaMaxBlocks: 30, varaHfSnrs: ALL_HF_LEVELS, js8Transactions: 1, speedWindowMs: 150, speedRounds: 5 },
  full: { sizeChainBlocks: 100, ax25Bytes: 640_000, varaAirtimeSeconds: 200, varaMaxBlocks: 200, varaHfSnrs: ALL_HF_LEVELS, js8Transactions: 4, speedWindowMs: 500, speedRounds: 9 },
}

/** The corpus objects the sections measure. */
export interface BenchCorpus {
  /** The corpus's lone transaction. */
  transaction: Transaction
  emptyBlock: Block
  /** The block of 30 transactions. */
  fullBlock: Block
  /** The corpus chain (5 transactions per block), as long as the longest use needs. */
  chain: Block[]
}

/** Mode, sizes and the lazily built corpus. */
export interface BenchContext {
  readonly mode: BenchMode
  readonly settings: ModeSettings
  /** The corpus, built on first use. */
  corpus(): BenchCorpus
}

/** A context for `mode`. */
export function createBenchContext(mode: BenchMode): BenchContext {
  const settings = MODE_SETTINGS[mode]
  let corpus: BenchCorpus | undefined
  return {
    mode,
    settings,
    corpus() {
      corpus ??= {
        transaction: corpusTransactions(1)[0] as Transaction,
        emptyBlock: corpusEmptyBlock(),
        fullBlock: corpusFullBlock(),
        chain: corpusChain(Math.max(settings.sizeChainBlocks, settings.varaMaxBlocks), 5),
      }
      return corpus
    },
  }
}
