// Compressed input: a source whose first read starts with the gzip (1f 8b) or zstd (28 b5 2f fd)
// magic bytes is read decompressed (node:zlib; zstd needs Node >= 22.15), so a .gz or .zst file,
// or a compressed stream on stdin, gives its lines byte for byte instead of one binary record.
// Anything else passes through untouched. --raw-input turns this off.

import { once } from 'node:events'
import { open } from 'node:fs/promises'
import type { Transform } from 'node:stream'
import type { ChunkPool } from './chunk-pool.ts'
import type { ChunkSource, PooledBytes } from './file-chunks.ts'
import { StreamChunks } from './stream-chunks.ts'

export type InputCodec = 'gzip' | 'zstd'

/** The codec whose magic bytes open `bytes`, or null. A first read under 4 bytes is never taken as compressed. */
export function sniffCodec (bytes: Buffer): InputCodec | null {
  if (bytes.length < 4) return null
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip'
  if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) return 'zstd'
  return null
}

/** The codec of a file whose first bytes are gzip's or zstd's magic, or null (also for a file that cannot be read). */
export async function fileCodec (path: string): Promise<InputCodec | null> {
  const file = await open(path, 'r').catch(() => null)
  if (file === null) return null
  try {
    const head = Buffer.alloc(4)
    const { bytesRead } = await file.read(head, 0, 4, 0)
    return sniffCodec(head.subarray(0, bytesRead))
  } finally {
    await file.close()
  }
}

export class DecompressingChunks implements ChunkSource {
  readonly #inner: ChunkSource
  readonly #pool: ChunkPool
  #decompressor: Transform | null = null

  constructor (inner: ChunkSource, pool: ChunkPool) {
    this.#inner = inner
    this.#pool = pool
  }

  destroy (): void {
    this.#inner.destroy()
    this.#decompressor?.destroy()
  }

  async * [Symbol.asyncIterator] (): AsyncIterator<Buffer | PooledBytes> {
    const it = this.#inner[Symbol.asyncIterator]()
    const rest = { [Symbol.asyncIterator]: () => it }
    const first = await it.next()
    if (first.done === true) return
    const firstBytes = bytesOf(first.value)
    const codec = sniffCodec(firstBytes)
    if (codec === null) {
      yield first.value
      yield * rest
      return
    }
    // node:zlib is loaded only here: most input is not compressed, and loading it costs every start.
    const zlib = await import('node:zlib')
    const z = codec === 'gzip' ? zlib.createGunzip() : makeZstd(zlib)
    this.#decompressor = z
    // The compressed bytes are copied in: zlib may still read them after the pool reuses their chunk.
    const feed = async (): Promise<void> => {
      if (!z.write(Buffer.from(firstBytes))) await once(z, 'drain')
      for await (const piece of rest) {
        if (!z.write(Buffer.from(bytesOf(piece)))) await once(z, 'drain')
      }
      z.end()
    }
    feed().catch((err: unknown) => z.destroy(err instanceof Error ? err : new Error(String(err))))
    yield * new StreamChunks(z, { pool: this.#pool })
  }
}

function bytesOf (piece: Buffer | PooledBytes): Buffer {
  return piece instanceof Uint8Array ? piece : piece.bytes
}

function makeZstd (zlib: typeof import('node:zlib')): Transform {
  const create = (zlib as { createZstdDecompress?: () => Transform }).createZstdDecompress
  if (create === undefined) throw new Error('zstd input needs Node >= 22.15; decompress it first, or pass --raw-input to send it as is')
  return create()
}
