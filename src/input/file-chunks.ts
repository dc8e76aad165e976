// Chunks of a regular file, read with readSync on the main thread and handed on one at a time,
// with a turn of the event loop (setImmediate) between chunks so sockets, timers and signals are
// served. A read from a regular file never waits for a writer, and reading here saves the hand-off
// to libuv's thread pool and back for every chunk. On this 2-core machine, shared with the broker,
// that hand-off cost W2 (1 GB from stdin) 1.52 -> 1.17 CPU-s and 2.6 -> 1.9 s wall (4 interleaved
// runs). Pipes, terminals and sockets still go through streams: a sync read there would block.
// A known cost: with the main thread never idle, V8 collects its old space less often, and a
// Kinesis run from a file peaks ~40 MB higher (bench/README.md, "What was tried").

import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

/** What readInput iterates: a Readable, or FileChunks. */
export interface ChunkSource extends AsyncIterable<Buffer> {
  /** Stops reading: the iteration ends before the next chunk. */
  destroy (): void
}

export class FileChunks implements ChunkSource {
  readonly #open: () => number
  readonly #size: number
  readonly #owned: boolean
  #destroyed = false

  /** `path`: opened on first read and closed at the end; a number: an fd kprod does not own (stdin). */
  constructor (file: string | number, chunkBytes: number) {
    this.#open = typeof file === 'number' ? () => file : () => openSync(file, 'r')
    this.#owned = typeof file !== 'number'
    this.#size = chunkBytes
  }

  destroy (): void {
    this.#destroyed = true
  }

  async * [Symbol.asyncIterator] (): AsyncIterator<Buffer> {
    const fd = this.#open()
    try {
      while (!this.#destroyed) {
        // A fresh buffer per chunk: lines are spans of it until their batch is acknowledged.
        const chunk = Buffer.allocUnsafeSlow(this.#size)
        const n = readSync(fd, chunk, 0, this.#size, null)
        if (n === 0) return
        yield n === this.#size ? chunk : chunk.subarray(0, n)
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
    } finally {
      if (this.#owned) closeSync(fd)
    }
  }
}

/** True when `fd` is a regular file (false for pipes, terminals, sockets, or an fd that cannot be read). */
export function isRegularFile (fd: number): boolean {
  try {
    return fstatSync(fd).isFile()
  } catch {
    return false
  }
}
