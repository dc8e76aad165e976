// One input line on its way to the target, and the five ways its journey can end.

/**
 * A record read from one input line. `line` is the raw line (LF and one trailing CR removed);
 * `key` and `value` are views into it, never copies, so --failed-output can write `line` back
 * byte for byte.
 */
export interface InputRecord {
  readonly line: Buffer
  readonly key: Buffer | null
  readonly value: Buffer
  /** 1-based line number across all inputs, in reading order. */
  readonly lineNo: number
  /** Epoch milliseconds when the line was read: the record's CreateTime. */
  readonly readAt: number
}

export const OUTCOMES = ['delivered', 'failed', 'unknown', 'skipped', 'unsent'] as const
/**
 * delivered: acknowledged by the target; failed: definitely not written; unknown: may have been
 * written (timeout or lost connection after the request went out); skipped: never sent because
 * the line was too long or unparsable; unsent: never sent because kprod was interrupted.
 */
export type Outcome = typeof OUTCOMES[number]

/** Where the input came from: the file name (or '-') and its 1-based line in that file. */
export interface LineOrigin {
  readonly source: string
  readonly sourceLine: number
}
