// Where the records of one batch landed, assembled over its exchanges without one object per
// record: a Kafka answer is one run of consecutive offsets, kept as (indices, run) and read back
// by index only when a batch line asks; Kinesis answers give a position per record.

import type { DeliveredRun, RecordPosition } from '../transports/transport.ts'

/** Where each record of a batch landed, by its index in batch.records; null when not delivered. */
export interface Positions {
  readonly length: number
  at (i: number): RecordPosition | null
  /** The Kinesis shard of record i, without building its position; undefined elsewhere. */
  shardId (i: number): string | undefined
}

interface RunEntry {
  /** Batch indices of the exchange's records, ascending: the k-th landed at run.at(k). */
  readonly indices: readonly number[]
  readonly run: DeliveredRun
}

/** No record delivered: refused batches, or batches given up before any answer. */
export function noPositions (length: number): Positions {
  return new PositionTable(length)
}

export class PositionTable implements Positions {
  readonly length: number
  #each: Array<RecordPosition | null> | null = null
  readonly #runs: RunEntry[] = []

  constructor (length: number) {
    this.length = length
  }

  /** Record i was delivered at `position`. */
  set (i: number, position: RecordPosition): void {
    (this.#each ??= new Array<RecordPosition | null>(this.length).fill(null))[i] = position
  }

  /** The records at `indices` (ascending) were delivered as `run`, in that order. */
  setRun (indices: readonly number[], run: DeliveredRun): void {
    this.#runs.push({ indices, run })
  }

  at (i: number): RecordPosition | null {
    for (let r = 0; r < this.#runs.length; r++) {
      const { indices, run } = this.#runs[r] as RunEntry
      const k = indexOf(indices, i)
      if (k >= 0) return run.at(k)
    }
    return this.#each?.[i] ?? null
  }

  // Read for every delivered record of a batch line: no position is built.
  shardId (i: number): string | undefined {
    for (let r = 0; r < this.#runs.length; r++) {
      const { indices, run } = this.#runs[r] as RunEntry
      const k = indexOf(indices, i)
      if (k >= 0) return run.shardId(k)
    }
    return this.#each?.[i]?.shardId
  }
}

// Binary search in ascending indices; a run usually covers 0..n-1, found at once.
function indexOf (indices: readonly number[], i: number): number {
  if (indices[i] === i) return i
  let lo = 0
  let hi = indices.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const v = indices[mid] as number
    if (v === i) return mid
    if (v < i) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}
