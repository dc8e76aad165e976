// A fixed-size log-linear histogram (HDR style) of line-to-ack latency in whole milliseconds.
// Exact below 128 ms; above, 64 buckets per power of two, so a percentile is within 1/128
// (< 0.8 %) of a recorded value. 1,216 float counters (under 10 KiB) whatever the run length.

/** Sub-buckets per power of two, as a bit count: 64 buckets of width 2^(e-6) in [2^e, 2^(e+1)). */
const SUB_BITS = 6
const SUB_COUNT = 1 << SUB_BITS
/** Values below this get one bucket each. */
const LINEAR = SUB_COUNT * 2
/** Largest value bucketed (about 4.7 hours); larger ones land in the top bucket, `max` stays exact. */
const TOP_BITS = 24
const MAX_BUCKETED = 2 ** TOP_BITS - 1
const BUCKETS = LINEAR + (TOP_BITS - SUB_BITS - 1) * SUB_COUNT

export class LatencyHistogram {
  // Float64 rather than Uint32: a long `tail -f` run can put more than 2^32 records in one bucket.
  readonly #counts = new Float64Array(BUCKETS)
  #total = 0
  #min = Infinity
  #max = -Infinity

  /** Adds `count` observations of `ms` (negative values, from clock skew, count as 0). */
  record (ms: number, count = 1): void {
    if (count <= 0) return
    const v = ms > 0 ? Math.round(ms) : 0
    this.#counts[bucketOf(Math.min(v, MAX_BUCKETED))]! += count
    this.#total += count
    if (v < this.#min) this.#min = v
    if (v > this.#max) this.#max = v
  }

  get count (): number { return this.#total }

  /** The largest value recorded, exactly; null when nothing was recorded. */
  get max (): number | null { return this.#total === 0 ? null : this.#max }

  /** The value at percentile `p` (0..100); null when nothing was recorded. */
  percentile (p: number): number | null {
    if (this.#total === 0) return null
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.#total))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!
      if (seen >= rank) return Math.min(this.#max, Math.max(this.#min, middleOf(i)))
    }
    return this.#max
  }
}

/** Bucket index of a non-negative integer value no larger than MAX_BUCKETED. */
export function bucketOf (v: number): number {
  if (v < LINEAR) return v
  const e = 31 - Math.clz32(v)
  return LINEAR + (e - SUB_BITS - 1) * SUB_COUNT + ((v >>> (e - SUB_BITS)) - SUB_COUNT)
}

/** A bucket's representative value: the lower middle of its integers, halving the worst-case error. */
function middleOf (index: number): number {
  if (index < LINEAR) return index
  const k = index - LINEAR
  const shift = Math.floor(k / SUB_COUNT) + 1
  const low = (SUB_COUNT + (k % SUB_COUNT)) * 2 ** shift
  return low + Math.floor((2 ** shift - 1) / 2)
}
