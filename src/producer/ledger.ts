// One batch's accounts: each record's outcome, position and error, the exchanges that carried
// it, and which records are still to send; turned into the batch's BatchResult once it is final.
// No clock and no scheduling: the producer tells it what happened and when.

import { recordBytes, type Batch } from '../batch/batch.ts'
import { KprodError, errorData, errorText, type ErrorData } from '../errors.ts'
import type { Outcome } from '../record.ts'
import { isDeliveredRun, type RecordResult, type SendResult } from '../transports/transport.ts'
import { PositionTable } from './positions.ts'
import type { BatchResult, Exchange } from './result.ts'
import { shouldRetry } from './retry-policy.ts'

/** When and where one exchange ran, as the producer saw it. */
export interface ExchangeTimes {
  readonly attempt: number
  readonly partition: number
  readonly enqueued: number
  readonly begin: number
  readonly complete: number
}

const NO_POSITIONS = new PositionTable(0)

/** Settles pending records: leave their outcome, or call never-sent records failed. */
export const same = (o: Outcome): Outcome => o
export const notSent = (o: Outcome): Outcome => o === 'unsent' ? 'failed' : o

export class BatchLedger {
  readonly batch: Batch
  /**
   * Indices into batch.records of the records still to send, ascending. Replaced, never changed
   * in place (the shared identity arrays depend on it); empty once the batch is final.
   */
  pending: readonly number[]
  /** The batch reduced to `pending`: what the next exchange carries. */
  view: Batch
  /** One per record: 'unsent' until an exchange answers for it; 'unknown' never goes back to 'failed'. */
  readonly outcomes: Outcome[]
  /** Where each delivered record landed. */
  positions: PositionTable
  /** One per record: the last error that touched it, notes appended; null once delivered. */
  readonly errors: (ErrorData | null)[]
  /** Every exchange that carried records of this batch, in order. */
  exchanges: Exchange[] = []

  constructor (batch: Batch) {
    const n = batch.records.length
    this.batch = batch
    this.pending = allIndices(n)
    this.view = batch
    this.outcomes = new Array<Outcome>(n).fill('unsent')
    this.positions = new PositionTable(n)
    this.errors = new Array<ErrorData | null>(n).fill(null)
  }

  /**
   * Applies one exchange's result; leaves pending only the records that earn a retry, and returns
   * how many records it made final.
   */
  apply (result: SendResult, at: ExchangeTimes, place: string, maxAttempts: number): number {
    const prefix = `error producing ${place}: `
    const { pending, outcomes, errors } = this
    const retry: number[] = []
    let failed = 0
    let first: KprodError | null = null
    // Records failed by one error (the request's, or one shared per-record error) share its ErrorData.
    let lastError: KprodError | null = null
    let lastData: ErrorData | null = null
    const records = result.error === null ? result.records : null
    if (records !== null && isDeliveredRun(records) && records.count === pending.length) {
      // All delivered as one run: no per-record object. When the run is the whole batch (the
      // common first attempt), two fills; else indexed, like every per-record loop here: run
      // once per exchange, a for-of is rarely optimised and then allocates per step.
      if (pending.length === outcomes.length) {
        outcomes.fill('delivered')
        errors.fill(null)
      } else {
        for (let k = 0; k < pending.length; k++) {
          const i = pending[k] as number
          outcomes[i] = 'delivered'
          errors[i] = null
        }
      }
      this.positions.setRun(pending, records)
    } else {
      for (let k = 0; k < pending.length; k++) {
        const i = pending[k] as number
        const r = recordResult(result, k, pending.length)
        if (r.ok) {
          outcomes[i] = 'delivered'
          this.positions.set(i, r.at)
          errors[i] = null
          continue
        }
        failed++
        first ??= r.error
        // Once an attempt may have written a record, a later definite failure cannot undo that.
        outcomes[i] = r.error.maybeWritten || outcomes[i] === 'unknown' ? 'unknown' : 'failed'
        if (r.error !== lastError) {
          lastError = r.error
          lastData = errorData(r.error.code, prefix + r.error.message, r.error.targetCode)
        }
        errors[i] = lastData
        if (shouldRetry(r.error, at.attempt, maxAttempts)) retry.push(i)
      }
    }
    let error: ErrorData | null = null
    if (result.error !== null) error = lastData ?? errorData(result.error.code, prefix + result.error.message, result.error.targetCode)
    else if (first !== null) error = errorData(first.code, `${prefix}${failed} of ${pending.length} records failed, the first with: ${first.message}`, first.targetCode)
    this.exchanges.push({
      attempt: at.attempt,
      partition: at.partition,
      records: pending.length,
      enqueued: at.enqueued,
      begin: at.begin,
      complete: at.complete,
      response: result.response,
      error
    })
    this.pending = retry
    if (retry.length !== pending.length) this.view = viewOf(this.batch, retry)
    return pending.length - retry.length
  }

