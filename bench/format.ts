/**
 * Number formats of the benchmark tables: grouped integers (`46 503`), percentages,
 * and three significant digits for rates that span orders of magnitude.
 *
 * @packageDocumentation
 */

/** An integer grouped by thousands with spaces, as in docs/PROTOCOL.md: `46 503`. */
export function grouped(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ')
}

/** A share as a percentage, one decimal unless told: `14.8 %`. */
export function percent(share: number, decimals = 1): string {
  return `${(100 * share).toFixed(decimals)} %`
}

/** `digits` significant digits (default 3), grouped above 1 000: `0.412`, `88.2`, `1 070`, `241 000`. */
export function significant(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return String(n)
  const rounded = Number(n.toPrecision(digits))
  return Math.abs(n) >= 1000 ? grouped(rounded) : rounded.toString()
}
