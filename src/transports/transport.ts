// The one interface between kprod's core (builder, producer, pipeline) and a target service.
// A transport performs exactly one wire exchange per send() and never retries on its own: the
// producer's attempts and exchange records are the whole truth.

import type { Batch } from '../batch/batch.ts'
import type { KprodError } from '../errors.ts'
import type { InputRecord } from '../record.ts'

/** Hard limits the builder must never exceed when it cuts a batch. */
export interface TransportLimits {
  /** Largest key + value a single record may have. */
  readonly maxRecordBytes: number
  /** Most records in one send(). */
  readonly maxBatchRecords: number
  /** Most key + value bytes in one send(). */
  readonly maxBatchBytes: number
}

/** What connect() learned about the target. */
export interface Topology {
  /** Every partition (Kafka) or shard index (Kinesis) of the target, ascending. */
  readonly partitions: readonly number[]
}

/** Where one record landed: a partition and offset, or a shard and sequence number. */
export interface RecordPosition {
  readonly partition: number
  /** Kafka offset or Kinesis sequence number as a decimal string; null when not acknowledged (acks=0). */
  readonly position: string | null
  readonly shardId?: string
}

/** The result of one record inside an exchange that got a response. */
export type RecordResult =
  | { readonly ok: true, readonly at: RecordPosition }
  | { readonly ok: false, readonly error: KprodError }

/**
 * Every record of an exchange delivered (a Kafka produce answer: one partition, consecutive
 * offsets; a Kinesis answer without a failed entry): one object for the whole exchange instead of
 * one per record, positions made only when read.
 */
export interface DeliveredRun {
  readonly kind: 'run'
  readonly count: number
  /** Where the k-th record of the exchange landed. */
  at (k: number): RecordPosition
  /** The Kinesis shard of the k-th record, without building its position; undefined elsewhere. */
  shardId (k: number): string | undefined
}

/** Tells a run from per-record results (Array.isArray does not narrow a readonly array). */
export function isDeliveredRun (records: readonly RecordResult[] | DeliveredRun): records is DeliveredRun {
  return !Array.isArray(records)
}

/** The outcome of one wire exchange. */
export interface SendResult {
  /** The response as the target gave it, JSON-ready; null when there was none. */
  readonly response: Readonly<Record<string, unknown>> | null
  /** A request-level error: every record of the exchange shares it. */
  readonly error: KprodError | null
  /** Per-record results in batch order, or a run when all were delivered; present only when error is null. */
  readonly records: readonly RecordResult[] | DeliveredRun | null
}

/** --dry-run: how many records each partition or shard would have got. */
export interface Placement {
  readonly unit: 'partition' | 'shard'
  /** Records per partition number or shard id, every one of the target's (zeros included). */
  readonly records: Readonly<Record<string, number>>
  /** The busiest partition's (shard's) records over the mean: 1 is even, N is all in one of N; null when nothing was placed. */
  readonly skew: number | null
}

export interface Transport {
  readonly kind: 'kafka' | 'kinesis'
  /** The topic or stream name. */
  readonly target: string
  /**
   * What a partition number means, for messages: a Kafka partition (the default), a Kinesis
   * shard index (per-shard batching) or a Kinesis lane (a concurrency slot; records go to any shard).
   */
  readonly partitionNoun?: 'partition' | 'shard' | 'lane'
  readonly limits: TransportLimits
  /**
   * Checks that the target exists and can be reached. Rejects with KPROD_CONNECT, KPROD_AUTH or
   * KPROD_TARGET_NOT_FOUND (exit code 3).
   */
  connect (): Promise<Topology>
  /** One wire exchange carrying `batch.records` to `partition`. Never rejects: errors are in the result. */
  send (batch: Batch, partition: number): Promise<SendResult>
  /** Closes connections; pending sends settle first. */
  close (): Promise<void>
  /**
   * True when a batch must retry on the partition of its first exchange even when it was not
   * pinned there (Kafka's idempotent producer: the sequence numbers it carries are that partition's).
   */
  readonly retriesKeepPartition?: boolean
  /** Whether the run uses Kafka's idempotent producer; absent where that means nothing (Kinesis). */
  readonly idempotent?: boolean
  /** Notes for the summary, e.g. that the client retries on its own in some mode. */
  readonly notes: readonly string[]
  /**
   * Why a record can never be sent to this target (e.g. a Kinesis partition key over 256
   * characters), naming its line; null when it can. Called once per record before batching.
   */
  check? (record: InputRecord): string | null
  /** The partition (shard index) a record must go to, for targets that order per key. */
  partitionFor? (record: InputRecord): number
  /**
   * For targets that order per key and may fail single records of a request (Kinesis): the key
   * that must not appear twice in one batch, or null. The builder cuts a batch before a repeat.
   */
  orderKey? (record: InputRecord): string | null
  /** --dry-run only: where the records went instead of being sent. */
  placement? (): Placement
}
