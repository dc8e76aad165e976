// Chunks of a pipe or socket on kprod's stdin (`cat file | kprod`, `zcat x.gz | kprod`,
// `tail -f log | kprod`), read straight into pooled chunks: the socket is made with a user read
// buffer (net's `onread`), so each read lands in the free part of the current chunk and no Buffer
// is allocated per read. With a stream, every 64 KiB read was a fresh Buffer that V8 frees only
// when it collects, so a run through `cat` peaked far above the same file redirected
// (bench/README.md, "Figures behind constants in src/"). Each read is handed on at once and whole (the splitter keeps an unfinished
// line, as with streams), and the socket pauses while MAX_READY reads wait to be split. Node's own
// process.stdin may hold a second, idle handle on the same fd (see processIo in src/cli/main.ts).

import { fstatSync } from 'node:fs'
import { Socket } from 'node:net'
import type { Chunk } from './chunk-pool.ts'
import type { ChunkSource, FileChunksOptions, PooledBytes } from './file-chunks.ts'

/** True when `fd` is a pipe or a socket (false for files, terminals, or an fd that cannot be read). */
export function isPipeOrSocket (fd: number): boolean {
  try {
    const info = fstatSync(fd)
    return info.isFIFO() || info.isSocket()
  } catch {
    return false
  }
}

/** Reads handed on but not yet split, at most: beyond them the socket pauses (backpressure). */
const MAX_READY = 4

export class PipeChunks implements ChunkSource {
  readonly #fd: number
  readonly #o: Pick<FileChunksOptions, 'pool'>
  #socket: Socket | null = null
  #destroyed = false

  constructor (fd: number, options: Pick<FileChunksOptions, 'pool'>) {
    this.#fd = fd
    this.#o = options
  }

  destroy (): void {
    this.#destroyed = true
    this.#socket?.destroy()
  }

  async * [Symbol.asyncIterator] (): AsyncIterator<PooledBytes> {
    if (this.#destroyed) return
    const { pool } = this.#o
    // A read goes into the chunk's free part; a chunk with less room than this is left for a new one.
    const minRoom = Math.max(1, pool.chunkBytes >> 2)
    // The chunk reads go into (held by this reader), and how much of it is filled.
    let current: Chunk | null = null
    let filled = 0
    // Read and not yet handed on (each holds its chunk once); the socket pauses at MAX_READY.
    const ready: PooledBytes[] = []
    let ended = false
    let failure: unknown = null
    let wake: (() => void) | null = null
    const notify = (): void => { wake?.(); wake = null }
    const socket = new Socket({
      fd: this.#fd,
      readable: true,
      writable: false,
      onread: {
        // Asked for before each read, right after the previous one was handed to `callback`.
        buffer: () => {
          if (current === null || current.memory.length - filled < minRoom) {
            current?.release()
            current = pool.take(pool.chunkBytes)
            filled = 0
          }
          return current.memory.subarray(filled)
        },
        callback: (n: number, buffer: Uint8Array) => {
          const chunk = current as Chunk
          chunk.retain()
          ready.push({ bytes: (buffer as Buffer).subarray(0, n), chunk })
          filled += n
          notify()
          return ready.length < MAX_READY // false: paused until the reader has caught up
        }
      }
    })
    this.#socket = socket
    socket.on('end', () => { ended = true; notify() })
    socket.on('error', (err) => { failure = err; notify() })
    socket.on('close', () => { ended = true; notify() })
    let handed: PooledBytes | null = null
    try {
      for (;;) {
        handed?.chunk.release()
        handed = null
        const next = ready.shift()
        if (next !== undefined) {
          handed = next
          yield next
          continue
        }
        if (failure !== null) throw failure
        if (ended || this.#destroyed) return
        await new Promise<void>((resolve) => {
          wake = resolve
          // With a user buffer, resume() restarts reading the callback stopped (net.Socket's own override).
          socket.resume()
        })
      }
    } finally {
      handed?.chunk.release()
      for (const left of ready) left.chunk.release()
      ;(current as Chunk | null)?.release()
      socket.destroy()
    }
  }
}
