// The --checkpoint file as a log of whole states, one JSON line each, newest last. A state is
// written with a synchronous write() the moment it is committed, so a kill -9 loses no committed
// state (the kernel holds what write() returned). fdatasync runs in the background, one at a time
// and at most once per SYNC_INTERVAL_MS (started by a write, so no timer), so a power loss loses at
// most the states written since the last one started. The log is compacted to its newest state
// (temporary file, fsync, rename, fsync of the folder) when opened, when full, and at close; a
// reader takes the last complete line (checkpoint-file.ts).
// Choices, measured on a 1M-line import (bench/README.md): the log is preallocated (LOG_BYTES of
// zeros, synced at compaction) and states are written in place, so the file's size never changes
// between compactions and a write does not wait for a journal commit the way an append to a file
// being synced does (appending with back-to-back fdatasync made the import 1.6 times slower);
// back-to-back fdatasync of the preallocated log still cost 20 % of the import's rate, and
// syncing at most once a second costs (next to) nothing.

import { closeSync, fdatasync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join } from 'node:path'

/** Size of the log; a state that does not fit compacts it (one state is a few hundred bytes). */
export const LOG_BYTES = 1024 * 1024

/** Least time between the starts of two background fdatasyncs. */
export const SYNC_INTERVAL_MS = 1000

export class CheckpointLog {
  readonly #path: string
  readonly #onSyncError: (err: Error) => void
  readonly #now: () => number
  /** When the last fdatasync started (epoch ms). */
  #syncedAt = -Infinity
  /** The log open for appending; replaced by each compaction. */
  #fd: number
  /** Where the next state is written: the end of the last one. */
  #bytes = 0
  /** An fdatasync is running (on the fd it was started on). */
  #syncing = false
  /** Something was appended since the running (or last) fdatasync started. */
  #unsynced = false
  #closed = false
  #synced: Array<() => void> = []

  /** Replaces `path` with a log holding `line` only; throws when it cannot be written. */
  constructor (path: string, line: string, now: () => number, onSyncError: (err: Error) => void) {
    this.#path = path
    this.#now = now
    this.#onSyncError = onSyncError
    this.#fd = this.#compact(line, true)
  }

  /** Writes one state after the last; throws on a write error (the log keeps its earlier states). */
  append (line: string): void {
    if (this.#closed) return
    const text = Buffer.from(`${line}\n`)
    if (this.#bytes + text.length > LOG_BYTES) {
      this.#replace(line, true)
      return
    }
    // A write that fails part-way leaves #bytes where it was: the next state overwrites it.
    writeAll(this.#fd, text, this.#bytes)
    this.#bytes += text.length
    this.#unsynced = true
    this.#sync()
  }

  /** Leaves the file holding `line` only, durably, and closes it. */
  async close (line: string): Promise<void> {
    if (this.#closed) return
    this.#replace(line, false)
    this.#closed = true
    if (this.#syncing) await new Promise<void>((resolve) => this.#synced.push(resolve))
    closeSync(this.#fd)
  }

  // A fresh log holding `line`, instead of the current one.
  #replace (line: string, room: boolean): void {
    const fd = this.#compact(line, room)
    // A running fdatasync still uses the old descriptor: its callback closes it.
    if (!this.#syncing) closeSync(this.#fd)
    this.#fd = fd
    this.#unsynced = false
  }

  // Writes `line` (then zeros up to LOG_BYTES when `room`) to a temporary file, syncs it, renames it
  // over the log, syncs the folder; returns the new log, open. A kill at any point leaves the old
  // log or the new one.
  #compact (line: string, room: boolean): number {
    const folder = dirname(this.#path)
    const temporary = join(folder, `.${basename(this.#path)}.${randomBytes(4).toString('hex')}.tmp`)
    const fd = openSync(temporary, 'w')
    try {
      const text = Buffer.from(`${line}\n`)
      const log = room ? Buffer.concat([text], Math.max(LOG_BYTES, text.length)) : text
      writeAll(fd, log, 0)
      fsyncSync(fd)
      renameSync(temporary, this.#path)
      this.#bytes = text.length
    } catch (err) {
      closeSync(fd)
      try { unlinkSync(temporary) } catch {}
      throw err
    }
    const dir = openSync(folder, 'r')
    try {
      fsyncSync(dir)
    } finally {
      closeSync(dir)
    }
    return fd
  }

  #sync (): void {
    if (this.#syncing || !this.#unsynced) return
    const now = this.#now()
    if (now - this.#syncedAt < SYNC_INTERVAL_MS) return
    this.#syncedAt = now
    this.#syncing = true
    this.#unsynced = false
    const fd = this.#fd
    fdatasync(fd, (err) => {
      this.#syncing = false
      if (fd !== this.#fd) closeSync(fd)
      if (err !== null) this.#onSyncError(err)
      if (this.#closed) {
        for (const resolve of this.#synced.splice(0)) resolve()
        return
      }
      this.#sync()
    })
  }
}

function writeAll (fd: number, bytes: Buffer, position: number): void {
  let at = 0
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at, position + at)
}
