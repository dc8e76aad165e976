// A batch: records bound for one partition (or for "any partition", -1), cut by the builder.

import { recordHeaderBytes, recordKeyBytes, recordValueBytes, type InputRecord } from '../record.ts'

/** Partition value meaning "any partition": the producer picks the next idle one. */
export const ANY_PARTITION = -1

export const CUT_REASONS = ['records', 'bytes', 'min', 'linger', 'end', 'flush', 'key'] as const
/**
 * Why the builder closed a batch: max records or max bytes reached, both minimums met, the linger
 * time passed, end of input, an explicit flush (a signal, for instance), or a record whose key the
 * batch already held (per-key ordering: one record per key in a batch).
 */
export type CutReason = typeof CUT_REASONS[number]

export interface Batch {
  readonly id: number
  /** The partition the builder chose: a partition id, or ANY_PARTITION. */
  readonly partition: number
  /** True when `partition` came from a key or an explicit --partition, so it must not move. */
  readonly pinned: boolean
  readonly records: readonly InputRecord[]
  /** Sum of key and value bytes: what the builder's byte limits measure. */
  readonly bytes: number
  readonly cutReason: CutReason
  /** Epoch ms: the first record was added. */
  readonly opened: number
  /** Epoch ms: the batch was cut and handed on. */
  readonly enqueued: number
}

/** Bytes a record adds to a batch: key, value and its own headers' names and values. */
export function recordBytes (record: InputRecord): number {
  return recordValueBytes(record) + recordKeyBytes(record) + recordHeaderBytes(record)
}
