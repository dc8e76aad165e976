// Splits a byte stream at any delimiter (-D/--delimiter, one byte or more, NUL included): a record
// is exactly the bytes between delimiters, nothing stripped. Same contract as LineSplitter (spans
// of the pushed chunk, copies only for records spanning chunks, pending bytes ≤ maxLineBytes), so
// the LF splitter keeps its fast path. A delimiter split across chunks is found by searching the
// last delimiter-length-minus-one carried bytes together with the head of the next chunk.

import type { LineHandler, PartialLine } from './line-splitter.ts'

export class DelimiterSplitter {
  readonly #delim: Buffer
  readonly #max: number
  readonly #handler: LineHandler
  readonly #pieces: Buffer[] = []
  #pending = 0
  // Raw length of an over-long record being skipped, or -1; #tail keeps its last bytes meanwhile.
  #skipped = -1
  #tail: Buffer = Buffer.alloc(0)

  constructor (delimiter: Buffer, maxLineBytes: number, handler: LineHandler) {
    this.#delim = delimiter
    this.#max = maxLineBytes
    this.#handler = handler
  }

  get pendingBytes (): number { return this.#pending }

  /** Bytes pushed that belong to no record handed on yet: held, or counted for an over-long record (--checkpoint positions). */
  get heldBytes (): number { return this.#skipped >= 0 ? this.#skipped : this.#pending }

  push (chunk: Buffer): void {
    const d = this.#delim
    let start = 0
    if (this.#pending > 0 || this.#skipped >= 0) {
      start = this.#finishCarried(chunk)
      if (start < 0) return
    }
    const handler = this.#handler
    let at = chunk.indexOf(d, start)
    while (at !== -1) {
      const length = at - start
      if (length > this.#max) handler.overlong(length)
      else handler.line(chunk, start, at)
      start = at + d.length
      at = chunk.indexOf(d, start)
    }
    if (start < chunk.length) this.#hold(chunk, start)
  }

  end (): void {
    if (this.#skipped >= 0) {
      const bytes = this.#skipped
      this.#reset()
      this.#handler.overlong(bytes)
    } else if (this.#pending > 0) {
      const line = this.#take()
      this.#handler.line(line, 0, line.length)
    }
  }

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

  // Ends the carried record in `chunk` if a delimiter does; returns where the rest of the chunk
  // starts, or -1 when the whole chunk was carried on.
  #finishCarried (chunk: Buffer): number {
    const d = this.#delim
    const carried = this.#carriedTail(d.length - 1)
    let overlap = -1 // delimiter bytes that lie in the carried tail
    let next = -1 // where the chunk goes on after the delimiter
    if (carried.length > 0) {
      const bridge = Buffer.concat([carried, chunk.subarray(0, d.length - 1)])
      const k = bridge.indexOf(d)
      if (k !== -1 && k < carried.length) {
        overlap = carried.length - k
        next = d.length - overlap
      }
    }
    if (next < 0) {
      const at = chunk.indexOf(d)
      if (at === -1) {
        this.#hold(chunk, 0)
        return -1
      }
      overlap = 0
      next = at + d.length
    }
    const inChunk = next - d.length + overlap // record bytes in this chunk
    const total = (this.#skipped >= 0 ? this.#skipped : this.#pending) + inChunk - overlap
    if (this.#skipped >= 0 || total > this.#max) {
      this.#reset()
      this.#handler.overlong(total)
      return next
    }
    let line: Buffer
    if (overlap > 0) {
      line = this.#take().subarray(0, total)
    } else {
      if (inChunk > 0) this.#pieces.push(chunk.subarray(0, inChunk))
      this.#pending += inChunk
      line = this.#take()
    }
    this.#handler.line(line, 0, line.length)
    return next
  }

  // The last n carried bytes (fewer when fewer are carried).
  #carriedTail (n: number): Buffer {
    if (n === 0) return Buffer.alloc(0)
    if (this.#skipped >= 0) return this.#tail
    const all = this.#pieces.length === 1 ? this.#pieces[0] as Buffer : Buffer.concat(this.#pieces, this.#pending)
    if (this.#pieces.length > 1) {
      this.#pieces.length = 0
      this.#pieces.push(all)
    }
    return all.subarray(Math.max(0, all.length - n))
  }

  #hold (chunk: Buffer, start: number): void {
    const tail = chunk.length - start
    const keep = this.#delim.length - 1
    if (this.#skipped >= 0) {
      this.#skipped += tail
      this.#tail = lastBytes(this.#tail, chunk.subarray(start), keep)
    } else if (this.#pending + tail > this.#max) {
      this.#skipped = this.#pending + tail
      this.#tail = lastBytes(this.#carriedTail(keep), chunk.subarray(start), keep)
      this.#pieces.length = 0
      this.#pending = 0
    } else {
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
    this.#tail = Buffer.alloc(0)
  }
}

// The last n bytes of a followed by b, copied.
function lastBytes (a: Buffer, b: Buffer, n: number): Buffer {
  if (n === 0) return Buffer.alloc(0)
  if (b.length >= n) return Buffer.from(b.subarray(b.length - n))
  const both = Buffer.concat([a, b])
  return both.subarray(Math.max(0, both.length - n))
}
