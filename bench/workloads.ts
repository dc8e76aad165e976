// The bench workloads: fixed-size line files generated once under .local/bench/ (reused when the
// size matches), and the W3 trickle written live. Every line is exactly `size` bytes plus LF.

import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { once } from 'node:events'
import type { Writable } from 'node:stream'

/** One file workload: `records` lines of `size` bytes each (LF not counted). */
export interface FileWorkload {
  readonly name: string
  readonly records: number
  readonly size: number
  readonly file: string
  /** Topic configs for this workload (W4 raises max.message.bytes). */
  readonly topicConfig: Readonly<Record<string, string>>
}

/** The trickle-then-burst workload. */
export interface TrickleWorkload {
  readonly name: 'W3'
  readonly intervalMs: number
  readonly durationMs: number
  readonly burst: number
  readonly size: number
  /** Trickle lines written before this are start-up (the tool may not be connected yet): reported apart. */
  readonly warmupMs: number
}

export const W4_MAX_MESSAGE_BYTES = 16 * 1024 * 1024

export function fileWorkloads (dir: string, quick: boolean): FileWorkload[] {
  const scale = quick ? 5 : 1
  return [
    { name: 'W1', records: 1_000_000 / scale, size: 100, file: `${dir}/w1-${1_000_000 / scale}.txt`, topicConfig: {} },
    { name: 'W2', records: 100_000 / scale, size: 10_240, file: `${dir}/w2-${100_000 / scale}.txt`, topicConfig: {} },
    { name: 'W4', records: quick ? 40 : 200, size: 1_048_576, file: `${dir}/w4-${quick ? 40 : 200}.txt`, topicConfig: { 'max.message.bytes': String(W4_MAX_MESSAGE_BYTES) } }
  ]
}

/** W1 times `factor`, for the memory check (kprod only). */
export function bigWorkload (dir: string, factor: number, base: FileWorkload): FileWorkload {
  return { ...base, name: `W1x${factor}`, records: base.records * factor, file: `${dir}/w1-${base.records * factor}.txt` }
}

export function trickleWorkload (quick: boolean): TrickleWorkload {
  return { name: 'W3', intervalMs: 10, durationMs: quick ? 8_000 : 60_000, burst: 10_000, size: 100, warmupMs: quick ? 3_000 : 5_000 }
}

/** Writes the file unless one of the right size exists. Lines: zero-padded number, then filler. */
export async function ensureFile (w: FileWorkload): Promise<boolean> {
  const want = w.records * (w.size + 1)
  if (existsSync(w.file) && statSync(w.file).size === want) return false
  // bench/run makes the folder; bench/builds.ts and bench/checkpoint.ts, run directly, may be first.
  mkdirSync(dirname(w.file), { recursive: true })
  const out = createWriteStream(w.file)
  const filler = fillerBytes(w.size)
  const perChunk = Math.max(1, Math.floor((4 * 1024 * 1024) / (w.size + 1)))
  for (let start = 0; start < w.records; start += perChunk) {
    const n = Math.min(perChunk, w.records - start)
    const chunk = Buffer.allocUnsafe(n * (w.size + 1))
    for (let i = 0; i < n; i++) {
      const at = i * (w.size + 1)
      filler.copy(chunk, at)
      chunk.write(String(start + i).padStart(Math.min(12, w.size), '0'), at, 'latin1')
      chunk[at + w.size] = 0x0a
    }
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'close')
  return true
}

// Printable, deterministic bytes (a fixed LCG), so runs are comparable and no line holds an LF.
function fillerBytes (size: number): Buffer {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
  const b = Buffer.allocUnsafe(size)
  let x = 12345
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    b[i] = alphabet.charCodeAt((x >>> 16) % alphabet.length)
  }
  return b
}

/** One W3 line: its own write time in epoch ms, a space, a sequence number, filler to `size`. */
export function trickleLine (seq: number, size: number): Buffer {
  const head = `${Date.now()} ${seq} `
  return Buffer.from(head.padEnd(size, 'x') + '\n', 'latin1')
}

/**
 * Writes the trickle (one line per interval, on a drift-free schedule), then the burst in one go,
 * then ends the stream. Returns the number of lines written.
 */
export async function writeTrickle (w: TrickleWorkload, out: Writable): Promise<number> {
  const start = performance.now()
  let seq = 0
  for (let due = 0; due < w.durationMs; due += w.intervalMs) {
    const wait = start + due - performance.now()
    if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
    if (!out.write(trickleLine(seq++, w.size))) await once(out, 'drain')
  }
  const lines: Buffer[] = []
  for (let i = 0; i < w.burst; i++) lines.push(trickleLine(seq++, w.size))
  if (!out.write(Buffer.concat(lines))) await once(out, 'drain')
  out.end()
  return seq
}
