/**
 * What every benchmark section gets: the mode, its sizes, and the fixed corpus (hardware-sim/corpus.ts),
 * built once per run because every block costs a VDF.
 *
 * @packageDocumentation
 */
import type { Block, Transaction } from '../codecs/model.js'
import { corpusChain, corpusEmptyBlock, corpusFullBlock, corpusTransactions } from '../hardware-sim/corpus.js'
import type { BenchMode } from './results-model.js'
import type { CutMode } from './tcp-cut-proxy.js'

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
  /** How the TCP path is cut in the failover runs, one run each. */
  failoverCuts: readonly CutMode[]
  /** Transactions node A sends before the cut and after it, at `failoverTxPerSecond`. */
  failoverTxBeforeCut: number
  failoverTxAfterCut: number
  failoverTxPerSecond: number
  /** Blocks gateway B is behind in the VARA sync (the corpus chain, less one, plus one mined). */
  syncBlocks: number
  /** Simulated ms per wall ms of the sync's VARA link (lower stretches host CPU less). */
  syncTimeScale: number
  /** Length of the idle and of the loaded footprint window, wall s. */
  footprintSeconds: number
  /** Transactions per second of the loaded footprint window. */
  footprintTxPerSecond: number
}

/** SNR that puts the simulated VARA HF on level 12 (7050 bit/s), 9, 6, 4 and 1 (50 bit/s), dB. */
const ALL_HF_LEVELS = [12, 9.5, 6, 0, -8]

/** Sizes per mode: `tiny` checks shapes in seconds, `quick` stays under two minutes, `full` goes bigger. */
export const MODE_SETTINGS: Readonly<Record<BenchMode, ModeSettings>> = {
  tiny: {
    sizeChainBlocks: 4, ax25Bytes: 4_000, varaAirtimeSeconds: 1, varaMaxBlocks: 1, varaHfSnrs: [12], js8Transactions: 0, speedWindowMs: 5, speedRounds: 1,
    failoverCuts: ['reset'], failoverTxBeforeCut: 3, failoverTxAfterCut: 3, failoverTxPerSecond: 20, syncBlocks: 4, syncTimeScale: 50,
    footprintSeconds: 1, footprintTxPerSecond: 10,
  },
  quick: {
    sizeChainBlocks: 100, ax25Bytes: 64_000, varaAirtimeSeconds: 20, varaMaxBlocks: 30, varaHfSnrs: ALL_HF_LEVELS, js8Transactions: 1, speedWindowMs: 150, speedRounds: 5,
    failoverCuts: ['reset'], failoverTxBeforeCut: 20, failoverTxAfterCut: 20, failoverTxPerSecond: 10, syncBlocks: 200, syncTimeScale: 5,
    footprintSeconds: 5, footprintTxPerSecond: 10,
  },
  full: {
    sizeChainBlocks: 100, ax25Bytes: 640_000, varaAirtimeSeconds: 200, varaMaxBlocks: 200, varaHfSnrs: ALL_HF_LEVELS, js8Transactions: 4, speedWindowMs: 500, speedRounds: 9,
    failoverCuts: ['reset', 'blackhole'], failoverTxBeforeCut: 50, failoverTxAfterCut: 100, failoverTxPerSecond: 10, syncBlocks: 200, syncTimeScale: 1,
    footprintSeconds: 30, footprintTxPerSecond: 10,
  },
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
        chain: corpusChain(Math.max(settings.sizeChainBlocks, settings.varaMaxBlocks, settings.syncBlocks - 1), 5),
      }
      return corpus
    },
  }
}
