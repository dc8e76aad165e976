// The last stderr line of a run that does not exit 0: why the exit code is what it is, in one
// sentence a person (or a CI log reader) can act on.

import type { Counts } from './reporter.ts'
import { OUTCOMES } from './counters.ts'
import type { Outcome } from '../record.ts'

export interface ExitFacts {
  readonly exitCode: number
  readonly counts: Counts
  /** 'SIGINT' or 'SIGTERM' when a signal stopped the run. */
  readonly signal: string | null
  /** The run's error (a connect failure, a flush deadline, ...), or null. */
  readonly error: string | null
}

/** "kprod: exit N: reason"; null for exit 0, which needs no explanation. */
export function exitReason (f: ExitFacts): string | null {
  if (f.exitCode === 0) return null
  const why = reason(f)
  return `kprod: exit ${f.exitCode}: ${why}`
}

function reason (f: ExitFacts): string {
  switch (f.exitCode) {
    case 2: return `configuration error: ${f.error ?? 'see above'}`
    case 3: return `nothing was sent: ${f.error ?? 'the target could not be reached at start'}`
    case 4: return `not every line was delivered: ${tally(f.counts)}${f.error === null ? '' : `; ${f.error}`}`
    case 130: case 143: return `interrupted by ${f.signal ?? 'a signal'}: ${tally(f.counts)}${f.error === null ? '' : `; ${f.error}`}`
    default: return `internal error${f.error === null ? '' : `: ${f.error}`} (please report this bug)`
  }
}

/** What each outcome means for a reader deciding whether to send again, where its name is not enough. */
const OUTCOME_NOTES: Partial<Record<Outcome, string>> = { failed: ' (definitely not written)', unknown: ' (may have been written)' }

/** "of 4000 lines read, 1600 delivered, 2200 failed (definitely not written), 200 unknown (...)". */
export function tally (c: Counts): string {
  // delivered always; the other outcomes when there are any.
  const parts = OUTCOMES.filter((o) => o === 'delivered' || c[o] > 0).map((o) => `${c[o]} ${o}${OUTCOME_NOTES[o] ?? ''}`)
  return `of ${c.read} ${c.read === 1 ? 'line' : 'lines'} read, ${parts.join(', ')}`
}
