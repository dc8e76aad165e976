// Sends batches through one Transport: at most one exchange in flight per partition and at most
// `workers` overall; retries per retry-policy.ts; exactly one onResult per enqueued batch, in
// completion order. Everything runs on the event loop, so plain counters need no locks.
//
// Partitions are a FIFO of idle tokens (list order at first). An ANY_PARTITION batch takes the
// first idle token; a token goes back to the tail after its exchange, so unkeyed batches and
// retries share one round-robin rotation, as in the seed. Waiting batches start in arrival order
// whenever their partition (or, for ANY, any partition) is idle: no head-of-line blocking, and
// FIFO per partition. Retry partition rule: a pinned batch always retries on batch.partition;
// with strictPartitioning an unpinned batch retries on the partition of its previous exchange;
// otherwise it retries on any idle partition (ANY). A transport with retriesKeepPartition (Kafka's
// idempotent producer) makes every batch retry as under strictPartitioning. Seed differences: its
// non-strict mode also re-routes pinned batches, and its strict mode keeps a -1 batch at -1 (so
// it still rotates).
// A retry bound to one partition keeps that partition's token through its backoff, so no later
// batch overtakes it there: per-partition order survives retries.

import { ANY_PARTITION, recordBytes, type Batch } from '../batch/batch.ts'
import { KprodError, errorText } from '../errors.ts'
import type { Outcome } from '../record.ts'
import { isDeliveredRun, placeName, type RecordResult, type Router, type SendResult, type Transport } from '../transports/transport.ts'
import type { Clock } from '../util/clock.ts'
import { PositionTable } from './positions.ts'
import type { BatchResult, Exchange } from './result.ts'
import { backoffDelay, deliveryTimeoutText, shouldRetry, startsInTime } from './retry-policy.ts'

/** Settings of an AsyncProducer; the pipeline fills them from the validated Config. */
export interface ProducerOptions {
  readonly transport: Transport
  /** Names the target and its partitions in error texts and batch results. */
  readonly router: Pick<Router, 'noun' | 'target' | 'partitionNoun'>
  /** Partitions this producer may send to, in round-robin order. Duplicates are ignored. */
  readonly partitions: readonly number[]
  /** Most exchanges in flight overall (never more than one per partition). */
  readonly workers: number
  /** Attempts per batch, the first included (1 = no retry); Infinity: until the delivery deadline. */
  readonly attempts: number
  /** Sleep before attempt 2; doubles per attempt, capped at retryBackoffMaxMs, equal-jittered. */
  readonly retryBackoffMs: number
  readonly retryBackoffMaxMs: number
  /** No attempt starts later than batch.enqueued + this. */
  readonly deliveryTimeoutMs: number
  /** Unpinned batches retry on the partition of their previous exchange instead of any idle one. */
  readonly strictPartitioning: boolean
  /** `full` while this many batches are held and not in an exchange (waiting or backing off). */
  readonly maxQueuedBatches: number
  /** `full` while batches holding this many key + value bytes have no result yet, in flight included; default no limit. */
  readonly maxBufferedBytes?: number
  readonly clock: Clock
  /** Jitter source in [0, 1); default Math.random. */
  readonly random?: () => number
  /** Called exactly once per enqueued batch, when its outcome is final. */
  readonly onResult: (result: BatchResult) => void
}

interface Job {
  readonly seq: number
  readonly batch: Batch
  /** When the producer took the batch. */
  readonly taken: number
  readonly deadline: number
  /** Indices into batch.records of the records still to send. */
  pending: readonly number[]
  view: Batch
  attempts: number
  /** Partition for the next attempt, or ANY_PARTITION. */
  want: number
  /** A partition token kept through a backoff for a retry bound to that partition. */
  holds: number | null
  state: 'waiting' | 'sending' | 'sleeping' | 'done'
  waitingSince: number
  sendBegin: number
  sleep: AbortController | null
  exchanges: Exchange[]
  readonly outcomes: Outcome[]
  positions: PositionTable
  readonly errors: (string | null)[]
}

const NO_POSITIONS = new PositionTable(0)

const same = (o: Outcome): Outcome => o
const notSent = (o: Outcome): Outcome => o === 'unsent' ? 'failed' : o

export class AsyncProducer {
  readonly #o: ProducerOptions
  readonly #known: ReadonlySet<number>
  readonly #random: () => number
  /** Idle partition tokens, FIFO. */
  #idle: number[]
  #anyQueue: Job[] = []
  readonly #byPartition = new Map<number, Job[]>()
  #pinnedWaiting = 0
  /** Retries that hold their partition's token and wait only for a worker. */
  #resumable: Job[] = []
  /** Every batch without a result yet, in arrival order. */
  readonly #jobs = new Set<Job>()
  #inFlight = 0
  #buffered = 0
  /** Key + value bytes of the batches without a result. */
  #bufferedBytes = 0
  #seq = 0
  #abortReason: string | null = null
  #drainWaiters: (() => void)[] = []
  #roomWaiters: (() => void)[] = []

