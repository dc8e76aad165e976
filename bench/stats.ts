// Small pure helpers for the bench: medians, percentiles and fixed-width tables (for stderr).
// Percentiles use the nearest-rank method on a sorted copy, so p99 of 100 samples is the 99th.

export function median (values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Nearest-rank percentile (p in 0..100) of values that are already sorted ascending. */
export function percentileSorted (sorted: readonly number[] | Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1]!
}

export function round (value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** A plain text table: header row, then rows; columns padded to their widest cell. */
export function table (header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const cells = [header, ...rows.map(r => r.map(c => c === null || c === undefined ? '-' : String(c)))]
  const widths = header.map((_, i) => Math.max(...cells.map(r => (r[i] ?? '').length)))
  return cells.map(r => r.map((c, i) => (c ?? '').padStart(widths[i]!)).join('  ')).join('\n')
}
