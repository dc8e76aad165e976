// Which waiting batch goes next, and on which partition: the producer's lanes. Pure bookkeeping
// on the event loop, with no clock and no I/O, so its rules are tested without either.
//
// Each partition has one token. Partitions are a FIFO of idle tokens (list order at first). An
// ANY_PARTITION batch takes the first idle token; a token goes back to the tail after its
// exchange, so unkeyed batches and retries share one round-robin rotation, as in the seed.
// Waiting batches start in arrival order whenever their partition (or, for ANY, any partition) is
// idle: no head-of-line blocking, and FIFO per partition. A retry bound to one partition keeps
// that partition's token through its backoff, so no later batch overtakes it there: per-partition
// order survives retries.

import { ANY_PARTITION } from '../batch/batch.ts'

/** Where a partition's token is. The token rule: always exactly one of these. */
export type TokenState = 'idle' | 'held' | 'lent'

/** What the scheduler reads and writes of a batch. */
export interface Lane {
  /** Arrival order: lower goes first. */
  readonly seq: number
  /** Partition for the next attempt, or ANY_PARTITION. */
  want: number
  /** The partition whose token this batch holds through a backoff, or null. Set only by hold(). */
  holds: number | null
}

export class LaneScheduler<J extends Lane> {
  /** Every partition this producer may use. Never changes. */
  readonly #known: ReadonlySet<number>
  /** Idle tokens, oldest release first. A partition is here, held or lent: never two of these. */
  #idle: number[]
  /** Tokens kept through a backoff by the retry bound to them (partition → that batch). */
  readonly #held = new Map<number, J>()
  /** Tokens lent to an exchange in flight: one exchange per partition at most. */
  readonly #lent = new Set<number>()
  /** Waiting ANY_PARTITION batches, in arrival (seq) order. */
  #anyQueue: J[] = []
  /** Waiting batches bound to a partition, per partition, in arrival order. */
  readonly #byPartition = new Map<number, J[]>()
  /** Sum of the #byPartition queue lengths: lets next() skip the per-partition scan. */
  #pinnedWaiting = 0
  /** Woken retries that hold their token and wait only for a worker, in wake order. */
  #resumable: J[] = []

  constructor (partitions: readonly number[]) {
    this.#known = new Set(partitions)
    this.#idle = [...this.#known]
  }

  /** Whether batches may be bound to `partition`. */
  has (partition: number): boolean { return this.#known.has(partition) }

  /** Where `partition`'s token is now (the token rule, for tests and assertions). */
  tokenOf (partition: number): TokenState {
    if (this.#lent.has(partition)) return 'lent'
    if (this.#held.has(partition)) return 'held'
    return 'idle'
  }

  /** Every token by state, ascending: each known partition appears in exactly one list. */
  tokens (): { readonly idle: number[], readonly held: number[], readonly lent: number[] } {
    const sorted = (ps: Iterable<number>): number[] => [...ps].sort((a, b) => a - b)
    return { idle: sorted(this.#idle), held: sorted(this.#held.keys()), lent: sorted(this.#lent) }
  }

  /** Queues a new batch behind the others wanting the same partition (or any). */
  wait (job: J): void {
    if (job.want === ANY_PARTITION) {
      this.#anyQueue.push(job)
    } else {
      this.#queueFor(job.want).push(job)
      this.#pinnedWaiting++
    }
  }

  /** Queues a woken retry again: with its held token, next in line; else among ANY batches by age. */
  rewait (job: J): void {
    if (job.holds !== null) {
      this.#resumable.push(job)
      return
    }
    // Retries are older than most waiting batches: put them back in arrival order.
    const queue = this.#anyQueue
    let at = 0
    while (at < queue.length && (queue[at] as J).seq < job.seq) at++
    queue.splice(at, 0, job)
  }

  /** Removes and returns the oldest waiting batch that has a partition to go to, or null. */
  next (): J | null {
    const resumed = this.#resumable.shift()
    if (resumed !== undefined) return resumed
    if (this.#idle.length === 0) return null
    const anyHead = this.#anyQueue[0]
    let best = anyHead ?? null
    if (this.#pinnedWaiting > 0) {
      for (const p of this.#idle) {
        const head = this.#byPartition.get(p)?.[0]
        if (head !== undefined && (best === null || head.seq < best.seq)) best = head
      }
    }
    if (best === null) return null
    if (best === anyHead) {
      this.#anyQueue.shift()
    } else {
      this.#byPartition.get(best.want)?.shift()
      this.#pinnedWaiting--
    }
    return best
  }

  /** Lends a batch that next() returned the token of its partition: its held one, or an idle one. */
  lend (job: J): number {
    let partition: number
    if (job.holds !== null) {
      partition = job.holds
      this.#held.delete(partition)
      job.holds = null
    } else if (job.want === ANY_PARTITION) {
      partition = this.#idle.shift() as number
    } else {
      partition = job.want
      this.#idle.splice(this.#idle.indexOf(partition), 1)
    }
    this.#lent.add(partition)
    return partition
  }

  /** The exchange on `partition` ended and `job` will retry there: it keeps the token through its backoff. */
  hold (job: J, partition: number): void {
    this.#lent.delete(partition)
    this.#held.set(partition, job)
    job.holds = partition
  }

  /** The exchange on `partition` ended with no retry bound there: its token is idle again, at the tail. */
  release (partition: number): void {
    this.#lent.delete(partition)
    this.#idle.push(partition)
  }

  /** A batch leaves for good: a token it holds is idle again. */
  drop (job: J): void {
    const held = job.holds
    if (held === null) return
    job.holds = null
    this.#held.delete(held)
    this.#idle.push(held)
  }

  /** Forgets every waiting batch (abort); tokens stay where they are until their batches end. */
  clear (): void {
    this.#anyQueue = []
    this.#byPartition.clear()
    this.#pinnedWaiting = 0
    this.#resumable = []
  }

  #queueFor (partition: number): J[] {
    let queue = this.#byPartition.get(partition)
    if (queue === undefined) this.#byPartition.set(partition, queue = [])
    return queue
  }
}
