// Turns one BatchResult into its `batch` output line. The line stays small whatever the batch
// size: outcomes are counts and errors are distinct strings (each with its code), never
// per-record arrays.
// Field meanings are documented in schema/output.schema.json.

import type { BatchResult, Exchange } from '../producer/result.ts'
import type { CutReason } from '../batch/batch.ts'
import type { ErrorCode, ErrorData } from '../errors.ts'
import { isoTime } from '../util/clock.ts'
import { SCHEMA_VERSION } from './schema-version.ts'
import { zeroOutcomes, type OutcomeCounts } from './counters.ts'

/** Distinct error strings listed per batch line; records with further errors are only counted. */
export const MAX_DISTINCT_ERRORS = 20

export type { OutcomeCounts } from './counters.ts'

/** Where one delivered record landed, with its input line number. */
export interface LinePosition {
  readonly line: number
  readonly partition: number
  /** Kafka offset or Kinesis sequence number; null when not acknowledged (acks=0). */
  readonly position: string | null
  readonly shardId: string | null
}

export interface ExchangeLine {
  readonly attempt: number
  readonly partition: number
  readonly records: number
  readonly enqueued: string
  readonly begin: string
  readonly complete: string
  readonly response: Readonly<Record<string, unknown>> | null
  readonly error: string | null
  readonly errorCode: ErrorCode | null
}

/** One distinct error of a batch's records not delivered, its codes, and how many records ended with it. */
export interface ErrorCount {
  readonly error: string
  readonly code: ErrorCode
  /** The target's own name for the error, or null. */
  readonly targetCode: string | null
  readonly records: number
}

/** The `batch` line: one per batch, once, when it is delivered or has finally failed. */
export interface BatchLine {
  readonly type: 'batch'
  readonly schemaVersion: number
  readonly id: number
  readonly target: string
  readonly partition: number
  readonly shards?: readonly string[]
  readonly pinned: boolean
  readonly records: number
  readonly bytes: number
  readonly firstLine: number | null
  readonly lastLine: number | null
  readonly produced: boolean
  readonly cutReason: CutReason
  readonly opened: string
  readonly enqueued: string
  readonly begin: string
  readonly complete: string
  readonly firstTimestamp: string | null
  readonly maxTimestamp: string | null
  /** How many of the batch's records ended in each outcome (named `counts` in every line type). */
  readonly counts: OutcomeCounts
  readonly firstDelivered: LinePosition | null
  readonly lastDelivered: LinePosition | null
  readonly producerError: string | null
  readonly producerErrorCode: ErrorCode | null
  readonly errors: readonly ErrorCount[]
  readonly errorsOmitted: number
  readonly exchanges: readonly ExchangeLine[]
}

export function batchLine (result: BatchResult): BatchLine {
  const { batch } = result
  const records = batch.records
  const scan = scanRecords(result)
  const first = records[0]
  const last = records[records.length - 1]
  return {
    type: 'batch',
    schemaVersion: SCHEMA_VERSION,
    id: batch.id,
    target: result.target,
    partition: result.partition,
    ...(scan.shards.size > 0 ? { shards: [...scan.shards].sort() } : {}),
    pinned: batch.pinned,
    records: records.length,
    bytes: batch.bytes,
    firstLine: first?.lineNo ?? null,
    lastLine: last?.lineNo ?? null,
    produced: result.produced,
    cutReason: batch.cutReason,
    opened: isoTime(batch.opened),
    enqueued: isoTime(batch.enqueued),
    begin: isoTime(result.begin),
    complete: isoTime(result.complete),
    firstTimestamp: first === undefined ? null : isoTime(first.readAt),
    maxTimestamp: scan.maxReadAt === null ? null : isoTime(scan.maxReadAt),
    counts: scan.outcomes,
    firstDelivered: positionAt(result, scan.firstDelivered),
    lastDelivered: positionAt(result, scan.lastDelivered),
    producerError: result.producerError?.text ?? null,
    producerErrorCode: result.producerError?.code ?? null,
    errors: [...scan.errors.values()],
    errorsOmitted: scan.errorsOmitted,
    exchanges: result.exchanges.map(exchangeLine)
  }
}

function exchangeLine (x: Exchange): ExchangeLine {
  return {
    attempt: x.attempt,
    partition: x.partition,
    records: x.records,
    enqueued: isoTime(x.enqueued),
    begin: isoTime(x.begin),
    complete: isoTime(x.complete),
    response: x.response ?? null,
    error: x.error?.text ?? null,
    errorCode: x.error?.code ?? null
  }
}

interface Scan {
  outcomes: OutcomeCounts
  firstDelivered: number
  lastDelivered: number
  maxReadAt: number | null
  /** By error text: records of one batch that share a text share its code. */
  errors: Map<string, { error: string, code: ErrorCode, targetCode: string | null, records: number }>
  errorsOmitted: number
  shards: Set<string>
}

/** One pass over the records: outcome counts, delivered range, distinct errors, shards. */
function scanRecords (result: BatchResult): Scan {
  const s: Scan = {
    outcomes: zeroOutcomes(),
    firstDelivered: -1,
    lastDelivered: -1,
    maxReadAt: null,
    errors: new Map(),
    errorsOmitted: 0,
    shards: new Set()
  }
  const records = result.batch.records
  for (let i = 0; i < records.length; i++) {
    const readAt = records[i]!.readAt
    if (s.maxReadAt === null || readAt > s.maxReadAt) s.maxReadAt = readAt
    // A missing outcome is a producer bug; `unknown` is the honest word for it.
    const outcome = result.outcomes[i] ?? 'unknown'
    s.outcomes[outcome]++
    if (outcome === 'delivered') {
      if (s.firstDelivered < 0) s.firstDelivered = i
      s.lastDelivered = i
      const shardId = result.positions.shardId(i)
      if (shardId !== undefined) s.shards.add(shardId)
      continue
    }
    const error: ErrorData | null = result.errors[i] ?? result.producerError
    if (error === null) continue
    const seen = s.errors.get(error.text)
    if (seen !== undefined) seen.records++
    else if (s.errors.size < MAX_DISTINCT_ERRORS) s.errors.set(error.text, { error: error.text, code: error.code, targetCode: error.targetCode, records: 1 })
    else s.errorsOmitted++
  }
  return s
}

function positionAt (result: BatchResult, i: number): LinePosition | null {
  if (i < 0) return null
  const at = result.positions.at(i)
  return {
    line: result.batch.records[i]!.lineNo,
    partition: at?.partition ?? result.partition,
    position: at?.position ?? null,
    shardId: at?.shardId ?? null
  }
}
