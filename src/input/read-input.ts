// The reading loop: every source in order, each chunk split and parsed synchronously, then a pause
// while the sink applies backpressure. Every line seen reaches the sink exactly once, as a record
// or a skip, except an unterminated line cut off by abort, which is returned as partialLine.

import type { Readable } from 'node:stream'
import { KprodError, errorText, type ErrorCode } from '../errors.ts'
import type { InputRecord, LineOrigin } from '../record.ts'
import type { Clock } from '../util/clock.ts'
import { ChunkPool, type Chunk } from './chunk-pool.ts'
import type { ChunkSource } from './file-chunks.ts'
import { DelimiterSplitter } from './delimiter-splitter.ts'
import { LineSplitter, type LineHandler } from './line-splitter.ts'
import { JsonLineParser, TAKES_EVERY_FIELD, type JsonFieldRules } from './json-records.ts'
import { LineParser } from './parse.ts'
import { DEFAULT_HIGH_WATER_MARK, STDIN, openSource, sourceNames } from './sources.ts'

/** Where lines go. Called synchronously while a chunk is processed. */
export interface InputSink {
  /** A parsed record; synchronous, must not throw. */
  record (record: InputRecord): void
  /**
   * A line that will never be sent. `line` is the raw bytes when known (null for over-long lines);
   * `code`: KPROD_RECORD_TOO_LARGE (over --max-line-bytes) or KPROD_INVALID_RECORD (unparsable).
   */
  skipped (lineNo: number, origin: LineOrigin, reason: string, line: Buffer | null, code: ErrorCode): void
  /** Called after each chunk; when it returns a promise, reading waits for it (backpressure). */
  ready (): Promise<void> | undefined
  /** A source starts: `index` in the sources list, `linesBefore` lines (all sources) come before its first line read. */
  sourceStart? (index: number, name: string, linesBefore: number): void
  /** After each chunk: lines 1..lineNo of all inputs are read, and the current source is read up to byte `offset`, a line boundary. */
  position? (lineNo: number, offset: number): void
  /** A line a resume plan says is done already: not parsed, not counted as read. */
  alreadyDone? (lineNo: number): void
}

/**
 * Where to pick up one input file again (--checkpoint): start reading at byte `fromOffset`, which
 * is the start of line `fromLine` + 1; lines up to `toLine` that are not in `resend` are done
 * already. Line numbers are 1-based within the file.
 */
export interface SourceResume {
  readonly fromOffset: number
  readonly fromLine: number
  readonly toLine: number
  /** Sorted inclusive ranges of lines to send again, all in fromLine+1..toLine. */
  readonly resend: ReadonlyArray<readonly [number, number]>
}

/** What to read and how to turn lines into records; fully resolved by the configuration. */
export interface ReadInputOptions {
  /** Files in order, '-' for stdin (at most once); [] means stdin. */
  readonly sources: readonly string[]
  /** Read only when a source is stdin and `stdinPipe` is not set. */
  readonly stdin: Readable
  /** kprod's own fd 0 when it is a pipe or socket: read straight into pooled chunks (pipe-chunks.ts). */
  readonly stdinPipe?: number | null
  /** Longest line kept, counted as the raw bytes between LFs. */
  readonly maxLineBytes: number
  readonly keySeparator: Buffer | null
  readonly missingKey: 'skip' | 'null-key'
  readonly emptyLines: 'send' | 'skip'
  /** -Z: an empty value is sent as null. */
  readonly nullEmpty?: boolean
  /** --raw-input: never decompress; absent or false: gzip and zstd sources are read decompressed. */
  readonly rawInput?: boolean
  /** -D: records end at these bytes, nothing stripped; null or absent: LF, one trailing CR removed. */
  readonly delimiter?: Buffer | null
  /** lines (the default) or json (json-records.ts), checked against `json`. */
  readonly format?: 'lines' | 'json'
  /** What a JSON line may carry to the target; absent: every field is taken. */
  readonly json?: JsonFieldRules
  /** Gives each chunk's arrival time, used as readAt of its lines. */
  readonly clock: Clock
  /** Abort = stop reading now (SIGTERM); checked between chunks. */
  readonly signal: AbortSignal
  readonly highWaterMark?: number
  /** Memory for input chunks, reused once released (chunk-pool.ts); default: a pool that keeps nothing. */
  readonly pool?: ChunkPool
  /** Where to pick up each source again (--checkpoint); null or absent: read it all. */
  readonly resume?: (index: number, name: string) => SourceResume | null
  /** Told when a source starts, with the global number its first line will have. */
  readonly onSource?: (name: string, firstLineNo: number) => void
  /** Told the size of each chunk read, before its lines are split (progress display). */
  readonly onRead?: (bytes: number) => void
}

