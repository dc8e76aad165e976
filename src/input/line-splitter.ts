// Splits a byte stream into lines without decoding it: a line is the bytes between LFs, minus one
// trailing CR. A line inside one chunk is handed on as a span of it (no copy, no view); only a
// line spanning chunks is copied. The splitter keeps no reference to a chunk once push() returns
// (the unfinished tail is copied, by carry-over.ts), so the caller may reuse a chunk that no line
// holds. Pending bytes never exceed maxLineBytes: an over-long line is counted, not buffered.

import { CarryOver, type LineHandler, type PartialLine } from './carry-over.ts'

export type { LineHandler, PartialLine } from './carry-over.ts'

const LF = 10
const CR = 13

export class LineSplitter {
  readonly #max: number
  readonly #handler: LineHandler
  readonly #carry: CarryOver

  constructor (maxLineBytes: number, handler: LineHandler) {
    this.#max = maxLineBytes
    this.#handler = handler
    this.#carry = new CarryOver(maxLineBytes, handler)
  }

  /** Bytes held for an unfinished line (never more than maxLineBytes). */
  get pendingBytes (): number { return this.#carry.pendingBytes }

  /** Bytes pushed that belong to no line handed on yet: held, or counted for an over-long line. */
  get heldBytes (): number { return this.#carry.heldBytes }

  /** Splits one chunk; lines handed on as spans of it must not see it modified while they are in use. */
  push (chunk: Buffer): void {
    let start = 0
    let lf = chunk.indexOf(LF, start)
    if (lf !== -1 && this.#carry.active) {
      // The first LF of the chunk ends a line begun in an earlier chunk.
      const line = this.#carry.finish(chunk, lf)
      if (line !== null) this.#handOn(line)
      start = lf + 1
      lf = chunk.indexOf(LF, start)
    }
    const max = this.#max
    const handler = this.#handler
    while (lf !== -1) {
      const length = lf - start
      if (length > max) {
        handler.overlong(length)
      } else {
        handler.line(chunk, start, length > 0 && chunk[lf - 1] === CR ? lf - 1 : lf)
      }
      start = lf + 1
      lf = chunk.indexOf(LF, start)
    }
    if (start < chunk.length) this.#carry.hold(chunk, start)
  }

  /** The source ended: an unterminated last line counts as a line; an empty tail does not. */
  end (): void {
    const line = this.#carry.end()
    if (line !== null) this.#handOn(line)
  }

  /** Reading stopped mid-line: returns what was pending (raw bytes, CR kept) and forgets it. */
  cut (): PartialLine | null {
    return this.#carry.cut()
  }

  // A line put together from pieces: one trailing CR is not part of it.
  #handOn (line: Buffer): void {
    const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length
    this.#handler.line(line, 0, end)
  }
}
