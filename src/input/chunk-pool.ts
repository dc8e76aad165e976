// Memory for input chunks (files, and copies of what streams deliver), reused once nothing refers
// to it any more. Records are spans of the chunk they were read into, so a chunk is held by its
// reader and by every record read from it; it goes back to the pool only when the last of them
// lets go. Without reuse, every chunk became garbage that V8 frees only at an old-space
// collection, which it starts only once a good deal of such external memory has piled up: that
// pile was most of kprod's peak RSS on the large-record workloads (bench/README.md, "Figures behind constants in src/").
//
// Who lets go: the reader once it has split a chunk, and the pipeline for the records of a batch
// whose every record was delivered (no send of it can still be running then: see
// releaseDelivered). A record that ends any other way (failed, skipped, unsent, given up) never
// lets go, so its chunk is simply left to the garbage collector, as before.

import { KprodError } from '../errors.ts'
import { LineRecord, type InputRecord } from '../record.ts'
import { JsonRecord } from './json-records.ts'

/** A piece of pooled memory and the count of holders; made by ChunkPool.take() with one holder. */
export class Chunk {
  /** The whole allocation: the pool's chunk size times a power of two. */
  readonly memory: Buffer
  #holders = 1
  readonly #pool: ChunkPool

  constructor (pool: ChunkPool, memory: Buffer) {
    this.#pool = pool
    this.memory = memory
  }

  /** One more holder (a record read from this chunk). */
  retain (): void {
    if (this.#holders === 0) throw new KprodError('KPROD_INTERNAL', 'a chunk was retained after it went back to the pool')
    this.#holders++
  }

  /** One holder fewer; the last one gives the memory back to the pool. */
  release (): void {
    if (this.#holders === 0) throw new KprodError('KPROD_INTERNAL', 'a chunk was released more often than it was held')
    if (--this.#holders === 0) this.#pool.give(this.memory)
  }
}

export interface ChunkPoolOptions {
  /** The smallest chunk; larger ones are this times a power of two. */
  readonly chunkBytes: number
  /** Free memory kept for reuse, at most; what is given back beyond it is left to the GC. */
  readonly maxFreeBytes: number
  /** Fill memory with 0xEE when it comes back, so a use after release shows in the output (tests). */
  readonly poison?: boolean
}

export const POISON_BYTE = 0xee

export class ChunkPool {
  readonly #o: ChunkPoolOptions
  /** Free memory by size. */
  readonly #free = new Map<number, Buffer[]>()
  #freeBytes = 0

  constructor (options: ChunkPoolOptions) {
    this.#o = options
  }

  /** The smallest chunk: the read size of files. */
  get chunkBytes (): number { return this.#o.chunkBytes }

  /** Free bytes held for reuse. */
  get freeBytes (): number { return this.#freeBytes }

  /** A chunk of at least `minBytes`, held once (by the caller). */
  take (minBytes: number): Chunk {
    const size = this.#sizeFor(minBytes)
    const reuse = this.#free.get(size)?.pop()
    if (reuse !== undefined) {
      this.#freeBytes -= size
      return new Chunk(this, reuse)
    }
    return new Chunk(this, Buffer.allocUnsafeSlow(size))
  }

  /** The size take(minBytes) gives: the smallest chunkBytes × 2^k at or above minBytes. */
  #sizeFor (minBytes: number): number {
    let size = this.#o.chunkBytes
    while (size < minBytes) size *= 2
    return size
  }

  /** Memory whose last holder let go (called by Chunk.release). */
  give (memory: Buffer): void {
    if (this.#o.poison === true) memory.fill(POISON_BYTE)
    if (this.#freeBytes + memory.length > this.#o.maxFreeBytes) return
    let list = this.#free.get(memory.length)
    if (list === undefined) this.#free.set(memory.length, list = [])
    list.push(memory)
    this.#freeBytes += memory.length
  }
}

/**
 * Lets go of the chunks of a batch's records. Only for a batch whose every record was delivered:
 * each of its sends has then settled, and every transport has copied or serialized the records
 * before its send settles (the wire client encodes into its own buffer, kafkajs into its encoder,
 * the AWS SDK into the request body). Records not read into a pooled chunk are skipped.
 */
export function releaseDelivered (records: readonly InputRecord[]): void {
  // Indexed: a for-of here is run once per batch, too rarely to be optimised, and then makes an
  // iterator result per record.
  for (let i = 0; i < records.length; i++) {
    const record = records[i]
    if (record instanceof LineRecord || record instanceof JsonRecord) record.chunk?.release()
  }
}
