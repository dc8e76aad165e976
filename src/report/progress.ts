// A one-line progress display on stderr, drawn by cli-progress only when stderr is a terminal.
// It pulls the reporter's counts when it redraws (at most 10 times a second) so the hot path
// pays nothing for it; it never writes to stdout.

import type { Writable } from 'node:stream'
import { SingleBar } from 'cli-progress'
import type { Counts } from './reporter.ts'

const FPS = 10
const BAR_WIDTH = 20

export interface Progress {
  /** Draws a last time and releases the terminal line; safe to call more than once. */
  stop (): void
}

/**
 * Starts the display on `stream` when it is a TTY; otherwise does nothing. With `total` (input
 * lines expected), a bar shows the share of lines accounted for.
 */
export function startProgress (
  stream: NodeJS.WriteStream | (Writable & { isTTY?: boolean }),
  counts: () => Counts,
  total?: number,
  now: () => number = Date.now
): Progress {
  if (stream.isTTY !== true) return { stop () {} }
  const started = now()
  const bar = new SingleBar({
    stream,
    fps: FPS,
    format: (_options, params) => fit(progressText(counts(), total, now() - started), params.maxWidth)
  })
  bar.start(total ?? 0, 0)
  let stopped = false
  return {
    stop () {
      if (stopped) return
      stopped = true
      bar.stop()
    }
  }
}

/** The progress line for the given counts; pure, for tests. */
export function progressText (c: Counts, total: number | undefined, elapsedMs: number): string {
  const done = c.delivered + c.failed + c.unknown + c.skipped + c.unsent
  const head = total === undefined || total <= 0
    ? `kprod read ${num(c.read)}`
    : `kprod ${drawBar(done / total)} ${Math.floor(Math.min(1, done / total) * 100)}% ${num(done)}/${num(total)}`
  const unsent = c.unsent > 0 ? ` unsent ${num(c.unsent)}` : ''
  const outcomes = `delivered ${num(c.delivered)} failed ${num(c.failed)} unknown ${num(c.unknown)} skipped ${num(c.skipped)}${unsent}`
  const seconds = elapsedMs / 1000
  const rate = seconds > 0 ? `${num(Math.round(c.delivered / seconds))} rec/s ${(c.bytes / 1048576 / seconds).toFixed(1)} MiB/s` : '- rec/s'
  return `${head} | ${outcomes} | ${rate} | ${clockTime(elapsedMs)}`
}

function drawBar (ratio: number): string {
  const full = Math.round(Math.min(1, Math.max(0, ratio)) * BAR_WIDTH)
  return `[${'='.repeat(full)}${'-'.repeat(BAR_WIDTH - full)}]`
}

function num (n: number): string {
  return n.toLocaleString('en-US')
}

/** Elapsed time as m:ss, or h:mm:ss past an hour. */
function clockTime (ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const hh = Math.floor(s / 3600)
  const mm = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`
}

/** Cuts the line to the terminal width so it never wraps (a wrapped line cannot be redrawn). */
function fit (text: string, width: number): string {
  return width > 0 && text.length >= width ? text.slice(0, Math.max(0, width - 1)) : text
}
