// Why lines were not delivered, for stderr: one entry per distinct cause with its count, instead
// of one line per record or per retry. A cause is a record's final error text with what varies
// between batches of one fault (partition numbers, attempt counts) set aside.

import type { Outcome } from '../record.ts'

/** Distinct causes kept; records with further causes are counted together. */
export const MAX_CAUSES = 20

interface Cause {
  readonly outcome: Outcome
  /** The first error text seen for this cause, with varying numbers replaced by '*'. */
  readonly text: string
  count: number
}

/** The error text with partition, shard and lane numbers and attempt counts replaced by '*'. */
export function causeText (error: string): string {
  return error
    .replace(/\b(partition|shard|lane) \d+/g, '$1 *')
    .replace(/\bafter \d+ (attempts?)/g, 'after * attempts')
}

export class CauseTally {
  readonly #causes = new Map<string, Cause>()
  #others = 0
  #lastError: string | null = null
  #last: Cause | null = null

  /** Counts one record. */
  add (outcome: Outcome, error: string | null): void {
    const raw = error ?? 'no error recorded'
    // The records of one batch share their error string: skip the key work for repeats.
    if (raw === this.#lastError && this.#last !== null && this.#last.outcome === outcome) {
      this.#last.count++
      return
    }
    const text = causeText(raw)
    const key = `${outcome}\n${text}`
    let cause = this.#causes.get(key)
    if (cause === undefined) {
      if (this.#causes.size >= MAX_CAUSES) {
        this.#others++
        return
      }
      cause = { outcome, text, count: 0 }
      this.#causes.set(key, cause)
    }
    cause.count++
    this.#lastError = raw
    this.#last = cause
  }

  /** One line per cause, most frequent first, e.g. "1200 lines failed: error producing ...". */
  lines (): string[] {
    const sorted = [...this.#causes.values()].sort((a, b) => b.count - a.count)
    const out = sorted.map((c) => `${c.count} ${c.count === 1 ? 'line' : 'lines'} ${c.outcome}: ${c.text}`)
    if (this.#others > 0) out.push(`${this.#others} more ${this.#others === 1 ? 'line' : 'lines'} not delivered, for ${MAX_CAUSES}+ other causes (see the batch lines)`)
    return out
  }
}
