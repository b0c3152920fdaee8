/**
 * Amateur band names for RIG.FREQ's `BAND` (JS8Call names the band the dial is in, `""` outside
 * every band: observed `14078000` → `20m`, `7078000` → `40m`, `1000` → `""`). Edges are the usual
 * IARU/FCC allocations (Hz), as in WSJT-X's band table that JS8Call inherits.
 *
 * @packageDocumentation
 */

const BANDS: ReadonlyArray<readonly [name: string, lowHz: number, highHz: number]> = [
  ['2190m', 135_700, 137_800],
  ['630m', 472_000, 479_000],
  ['160m', 1_800_000, 2_000_000],
  ['80m', 3_500_000, 4_000_000],
  ['60m', 5_060_000, 5_450_000],
  ['40m', 7_000_000, 7_300_000],
  ['30m', 10_100_000, 10_150_000],
  ['20m', 14_000_000, 14_350_000],
  ['17m', 18_068_000, 18_168_000],
  ['15m', 21_000_000, 21_450_000],
  ['12m', 24_890_000, 24_990_000],
  ['10m', 28_000_000, 29_700_000],
  ['6m', 50_000_000, 54_000_000],
  ['4m', 70_000_000, 71_000_000],
  ['2m', 144_000_000, 148_000_000],
  ['1.25m', 222_000_000, 225_000_000],
  ['70cm', 420_000_000, 450_000_000],
]

/** The band `dialHz` is in, or `""`. */
export function js8BandName(dialHz: number): string {
  return BANDS.find(([, low, high]) => dialHz >= low && dialHz <= high)?.[0] ?? ''
}
