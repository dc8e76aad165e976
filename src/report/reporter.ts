// The accounting centre: every input line ends here exactly once, as delivered, failed, unknown,
// skipped or unsent, and finish() checks read == the sum of those five. It writes batch, stats and
// summary lines to stdout, human warnings to stderr (with one line per distinct cause of lines not
// delivered, and its count) and undelivered lines to --failed-output.

import type { Writable } from 'node:stream'
import type { BatchResult } from '../producer/result.ts'
import { recordBytes } from '../batch/batch.ts'
import { errorText, type ErrorCode } from '../errors.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'
import { batchLine } from './batch-line.ts'
import { CauseTally } from './causes.ts'
import type { FailedOutput } from './failed-output.ts'
import { JsonLinesWriter } from './json-lines.ts'
import { LatencyHistogram } from './latency.ts'
import { lineCounts, undelivered, type LineCounts } from './counters.ts'
import { invariantProblem, statsLine, summaryLine, zeroTally, type RateLimitField, type SummaryEnd, type Tally } from './summary-line.ts'

/** Skipped lines warned about one by one; after that, one summary warning per SKIP_WARN_EVERY. */
const SKIP_WARN_FIRST = 20
const SKIP_WARN_EVERY = 1000

export interface ReporterOptions {
  /** Where JSON lines go: stdout. */
  readonly out: Writable
  /** Writes one human-readable line to stderr. */
  readonly warn: (message: string) => void
  readonly target: string
  /** The kind of target, as the transport names it. */
  readonly kind: string
  readonly clock: Clock
  /** Milliseconds between stats lines; 0 = no stats lines. */
  readonly statsIntervalMs: number
  /** False = no per-batch lines (stats and summary only). */
  readonly batchLines: boolean
  readonly failedOutput: FailedOutput | null
  /** Records buffered right now (builder + producer), for stats lines. */
  readonly buffered: () => number
  /** --rate / --rate-bytes, shown in stats lines; null or absent: none. */
  readonly rateLimit?: RateLimitField | null
  /** Names a global line number as 'file:line' in warnings; default 'line N'. */
  readonly locate?: (lineNo: number) => string
}

/** Totals so far. `bytes` counts key + value bytes of delivered records. */
export type Counts = Readonly<LineCounts> & {
  readonly batches: number
  readonly bytes: number
  /** Input bytes read so far, of every source (for the progress bar's share of the input files). */
  readonly inputBytes: number
}

export class Reporter {
  readonly #o: ReporterOptions
  readonly #writer: JsonLinesWriter
  readonly #latency = new LatencyHistogram()
  readonly #t: Tally = zeroTally()
  readonly #started: number
  #previous: Tally = zeroTally()
  #previousAt: number
  #timer: TimerHandle | null = null
  /** Skipped lines not yet covered by a warning. */
  #skipsUnwarned = 0
  #inputBytes = 0
  #finished: Promise<void> | null = null
  /** Why lines were not delivered, told on stderr at exit: one line per cause with its count. */
  readonly #causes = new CauseTally()
  /** Lines not delivered by the code of why, for the summary. */
  readonly #undelivered = new Map<ErrorCode, number>()

  constructor (options: ReporterOptions) {
    this.#o = options
    this.#writer = new JsonLinesWriter(options.out)
    this.#started = options.clock.now()
    this.#previousAt = this.#started
  }