/** How reading ended. */
export interface InputTotals {
  /** Every line seen: records + skipped, +1 when a partial line was cut by abort. */
  readonly lines: number
  /** The raw bytes of an unterminated line cut off by abort (it is 'unsent'), else null. */
  readonly partialLine: Buffer | null
  /** Bytes read from all sources. */
  readonly bytes: number
  readonly interrupted: boolean
}

export async function readInput (options: ReadInputOptions, sink: InputSink): Promise<InputTotals> {
  const router = new LineRouter(options, sink)
  const delimiter = options.delimiter ?? null
  const splitter = delimiter === null ? new LineSplitter(options.maxLineBytes, router) : new DelimiterSplitter(delimiter, options.maxLineBytes, router)
  const highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK
  const pool = options.pool ?? new ChunkPool({ chunkBytes: highWaterMark, maxFreeBytes: 0 })
  let bytes = 0
  const names = sourceNames(options.sources)
  for (let index = 0; index < names.length; index++) {
    const name = names[index] as string
    if (options.signal.aborted) break
    const resume = options.resume?.(index, name) ?? null
    sink.sourceStart?.(index, name, router.lineNo)
    // The first line's global number, resumed lines included: warnings name file and line.
    options.onSource?.(name, router.lineNo + 1)
    router.startSource(name, resume)
    const start = resume?.fromOffset ?? 0
    sink.position?.(router.lineNo, start)
    const stream = openSource(name, () => options.stdin, { highWaterMark, maxLineBytes: options.maxLineBytes, pool, stdinPipe: options.stdinPipe ?? null, start, decompress: options.rawInput !== true })
    bytes += await readSource(name, stream, splitter, router, options, start)
    if (!options.signal.aborted) {
      splitter.end()
      sink.position?.(router.lineNo, start + router.sourceBytes)
    }
  }
  if (!options.signal.aborted) return { lines: router.lineNo, partialLine: null, bytes, interrupted: false }
  const partial = splitter.cut()
  if (partial === null) return { lines: router.lineNo, partialLine: null, bytes, interrupted: true }
  if (partial.line === null) {
    // Already over the limit, so it could never be sent: skipped, not unsent.
    router.overlong(partial.bytes, true)
    return { lines: router.lineNo, partialLine: null, bytes, interrupted: true }
  }
  return { lines: router.lineNo + 1, partialLine: partial.line, bytes, interrupted: true }
}

// Feeds one source's chunks to the splitter; returns the bytes read. Stops early on abort.
async function readSource (name: string, stream: ChunkSource, splitter: LineSplitter | DelimiterSplitter, router: LineRouter, options: ReadInputOptions, start: number): Promise<number> {
  const { signal, clock } = options
  const onAbort = (): void => { stream.destroy() }
  signal.addEventListener('abort', onAbort, { once: true })
  let bytes = 0
  try {
    for await (const piece of stream) {
      if (signal.aborted) break
      const chunk = piece instanceof Uint8Array ? piece : piece.bytes
      bytes += chunk.length
      router.sourceBytes = bytes
      options.onRead?.(chunk.length)
      router.readAt = clock.now()
      router.inChunk(chunk, piece instanceof Uint8Array ? null : piece.chunk)
      splitter.push(chunk)
      router.sink.position?.(router.lineNo, start + bytes - splitter.heldBytes)
      const ready = router.sink.ready()
      if (ready !== undefined) await untilAborted(ready, signal)
      if (signal.aborted) break
    }
  } catch (err) {
    if (!signal.aborted) {
      const what = name === STDIN ? 'reading standard input' : `reading input file '${name}'`
      throw new KprodError('KPROD_INPUT', `${what}: ${errorText(err)}`, { cause: err })
    }
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
  return bytes
}

// Waits for the sink, but no longer than until the abort: a stopped run must not hang on a full queue.
function untilAborted (ready: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onAbort = (): void => { resolve() }
    signal.addEventListener('abort', onAbort, { once: true })
    ready.then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, (err: unknown) => {
      signal.removeEventListener('abort', onAbort)
      reject(err)
    })
  })
}