  /**
   * Makes every pending record final: `settle` gives its outcome, `note` is added to its error and
   * gives it its code (why kprod stopped trying). Returns how many.
   */
  settle (note: ErrorData | null, settle: (o: Outcome) => Outcome): number {
    const pending = this.pending
    // Records that shared an error share the noted one too.
    let previousOf: ErrorData | null = null
    let noted: ErrorData | null = note
    for (let k = 0; k < pending.length; k++) {
      const i = pending[k] as number
      this.outcomes[i] = settle(this.outcomes[i] as Outcome)
      if (note === null) continue
      const previous = this.errors[i] ?? null
      if (previous === null) {
        this.errors[i] = note
        continue
      }
      if (previous !== previousOf) {
        previousOf = previous
        // The target's last word on the record stays beside the code of why kprod stopped.
        noted = errorData(note.code, `${previous.text}; ${note.text}`, previous.targetCode)
      }
      this.errors[i] = noted
    }
    this.pending = []
    return pending.length
  }

  /**
   * The final result (after settle()); `note` is the producer's error when no exchange ran. Lets
   * go of what the answers added: a ledger has usually lived through a few scavenges and been
   * promoted, so it is not freed before the next full collection, while what the answers added
   * (positions, exchanges) is young and would be copied and promoted by every scavenge until then.
   */
  result (target: string, note: ErrorData | null, begin: number, complete: number): BatchResult {
    const { batch, exchanges, outcomes } = this
    const last = exchanges[exchanges.length - 1]
    const result: BatchResult = {
      batch,
      target,
      partition: last === undefined ? batch.partition : last.partition,
      exchanges,
      producerError: exchanges.length === 0 ? note : null,
      produced: exchanges.length > 0 && outcomes.every((o) => o === 'delivered'),
      outcomes,
      positions: this.positions,
      errors: this.errors,
      begin,
      complete
    }
    this.positions = NO_POSITIONS
    this.exchanges = []
    this.view = batch
    return result
  }
}

/**
 * [0, 1, …, n-1], shared by every batch of n records: pending is replaced, never changed in
 * place, so batches of the common sizes need no index array of their own.
 */
const identities = new Map<number, readonly number[]>()
function allIndices (n: number): readonly number[] {
  let all = identities.get(n)
  if (all === undefined) {
    all = Array.from({ length: n }, (_, i) => i)
    if (identities.size < 64) identities.set(n, all)
  }
  return all
}

/** The result for the k-th record of an exchange of `count` records. */
function recordResult (result: SendResult, k: number, count: number): RecordResult {
  if (result.error !== null) return { ok: false, error: result.error }
  const records = result.records
  const r = records === null || isDeliveredRun(records) ? undefined : records[k]
  if (r !== undefined) return r
  const got = records === null ? 'no results' : `${isDeliveredRun(records) ? records.count : records.length} results`
  return { ok: false, error: new KprodError('KPROD_INTERNAL', `transport returned ${got} for ${count} records`) }
}

/** A transport that broke its promise never to reject: a final error, nothing known to be written. */
export function rejected (err: unknown): SendResult {
  return { response: null, error: new KprodError('KPROD_INTERNAL', `transport send failed: ${errorText(err)}`, { cause: err }), records: null }
}

/** The batch reduced to the records at `indices`: same id, so results still match it. */
function viewOf (batch: Batch, indices: readonly number[]): Batch {
  const records = indices.map((i) => batch.records[i] as Batch['records'][number])
  return { ...batch, records, bytes: records.reduce((sum, r) => sum + recordBytes(r), 0) }
}
