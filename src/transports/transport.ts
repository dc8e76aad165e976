// The one interface between kprod's core (builder, producer, pipeline) and a target service.
// A transport performs exactly one wire exchange per send() and never retries on its own: the
// producer's attempts and exchange records are the whole truth.

import type { Batch } from '../batch/batch.ts'
import type { KprodError } from '../errors.ts'
import type { InputRecord } from '../record.ts'
import type { JsonFieldRules } from '../input/json-records.ts'

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
export interface DryRunPlacement {
  readonly unit: 'partition' | 'shard'
  /** Records per partition number or shard id, every one of the target's (zeros included). */
  readonly records: Readonly<Record<string, number>>
  /** The busiest partition's (shard's) records over the mean: 1 is even, N is all in one of N; null when nothing was placed. */
  readonly skew: number | null
}

/** Where a record goes, and whether the producer may move it (see Batch.pinned). */
export interface Placement {
  /** A partition (shard index) of the target, or ANY_PARTITION. */
  readonly partition: number
  /** True when a key, an explicit partition or the record itself decided `partition`: it must not be re-routed. */
  readonly pinned: boolean
}

/**
 * How one target takes records, handed to the core once connect() has learnt the topology: the
 * pipeline, builder, producer and reporters ask it and never name a target themselves, so a new
 * target brings its own router and touches none of them.
 */
export interface Router {
  /** The target's noun ("topic", "stream") and name, as messages say them. */
  readonly noun: string
  readonly target: string
  /** What a partition number means in messages: a partition, a shard index or a lane (a concurrency slot). */
  readonly partitionNoun: string
  /** The partitions the producer may use, ascending. */
  readonly partitions: readonly number[]
  /** How the per-record size limit is named: "topic 'logs' (max.message.bytes)". */
  readonly sizeLimitName: string
  /** Said after "--batch-records N lowered to M to fit the limits of ...", or ''. */
  readonly batchRecordsNote: string
  readonly json: JsonFieldRules
  /**
   * Why a record can never go to this target (e.g. a partition key over 256 characters), naming
   * its line; null when it can. Called once per record, after the size check.
   */
  refuse (record: InputRecord): string | null
  /** Where a record goes, or why it is skipped (naming its line). */
  place (record: InputRecord): Placement | string
  /**
   * The key that must not appear twice in one batch (a target that orders per key and may fail
   * single records of a request), or absent. The builder cuts a batch before a repeat.
   */
  readonly batchKey?: (record: InputRecord) => string | null
}

/** "topic 'logs'", "stream 'events'". */
export function targetName (router: Pick<Router, 'noun' | 'target'>): string {
  return `${router.noun} '${router.target}'`
}

/** "topic logs partition 3", "stream s shard 2", "stream s lane 0", for error texts. */
export function placeName (router: Pick<Router, 'noun' | 'target' | 'partitionNoun'>, partition: number): string {
  return `${router.noun} ${router.target} ${router.partitionNoun} ${partition}`
}

export interface Transport {
  /** The kind of target ("kafka", "kinesis"), for the summary: data the core prints, never branches on. */
  readonly kind: string
  /** The topic or stream name. */
  readonly target: string
  readonly limits: TransportLimits
  /**
   * Checks that the target exists and can be reached. Rejects with KPROD_CONNECT, KPROD_AUTH or
   * KPROD_TARGET_NOT_FOUND (exit code 3).
   */
  connect (): Promise<Topology>
  /** The router for the topology connect() returned; may throw a ConfigError (a --partition it does not have). */
  router (topology: Topology): Router
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
  /** --dry-run only: where the records went instead of being sent. */
  placement? (): DryRunPlacement
}
