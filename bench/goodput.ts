/**
 * Goodput per simulated link profile as a share of the channel's airtime bound, beside Direwolf's
 * published figures for the same bitrate (reference radio.md §2.5; Direwolf publishes AX.25 only).
 * Each run is one of the existing measurements: bench/ax25-goodput.ts (virtual time),
 * bench/vara-goodput.ts and bench/js8-goodput.ts (time-scaled), whose module comments give the method.
 *
 * @packageDocumentation
 */
import { encodeEnvelope } from '../codecs/envelope.js'
import type { Block } from '../codecs/model.js'
import { blockHash } from '../codecs/hashes.js'
import type { RfProfileName } from '../hardware-sim/profiles.js'
import { levelTable, selectLevel, type VaraFlavour } from '../hardware-sim/vara/vara-levels.js'
import { measureAx25Goodput } from './ax25-goodput.js'
import type { BenchContext } from './bench-context.js'
import { grouped, percent, significant } from './format.js'
import { measureJs8Goodput } from './js8-goodput.js'
import type { GoodputRow } from './results-model.js'
import type { Measurement } from './section.js'
import { measureVaraGoodput } from './vara-goodput.js'

/** An AX.25 run and Direwolf's figure for the same bitrate and loss (radio.md §2.5). */
interface Ax25Case {
  readonly profile: RfProfileName
  readonly bitrateBps: number
  readonly lossRate: number
  readonly direwolf: string
}

/** PACLEN 512 and window 63: the configuration of Direwolf's best v2.2 runs. */
const AX25_PACLEN = 512 // bytes
const AX25_WINDOW = 63 // frames

const AX25_CASES: readonly Ax25Case[] = [
  { profile: 'vhf-1200', bitrateBps: 1200, lossRate: 0, direwolf: '137 B/s, 91 % (v2.2, PACLEN 512, EMAXFRAME 63)' },
  { profile: 'vhf-1200', bitrateBps: 1200, lossRate: 0.1, direwolf: '89 B/s, 59 % (v2.0, k = 7)' },
  { profile: 'vhf-9600', bitrateBps: 9600, lossRate: 0, direwolf: '1066 B/s, 88 % (v2.2, PACLEN 512, EMAXFRAME 63)' },
  { profile: 'vhf-9600', bitrateBps: 9600, lossRate: 0.1, direwolf: '335 B/s, 27 % (v2.2 SREJ); 278 B/s, 23 % (v2.0)' },
]

/** Simulated ms per wall ms of the VARA runs (the existing goodput test's scale). */
const VARA_TIME_SCALE = 200
/** Channel SNR of the VARA FM run: its top level, dB. */
const VARA_FM_SNR_DB = 20
/** VARA HF bandwidth the transport uses by default, Hz. */
const VARA_HF_BANDWIDTH = 2300

async function ax25Rows(ctx: BenchContext): Promise<GoodputRow[]> {
  const rows: GoodputRow[] = []
  for (const c of AX25_CASES) {
    const r = await measureAx25Goodput(c.profile, c.lossRate, { bytes: ctx.settings.ax25Bytes, paclen: AX25_PACLEN, window: AX25_WINDOW })
    rows.push({
      link: 'AX.25 (KISS, our selective-repeat ARQ)', channel: `${c.bitrateBps} bit/s, PACLEN ${r.paclen}, window ${r.window}`,
      lossRate: c.lossRate, bytes: r.bytes, seconds: r.seconds, goodputBytesPerSec: r.goodputBytesPerSec,
      boundBytesPerSec: r.boundBytesPerSec, bound: `${c.bitrateBps} bit/s ÷ 8`, share: r.efficiency, shareWithSetup: r.efficiency,
      direwolf: c.direwolf,
    })
  }
  return rows
}

/** Enough blocks for about `airtimeSeconds` at the level the SNR gives (at least one, at most `max`). */
function blocksFor(chain: readonly Block[], bitrateBps: number, airtimeSeconds: number, max: number): Block[] {
  const bytesPerBlock = encodeEnvelope({ type: 'blocks', blocks: chain.slice(0, 1) }).length
  const n = Math.round((bitrateBps * airtimeSeconds) / 8 / bytesPerBlock)
  return chain.slice(0, Math.min(max, chain.length, Math.max(1, n)))
}

