// What the producer hands to the reporters: a batch, once, with every exchange it took.

import type { Batch } from '../batch/batch.ts'
import type { ErrorData } from '../errors.ts'
import type { Outcome } from '../record.ts'
import type { Positions } from './positions.ts'

/** One wire call: one attempt of one batch (or of its records still pending) to one partition. */
export interface Exchange {
  /** 1-based attempt number. */
  readonly attempt: number
  readonly partition: number
  readonly records: number
  /** Epoch ms: the attempt started waiting for its partition slot. */
  readonly enqueued: number
  /** Epoch ms: just before the wire call. */
  readonly begin: number
  /** Epoch ms: the call returned. */
  readonly complete: number
  readonly response: Readonly<Record<string, unknown>> | null
  /** "error producing topic T partition P: cause" (Kinesis: "stream S shard P" or "stream S lane P") with its code, or null. */
  readonly error: ErrorData | null
}

/** The final word on one batch. `outcomes[i]` and `positions.at(i)` belong to `batch.records[i]`. */
export interface BatchResult {
  readonly batch: Batch
  readonly target: string
  /** The partition of the last exchange, or the batch's partition when there was none. */
  readonly partition: number
  readonly exchanges: readonly Exchange[]
  /** Set when the batch was refused before any exchange (e.g. "buffer full"). */
  readonly producerError: ErrorData | null
  /** True iff there is at least one exchange and every record was delivered. */
  readonly produced: boolean
  readonly outcomes: readonly Outcome[]
  readonly positions: Positions
  /**
   * Per-record error for records not delivered (null for delivered ones). Its code says why kprod
   * stopped trying the record: a deadline or an interrupt that ended its retries gives its own code,
   * with the last exchange's error kept in the text.
   */
  readonly errors: readonly (ErrorData | null)[]
  /** Epoch ms: the producer took the batch / the result was final. */
  readonly begin: number
  readonly complete: number
}
