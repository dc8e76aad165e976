// Chunks of a regular file, read with readSync on the main thread and handed on one at a time,
// with a turn of the event loop (setImmediate) between chunks so sockets, timers and signals are
// served. A read from a regular file never waits for a writer, and reading here saves the hand-off
// to libuv's thread pool and back for every chunk, which on few cores shared with the broker is a
// large share of the CPU time and of the wall time (bench/README.md, "Figures behind constants in src/"). Pipes, terminals and sockets still go through streams (stream-chunks.ts): a sync read
// there would block.
// The chunks come from a ChunkPool and are reused once their records are delivered (see
// chunk-pool.ts). A known cost: with the main thread never idle, V8 collects its old space less
// often, and a Kinesis run from a file peaks higher (bench/README.md, "Figures behind constants in src/").

import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import type { Chunk, ChunkPool } from './chunk-pool.ts'

/** Bytes that lie in a pooled chunk; the reader holds `chunk` while it splits them. */
export interface PooledBytes {
  readonly bytes: Buffer
  readonly chunk: Chunk
}

/** What readInput iterates: a Readable (Buffers), or FileChunks. */
export interface ChunkSource extends AsyncIterable<Buffer | PooledBytes> {
  /** Stops reading: the iteration ends before the next chunk. */
  destroy (): void
}

export interface FileChunksOptions {
  /** Chunks of its chunkBytes at least: the read size (more when a long line needs a bigger chunk). */
  readonly pool: ChunkPool
  /** A line longer than this is never kept whole, so it is never carried into the next chunk. */
  readonly maxLineBytes: number
  /** Byte offset to start reading a path at (a resume); an fd is read from where it stands. */
  readonly start?: number
}

const LF = 10

/**
 * Reads a file into pooled chunks that end at a line end: the unfinished last line of a chunk is
 * copied to the start of the next one, which is made big enough for it, so every line lies inside
 * one chunk and no line needs a copy of its own. Only the last line of the file, when it has no
 * LF, is handed on as a copy, and a line over maxLineBytes is handed on in pieces (the splitter
 * counts and drops it).
 */
export class FileChunks implements ChunkSource {
  readonly #open: () => number
  readonly #o: FileChunksOptions
  readonly #owned: boolean
  #destroyed = false

  /** `path`: opened on first read and closed at the end; a number: an fd kprod does not own (stdin). */
  constructor (file: string | number, options: FileChunksOptions) {
    this.#open = typeof file === 'number' ? () => file : () => openSync(file, 'r')
    this.#owned = typeof file !== 'number'
    this.#o = options
  }

  destroy (): void {
    this.#destroyed = true
  }

  async * [Symbol.asyncIterator] (): AsyncIterator<Buffer | PooledBytes> {
    const { pool, maxLineBytes } = this.#o
    // At least this much is read after a carried line.
    const minRead = Math.max(1, pool.chunkBytes >> 2)
    const fd = this.#open()
    // A path is read at explicit positions (from `start`); an fd kprod does not own, from its own position.
    let position: number | null = this.#owned ? (this.#o.start ?? 0) : null
    // The unfinished line at carry.memory[carryFrom, carryTo), held by this reader until copied.
    let carry: Chunk | null = null
    let carryFrom = 0
    let carryTo = 0
    // Inside a line already over maxLineBytes: hand everything on up to its LF.
    let overlong = false
    try {
      while (!this.#destroyed) {
        const carried = carryTo - carryFrom
        const chunk = pool.take(carried + minRead)
        const memory = chunk.memory
        if (carry !== null) {
          carry.memory.copy(memory, 0, carryFrom, carryTo)
          carry.release()
          carry = null
          carryFrom = carryTo = 0
        }
        const n = readSync(fd, memory, carried, memory.length - carried, position)
        if (position !== null) position += n
        if (n === 0) {
          // End of file: an unterminated last line goes on as a copy, so nothing stays held.
          const last = carried > 0 ? Buffer.from(memory.subarray(0, carried)) : null
          chunk.release()
          if (last !== null) yield last
          return
        }
        const filled = carried + n
        // Hand on up to the last LF and carry the rest, unless the rest can never be a record: a
        // line over maxLineBytes is handed on as it comes, and the splitter counts and drops it.
        let cut = memory.lastIndexOf(LF, filled - 1) + 1
        if (overlong && cut === 0) {
          cut = filled
        } else if (filled - cut > maxLineBytes) {
          cut = filled
          overlong = true
        } else {
          overlong = false
        }
        if (cut > 0) yield { bytes: memory.subarray(0, cut), chunk }
        if (cut < filled) {
          carry = chunk
          carryFrom = cut
          carryTo = filled
        } else {
          chunk.release()
        }
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
    } finally {
      carry?.release()
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
