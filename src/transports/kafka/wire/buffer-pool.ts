// Reuses the memory of Produce requests once the socket has written them. W2 sends 1 GB in 1 MiB
// requests: fresh ones make glibc raise its mmap threshold and then serve them from a heap that
// only grows (bench/README.md, "Figures behind constants in src/"); a handful of reused blocks keep it flat and fault in no new pages.

const ALIGN = 64 * 1024

export class BufferPool {
  readonly #maxFree: number
  readonly #free: ArrayBuffer[] = []
  readonly #ours = new WeakSet<ArrayBuffer>()

  /** Keeps at most `maxFree` blocks between uses. */
  constructor (maxFree: number) {
    this.#maxFree = maxFree
  }

  /** A Buffer of exactly `size` bytes (contents undefined), on a pooled block when one is big enough. */
  take (size: number): Buffer {
    let best = -1
    for (let i = 0; i < this.#free.length; i++) {
      const length = (this.#free[i] as ArrayBuffer).byteLength
      if (length >= size && (best < 0 || length < (this.#free[best] as ArrayBuffer).byteLength)) best = i
    }
    if (best >= 0) {
      const block = this.#free.splice(best, 1)[0] as ArrayBuffer
      return Buffer.from(block, 0, size)
    }
    // Some headroom, so that the next batch of a similar size fits the same block.
    const capacity = Math.ceil((size + (size >>> 3)) / ALIGN) * ALIGN
    const block = Buffer.allocUnsafeSlow(capacity).buffer as ArrayBuffer
    this.#ours.add(block)
    return Buffer.from(block, 0, size)
  }

  /** Gives back a Buffer from take() once nothing reads it any more (the socket wrote it). */
  give (buf: Buffer): void {
    const block = buf.buffer as ArrayBuffer
    if (!this.#ours.has(block) || this.#free.includes(block)) return
    if (this.#free.length < this.#maxFree) {
      this.#free.push(block)
      return
    }
    if (this.#free.length === 0) return
    // Full: keep the larger blocks, which are the costly ones to allocate.
    let smallest = 0
    for (let i = 1; i < this.#free.length; i++) if ((this.#free[i] as ArrayBuffer).byteLength < (this.#free[smallest] as ArrayBuffer).byteLength) smallest = i
    if ((this.#free[smallest] as ArrayBuffer).byteLength < block.byteLength) this.#free[smallest] = block
  }

  /** Blocks waiting for reuse. */
  get free (): number { return this.#free.length }
}
