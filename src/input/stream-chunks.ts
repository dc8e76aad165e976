// Chunks of a stream (a pipe, a terminal, a socket: anything that is not a regular file), copied
// into pooled chunks as they arrive. The stream's own Buffers are let go at once, and records hold
// pooled memory that is reused once their batch is delivered, as with regular files
// (file-chunks.ts). Before, every record held the 64 KiB Buffer its line came in, which V8 frees
// only when it collects the old space, so a run through `cat file |` peaked far above the same
// file redirected (bench/README.md, "Figures behind constants in src/").
//
// Each piece is handed on whole as soon as it arrives, so a `tail -f` line never waits for a
// chunk to fill, and the splitter keeps an unfinished line as it always did (it is the partial
// line returned at abort). Pieces are appended to the current chunk while it has room, so a
// trickle of short writes shares one chunk instead of taking one each.

import type { Readable } from 'node:stream'
import type { Chunk } from './chunk-pool.ts'
import type { ChunkSource, FileChunksOptions, PooledBytes } from './file-chunks.ts'

export class StreamChunks implements ChunkSource {
  readonly #stream: Readable
  readonly #o: Pick<FileChunksOptions, 'pool'>

  constructor (stream: Readable, options: Pick<FileChunksOptions, 'pool'>) {
    this.#stream = stream
    this.#o = options
  }

  destroy (): void {
    this.#stream.destroy()
  }

  async * [Symbol.asyncIterator] (): AsyncIterator<PooledBytes> {
    const { pool } = this.#o
    // The chunk being filled, held by this reader; [0, filled) is handed on.
    let chunk: Chunk | null = null
    let filled = 0
    try {
      for await (const received of this.#stream) {
        const piece: Buffer = typeof received === 'string' ? Buffer.from(received) : received as Buffer
        for (let at = 0; at < piece.length;) {
          if (chunk === null || filled === chunk.memory.length) {
            chunk?.release()
            chunk = pool.take(pool.chunkBytes)
            filled = 0
          }
          const n = Math.min(piece.length - at, chunk.memory.length - filled)
          piece.copy(chunk.memory, filled, at, at + n)
          yield { bytes: chunk.memory.subarray(filled, filled + n), chunk }
          filled += n
          at += n
        }
      }
    } finally {
      chunk?.release()
    }
  }
}
