// The idempotent producer's bookkeeping (KIP-98), as the Java producer keeps it for a
// non-transactional producer: one producer id, an epoch, and per partition the epoch in use and
// the next sequence number. A batch gets its stamp (producer id, epoch, base sequence) on its
// first send and keeps it for every retry, so a retry is byte for byte the first attempt and the
// broker writes it once. kprod has at most one batch in flight per partition, which makes the
// Java client's in-flight bookkeeping collapse to one "open" batch per partition.
//
// A partition's sequence is reset (epoch bumped locally, sequences from 0; the Java client's
// bumpIdempotentProducerEpoch) when the broker answers OUT_OF_ORDER_SEQUENCE_NUMBER or
// UNKNOWN_PRODUCER_ID (the batch is then re-stamped and retried: the broker did not write it),
// and when a batch was given up without an answer that settled it (the next batch cannot know
// which sequence the broker expects). Epoch 32767 cannot be bumped: a new producer id is needed.

import type { ProducerStamp } from './record-batch.ts'

const MAX_EPOCH = 32767
const MAX_SEQUENCE = 2147483647

interface PartitionState {
  epoch: number
  next: number
  /** The batch stamped last and not yet acknowledged, by batch id. */
  open: { readonly id: number, readonly stamp: ProducerStamp } | null
  /** Start this partition over at a new epoch before its next send. */
  reset: boolean
}

export class IdempotentProducer {
  #producerId: string
  #epoch: number
  readonly #partitions = new Map<number, PartitionState>()
  /** Epoch bumps so far (local ones and new producer ids), for the summary notes. */
  bumps = 0

  constructor (producerId: string, epoch: number) {
    this.#producerId = producerId
    this.#epoch = epoch
  }

  get producerId (): string { return this.#producerId }
  get epoch (): number { return this.#epoch }

  /** A new producer id from InitProducerId: every partition starts over at sequence 0. */
  renew (producerId: string, epoch: number): void {
    this.#producerId = producerId
    this.#epoch = epoch
    this.#partitions.clear()
    this.bumps++
  }

  /**
   * True when `stamp` would need an epoch bump the epoch cannot take: get a new producer id
   * (renew) first.
   */
  needsNewId (batchId: number, partition: number): boolean {
    const st = this.#partitions.get(partition)
    if (st === undefined) return false
    return this.#mustReset(st, batchId) && st.epoch === this.#epoch && this.#epoch >= MAX_EPOCH
  }

  /** The stamp for sending batch `batchId` of `count` records to `partition`: the same one on a retry. */
  stamp (batchId: number, count: number, partition: number): ProducerStamp {
    let st = this.#partitions.get(partition)
    if (st === undefined) this.#partitions.set(partition, st = { epoch: this.#epoch, next: 0, open: null, reset: false })
    if (st.open !== null && st.open.id === batchId && !st.reset) return st.open.stamp
    if (this.#mustReset(st, batchId)) {
      // Only the first partition to reset at an epoch bumps it; the others move up to it.
      if (st.epoch === this.#epoch) {
        this.#epoch++
        this.bumps++
      }
      st.epoch = this.#epoch
      st.next = 0
    } else if (st.open === null && st.epoch !== this.#epoch) {
      // Another partition bumped the epoch; this one follows once nothing of it is open (as Java does).
      st.epoch = this.#epoch
      st.next = 0
    }
    st.reset = false
    const stamp = { producerId: this.#producerId, epoch: st.epoch, baseSequence: st.next }
    st.next = nextSequence(st.next, count)
    st.open = { id: batchId, stamp }
    return stamp
  }

  /** The broker wrote the batch (or already had it: DUPLICATE_SEQUENCE_NUMBER). */
  acknowledged (batchId: number, partition: number): void {
    const st = this.#partitions.get(partition)
    if (st?.open?.id === batchId) st.open = null
  }

  /**
   * The broker refused the batch for its sequence (OUT_OF_ORDER_SEQUENCE_NUMBER) or did not know
   * the producer (UNKNOWN_PRODUCER_ID): it wrote nothing, and the retry starts the partition over.
   */
  refused (batchId: number, partition: number): void {
    const st = this.#partitions.get(partition)
    if (st?.open?.id === batchId) st.reset = true
  }

  // A batch other than the open one: the open one was given up unsettled, so the sequence the
  // broker expects is unknown.
  #mustReset (st: PartitionState, batchId: number): boolean {
    return st.reset || (st.open !== null && st.open.id !== batchId)
  }
}

/** The sequence after `count` records from `base`: it wraps from 2^31-1 to 0, as the broker expects. */
export function nextSequence (base: number, count: number): number {
  return base > MAX_SEQUENCE - count ? count - (MAX_SEQUENCE - base) - 1 : base + count
}