  /** Starts the stats timer (if stats are on). finish() stops it. */
  start (): void {
    if (this.#o.statsIntervalMs > 0 && this.#timer === null && this.#finished === null) this.#schedule()
  }

  /** Hot path: one call per input line, records and skipped lines alike. */
  lineRead (): void {
    this.#t.read++
  }

  /** One chunk of input was read. */
  inputRead (bytes: number): void {
    this.#inputBytes += bytes
  }

  /** A line that will never be sent (too long, unparsable, empty when skipping empties); `code` says which. */
  skipped (lineNo: number, code: ErrorCode, reason: string, line: Buffer | null): void {
    const n = ++this.#t.skipped
    this.#countUndelivered(code, 1)
    if (line !== null) this.#o.failedOutput?.write(line)
    if (n <= SKIP_WARN_FIRST) {
      const more = n === SKIP_WARN_FIRST ? ` (further skipped lines are counted in one warning per ${SKIP_WARN_EVERY})` : ''
      this.#o.warn(`kprod: ${this.#locate(lineNo)}: skipped: ${withoutLineNo(reason, lineNo)}${more}`)
      return
    }
    if (++this.#skipsUnwarned === SKIP_WARN_EVERY) this.#warnSkips(`the last was ${this.#locate(lineNo)}: ${withoutLineNo(reason, lineNo)}`)
  }

  /** Records never handed to the producer (interrupt), for the reason `code`. Their lines were counted by lineRead(). */
  unsent (lines: readonly Buffer[], count: number, code: ErrorCode): void {
    this.#t.unsent += count
    this.#countUndelivered(code, count)
    const out = this.#o.failedOutput
    if (out !== null) for (const line of lines) out.write(line)
  }

  /** The final word on one batch: counts its records, writes its line and its undelivered lines. */
  batch (result: BatchResult): void {
    const t = this.#t
    t.batches++
    t.exchanges += result.exchanges.length
    for (const x of result.exchanges) if (x.error !== null) t.requestErrors++
    this.#tallyRecords(result)
    if (this.#o.batchLines) this.#writer.write(batchLine(result))
  }

  /** A batch refused because the buffer was full (--when-full drop or error): failed and counted as dropped. */
  droppedBatch (result: BatchResult): void {
    this.#t.dropped += result.batch.records.length
    this.batch(result)
  }

  get counts (): Counts {
    const t = this.#t
    return { ...lineCounts(t), batches: t.batches, bytes: t.bytes, inputBytes: this.#inputBytes }
  }

  /** 4 when any line was not delivered, else 0. */
  exitCode (): 0 | 4 {
    return undelivered(this.#t) > 0 ? 4 : 0
  }

  /**
   * Ends the report: stops stats, closes --failed-output, writes the summary (always, whatever
   * happened before) and waits until stdout has taken it. Later calls return the same promise.
   */
  finish (end: SummaryEnd): Promise<void> {
    this.#finished ??= this.#finish(end)
    return this.#finished
  }

  async #finish (end: SummaryEnd): Promise<void> {
    const o = this.#o
    if (this.#timer !== null) o.clock.clearTimeout(this.#timer)
    this.#timer = null
    try {
      if (o.statsIntervalMs > 0) this.#writeStats()
    } catch (err) {
      // The summary must still go out, whatever a buffered() callback does at this point.
      o.warn(`kprod: cannot write the final stats line: ${errorText(err)}`)
    }
    if (this.#skipsUnwarned > 0) this.#warnSkips('')
    for (const line of this.#causes.lines()) o.warn(`kprod: ${line}`)
    const notes = [...end.notes]
    const failedOutputError = await this.#closeFailedOutput()
    if (failedOutputError !== null) notes.push(failedOutputError)
    const problem = invariantProblem(this.#t)
    if (problem !== null) {
      o.warn(`kprod: internal error: ${problem}; please report this bug`)
      notes.push(problem)
    }
    this.#writer.write(summaryLine({
      target: o.target,
      kind: o.kind,
      started: this.#started,
      ended: o.clock.now(),
      totals: this.#t,
      undeliveredByCode: Object.fromEntries(this.#undelivered),
      latency: { p50: this.#latency.percentile(50), p99: this.#latency.percentile(99), max: this.#latency.max },
      failedOutputLines: o.failedOutput?.count ?? null,
      end: { ...end, notes },
      invariantHolds: problem === null
    }))
    await this.#writer.end()
    const error = this.#writer.error
    if (error !== null) o.warn(`kprod: cannot write JSON lines to stdout: ${error.message}`)
  }

  /** Closes --failed-output; returns its error text (already warned about), or null. */
  async #closeFailedOutput (): Promise<string | null> {
    try {
      await this.#o.failedOutput?.close()
      return null
    } catch (err) {
      this.#o.warn(`kprod: ${errorText(err)}`)
      return errorText(err)
    }
  }

  #tallyRecords (result: BatchResult): void {
    const t = this.#t
    const records = result.batch.records
    const failedOutput = this.#o.failedOutput
    // Records of one batch are often read in the same millisecond: record equal latencies as runs.
    let runMs = 0
    let run = 0
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!
      const outcome = result.outcomes[i] ?? 'unknown'
      if (outcome !== 'delivered') {
        t[outcome]++
        failedOutput?.write(record.line)
        const error = result.errors[i] ?? result.producerError
        this.#causes.add(outcome, error?.text ?? null)
        // No error recorded for a record not delivered is a producer bug.
        this.#countUndelivered(error?.code ?? 'KPROD_INTERNAL', 1)
        continue
      }
      t.delivered++
      t.bytes += recordBytes(record)
      const ms = result.complete - record.readAt
      if (ms === runMs) {
        run++
      } else {
        this.#latency.record(runMs, run)
        runMs = ms
        run = 1
      }
    }
    this.#latency.record(runMs, run)
  }

  #countUndelivered (code: ErrorCode, n: number): void {
    this.#undelivered.set(code, (this.#undelivered.get(code) ?? 0) + n)
  }

  #schedule (): void {
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = null
      this.#writeStats()
      this.#schedule()
    }, this.#o.statsIntervalMs)
  }

  #writeStats (): void {
    const now = this.#o.clock.now()
    this.#writer.write(statsLine({
      now,
      started: this.#started,
      since: this.#previousAt,
      buffered: this.#o.buffered(),
      previous: this.#previous,
      totals: this.#t,
      rateLimit: this.#o.rateLimit ?? null
    }))
    this.#previous = { ...this.#t }
    this.#previousAt = now
  }

  #locate (lineNo: number): string {
    return this.#o.locate?.(lineNo) ?? `line ${lineNo}`
  }

  #warnSkips (detail: string): void {
    const n = this.#skipsUnwarned
    this.#skipsUnwarned = 0
    const suffix = detail === '' ? '' : `; ${detail}`
    this.#o.warn(`kprod: ${n} more input lines skipped (${this.#t.skipped} in total)${suffix}`)
  }
}

/**
 * A skip reason without its leading global line number ("line 12 is empty", "line 12: key …"),
 * which the warning replaces by the file and the line within it.
 */
export function withoutLineNo (reason: string, lineNo: number): string {
  const prefix = `line ${lineNo}`
  if (reason.startsWith(prefix + ': ')) return reason.slice(prefix.length + 2)
  if (reason.startsWith(prefix + ' ')) return 'the line' + reason.slice(prefix.length)
  return reason
}
