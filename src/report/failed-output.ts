// The --failed-output file: every line that was not delivered, byte for byte, each followed by
// LF, so that `kprod --topic T FILE` re-sends exactly those records. A line that itself ends in
// CR is followed by CRLF, because reading strips one CR before the LF. Writes never throw; the
// first error stops writing and is reported by close().

import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'
import { KprodError, errorText } from '../errors.ts'

const LF = Buffer.from('\n')
const CRLF = Buffer.from('\r\n')

export class FailedOutput {
  readonly #path: string
  readonly #stream: WriteStream
  // -D: every record is followed by the delimiter; null: LF (CRLF after a line ending in CR).
  readonly #delimiter: Buffer | null
  #error: unknown = null
  #count = 0
  #closing: Promise<void> | null = null

  private constructor (path: string, stream: WriteStream, delimiter: Buffer | null) {
    this.#path = path
    this.#delimiter = delimiter
    this.#stream = stream
    stream.on('error', (err) => { this.#error ??= err })
  }

  /** Creates (or truncates) the file; rejects with KPROD_INPUT when it cannot be opened. */
  static async open (path: string, delimiter: Buffer | null = null): Promise<FailedOutput> {
    const stream = createWriteStream(path, { flags: 'w' })
    try {
      await once(stream, 'open')
    } catch (err) {
      throw new KprodError('KPROD_INPUT', `Cannot open the --failed-output file '${path}': ${errorText(err)}`, { cause: err })
    }
    return new FailedOutput(path, stream, delimiter)
  }

  /** Lines handed to write() so far (all of them reached the file unless close() rejects). */
  get count (): number { return this.#count }

  /** Appends `line` and LF. Buffered: the bytes reach the file by the time close() resolves. */
  write (line: Buffer): void {
    if (this.#closing !== null) return
    this.#count++
    if (this.#error !== null) return
    this.#stream.write(line)
    this.#stream.write(this.#delimiter ?? (line.length > 0 && line[line.length - 1] === 13 ? CRLF : LF))
  }

  /** Flushes and closes the file; rejects with KPROD_INPUT if any write failed. Idempotent. */
  close (): Promise<void> {
    this.#closing ??= this.#finish()
    return this.#closing
  }

  async #finish (): Promise<void> {
    const stream = this.#stream
    if (!stream.closed) {
      // 'close' follows both a clean finish and an error (autoDestroy), so this always settles.
      const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()))
      if (this.#error === null) stream.end()
      else stream.destroy()
      await closed
    }
    if (this.#error !== null) {
      throw new KprodError('KPROD_INPUT', `Cannot write the --failed-output file '${this.#path}': ${errorText(this.#error)}: it lacks some of the ${this.#count} lines meant for it`, { cause: this.#error })
    }
  }
}
