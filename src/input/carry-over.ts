// The record a chunk leaves unfinished, carried into the next chunk: copies of its pieces (the
// chunk may be reused once push() returns), never more than maxLineBytes in all; once the record
// is over that limit, only its length, and its last `keep` bytes so that a delimiter split across
// chunks is still found. Shared by LineSplitter and DelimiterSplitter, which use it at most twice a
// chunk (the record the chunk ends, and its tail): their loops over whole records stay their own.

/** Receives a splitter's output, in input order. Methods must not throw. */
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

const EMPTY = Buffer.alloc(0)

export class CarryOver {
  readonly #max: number
  readonly #handler: LineHandler
  readonly #keep: number
  // Copies of the pieces of the carried record; their total is #pending (≤ #max).
  readonly #pieces: Buffer[] = []
  #pending = 0
  // Raw length of an over-long record being skipped, or -1 when not skipping; #tail keeps its
  // last #keep bytes meanwhile.
  #skipped = -1
  #tail: Buffer = EMPTY

  /** `keep`: bytes to keep from the end of a skipped record (a delimiter's length minus one). */
  constructor (maxLineBytes: number, handler: LineHandler, keep = 0) {
    this.#max = maxLineBytes
    this.#handler = handler
    this.#keep = keep
  }

  /** True while a record begun in an earlier chunk is carried, held or skipped. */
  get active (): boolean { return this.#pending > 0 || this.#skipped >= 0 }

  /** Bytes held for the carried record (never more than maxLineBytes). */
  get pendingBytes (): number { return this.#pending }

  /** Bytes pushed that belong to no record handed on yet: held, or counted for an over-long record. */
  get heldBytes (): number { return this.#skipped >= 0 ? this.#skipped : this.#pending }

  /** Carries chunk[start..] on: a copy of it, or only its count once the record is over the limit. */
  hold (chunk: Buffer, start: number): void {
    const tail = chunk.length - start
    if (this.#skipped >= 0) {
      this.#skipped += tail
      this.#tail = lastBytes(this.#tail, chunk.subarray(start), this.#keep)
    } else if (this.#pending + tail > this.#max) {
      this.#skipped = this.#pending + tail
      this.#tail = lastBytes(this.tail(this.#keep), chunk.subarray(start), this.#keep)
      this.#pieces.length = 0
      this.#pending = 0
    } else {
      this.#pieces.push(Buffer.from(chunk.subarray(start)))
      this.#pending += tail
    }
  }

  /**
   * The carried record ends with chunk[0, n), less its last `overlap` carried bytes (the head of
   * a delimiter that began in the carried bytes; n is 0 then). Returns the record, or null when it
   * was over the limit, which the handler has been told.
   */
  finish (chunk: Buffer, n: number, overlap = 0): Buffer | null {
    const total = this.heldBytes + n - overlap
    if (this.#skipped >= 0 || total > this.#max) {
      this.#reset()
      this.#handler.overlong(total)
      return null
    }
    if (n > 0) {
      this.#pieces.push(chunk.subarray(0, n))
      this.#pending += n
    }
    const record = this.#take()
    return overlap > 0 ? record.subarray(0, total) : record
  }

  /** The last n carried bytes (fewer when fewer are carried). */
  tail (n: number): Buffer {
    if (n === 0) return EMPTY
    if (this.#skipped >= 0) return this.#tail
    const pieces = this.#pieces
    const all = pieces.length === 1 ? pieces[0] as Buffer : Buffer.concat(pieces, this.#pending)
    if (pieces.length > 1) {
      pieces.length = 0
      pieces.push(all)
    }
    return all.subarray(Math.max(0, all.length - n))
  }

  /** The source ended: returns an unterminated last record, or null (none, or an over-long one the handler was told of). */
  end (): Buffer | null {
    if (this.#skipped >= 0) {
      const bytes = this.#skipped
      this.#reset()
      this.#handler.overlong(bytes)
      return null
    }
    return this.#pending > 0 ? this.#take() : null
  }

  /** Reading stopped mid-record: returns what was carried (raw bytes) and forgets it. */
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

  #take (): Buffer {
    const pieces = this.#pieces
    const record = pieces.length === 1 ? pieces[0] as Buffer : Buffer.concat(pieces, this.#pending)
    this.#reset()
    return record
  }

  #reset (): void {
    this.#pieces.length = 0
    this.#pending = 0
    this.#skipped = -1
    this.#tail = EMPTY
  }
}

// The last n bytes of a followed by b, copied.
function lastBytes (a: Buffer, b: Buffer, n: number): Buffer {
  if (n === 0) return EMPTY
  if (b.length >= n) return Buffer.from(b.subarray(b.length - n))
  const both = Buffer.concat([a, b])
  return both.subarray(Math.max(0, both.length - n))
}
