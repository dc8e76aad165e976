// A one-line progress display on stderr, drawn by cli-progress only when stderr is a terminal.
// It pulls the reporter's counts when it redraws (at most 10 times a second) so the hot path
// pays nothing for it; it never writes to stdout. Other stderr lines go through print(), which
// clears the bar's line, writes the message on a line of its own and draws the bar below it, so
// a warning or the signal hint is never overwritten or cut off by the bar.

import type { Writable } from 'node:stream'
import { SingleBar } from 'cli-progress'
import type { Counts } from './reporter.ts'
import { OUTCOMES } from './counters.ts'

const FPS = 10
const BAR_WIDTH = 20
/** Go to column 0 and clear the line: the bar's line, before a message takes it. */
const CLEAR_LINE = '\r\x1b[2K'
/** Save the cursor (DEC): cli-progress restores it when it stops, so it must be the bar's line. */
const SAVE_CURSOR = '\x1b7'

export interface Progress {
  /** Writes one stderr line (without its newline) above the bar. */
  print (line: string): void
  /** Draws a last time and releases the terminal line; safe to call more than once. */
  stop (): void
}

type Terminal = NodeJS.WriteStream | (Writable & { isTTY?: boolean })

/**
 * Starts the display on `stream` when it is a TTY; otherwise print() just writes the line. With
 * `totalBytes` (the size of the input files), a bar shows the share of the input read, and an ETA.
 */
export function startProgress (stream: Terminal, counts: () => Counts, totalBytes?: number, now: () => number = Date.now): Progress {
  if (stream.isTTY !== true) return { print (line) { stream.write(line + '\n') }, stop () {} }
  const started = now()
  const bar = new SingleBar({
    stream,
    fps: FPS,
    // Redrawn on every tick, so that the bar comes back at once below a printed line.
    forceRedraw: true,
    // Lines printed above the bar may be longer than the terminal: let them wrap.
    linewrap: true,
    format: (_options, params) => fit(progressText(counts(), totalBytes, now() - started), params.maxWidth)
  })
  bar.start(0, 0)
  let stopped = false
  return {
    print (line) {
      if (stopped) {
        stream.write(line + '\n')
        return
      }
      stream.write(CLEAR_LINE + line + '\n' + SAVE_CURSOR)
      bar.render()
    },
    stop () {
      if (stopped) return
      stopped = true
      bar.stop()
    }
  }
}

/** The progress line for the given counts; pure, for tests. */
export function progressText (c: Counts, totalBytes: number | undefined, elapsedMs: number): string {
  const head = totalBytes === undefined || totalBytes <= 0
    ? `kprod read ${num(c.read)}`
    : `kprod ${drawBar(c.inputBytes / totalBytes)} ${percent(c.inputBytes, totalBytes)}% ${mib(c.inputBytes)}/${mib(totalBytes)} MiB ETA ${eta(c.inputBytes, totalBytes, elapsedMs)}`
  // unsent only once there are some: it comes from an interrupt or --flush-timeout.
  const outcomes = OUTCOMES.filter((o) => o !== 'unsent' || c[o] > 0).map((o) => `${o} ${num(c[o])}`).join(' ')
  const seconds = elapsedMs / 1000
  const rate = seconds > 0 ? `${num(Math.round(c.delivered / seconds))} rec/s ${(c.bytes / 1048576 / seconds).toFixed(1)} MiB/s` : '- rec/s'
  return `${head} | ${outcomes} | ${rate} | ${clockTime(elapsedMs)}`
}

function percent (done: number, total: number): number {
  return Math.floor(Math.min(1, done / total) * 100)
}

/** Time left at the rate so far; '-:--' until something was read. */
function eta (done: number, total: number, elapsedMs: number): string {
  if (done <= 0 || elapsedMs <= 0) return '-:--'
  return clockTime(Math.max(0, total - done) * elapsedMs / done)
}

function drawBar (ratio: number): string {
  const full = Math.round(Math.min(1, Math.max(0, ratio)) * BAR_WIDTH)
  return `[${'='.repeat(full)}${'-'.repeat(BAR_WIDTH - full)}]`
}

function num (n: number): string {
  return n.toLocaleString('en-US')
}

function mib (bytes: number): string {
  return (bytes / 1048576).toFixed(1)
}

/** A duration as m:ss, or h:mm:ss past an hour. */
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
