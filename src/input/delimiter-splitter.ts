// Splits a byte stream at any delimiter (-D/--delimiter, one byte or more, NUL included): a record
// is exactly the bytes between delimiters, nothing stripped. Same contract as LineSplitter (spans
// of the pushed chunk, copies only for records spanning chunks, pending bytes ≤ maxLineBytes), so
// the LF splitter keeps its fast path; both carry an unfinished record with carry-over.ts. A
// delimiter split across chunks is found by searching the last delimiter-length-minus-one carried
// bytes together with the head of the next chunk.

import { CarryOver, type LineHandler, type PartialLine } from './carry-over.ts'

export class DelimiterSplitter {
  readonly #delim: Buffer
  readonly #max: number
  readonly #handler: LineHandler
  readonly #carry: CarryOver

  constructor (delimiter: Buffer, maxLineBytes: number, handler: LineHandler) {
    this.#delim = delimiter
    this.#max = maxLineBytes
    this.#handler = handler
    this.#carry = new CarryOver(maxLineBytes, handler, delimiter.length - 1)
  }

  get pendingBytes (): number { return this.#carry.pendingBytes }

  /** Bytes pushed that belong to no record handed on yet: held, or counted for an over-long record (--checkpoint positions). */
  get heldBytes (): number { return this.#carry.heldBytes }

  push (chunk: Buffer): void {
    const d = this.#delim
    let start = 0
    if (this.#carry.active) {
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
    if (start < chunk.length) this.#carry.hold(chunk, start)
  }

  end (): void {
    const line = this.#carry.end()
    if (line !== null) this.#handler.line(line, 0, line.length)
  }

  cut (): PartialLine | null {
    return this.#carry.cut()
  }

  // Ends the carried record in `chunk` if a delimiter does; returns where the rest of the chunk
  // starts, or -1 when the whole chunk was carried on.
  #finishCarried (chunk: Buffer): number {
    const d = this.#delim
    const carry = this.#carry
    const carried = carry.tail(d.length - 1)
    let overlap = 0 // delimiter bytes that lie in the carried tail
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
        carry.hold(chunk, 0)
        return -1
      }
      next = at + d.length
    }
    // Record bytes in this chunk: none when the delimiter began in the carried bytes.
    const line = carry.finish(chunk, next - d.length + overlap, overlap)
    if (line !== null) this.#handler.line(line, 0, line.length)
    return next
  }
}
