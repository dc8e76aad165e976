// The start-up connect loop both targets share: try, and on an error that is not final (no such
// topic or stream, not authorized) wait a little and try again, until the deadline. Every error
// leaves as the target's KprodError, for exit code 3.

import type { KprodError } from '../errors.ts'
import type { Clock } from '../util/clock.ts'

/** The wait between two connect attempts at start. */
export const RETRY_AT_START_MS = 250

export interface ConnectRetry<T> {
  readonly clock: Clock
  /** No attempt starts (or, with `late`, is waited for) after this time on `clock`. */
  readonly deadline: number
  readonly attempt: () => Promise<T>
  /** The target's connect error for a failed attempt (naming brokers or endpoint, and the timeout). */
  readonly failure: (err: unknown) => KprodError
  /** Errors that retrying cannot cure. */
  readonly isFinal: (error: KprodError) => boolean
  /**
   * For an attempt that may hang (a broker that accepts connections and never answers): at the
   * deadline it is abandoned, not awaited; `abandon` ends what it still holds (its sockets), and
   * the last failure (or `noAnswer`) is thrown. Absent: the attempt keeps the deadline itself.
   */
  readonly late?: { readonly abandon: () => void, readonly noAnswer: string }
}

export async function connectWithRetry<T> (o: ConnectRetry<T>): Promise<T> {
  let last: unknown = null
  for (;;) {
    const tried = o.attempt()
    const timer = new AbortController()
    const late = o.late === undefined
      ? null
      : o.clock.sleep(Math.max(0, o.deadline - o.clock.now()), timer.signal).then((): typeof LATE => LATE, (): typeof LATE => LATE)
    let got: T | typeof LATE
    try {
      got = late === null ? await tried : await Promise.race([tried, late])
    } catch (err) {
      timer.abort()
      const error = o.failure(err)
      if (o.isFinal(error) || o.clock.now() + RETRY_AT_START_MS >= o.deadline) throw error
      last = err
      await o.clock.sleep(RETRY_AT_START_MS)
      continue
    }
    timer.abort()
    if (got !== LATE) return got
    tried.catch(() => {})
    o.late?.abandon()
    throw o.failure(last ?? new Error(o.late?.noAnswer))
  }
}

const LATE = Symbol('deadline')
