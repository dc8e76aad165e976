// Splits a byte stream into lines without decoding it: a line is the bytes between LFs, minus one
// trailing CR. A line inside one chunk is handed on as a span of it (no copy, no view); only a
// line spanning chunks is copied. The splitter keeps no reference to a chunk once push() returns
// (the unfinished tail is copied), so the caller may reuse a chunk that no line holds. Pending
// bytes never exceed maxLineBytes: an over-long line is counted, not buffered.

const LF = 10
const CR = 13

/** Receives the splitter's output, in input order. Methods must not throw. */
export interface LineHandler {
  /**
   * A complete line at bytes[start, end), LF and one trailing CR removed. `bytes` is the chunk
   * being pushed when the line lies inside it, else a copy of the line's pieces.
   */
  line (bytes: Buffer, start: number, end: number): void
  /** A line over the limit was dropped; `bytes` is its raw length between LFs (CR included). */
  overlong (bytes: number): void
}

/** What was pending when a source was cut off: the bytes, or null when over-long (`bytes` counts them). */
export interface PartialLine {
  readonly line: Buffer | null
  readonly bytes: number
}

export class LineSplitter {
  readonly #max: number
  readonly #handler: LineHandler
  // Copies of the pieces of the current line from earlier chunks; their total is #pending (≤ #max).
  readonly #pieces: Buffer[] = []
  #pending = 0
  // Raw length of an over-long line being skipped, or -1 when not skipping.
  #skipped = -1

  constructor (maxLineBytes: number, handler: LineHandler) {
    this.#max = maxLineBytes
    this.#handler = handler
  }

  /** Bytes held for an unfinished line (never more than maxLineBytes). */
  get pendingBytes (): number { return this.#pending }

  /** Bytes pushed that belong to no line handed on yet: held, or counted for an over-long line. */
  get heldBytes (): number { return this.#skipped >= 0 ? this.#skipped : this.#pending }

  /** Splits one chunk; lines handed on as spans of it must not see it modified while they are in use. */
  push (chunk: Buffer): void {
    let start = 0
    let lf = chunk.indexOf(LF, start)
    if (lf !== -1 && (this.#pending > 0 || this.#skipped >= 0)) {
      this.#finishCarried(chunk, lf)
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
    if (start < chunk.length) this.#hold(chunk, start)
  }

  /** The source ended: an unterminated last line counts as a line; an empty tail does not. */
  end (): void {
    if (this.#skipped >= 0) {
      const bytes = this.#skipped
      this.#reset()
      this.#handler.overlong(bytes)
    } else if (this.#pending > 0) {
      this.#handOn(this.#take())
    }
  }

  /** Reading stopped mid-line: returns what was pending (raw bytes, CR kept) and forgets it. */
  cut (): PartialLine | null {
    if (this.#skipped >= 0) {
      const bytes = this.#skipped
      this.#reset()
      return { line: null, bytes }
    }
    if (this.#pending === 0) return null
    const line = this.#take()
    return { line, bytes: line.length }
  }

  // The first LF of a chunk ends a line begun in an earlier chunk.
  #finishCarried (chunk: Buffer, lf: number): void {
    if (this.#skipped >= 0) {
      const bytes = this.#skipped + lf
      this.#reset()
      this.#handler.overlong(bytes)
      return
    }
    const bytes = this.#pending + lf
    if (bytes > this.#max) {
      this.#reset()
      this.#handler.overlong(bytes)
      return
    }
    if (lf > 0) {
      this.#pieces.push(chunk.subarray(0, lf))
      this.#pending = bytes
    }
    this.#handOn(this.#take())
  }

  // A line put together from pieces: one trailing CR is not part of it.
  #handOn (line: Buffer): void {
    const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length
    this.#handler.line(line, 0, end)
  }

  // Keeps the unterminated tail of a chunk, or only counts it once the line is over the limit.
  #hold (chunk: Buffer, start: number): void {
    const tail = chunk.length - start
    if (this.#skipped >= 0) {
      this.#skipped += tail
    } else if (this.#pending + tail > this.#max) {
      this.#skipped = this.#pending + tail
      this.#pieces.length = 0
      this.#pending = 0
    } else {
      // A copy: the chunk may be reused once push() returns.
      this.#pieces.push(Buffer.from(chunk.subarray(start)))
      this.#pending += tail
    }
  }

  #take (): Buffer {
    const pieces = this.#pieces
    const line = pieces.length === 1 ? pieces[0] as Buffer : Buffer.concat(pieces, this.#pending)
    this.#reset()
    return line
  }

  #reset (): void {
    this.#pieces.length = 0
    this.#pending = 0
    this.#skipped = -1
  }
}