// Numbers lines and hands them to the parser and the sink; one instance per run, no per-line closures.
class LineRouter implements LineHandler {
  readonly sink: InputSink
  readonly #parser: LineParser | JsonLineParser
  // JSON reasons carry no location: the router adds file:line.
  readonly #json: boolean
  readonly #maxLineBytes: number
  lineNo = 0
  readAt = 0
  /** Bytes of the current source read so far (from its start offset). */
  sourceBytes = 0
  // The bytes being split, and their pooled chunk (null when not pooled).
  #bytes: Buffer | null = null
  #chunk: Chunk | null = null
  #source = STDIN
  #sourceLine = 0
  // The current source's resume plan, and the index of the first of its resend ranges not yet passed.
  #resume: SourceResume | null = null
  #resendAt = 0

  constructor (options: ReadInputOptions, sink: InputSink) {
    this.sink = sink
    this.#json = options.format === 'json'
    this.#parser = this.#json ? new JsonLineParser(options.json ?? TAKES_EVERY_FIELD) : new LineParser(options)
    this.#maxLineBytes = options.maxLineBytes
  }

  /** The next lines come from `bytes`, which lies in `chunk` when pooled. */
  inChunk (bytes: Buffer, chunk: Chunk | null): void {
    this.#bytes = bytes
    this.#chunk = chunk
  }

  startSource (name: string, resume: SourceResume | null): void {
    this.#source = name
    this.#resume = resume
    this.#resendAt = 0
    this.sourceBytes = 0
    // Lines before the resume point are not read, but keep their numbers.
    this.#sourceLine = resume?.fromLine ?? 0
    this.lineNo += this.#sourceLine
  }

  // True (and the sink told) when the resume plan says the current line is done already.
  #alreadyDone (): boolean {
    const resume = this.#resume
    if (resume === null || this.#sourceLine > resume.toLine) return false
    const line = this.#sourceLine
    const ranges = resume.resend
    while (this.#resendAt < ranges.length && (ranges[this.#resendAt] as readonly [number, number])[1] < line) this.#resendAt++
    const next = ranges[this.#resendAt]
    if (next !== undefined && next[0] <= line) return false
    this.sink.alreadyDone?.(this.lineNo)
    return true
  }

  line (bytes: Buffer, start: number, end: number): void {
    const lineNo = ++this.lineNo
    this.#sourceLine++
    if (this.#alreadyDone()) return
    // A line inside the pooled bytes is held by its record; a copy made by the splitter is not pooled.
    const chunk = bytes === this.#bytes ? this.#chunk : null
    const parsed = this.#parser.parse(bytes, start, end, lineNo, this.readAt, chunk)
    if (typeof parsed !== 'string') return this.sink.record(parsed)
    // A skipped line may be kept (--failed-output): a copy, when its chunk will be reused.
    const line = chunk === null ? bytes.subarray(start, end) : Buffer.from(bytes.subarray(start, end))
    // The reporter puts the file and line in front of every skip reason.
    this.sink.skipped(lineNo, this.#origin(), parsed, line, 'KPROD_INVALID_RECORD')
  }

  overlong (bytes: number, cutOff = false): void {
    const lineNo = ++this.lineNo
    this.#sourceLine++
    if (!cutOff && this.#alreadyDone()) return
    const reason = cutOff
      ? `line ${lineNo} is at least ${bytes} bytes, over --max-line-bytes ${this.#maxLineBytes} (cut off when reading stopped)`
      : `line ${lineNo} is ${bytes} bytes, over --max-line-bytes ${this.#maxLineBytes}`
    this.sink.skipped(lineNo, this.#origin(), reason, null, 'KPROD_RECORD_TOO_LARGE')
  }

  #origin (): LineOrigin {
    return { source: this.#source, sourceLine: this.#sourceLine }
  }
}
