// Builds the `stats` and `summary` lines from running totals. Pure: the reporter owns the
// counters and the clock. Shapes are nested (counts in one object) and documented in
// schema/output.schema.json.

import type { ErrorCode } from '../errors.ts'
import { isoTime } from '../util/clock.ts'
import { SCHEMA_VERSION } from './schema-version.ts'
import { OUTCOMES, accounted, lineCounts, tallyDelta, type LineCounts, type Tally } from './counters.ts'

export { zeroTally, type Tally } from './counters.ts'

export interface Rates {
  readonly recordsPerSec: number
  readonly mibPerSec: number
}

/** The `stats` line: what changed since the previous stats line, and the totals so far. */
export interface StatsLine {
  readonly type: 'stats'
  readonly schemaVersion: number
  readonly time: string
  readonly elapsedMs: number
  readonly intervalMs: number
  readonly buffered: number
  readonly interval: Readonly<Tally> & Rates
  /** Totals since the start (named `counts` in every line type). */
  readonly counts: Readonly<Tally>
  /** The --rate / --rate-bytes limits in force; absent when neither is given. */
  readonly rateLimit?: RateLimitField
}

/** Per-second limits; null: that one is not limited. */
export interface RateLimitField {
  readonly recordsPerSec: number | null
  readonly bytesPerSec: number | null
}

/** What --checkpoint did: the file, the lines an earlier run finished (not in `read`), the last write error. */
export interface CheckpointSummary {
  readonly path: string
  readonly alreadyDone: number
  readonly error: string | null
}

export interface SummaryEnd {
  readonly exitCode: number
  readonly signal: string | null
  readonly error: string | null
  /** The code of `error`; null when error is. */
  readonly errorCode: ErrorCode | null
  readonly notes: readonly string[]
  /** Null or absent without --checkpoint. */
  readonly checkpoint?: CheckpointSummary | null
  /** Kafka: whether the run used the idempotent producer; absent (null) for Kinesis. */
  readonly idempotent?: boolean | null
  /** --dry-run: where the records were placed; null or absent otherwise. */
  readonly dryRun?: DryRunField | null
}

/** --dry-run's placement: records per partition or shard and the skew (busiest over mean). */
export interface DryRunField {
  readonly unit: 'partition' | 'shard'
  readonly records: Readonly<Record<string, number>>
  readonly skew: number | null
}

/** The `summary` line: always the last line of a run. */
export interface SummaryLine extends Rates {
  readonly type: 'summary'
  readonly schemaVersion: number
  readonly target: string
  /** The kind of target, as the transport names it. */
  readonly kind: string
  readonly started: string
  readonly ended: string
  readonly elapsedMs: number
  readonly counts: Readonly<LineCounts>
  readonly undeliveredByCode: UndeliveredByCode
  readonly batches: number
  readonly exchanges: number
  readonly requestErrors: number
  readonly dropped: number
  readonly bytes: number
  readonly latencyMs: { readonly p50: number | null, readonly p99: number | null, readonly max: number | null }
  readonly failedOutputLines: number | null
  readonly checkpoint: CheckpointSummary | null
  readonly exitCode: number
  readonly signal: string | null
  readonly error: string | null
  readonly errorCode: ErrorCode | null
  readonly notes: readonly string[]
  readonly idempotent: boolean | null
  readonly invariantHolds: boolean
  readonly dryRun?: DryRunField
}

/** Lines not delivered (failed, unknown, skipped, unsent) by the code of why; the values add up to those four counts. */
export type UndeliveredByCode = Readonly<Partial<Record<ErrorCode, number>>>

export interface StatsInput {
  readonly now: number
  readonly started: number
  readonly since: number
  readonly buffered: number
  readonly previous: Readonly<Tally>
  readonly totals: Readonly<Tally>
  readonly rateLimit?: RateLimitField | null
}

export function statsLine (s: StatsInput): StatsLine {
  const t = s.totals
  const p = s.previous
  const interval = tallyDelta(t, p)
  const intervalMs = s.now - s.since
  return {
    type: 'stats',
    schemaVersion: SCHEMA_VERSION,
    time: isoTime(s.now),
    elapsedMs: s.now - s.started,
    intervalMs,
    buffered: s.buffered,
    interval: { ...interval, ...rates(interval, intervalMs) },
    counts: { ...t },
    ...(s.rateLimit == null ? {} : { rateLimit: { recordsPerSec: s.rateLimit.recordsPerSec, bytesPerSec: s.rateLimit.bytesPerSec } })
  }
}

export interface SummaryInput {
  readonly target: string
  /** The kind of target, as the transport names it. */
  readonly kind: string
  readonly started: number
  readonly ended: number
  readonly totals: Readonly<Tally>
  readonly undeliveredByCode: UndeliveredByCode
  readonly latency: SummaryLine['latencyMs']
  readonly failedOutputLines: number | null
  readonly end: SummaryEnd
  readonly invariantHolds: boolean
}

export function summaryLine (s: SummaryInput): SummaryLine {
  const t = s.totals
  const elapsedMs = s.ended - s.started
  return {
    type: 'summary',
    schemaVersion: SCHEMA_VERSION,
    target: s.target,
    kind: s.kind,
    started: isoTime(s.started),
    ended: isoTime(s.ended),
    elapsedMs,
    counts: lineCounts(t),
    undeliveredByCode: sortedByKey(s.undeliveredByCode),
    batches: t.batches,
    exchanges: t.exchanges,
    requestErrors: t.requestErrors,
    dropped: t.dropped,
    bytes: t.bytes,
    ...rates(t, elapsedMs),
    latencyMs: s.latency,
    failedOutputLines: s.failedOutputLines,
    checkpoint: s.end.checkpoint ?? null,
    exitCode: s.end.exitCode,
    signal: s.end.signal,
    error: s.end.error,
    errorCode: s.end.error === null ? null : s.end.errorCode,
    notes: [...s.end.notes],
    idempotent: s.end.idempotent ?? null,
    invariantHolds: s.invariantHolds,
    ...(s.end.dryRun == null ? {} : { dryRun: { unit: s.end.dryRun.unit, records: { ...s.end.dryRun.records }, skew: s.end.dryRun.skew } })
  }
}

/** Checks read == delivered + failed + unknown + skipped + unsent; returns the problem, or null. */
export function invariantProblem (t: Readonly<Tally>): string | null {
  const sum = accounted(t)
  if (sum === t.read) return null
  return `Accounting invariant broken: read ${t.read} lines but ${OUTCOMES.map((o) => `${o} ${t[o]}`).join(' + ')} = ${sum}`
}

function sortedByKey (byCode: UndeliveredByCode): UndeliveredByCode {
  return Object.fromEntries(Object.entries(byCode).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
}

const MIB = 1024 * 1024

/** Delivered records and MiB per second over `ms`, rounded to 3 decimals; 0 for an empty span. */
export function rates (t: Readonly<Tally>, ms: number): Rates {
  if (ms <= 0) return { recordsPerSec: 0, mibPerSec: 0 }
  return { recordsPerSec: round3(t.delivered * 1000 / ms), mibPerSec: round3(t.bytes / MIB * 1000 / ms) }
}

function round3 (n: number): number {
  return Math.round(n * 1000) / 1000
}
