// The result of a batch the producer never took (the buffer was full under --when-full drop or
// error): zero exchanges, every record failed with the reason, so it is counted like any other.

import type { Batch } from '../batch/batch.ts'
import type { ErrorData } from '../errors.ts'
import type { Outcome } from '../record.ts'
import { noPositions } from './positions.ts'
import type { BatchResult } from './result.ts'

export function refusedResult (batch: Batch, target: string, reason: ErrorData, now: number): BatchResult {
  const n = batch.records.length
  return {
    batch,
    target,
    partition: batch.partition,
    exchanges: [],
    producerError: reason,
    produced: false,
    outcomes: new Array<Outcome>(n).fill('failed'),
    positions: noPositions(n),
    errors: new Array<ErrorData>(n).fill(reason),
    begin: now,
    complete: now
  }
}
