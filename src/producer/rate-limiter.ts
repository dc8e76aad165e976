// --rate and --rate-bytes: one token bucket per limit, refilled continuously at the limit and
// holding at most BURST_SECONDS' worth (starting full), so the long-run rate is the limit and no
// burst is larger than one bucket. A batch may go once every bucket holds what it takes; a batch
// larger than a bucket waits for a full bucket and leaves a debt that the next batches wait out,
// so large records still average to the limit. While a batch waits for tokens, the bucket may
// fill up to CATCH_UP_SECONDS instead: a timer that fires late (on a loaded machine, by 50 to 200
// ms) then lets the next batches go back to back until the schedule is met again, instead of
// losing that time. An idle gate never saves more than one bucket. Pure: the clock's reading is
// passed in.

/** Per-second limits; null: that dimension is not limited. */
export interface RateLimit {
  readonly recordsPerSec: number | null
  readonly bytesPerSec: number | null
}

/**
 * A bucket holds this many seconds of the limit: the largest burst. Small enough that the rate
 * looks smooth at any usual stats interval, large enough that a timer firing a few ms late loses
 * no tokens (the bucket only overflows after 50 ms of idleness).
 */
export const BURST_SECONDS = 0.05

/** How far behind its schedule a waiting gate may catch up. */
export const CATCH_UP_SECONDS = 1

interface Bucket {
  readonly perSec: number
  readonly capacity: number
  tokens: number
}

export class RateLimiter {
  readonly #records: Bucket | null
  readonly #bytes: Bucket | null
  #at: number
  /** Batches have waited for tokens since the last idle(): refills may pass one bucket. */
  #waiting = false

  constructor (limit: RateLimit, now: number) {
    this.#records = bucket(limit.recordsPerSec)
    this.#bytes = bucket(limit.bytesPerSec)
    this.#at = now
  }

  /** Milliseconds until a batch of `records` and `bytes` may go (0: now). */
  wait (records: number, bytes: number, now: number): number {
    this.#refill(now)
    const ms = Math.ceil(Math.max(waitFor(this.#records, records), waitFor(this.#bytes, bytes)))
    if (ms > 0) this.#waiting = true
    return ms
  }

  /** Nothing waits for tokens now (no batch held, or the head waits for something else): stop catching up. */
  idle (now: number): void {
    this.#refill(now)
    this.#waiting = false
    for (const b of [this.#records, this.#bytes]) {
      if (b !== null) b.tokens = Math.min(b.capacity, b.tokens)
    }
  }

  /** The batch goes now: what it takes leaves the buckets (below zero for an oversized batch). */
  take (records: number, bytes: number, now: number): void {
    this.#refill(now)
    if (this.#records !== null) this.#records.tokens -= records
    if (this.#bytes !== null) this.#bytes.tokens -= bytes
  }

  #refill (now: number): void {
    const seconds = Math.max(0, now - this.#at) / 1000
    this.#at = Math.max(this.#at, now)
    for (const b of [this.#records, this.#bytes]) {
      if (b !== null) b.tokens = Math.min(this.#waiting ? Math.max(b.capacity, b.perSec * CATCH_UP_SECONDS) : b.capacity, b.tokens + seconds * b.perSec)
    }
  }
}

/**
 * The largest batch worth cutting under `limit`: one bucket. A larger batch would go out as one
 * burst followed by a pause, which is the unevenness the limit is there to avoid.
 */
export function batchCap (limit: RateLimit): { records: number, bytes: number } {
  return {
    records: limit.recordsPerSec === null ? Infinity : capacityOf(limit.recordsPerSec),
    bytes: limit.bytesPerSec === null ? Infinity : capacityOf(limit.bytesPerSec)
  }
}

function capacityOf (perSec: number): number {
  return Math.max(1, Math.floor(perSec * BURST_SECONDS))
}

function bucket (perSec: number | null): Bucket | null {
  if (perSec === null) return null
  const capacity = capacityOf(perSec)
  return { perSec, capacity, tokens: capacity }
}

function waitFor (b: Bucket | null, amount: number): number {
  if (b === null) return 0
  const need = Math.min(amount, b.capacity)
  return b.tokens >= need ? 0 : (need - b.tokens) / b.perSec * 1000
}