  constructor (options: ProducerOptions) {
    const counts: [string, number][] = [['workers', options.workers], ['attempts', options.attempts === Infinity ? 1 : options.attempts], ['maxQueuedBatches', options.maxQueuedBatches]]
    const problems = counts.filter(([, v]) => !Number.isInteger(v) || v < 1).map(([k, v]) => `${k} must be an integer >= 1: current value is ${v}`)
    if (options.partitions.length === 0) problems.push('partitions must not be empty: no partitions')
    if (problems.length > 0) throw new KprodError('KPROD_CONFIG', `Cannot start the producer: ${problems.join('; ')}`)
    this.#o = options
    this.#known = new Set(options.partitions)
    this.#idle = [...this.#known]
    this.#random = options.random ?? Math.random
  }

  /** Batches held and not in an exchange: waiting for a partition or worker, or backing off. */
  get queuedBatches (): number { return this.#jobs.size - this.#inFlight }
  get inFlight (): number { return this.#inFlight }
  /** Records of batches without a result that are not yet final. */
  get bufferedRecords (): number { return this.#buffered }
  get bufferedBytes (): number { return this.#bufferedBytes }
  get full (): boolean {
    return this.queuedBatches >= this.#o.maxQueuedBatches || this.#bufferedBytes >= (this.#o.maxBufferedBytes ?? Infinity)
  }

  /** Takes a batch; never blocks. The batch's result comes through onResult, once. */
  enqueue (batch: Batch): void {
    const now = this.#o.clock.now()
    const n = batch.records.length
    const all = allIndices(n)
    const job: Job = {
      seq: this.#seq++,
      batch,
      taken: now,
      deadline: batch.enqueued + this.#o.deliveryTimeoutMs,
      pending: all,
      view: batch,
      attempts: 0,
      want: batch.partition,
      holds: null,
      state: 'waiting',
      waitingSince: now,
      sendBegin: now,
      sleep: null,
      exchanges: [],
      outcomes: new Array<Outcome>(n).fill('unsent'),
      positions: new PositionTable(n),
      errors: new Array<string | null>(n).fill(null)
    }
    this.#jobs.add(job)
    this.#buffered += all.length
    this.#bufferedBytes += batch.bytes
    if (this.#abortReason !== null) return this.#finish(job, this.#abortReason, same)
    if (batch.partition !== ANY_PARTITION && !this.#known.has(batch.partition)) {
      return this.#finish(job, `no producer for partition ${batch.partition}`, notSent)
    }
    if (all.length === 0) return this.#finish(job, 'empty batch: nothing to send', same)
    if (batch.partition === ANY_PARTITION) {
      this.#anyQueue.push(job)
    } else {
      this.#queueFor(batch.partition).push(job)
      this.#pinnedWaiting++
    }
    this.#pump()
  }

  /** Resolves once the producer is no longer full (see maxQueuedBatches, maxBufferedBytes). */
  whenNotFull (): Promise<void> {
    if (!this.full) return Promise.resolve()
    return new Promise((resolve) => { this.#roomWaiters.push(resolve) })
  }

  /** Resolves once every batch enqueued so far has had its result. */
  drain (): Promise<void> {
    if (this.#jobs.size === 0) return Promise.resolve()
    return new Promise((resolve) => { this.#drainWaiters.push(resolve) })
  }

  /**
   * Gives up on everything now, each batch getting its one result: never-sent records are
   * 'unsent', records of exchanges in flight 'unknown', records between attempts keep the
   * outcome of their last error. Later enqueues get an 'unsent' result at once.
   */
  abort (reason: string): void {
    this.#abortReason ??= reason
    this.#anyQueue = []
    this.#byPartition.clear()
    this.#pinnedWaiting = 0
    this.#resumable = []
    for (const job of [...this.#jobs]) {
      if (job.state === 'done') continue
      if (job.state === 'sending') {
        const lost = new KprodError('KPROD_INTERRUPTED', `${reason} while the request was in flight`, { maybeWritten: true })
        this.#onSent(job, job.want, { response: null, error: lost, records: null })
      } else {
        this.#finish(job, reason, same)
      }
    }
  }

  #queueFor (partition: number): Job[] {
    let queue = this.#byPartition.get(partition)
    if (queue === undefined) this.#byPartition.set(partition, queue = [])
    return queue
  }

  // Starts every batch that can start: oldest first, each on an idle partition it may use.
  #pump (): void {
    while (this.#abortReason === null && this.#inFlight < this.#o.workers) {
      const job = this.#next()
      if (job === null) break
      if (this.#o.clock.now() > job.deadline) {
        this.#finish(job, deliveryTimeoutText(this.#o.deliveryTimeoutMs, job.attempts), notSent)
      } else {
        this.#start(job, this.#takeToken(job))
      }
    }
    this.#notify()
  }

  /** Removes and returns the oldest waiting batch that has a partition to go to. */
  #next (): Job | null {
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

  #takeToken (job: Job): number {
    if (job.holds !== null) {
      const p = job.holds
      job.holds = null
      return p
    }
    if (job.want === ANY_PARTITION) return this.#idle.shift() as number
    this.#idle.splice(this.#idle.indexOf(job.want), 1)
    return job.want
  }

  #start (job: Job, partition: number): void {
    job.attempts++
    job.want = partition
    job.state = 'sending'
    job.sendBegin = this.#o.clock.now()
    this.#inFlight++
    let sent: Promise<SendResult>
    try {
      sent = Promise.resolve(this.#o.transport.send(job.view, partition))
    } catch (err) {
      sent = Promise.reject(err)
    }
    const attempt = job.attempts
    sent.then(
      (result) => { if (job.attempts === attempt && job.state === 'sending') this.#onSent(job, partition, result) },
      (err: unknown) => { if (job.attempts === attempt && job.state === 'sending') this.#onSent(job, partition, rejected(err)) }
    )
  }

  #onSent (job: Job, partition: number, result: SendResult): void {
    this.#inFlight--
    job.state = 'waiting'
    this.#record(job, partition, result)
    if (job.pending.length === 0) {
      this.#idle.push(partition)
      this.#finish(job, null, same)
    } else {
      this.#retry(job, partition)
    }
    this.#pump()
  }

  // Applies one exchange's result; leaves in job.pending only the records that earn a retry.
  #record (job: Job, partition: number, result: SendResult): void {
    const prefix = `error producing ${placeName(this.#o.router, partition)}: `
    const { pending, outcomes, errors } = job
    const retry: number[] = []
    let failed = 0
    let first: KprodError | null = null
    const records = result.error === null ? result.records : null
    if (records !== null && isDeliveredRun(records) && records.count === pending.length) {
      // All delivered as one run (Kafka): no per-record object. Indexed, like every per-record
      // loop here: run once per exchange, a for-of is rarely optimised and then allocates per step.
      for (let k = 0; k < pending.length; k++) {
        const i = pending[k] as number
        outcomes[i] = 'delivered'
        errors[i] = null
      }
      job.positions.setRun(pending, records)
    } else {
      for (let k = 0; k < pending.length; k++) {
        const i = pending[k] as number
        const r = recordResult(result, k, pending.length)
        if (r.ok) {
          outcomes[i] = 'delivered'
          job.positions.set(i, r.at)
          errors[i] = null
          continue
        }
        failed++
        first ??= r.error
        // Once an attempt may have written a record, a later definite failure cannot undo that.
        outcomes[i] = r.error.maybeWritten || outcomes[i] === 'unknown' ? 'unknown' : 'failed'
        errors[i] = prefix + r.error.message
        if (shouldRetry(r.error, job.attempts, this.#o.attempts)) retry.push(i)
      }
    }
    let error: string | null = null
    if (result.error !== null) error = prefix + result.error.message
    else if (first !== null) error = `${prefix}${failed} of ${pending.length} records failed, the first with: ${first.message}`
    job.exchanges.push({
      attempt: job.attempts,
      partition,
      records: pending.length,
      enqueued: job.waitingSince,
      begin: job.sendBegin,
      complete: this.#o.clock.now(),
      response: result.response,
      error
    })
    this.#buffered -= pending.length - retry.length
    job.pending = retry
    if (retry.length !== pending.length) job.view = viewOf(job.batch, retry)
  }

  // Backs off, then queues the retriable records again, unless the deadline comes first.
  #retry (job: Job, partition: number): void {
    const delay = backoffDelay(job.attempts + 1, this.#o.retryBackoffMs, this.#o.retryBackoffMaxMs, this.#random)
    if (!startsInTime(this.#o.clock.now(), delay, job.deadline)) {
      this.#idle.push(partition)
      this.#finish(job, deliveryTimeoutText(this.#o.deliveryTimeoutMs, job.attempts), same)
      return
    }
    const pinned = job.batch.pinned && job.batch.partition !== ANY_PARTITION
    const stays = this.#o.strictPartitioning || this.#o.transport.retriesKeepPartition === true
    job.want = pinned ? job.batch.partition : stays ? partition : ANY_PARTITION
    if (job.want === partition) job.holds = partition
    else this.#idle.push(partition)
    job.state = 'sleeping'
    if (delay === 0) return this.#wake(job)
    const sleep = job.sleep = new AbortController()
    this.#o.clock.sleep(delay, sleep.signal).then(() => { this.#wake(job); this.#pump() }, () => {})
  }

  #wake (job: Job): void {
    if (job.state !== 'sleeping') return
    job.sleep = null
    job.state = 'waiting'
    job.waitingSince = this.#o.clock.now()
    if (job.holds !== null) {
      this.#resumable.push(job)
      return
    }
    // Retries are older than most waiting batches: put them back in arrival order.
    const queue = this.#anyQueue
    let at = 0
    while (at < queue.length && (queue[at] as Job).seq < job.seq) at++
    queue.splice(at, 0, job)
  }

  /** Makes the batch final: pending records get `settle`d outcomes and `note` added to their error. */
  #finish (job: Job, note: string | null, settle: (o: Outcome) => Outcome): void {
    const pending = job.pending
    for (let k = 0; k < pending.length; k++) {
      const i = pending[k] as number
      job.outcomes[i] = settle(job.outcomes[i] as Outcome)
      const previous = job.errors[i] ?? null
      if (note !== null) job.errors[i] = previous === null ? note : `${previous}; ${note}`
    }
    this.#buffered -= job.pending.length
    this.#bufferedBytes -= job.batch.bytes
    job.pending = []
    job.state = 'done'
    job.sleep?.abort()
    if (job.holds !== null) this.#idle.push(job.holds)
    job.holds = null
    this.#jobs.delete(job)
    const { batch, exchanges, outcomes } = job
    const last = exchanges[exchanges.length - 1]
    this.#o.onResult({
      batch,
      target: this.#o.router.target,
      partition: last === undefined ? batch.partition : last.partition,
      exchanges,
      producerError: exchanges.length === 0 ? note : null,
      produced: exchanges.length > 0 && outcomes.every((o) => o === 'delivered'),
      outcomes,
      positions: job.positions,
      errors: job.errors,
      begin: job.taken,
      complete: this.#o.clock.now()
    })
    // A job has usually lived through a few scavenges and been promoted, so it is not freed before
    // the next full collection; what the answers added to it (positions, exchanges) is young, and
    // would be kept alive, copied and promoted by every scavenge until then. Let go of it now.
    job.positions = NO_POSITIONS
    job.exchanges = []
    job.view = job.batch
    this.#notify()
  }

  #notify (): void {
    if (this.#roomWaiters.length > 0 && !this.full) {
      for (const resolve of this.#roomWaiters.splice(0)) resolve()
    }
    if (this.#drainWaiters.length > 0 && this.#jobs.size === 0) {
      for (const resolve of this.#drainWaiters.splice(0)) resolve()
    }
  }
}

/**
 * [0, 1, …, n-1], shared by every batch of n records: job.pending is replaced, never changed in
 * place, so batches of the common sizes need no index array of their own.
 */
const identities = new Map<number, readonly number[]>()
function allIndices (n: number): readonly number[] {
  let all = identities.get(n)
  if (all === undefined) {
    all = Array.from({ length: n }, (_, i) => i)
    if (identities.size < 64) identities.set(n, all)
  }
  return all
}

/** The result for the k-th record of an exchange of `count` records. */
function recordResult (result: SendResult, k: number, count: number): RecordResult {
  if (result.error !== null) return { ok: false, error: result.error }
  const records = result.records
  const r = records === null || isDeliveredRun(records) ? undefined : records[k]
  if (r !== undefined) return r
  const got = records === null ? 'no results' : `${isDeliveredRun(records) ? records.count : records.length} results`
  return { ok: false, error: new KprodError('KPROD_INTERNAL', `transport returned ${got} for ${count} records`) }
}

/** A transport that broke its promise never to reject: a final error, nothing known to be written. */
function rejected (err: unknown): SendResult {
  return { response: null, error: new KprodError('KPROD_INTERNAL', `transport send failed: ${errorText(err)}`, { cause: err }), records: null }
}

/** The batch reduced to the records at `indices`: same id, so results still match it. */
function viewOf (batch: Batch, indices: readonly number[]): Batch {
  const records = indices.map((i) => batch.records[i] as Batch['records'][number])
  return { ...batch, records, bytes: records.reduce((sum, r) => sum + recordBytes(r), 0) }
}
