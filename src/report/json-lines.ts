// Writes one JSON object per line to stdout (or any Writable). A reader that goes away (EPIPE,
// `| head -1`) or a destroyed stream closes the writer quietly: later writes are no-ops, nothing
// throws, and delivery goes on. Any other write error also closes it but is kept in `error`.

import type { Writable } from 'node:stream'

/** Every output line is an object whose first key is `type`; callers build them in that order. */
export interface OutputLine {
  readonly type: string
}

export class JsonLinesWriter {
  readonly #out: Writable
  #closed = false
  #error: Error | null = null
  /** Writes whose callback has not run yet: end() waits for this to reach zero. */
  #pending = 0
  #waiters: Array<() => void> = []

  constructor (out: Writable) {
    this.#out = out
    // The listener stays for the writer's (and the process's) lifetime: an EPIPE without one
    // would be an uncaught exception with a stack trace on stderr.
    out.on('error', (err: Error) => this.#close(err))
    out.on('close', () => this.#close(null))
  }

  /** True once the stream can take no more lines; writes are then silently dropped. */
  get closed (): boolean { return this.#closed }

  /** The write error that closed the writer, unless it was a broken pipe or a destroyed stream. */
  get error (): Error | null { return this.#error }

  write<T extends OutputLine> (obj: T): void {
    if (this.#closed) return
    const out = this.#out
    if (out.destroyed || out.writableEnded) {
      this.#close(null)
      return
    }
    const text = serialise(obj)
    this.#pending++
    try {
      out.write(text, this.#written)
    } catch (err) {
      this.#pending--
      this.#close(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /**
   * Resolves once every line written so far has been flushed to the stream, or at once when the
   * writer is closed. Does not end the stream: stdout belongs to the caller.
   */
  end (): Promise<void> {
    if (this.#closed || this.#pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  readonly #written = (err?: Error | null): void => {
    this.#pending--
    if (err != null) this.#close(err)
    if (this.#pending === 0) this.#release()
  }

  #close (err: Error | null): void {
    if (!this.#closed) {
      this.#closed = true
      if (err !== null && !isGone(err)) this.#error = err
    }
    this.#release()
  }

  #release (): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const resolve of waiters) resolve()
  }
}

/**
 * One JSON line. The fallback path only runs when plain stringify throws: a bigint in a
 * transport's response becomes a decimal string, so one odd value never loses a line.
 */
function serialise (obj: OutputLine): string {
  try {
    return JSON.stringify(obj) + '\n'
  } catch {
    return JSON.stringify(obj, (_key, value: unknown) => typeof value === 'bigint' ? value.toString() : value) + '\n'
  }
}

/** The reader went away or the stream was torn down: an expected end, not a failure to report. */
function isGone (err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ECONNRESET'
}
