// --checkpoint: follows every input line to its end (fed by the reader's positions and the batch
// results), and keeps in the checkpoint file, per input file, how far reading got and which lines
// below that must be sent again. The pipeline commits after each batch result, before the batch is
// reported, and a commit appends the new state to the file at once (checkpoint-log.ts): after a
// kill -9, every line reported delivered is recorded as done. A resume reads each file from the
// last line boundary before its first line to send again, and drops the lines recorded as done.
// Choice: the checkpoint lists the exceptions (lines to send again) instead of stopping at the
// first of them, so one failed line does not make a resume send again everything after it.

import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ConfigError, errorText } from '../errors.ts'
import type { SourceResume } from '../input/read-input.ts'
import type { Clock } from '../util/clock.ts'
import { isoTime } from '../util/clock.ts'
import { CHECKPOINT_VERSION, changeOf, identify, readCheckpoint, type CheckpointData, type FileIdentity, type FileProgress } from './checkpoint-file.ts'
import { CheckpointLog } from './checkpoint-log.ts'
import { LineStates, type LineRange } from './line-states.ts'

/**
 * Most ranges of lines to send again kept per file. Beyond it (lines failing one by one, far
 * apart), the file's `to` point is moved back, so later lines are read and sent again whole:
 * more duplicates on resume, never a lost line.
 */
export const MAX_RESEND_RANGES = 100_000

export interface CheckpointOptions {
  readonly path: string
  readonly reset: boolean
  /** The input files, in order (no stdin: the configuration refuses it). */
  readonly files: readonly string[]
  readonly clock: Clock
  readonly warn: (message: string) => void
}

/** A line boundary: `line` lines (global numbering) end before byte `offset` of the file. */
interface Mark { readonly line: number, readonly offset: number }

interface FileState {
  readonly path: string
  readonly identity: FileIdentity
  /** The saved progress this run resumes from, or null. */
  readonly saved: FileProgress | null
  /** Lines of all inputs before this file's line 1; -1 until reading it starts. */
  startLine: number
  /** Line boundaries seen, ascending; the first is where reading started. */
  marks: Mark[]
}

/** What the summary says about the checkpoint. */
export interface CheckpointReport {
  readonly path: string
  /** Lines not sent because an earlier run delivered (or skipped) them; not counted in `read`. */
  readonly alreadyDone: number
  /** The last write error, or null when the file holds this run's final state. */
  readonly error: string | null
}

export class Checkpoint {
  readonly #o: CheckpointOptions
  readonly #files: FileState[]
  readonly #states = new LineStates()
  #current: FileState | null = null
  #alreadyDone = 0
  #dirty = true
  #log: CheckpointLog | null = null
  #error: string | null = null
  #closed = false

  private constructor (options: CheckpointOptions, files: FileState[]) {
    this.#o = options
    this.#files = files
  }

  /**
   * Checks the inputs against the saved checkpoint and writes the first checkpoint, so that a path
   * that cannot be written fails before anything is sent. Throws one ConfigError (exit 2) naming
   * every problem: an input that is not a regular file, one given twice, one that changed.
   */
  static async open (options: CheckpointOptions): Promise<Checkpoint> {
    const problems: string[] = []
    let saved: CheckpointData | null = null
    if (!options.reset) {
      try {
        saved = await readCheckpoint(options.path)
      } catch (err) {
        throw new ConfigError([`--checkpoint '${options.path}': cannot use it: ${errorText(err)}; remove it or add --checkpoint-reset to start over`])
      }
    }
    const seen = new Set<string>()
    const files: FileState[] = []
    for (const path of options.files) {
      const key = resolve(path)
      if (seen.has(key)) problems.push(`--checkpoint: input file '${path}' is given twice; its progress can be kept only once`)
      seen.add(key)
      const info = await stat(path).catch(() => null)
      if (info !== null && !info.isFile()) problems.push(`--checkpoint: input '${path}' is not a regular file: only files can be read again from where they stopped`)
      if (info === null || !info.isFile()) continue
      const previous = saved?.files.find((f) => resolve(f.path) === key) ?? null
      if (previous !== null) {
        const change = changeOf(previous, await identify(path, previous.headBytes))
        if (change !== null) {
          problems.push(`--checkpoint '${options.path}': input file '${path}' changed since the checkpoint was written: ${change}; add --checkpoint-reset to send it all again`)
        }
      }
      files.push({ path, identity: await identify(path), saved: previous, startLine: -1, marks: [] })
    }
    if (problems.length > 0) throw new ConfigError(problems)
    const checkpoint = new Checkpoint(options, files)
    try {
      checkpoint.#log = new CheckpointLog(options.path, checkpoint.#line(), () => options.clock.now(), (err) => checkpoint.#failed(err))
    } catch (err) {
      throw new ConfigError([`--checkpoint: ${checkpoint.#failureText(err)}`])
    }
    checkpoint.#dirty = false
    return checkpoint
  }

