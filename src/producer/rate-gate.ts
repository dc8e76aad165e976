// Holds cut batches until the rate limiter (rate-limiter.ts) lets them go, then hands them to the
// producer in cut order. It stands where the producer stood, so the pipeline sees one producer:
// `full` while it holds --buffer-records or --buffer-bytes (reading then pauses, or --when-full
// drops), drain() waits for the held batches too, and abort() hands the held ones to the aborted
// producer, which gives each its 'unsent' result: every record still gets exactly one outcome.
// Retries are not gated: a batch passes the gate once.

import type { Batch } from '../batch/batch.ts'
import type { ErrorData } from '../errors.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'
import type { AsyncProducer } from './async-producer.ts'
import { RateLimiter, type RateLimit } from './rate-limiter.ts'

/** What the pipeline asks of a producer. */
export type Producing = Pick<AsyncProducer, 'enqueue' | 'whenNotFull' | 'drain' | 'abort' | 'full' | 'bufferedRecords'>

export interface RateGateOptions {
  readonly producer: Producing
  readonly limit: RateLimit
  readonly clock: Clock
  /** `full` while the gate holds this many records, or this many key + value bytes. */
  readonly maxHeldRecords: number
  readonly maxHeldBytes: number
}

export class RateGate implements Producing {
  readonly #o: RateGateOptions
  readonly #limiter: RateLimiter
  /** Batches not yet handed on, in cut order; only the head is ever waited for. */
  #held: Batch[] = []
  #heldRecords = 0
  #heldBytes = 0
  /** The wake-up for the head batch, or the wait for the producer to have room: one at a time. */
  #timer: TimerHandle | null = null
  #waitingForRoom = false
  #aborted = false
  #waiters: (() => void)[] = []

  constructor (options: RateGateOptions) {
    this.#o = options
    this.#limiter = new RateLimiter(options.limit, options.clock.now())
  }

  get full (): boolean {
    return this.#o.producer.full || this.#heldRecords >= this.#o.maxHeldRecords || this.#heldBytes >= this.#o.maxHeldBytes
  }

  get bufferedRecords (): number { return this.#heldRecords + this.#o.producer.bufferedRecords }

  enqueue (batch: Batch): void {
    if (this.#aborted) return this.#o.producer.enqueue(batch)
    this.#held.push(batch)
    this.#heldRecords += batch.records.length
    this.#heldBytes += batch.bytes
    this.#release()
  }

  async whenNotFull (): Promise<void> {
    while (this.full) {
      if (this.#o.producer.full) await this.#o.producer.whenNotFull()
      else await this.#changed()
    }
  }

  async drain (): Promise<void> {
    while (this.#held.length > 0) await this.#changed()
    await this.#o.producer.drain()
  }

  abort (reason: ErrorData): void {
    this.#aborted = true
    this.#o.producer.abort(reason)
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer)
    this.#timer = null
    for (const batch of this.#held.splice(0)) this.#o.producer.enqueue(batch)
    this.#heldRecords = 0
    this.#heldBytes = 0
    this.#notify()
  }

  // Hands on every batch the limiter lets go now; sets one timer (or one wait for room) for the next.
  #release (): void {
    if (this.#timer !== null || this.#waitingForRoom) return
    const { producer, clock } = this.#o
    let released = false
    for (;;) {
      const batch = this.#held[0]
      if (batch === undefined || this.#aborted) break
      if (producer.full) {
        // The producer is the bottleneck: holding here keeps its queue within its own bound.
        this.#waitingForRoom = true
        this.#limiter.idle(clock.now())
        producer.whenNotFull().then(() => { this.#waitingForRoom = false; this.#release() }, () => {})
        break
      }
      const now = clock.now()
      const wait = this.#limiter.wait(batch.records.length, batch.bytes, now)
      if (wait > 0) {
        this.#timer = clock.setTimeout(() => { this.#timer = null; this.#release() }, wait)
        break
      }
      this.#limiter.take(batch.records.length, batch.bytes, now)
      this.#held.shift()
      this.#heldRecords -= batch.records.length
      this.#heldBytes -= batch.bytes
      producer.enqueue(batch)
      released = true
    }
    if (this.#held.length === 0) this.#limiter.idle(clock.now())
    if (released) this.#notify()
  }

  #changed (): Promise<void> {
    return new Promise((resolve) => { this.#waiters.push(resolve) })
  }

  #notify (): void {
    for (const resolve of this.#waiters.splice(0)) resolve()
  }
}

/** The producer itself without a limit, else the producer behind a RateGate. */
export function withRateLimit (producer: Producing, limit: RateLimit | null, clock: Clock, maxHeldRecords: number, maxHeldBytes: number): Producing {
  if (limit === null) return producer
  return new RateGate({ producer, limit, clock, maxHeldRecords, maxHeldBytes })
}
