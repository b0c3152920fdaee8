/**
 * Plain-text tables for the terminal: columns padded to their widest cell, two spaces apart.
 *
 * @packageDocumentation
 */

/** Lays out `rows` (the first is the header) as aligned lines without trailing spaces. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd())
}