  /** Lines skipped because an earlier run finished them. */
  get alreadyDone (): number { return this.#alreadyDone }

  /**
   * Writes the state now when a line ended since the last commit: called after each batch result,
   * before the batch is reported. A write error is warned about once and kept for the summary.
   */
  commit (): void {
    if (!this.#dirty || this.#closed || this.#log === null) return
    try {
      this.#log.append(this.#line())
      this.#dirty = false
      this.#error = null
    } catch (err) {
      this.#failed(err)
    }
  }

  /** Where to resume source `index`, from the saved checkpoint; null: read it all. */
  resume (index: number): SourceResume | null {
    const saved = this.#files[index]?.saved ?? null
    if (saved === null) return null
    return { fromOffset: saved.from.offset, fromLine: saved.from.line, toLine: saved.to.line, resend: saved.resend }
  }

  /** Source `index` starts after `linesBefore` lines of all inputs. */
  sourceStart (index: number, linesBefore: number): void {
    const file = this.#files[index]
    if (file === undefined) return
    this.#current = file
    file.startLine = linesBefore
    const from = file.saved?.from ?? { offset: 0, line: 0 }
    if (from.line > 0) {
      this.#states.doneRange(linesBefore + 1, linesBefore + from.line)
      this.#alreadyDone += from.line
    }
    file.marks = [{ line: linesBefore + from.line, offset: from.offset }]
    this.#dirty = true
  }

  /** Lines 1..lineNo are read; the current file is read up to `offset`, the end of line lineNo. */
  position (lineNo: number, offset: number): void {
    const marks = this.#current?.marks
    if (marks === undefined) return
    const last = marks[marks.length - 1]
    if (last !== undefined && last.line >= lineNo) return
    marks.push({ line: lineNo, offset })
    this.#dirty = true
  }

  /** A line an earlier run finished. */
  alreadyDoneLine (lineNo: number): void {
    this.#alreadyDone++
    this.#states.done(lineNo)
  }

  /** A line that will never be sent again: delivered or skipped. */
  done (lineNo: number): void {
    this.#states.done(lineNo)
    this.#dirty = true
  }

  /** A line that ended without being delivered (failed, unknown, unsent): send it again on resume. */
  again (lineNo: number): void {
    this.#states.again(lineNo)
    this.#dirty = true
  }

  /** Writes the final state, durably; the report for the summary. Idempotent. */
  async close (): Promise<CheckpointReport> {
    if (!this.#closed && this.#log !== null) {
      this.#closed = true
      try {
        await this.#log.close(this.#line())
        this.#error = null
      } catch (err) {
        this.#failed(err)
      }
    }
    return { path: this.#o.path, alreadyDone: this.#alreadyDone, error: this.#error }
  }

  /** The checkpoint as it would be written now. */
  snapshot (): CheckpointData {
    const files: FileProgress[] = []
    for (const file of this.#files) {
      if (file.startLine >= 0) files.push(this.#progress(file))
      else if (file.saved !== null) files.push({ ...file.saved, ...file.identity, path: file.path })
    }
    return { kprodCheckpoint: CHECKPOINT_VERSION, savedAt: isoTime(this.#o.clock.now()), files }
  }

  #progress (file: FileState): FileProgress {
    const marks = file.marks
    let to = marks[marks.length - 1] as Mark
    let ranges = this.#states.resend(file.startLine + 1, to.line)
    if (ranges.length > MAX_RESEND_RANGES) {
      const firstCut = (ranges[MAX_RESEND_RANGES] as LineRange)[0]
      to = lastMarkBefore(marks, firstCut)
      ranges = ranges.filter((r) => r[0] <= to.line).map((r): LineRange => [r[0], Math.min(r[1], to.line)])
    }
    const first = ranges[0]
    const from = first === undefined ? to : lastMarkBefore(marks, first[0])
    const keep = marks.indexOf(from)
    if (keep > 0) file.marks = marks.slice(keep)
    const base = file.startLine
    const here = {
      from: { offset: from.offset, line: from.line - base },
      to: { offset: to.offset, line: to.line - base },
      resend: ranges.map((r): LineRange => [r[0] - base, r[1] - base])
    }
    return { path: file.path, ...file.identity, ...withSavedTail(here, file.saved) }
  }

  #line (): string {
    return JSON.stringify(this.snapshot())
  }

  #failureText (err: unknown): string {
    return `cannot write the checkpoint file '${this.#o.path}': ${errorText(err)}`
  }

  // Warned about once; kept for the summary until a later write succeeds.
  #failed (err: unknown): void {
    const text = this.#failureText(err)
    if (this.#error === null) this.#o.warn(`kprod: ${text}`)
    this.#error = text
  }
}

type Span = Pick<FileProgress, 'from' | 'to' | 'resend'>

/**
 * This run's progress, extended by what the saved checkpoint knew past the point this run has read
 * to: those lines were not read again yet, so the earlier run's word on them still holds.
 */
function withSavedTail (here: Span, saved: FileProgress | null): Span {
  if (saved === null || saved.to.line <= here.to.line) return here
  const tail = saved.resend.filter((r) => r[1] > here.to.line).map((r): LineRange => [Math.max(r[0], here.to.line + 1), r[1]])
  return { from: here.from, to: saved.to, resend: [...here.resend, ...tail] }
}

// The last mark that ends before line `line` starts (marks[0] always does: reading started there).
function lastMarkBefore (marks: readonly Mark[], line: number): Mark {
  let lo = 0
  let hi = marks.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if ((marks[mid] as Mark).line < line) lo = mid
    else hi = mid - 1
  }
  return marks[lo] as Mark
}
