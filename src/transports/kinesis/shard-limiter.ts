// Shard-aware rate shaping (--shard-ordering, --aggregate): each shard's writes are kept under its
// published limits (1,000 records/s and 1 MiB/s, or --shard-limit) before they are sent, instead of
// learning from ProvisionedThroughputExceeded answers. One token bucket per shard and dimension,
// refilled continuously, holding at most one second's worth (the burst Kinesis allows) and starting
// half full (the service's bucket is full then, so the other half is slack from the start). A request waits until both buckets hold what it takes (a request larger than a second's
// worth waits for a full bucket and leaves a debt). The buckets refill at HEADROOM of the limit:
// the service counts arrivals, which a request's latency can bring closer together than the sends
// were, and the transport sends at most half a second's worth per request, so a bucket that has
// refilled keeps the other half for such bunching. Pure: the clock's now() is passed in.

/** A shard's write limits. */
export interface ShardRate {
  readonly recordsPerSecond: number
  readonly bytesPerSecond: number
}

/** Kinesis's published per-shard write limits. */
export const KINESIS_SHARD_RATE: ShardRate = { recordsPerSecond: 1000, bytesPerSecond: 1024 * 1024 }

/** The share of the limit kprod plans to use. */
export const HEADROOM = 0.95

interface Buckets {
  records: number
  bytes: number
  at: number
}

export class ShardLimiter {
  readonly #rate: ShardRate
  readonly #now: () => number
  readonly #shards = new Map<number, Buckets>()

  constructor (rate: ShardRate, now: () => number) {
    this.#rate = rate
    this.#now = now
  }

  /** Milliseconds until a request of `records` and `bytes` may go to `shard` (0: now). */
  wait (shard: number, records: number, bytes: number): number {
    const b = this.#refill(shard)
    const r = this.#rate
    const needRecords = Math.min(records, r.recordsPerSecond)
    const needBytes = Math.min(bytes, r.bytesPerSecond)
    const forRecords = b.records >= needRecords ? 0 : (needRecords - b.records) / (r.recordsPerSecond * HEADROOM) * 1000
    const forBytes = b.bytes >= needBytes ? 0 : (needBytes - b.bytes) / (r.bytesPerSecond * HEADROOM) * 1000
    return Math.ceil(Math.max(forRecords, forBytes))
  }

  /** The request goes now: its records and bytes are taken from the shard's buckets. */
  take (shard: number, records: number, bytes: number): void {
    const b = this.#refill(shard)
    b.records -= records
    b.bytes -= bytes
  }

  #refill (shard: number): Buckets {
    const now = this.#now()
    const r = this.#rate
    let b = this.#shards.get(shard)
    if (b === undefined) {
      b = { records: r.recordsPerSecond / 2, bytes: r.bytesPerSecond / 2, at: now }
      this.#shards.set(shard, b)
      return b
    }
    const seconds = Math.max(0, now - b.at) / 1000
    b.records = Math.min(r.recordsPerSecond, b.records + seconds * r.recordsPerSecond * HEADROOM)
    b.bytes = Math.min(r.bytesPerSecond, b.bytes + seconds * r.bytesPerSecond * HEADROOM)
    b.at = now
    return b
  }
}
