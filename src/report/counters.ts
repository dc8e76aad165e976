// The report's counters, defined once: every shape that lists them (the batch line's outcomes,
// the stats and summary counts, the accounting invariant, the exit code, the stderr tally) is
// derived from these arrays, and test/unit/report/counters.test.ts checks the output schema
// names the same keys in the same order.

import { OUTCOMES, type Outcome } from '../record.ts'

export { OUTCOMES }

/**
 * Counters beside the outcomes, in output order. batches: batches finished; exchanges: wire calls
 * made; requestErrors: wire calls that ended with an error; dropped: records failed because the
 * buffer was full (--when-full drop or error), part of `failed`; bytes: key + value bytes of
 * delivered records.
 */
export const RUN_COUNTERS = ['batches', 'exchanges', 'requestErrors', 'dropped', 'bytes'] as const

/** Lines read, then what became of them: read == the sum of the outcomes. */
export const LINE_COUNTERS = ['read', ...OUTCOMES] as const

/** Every running total, in the order stats lines write them. */
export const TALLY_COUNTERS = [...LINE_COUNTERS, ...RUN_COUNTERS] as const

export type OutcomeCounts = Record<Outcome, number>
export type LineCounts = Record<typeof LINE_COUNTERS[number], number>
/** Running totals. */
export type Tally = Record<typeof TALLY_COUNTERS[number], number>

/** An object with each of `keys` at `value(key)`, in the order of `keys`. */
function keyed<K extends string> (keys: readonly K[], value: (key: K) => number): Record<K, number> {
  const out = {} as Record<K, number>
  for (const key of keys) out[key] = value(key)
  return out
}

export function zeroOutcomes (): OutcomeCounts {
  return keyed(OUTCOMES, () => 0)
}

export function zeroTally (): Tally {
  return keyed(TALLY_COUNTERS, () => 0)
}

/** `t` minus `p`, counter by counter. */
export function tallyDelta (t: Readonly<Tally>, p: Readonly<Tally>): Tally {
  return keyed(TALLY_COUNTERS, (k) => t[k] - p[k])
}

/** read and the outcomes of `t`, as the summary's `counts`. */
export function lineCounts (t: Readonly<LineCounts>): LineCounts {
  return keyed(LINE_COUNTERS, (k) => t[k])
}

/** Lines that were read and not delivered. */
export function undelivered (t: Readonly<OutcomeCounts>): number {
  let n = 0
  for (const o of OUTCOMES) if (o !== 'delivered') n += t[o]
  return n
}

/** Lines accounted for: the sum of the outcomes. */
export function accounted (t: Readonly<OutcomeCounts>): number {
  return t.delivered + undelivered(t)
}
