// The transport-agnostic batch builder: one open batch per partition value, cut on max records, max
// bytes (never crossed by adding a record), both minimums, linger, flush, end, or (with batchKey)
// a record whose key the batch already holds. Every record added
// leaves in exactly one batch, handed on once, in arrival order within its partition.

import type { Batch, CutReason } from './batch.ts'
import { recordBytes } from './batch.ts'
import { KprodError } from '../errors.ts'
import type { InputRecord } from '../record.ts'
import type { Clock, TimerHandle } from '../util/clock.ts'

/**
 * Limits and hand-off for a BatchBuilder. They are trusted as given: config validation has already
 * clamped them (minRecords ≤ maxRecords, minBytes ≤ maxBytes, maxBytes within the transport's cap).
 */
export interface BuilderOptions {
  /** Cut when a batch reaches this many records. */
  readonly maxRecords: number
  /** Never exceeded by adding: a batch is cut before a record that would cross it, or once it is full. */
  readonly maxBytes: number
  /** With minBytes: cut as soon as both minimums are met (the seed's rule; 0 and 0 = one record per batch). */
  readonly minRecords: number
  readonly minBytes: number
  /** A batch is cut this long after its first record (0 = on the next timer tick). */
  readonly lingerMs: number
  readonly clock: Clock
  /**
   * Per-key ordering: the key of a record (null: none). A record whose key is already in the open
   * batch cuts it first ('key'), so a batch never holds two records of a key. Kinesis needs this:
   * a record that fails inside a PutRecords is retried after the records behind it were written,
   * so only a key's next record in a later batch (which waits for the retry) stays behind it.
   */
  readonly batchKey?: (record: InputRecord) => string | null
  /** Synchronous hand-off, called exactly once per batch, in cut order. */
  readonly onBatch: (batch: Batch) => void
}

// A batch's array is made with the room the last cut batch needed (from 16 up to maxRecords), so
// add() rarely regrows it: pushing one by one made about three times the final array in garbage,
// and a trickle of one-record batches should not get arrays made for thousands.
const MIN_ROOM = 16

interface OpenBatch {
  readonly partition: number
  pinned: boolean
  /** The first `count` slots hold the records; trimmed to `count` when the batch is cut. */
  readonly records: InputRecord[]
  count: number
  bytes: number
  readonly opened: number
  timer: TimerHandle | null
  /** Keys of its records, with batchKey only. */
  keys: Set<string> | null
}

/**
 * Groups records into batches per partition value (ANY_PARTITION included). The pipeline drops
 * records above the transport's record limit before add(), so a record larger than maxBytes can
 * only come from a maxBytes set below that limit; it still gets a batch of its own.
 */
export class BatchBuilder {
  readonly #maxRecords: number
  readonly #maxBytes: number
  readonly #minRecords: number
  readonly #minBytes: number
  readonly #lingerMs: number
  readonly #clock: Clock
  readonly #onBatch: (batch: Batch) => void
  readonly #batchKey: ((record: InputRecord) => string | null) | null
  // Insertion order is opening order, so flush() and end() hand batches on oldest first.
  readonly #open = new Map<number, OpenBatch>()
  #nextId = 1
  #buffered = 0
  #room: number
  #ended = false

  constructor (options: BuilderOptions) {
    this.#maxRecords = options.maxRecords
    this.#maxBytes = options.maxBytes
    this.#minRecords = options.minRecords
    this.#minBytes = options.minBytes
    this.#lingerMs = options.lingerMs
    this.#clock = options.clock
    this.#onBatch = options.onBatch
    this.#batchKey = options.batchKey ?? null
    this.#room = Math.min(this.#maxRecords, MIN_ROOM)
  }

  /**
   * Adds one record to the open batch of `partition`. A batch is pinned if any of its records is:
   * a record that must not move keeps its whole batch in place.
   */
  add (record: InputRecord, partition: number, pinned: boolean): void {
    if (this.#ended) throw new KprodError('KPROD_INTERNAL', 'Cannot add a record: the batch builder has already ended')
    const size = recordBytes(record)
    const key = this.#batchKey === null ? null : this.#batchKey(record)
    let open = this.#open.get(partition)
    if (open !== undefined && open.bytes + size > this.#maxBytes) {
      this.#cut(open, 'bytes')
      open = undefined
    }
    if (open !== undefined && key !== null && open.keys?.has(key) === true) {
      this.#cut(open, 'key')
      open = undefined
    }
    if (open === undefined) {
      open = { partition, pinned, records: new Array<InputRecord>(this.#room), count: 0, bytes: 0, opened: this.#clock.now(), timer: null, keys: null }
      this.#open.set(partition, open)
    } else if (pinned) {
      open.pinned = true
    }
    if (open.count < open.records.length) open.records[open.count] = record
    else open.records.push(record)
    open.count++
    open.bytes += size
    if (key !== null) (open.keys ??= new Set()).add(key)
    this.#buffered++
    const reason = this.#fullReason(open)
    if (reason !== null) this.#cut(open, reason)
    else if (open.timer === null) this.#arm(open)
  }

  /** Cuts every open batch, or only those opened at least `olderThanMs` ago, with reason 'flush'. */
  flush (olderThanMs?: number): void {
    const now = this.#clock.now()
    for (const open of this.#snapshot()) {
      if (olderThanMs === undefined || now - open.opened >= olderThanMs) this.#cutIfOpen(open, 'flush')
    }
  }

  /** Cuts every open batch with reason 'end' and refuses further records. Calling it again does nothing. */
  end (): void {
    this.#ended = true
    for (const open of this.#snapshot()) this.#cutIfOpen(open, 'end')
  }

  /** Records waiting in open batches. */
  get bufferedRecords (): number {
    return this.#buffered
  }

  get openBatches (): number {
    return this.#open.size
  }

  // Max limits before the minimums, so a batch that is both full and "enough" reports why it is full.
  // Full at exactly maxBytes: only empty records could still join, and they should not wait for linger.
  #fullReason (open: OpenBatch): CutReason | null {
    const count = open.count
    if (count >= this.#maxRecords) return 'records'
    if (open.bytes >= this.#maxBytes) return 'bytes'
    if (count >= this.#minRecords && open.bytes >= this.#minBytes) return 'min'
    return null
  }

  // Armed only for a batch that survives its first add(), so one-record-per-batch settings never
  // touch the timer lists; at most one timer per batch, never one per record.
  #arm (open: OpenBatch): void {
    open.timer = this.#clock.setTimeout(() => {
      open.timer = null
      this.#cutIfOpen(open, 'linger')
    }, this.#lingerMs)
  }

  // A copy, so a hand-off that adds records cannot make flush() or end() chase its own tail.
  #snapshot (): OpenBatch[] {
    return [...this.#open.values()]
  }

  #cutIfOpen (open: OpenBatch, reason: CutReason): void {
    if (this.#open.get(open.partition) === open) this.#cut(open, reason)
  }

  // State is settled before onBatch runs, so a hand-off that throws or re-enters sees a clean builder.
  #cut (open: OpenBatch, reason: CutReason): void {
    if (open.timer !== null) {
      this.#clock.clearTimeout(open.timer)
      open.timer = null
    }
    this.#open.delete(open.partition)
    this.#buffered -= open.count
    open.records.length = open.count
    this.#room = Math.min(this.#maxRecords, Math.max(MIN_ROOM, open.count))
    this.#onBatch({
      id: this.#nextId++,
      partition: open.partition,
      pinned: open.pinned,
      records: open.records,
      bytes: open.bytes,
      cutReason: reason,
      opened: open.opened,
      enqueued: this.#clock.now()
    })
  }
}
