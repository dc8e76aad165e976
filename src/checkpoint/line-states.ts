// Which input lines are done with, by global line number (1-based, across all inputs). A line is
// `done` (delivered, skipped, or done in an earlier run: never send it again) or `again` (failed,
// unknown or unsent: send it again on resume); a line with neither is still pending. Pure, no I/O.
// Invariant: every line <= `base` has a final state, and the `again` lines among them are in
// `#again` as sorted, merged ranges; lines above `base` are held one byte each in `#states`.

/** An inclusive range of line numbers. */
export type LineRange = readonly [number, number]

const PENDING = 0
const DONE = 1
const AGAIN = 2

export class LineStates {
  /** Every line <= base has a final state. */
  #base = 0
  /** #states[i] is the state of line #origin + i + 1. */
  #origin = 0
  #states = new Uint8Array(1024)
  /** Sorted, merged, all <= base. */
  readonly #again: Array<[number, number]> = []

  get base (): number { return this.#base }

  /** Line `line` will never be sent again. */
  done (line: number): void {
    this.#set(line, DONE)
  }

  /** Lines first..last will never be sent again (lines a resumed run did not read). */
  doneRange (first: number, last: number): void {
    if (last <= this.#base) return
    if (first <= this.#base + 1) {
      // The common case: the range continues the done prefix, so no byte per line is needed.
      this.#base = last
      this.#compact()
      this.#advance()
      return
    }
    this.#grow(last)
    this.#states.fill(DONE, first - this.#origin - 1, last - this.#origin)
    this.#advance()
  }

  /** Line `line` ended without being delivered: send it again on resume. */
  again (line: number): void {
    this.#set(line, AGAIN)
  }

  /**
   * The lines first..last that must be sent again: final `again` lines and lines still pending,
   * as sorted, merged ranges.
   */
  resend (first: number, last: number): LineRange[] {
    const out: Array<[number, number]> = []
    const push = (a: number, b: number): void => {
      const prev = out[out.length - 1]
      if (prev !== undefined && prev[1] + 1 >= a) prev[1] = Math.max(prev[1], b)
      else out.push([a, b])
    }
    for (const [a, b] of this.#again) {
      if (b < first || a > last) continue
      push(Math.max(a, first), Math.min(b, last))
    }
    // Runs of lines are found with indexOf (native) instead of a step per line: this runs after
    // every batch result, over every line read and not yet done (tens of thousands).
    // Only up to `last`: the array's spare room past the read point is not searched.
    const origin = this.#origin
    const states = this.#states.subarray(0, Math.max(0, Math.min(this.#states.length, last - origin)))
    const held = origin + states.length
    let nextAgain = -1
    let line = Math.max(first, this.#base + 1)
    while (line <= last && line <= held) {
      const i = line - origin - 1
      if (states[i] === DONE) {
        const pending = indexOr(states, PENDING, i)
        if (nextAgain < i) nextAgain = indexOr(states, AGAIN, i)
        line = origin + 1 + Math.min(pending, nextAgain)
      } else {
        const done = indexOr(states, DONE, i)
        push(line, Math.min(origin + done, last))
        line = origin + done + 1
      }
    }
    // Lines past the array are pending.
    if (line <= last) push(line, last)
    return out
  }

  #set (line: number, state: number): void {
    if (line <= this.#base) return
    this.#grow(line)
    this.#states[line - this.#origin - 1] = state
    if (line === this.#base + 1) this.#advance()
  }

  #advance (): void {
    const states = this.#states
    let i = this.#base - this.#origin
    while (i < states.length && states[i] !== PENDING) {
      if (states[i] === AGAIN) this.#addAgain(this.#origin + i + 1)
      i++
    }
    this.#base = this.#origin + i
  }

  #addAgain (line: number): void {
    const last = this.#again[this.#again.length - 1]
    if (last !== undefined && last[1] + 1 === line) last[1] = line
    else this.#again.push([line, line])
  }

  // Room for line `line`; drops the bytes of lines <= base first.
  #grow (line: number): void {
    if (line - this.#origin <= this.#states.length) return
    this.#compact()
    const need = line - this.#origin
    if (need <= this.#states.length) return
    const bigger = new Uint8Array(Math.max(need, this.#states.length * 2))
    bigger.set(this.#states)
    this.#states = bigger
  }

  #compact (): void {
    const shift = Math.min(this.#base - this.#origin, this.#states.length)
    if (shift <= 0) {
      if (this.#base > this.#origin) this.#origin = this.#base
      return
    }
    this.#states.copyWithin(0, shift)
    this.#states.fill(PENDING, this.#states.length - shift)
    this.#origin += shift
    if (this.#base > this.#origin) {
      // base jumped past the whole array (doneRange): nothing below it is held any more.
      this.#states.fill(PENDING)
      this.#origin = this.#base
    }
  }
}

// The index of the first `value` at or after `from`, or the array's length when there is none.
function indexOr (states: Uint8Array, value: number, from: number): number {
  const at = states.indexOf(value, from)
  return at < 0 ? states.length : at
}