async function varaRow(ctx: BenchContext, flavour: VaraFlavour, snrDb: number): Promise<GoodputRow> {
  const level = selectLevel(levelTable(flavour, VARA_HF_BANDWIDTH), snrDb)
  const { varaAirtimeSeconds, varaMaxBlocks } = ctx.settings
  const blocks = blocksFor(ctx.corpus().chain, level.bitrateBps, varaAirtimeSeconds, varaMaxBlocks)
  const r = await measureVaraGoodput(blocks, { flavour, channel: { snrDb, timeScale: VARA_TIME_SCALE } })
  if (!r.intact) throw new Error(`VARA ${flavour} level ${level.level}: the blocks arrived altered or incomplete`)
  const name = flavour === 'fm' ? 'VARA FM' : `VARA HF ${VARA_HF_BANDWIDTH} Hz`
  return {
    link: `${name} (simulated modem)`, channel: `level ${level.level}, ${r.blocks} block${r.blocks === 1 ? '' : 's'}`, lossRate: 0, bytes: r.payloadBytes,
    seconds: r.transferSeconds, goodputBytesPerSec: r.transferGoodputBps / 8, boundBytesPerSec: r.reportedBitrateBps / 8,
    bound: `BITRATE ${r.reportedBitrateBps} bit/s ÷ 8`, share: r.ratio, shareWithSetup: r.sessionGoodputBps / r.reportedBitrateBps, direwolf: null,
  }
}

async function js8Row(ctx: BenchContext): Promise<GoodputRow> {
  const { chain } = ctx.corpus()
  const n = ctx.settings.js8Transactions
  const tip = blockHash((chain.at(-1) as Block).header)
  const messages = n === 0
    ? [encodeEnvelope({ type: 'inv', tx: [], block: [tip] })]
    : chain.flatMap((b) => b.transactions).slice(0, n).map((transaction) => encodeEnvelope({ type: 'tx', transaction }))
  const r = await measureJs8Goodput(messages)
  if (!r.intact) throw new Error('JS8Call: the messages arrived altered or incomplete')
  const what = n === 0 ? 'one inv' : `${n} tx envelope${n > 1 ? 's' : ''}`
  return {
    link: 'JS8Call Normal (simulated JS8Call, our ARQ)', channel: `JS8A, 15-s periods, ${what}`, lossRate: 0, bytes: r.bytes,
    seconds: r.seconds, goodputBytesPerSec: r.goodputBps / 8, boundBytesPerSec: r.boundBps / 8,
    bound: `72 bits per 15-s period = ${r.boundBps} bit/s`, share: r.efficiency, shareWithSetup: r.efficiency, direwolf: null,
  }
}

/** Measures every profile, slowest families last. */
export async function measureGoodput(ctx: BenchContext): Promise<GoodputRow[]> {
  const rows = await ax25Rows(ctx)
  for (const snr of ctx.settings.varaHfSnrs) rows.push(await varaRow(ctx, 'hf', snr))
  rows.push(await varaRow(ctx, 'fm', VARA_FM_SNR_DB))
  rows.push(await js8Row(ctx))
  return rows
}

function table(rows: readonly GoodputRow[]): Measurement['table'] {
  return {
    columns: ['link', 'channel', 'loss', 'payload B', 'goodput B/s', 'airtime bound', 'share of bound', 'incl. setup', 'Direwolf, same bitrate'],
    rows: rows.map((r) => [
      r.link, r.channel, percent(r.lossRate), grouped(r.bytes), significant(r.goodputBytesPerSec, 4),
      `${significant(r.boundBytesPerSec)} B/s (${r.bound})`, percent(r.share), percent(r.shareWithSetup), r.direwolf ?? '— (AX.25 only)',
    ]),
  }
}

/** The `goodput` section. */
export async function goodput(ctx: BenchContext): Promise<Measurement> {
  const rows = await measureGoodput(ctx)
  const notes = [
    'All on simulated links: AX.25 on virtual time (exact for a seed), VARA and JS8Call time-scaled (×200, ×500), so host load barely moves them. Goodput counts payload bytes delivered intact.',
    'AX.25: bench/ax25-goodput.ts, Direwolf\'s method (reference radio.md §2.5): all queued at once, first send() to last byte delivered, Direwolf\'s default channel access; the simulated channel does not count HDLC bit stuffing (≈ 1.6 % on random data), so real figures are that much lower.',
    'VARA: bench/vara-goodput.ts: `blocks` envelopes from the corpus chain; share = goodput from the first data frame to the last ack ÷ the BITRATE the modem reports; "incl. setup" counts from the first send(), connect included. The level table is a model (VARA is closed source, hardware-sim/vara/vara-levels.ts).',
    'JS8Call: bench/js8-goodput.ts: directed messages with our ARQ, acks and half-duplex turns included, hourly airtime cap lifted; first send() to last byte delivered.',
  ]
  return { rows, table: table(rows), notes }
}
