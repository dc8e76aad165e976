// Sends batches through one Transport: at most one exchange in flight per partition and at most
// `workers` overall; retries per retry-policy.ts; exactly one onResult per enqueued batch, in
// completion order. Everything runs on the event loop, so plain counters need no locks.
//
// A thin shell over two pieces: the LaneScheduler (scheduler.ts) decides which waiting batch
// goes next and on which partition, and keeps the token rule; each batch's BatchLedger
// (ledger.ts) keeps its records' outcomes and exchanges and makes its BatchResult. This file
// moves batches between phases, starts exchanges, and applies the retry partition rule: a
// pinned batch always retries on batch.partition; with strictPartitioning an unpinned batch
// retries on the partition of its previous exchange; otherwise it retries on any idle partition
// (ANY). A transport with retriesKeepPartition (an idempotent producer, whose sequence numbers
// belong to a partition) makes every batch retry as under strictPartitioning. Seed differences:
// its non-strict mode also re-routes pinned batches, and its strict mode keeps a -1 batch at -1
// (so it still rotates).

import { ANY_PARTITION, type Batch } from '../batch/batch.ts'
import { KprodError, errorData, type ErrorData } from '../errors.ts'
import { placeName, type Router, type SendResult, type Transport } from '../transports/transport.ts'
import type { Outcome } from '../record.ts'
import type { Clock } from '../util/clock.ts'
import { BatchLedger, notSent, rejected, same } from './ledger.ts'
import type { BatchResult } from './result.ts'
import { backoffDelay, deliveryTimeout, startsInTime } from './retry-policy.ts'
import { LaneScheduler, type Lane } from './scheduler.ts'

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

/**
 * Where a batch is. waiting: in the scheduler's queues (or about to be), no exchange, no timer.
 * sending: exactly one exchange in flight, holding its partition's token (lent). sleeping:
 * backing off, `sleep` set, maybe holding a token (`holds`). done: its result is out; it is in
 * no queue and holds nothing.
 */
type Phase = 'waiting' | 'sending' | 'sleeping' | 'done'

interface Job extends Lane {
  readonly ledger: BatchLedger
  /** When the producer took the batch. */
  readonly taken: number
  /** No attempt starts after this (batch.enqueued + deliveryTimeoutMs). */
  readonly deadline: number
  /** Exchanges started so far; an answer counts only if it belongs to the latest one. */
  attempts: number
  phase: Phase
  /** Since when the batch has been waiting for its next exchange (the exchange's `enqueued`). */
  waitingSince: number
  /** When the exchange in flight began; meaningful while sending. */
  sendBegin: number
  /** Cancels the backoff; set only while sleeping. */
  sleep: AbortController | null
}

export class AsyncProducer {
  readonly #o: ProducerOptions
  readonly #lanes: LaneScheduler<Job>
  readonly #random: () => number
  /** Every batch without a result yet, in arrival order: phase is never 'done' here. */
  readonly #jobs = new Set<Job>()
  /** Jobs in phase 'sending': at most workers, and never two on one partition (the scheduler's tokens). */
  #inFlight = 0
  /** Pending records of the jobs in #jobs: those without a final outcome. */
  #buffered = 0
  /** Key + value bytes of the batches in #jobs. */
  #bufferedBytes = 0
  #seq = 0
  /** Set once by abort(); from then on nothing starts and every enqueue ends at once. */
  #abortReason: ErrorData | null = null
  #drainWaiters: (() => void)[] = []
  #roomWaiters: (() => void)[] = []

  constructor (options: ProducerOptions) {
    const counts: [string, number][] = [['workers', options.workers], ['attempts', options.attempts === Infinity ? 1 : options.attempts], ['maxQueuedBatches', options.maxQueuedBatches]]
    const problems = counts.filter(([, v]) => !Number.isInteger(v) || v < 1).map(([k, v]) => `${k} must be an integer >= 1: current value is ${v}`)
    if (options.partitions.length === 0) problems.push('partitions must not be empty: no partitions')
    if (problems.length > 0) throw new KprodError('KPROD_CONFIG', `Cannot start the producer: ${problems.join('; ')}`)
    this.#o = options
    this.#lanes = new LaneScheduler(options.partitions)
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
    const ledger = new BatchLedger(batch)
    const job: Job = {
      seq: this.#seq++,
      ledger,
      taken: now,
      deadline: batch.enqueued + this.#o.deliveryTimeoutMs,
      attempts: 0,
      want: batch.partition,
      holds: null,
      phase: 'waiting',
      waitingSince: now,
      sendBegin: now,
      sleep: null
    }
    this.#jobs.add(job)
    this.#buffered += ledger.pending.length
    this.#bufferedBytes += batch.bytes
    if (this.#abortReason !== null) return this.#finish(job, this.#abortReason, same)
    if (batch.partition !== ANY_PARTITION && !this.#lanes.has(batch.partition)) {
      // The router places records only on its own partitions: reaching this is a kprod bug.
      return this.#finish(job, errorData('KPROD_INTERNAL', `no producer for partition ${batch.partition}`), notSent)
    }
    if (ledger.pending.length === 0) return this.#finish(job, errorData('KPROD_INTERNAL', 'empty batch: nothing to send'), same)
    this.#lanes.wait(job)
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
   * outcome of their last error. Later enqueues get an 'unsent' result at once. `reason`'s code
   * (KPROD_INTERRUPTED, KPROD_FLUSH_TIMEOUT, ...) becomes the code of every record it ends.
   */
  abort (reason: ErrorData): void {
    this.#abortReason ??= reason
    this.#lanes.clear()
    for (const job of [...this.#jobs]) {
      if (job.phase === 'done') continue
      if (job.phase === 'sending') {
        const lost = new KprodError(reason.code, `${reason.text} while the request was in flight`, { maybeWritten: true })
        this.#onSent(job, job.want, { response: null, error: lost, records: null })
      } else {
        this.#finish(job, reason, same)
      }
    }
  }

  // Starts every batch that can start: oldest first, each on an idle partition it may use.
  #pump (): void {
    while (this.#abortReason === null && this.#inFlight < this.#o.workers) {
      const job = this.#lanes.next()
      if (job === null) break
      if (this.#o.clock.now() > job.deadline) {
        this.#finish(job, deliveryTimeout(this.#o.deliveryTimeoutMs, job.attempts), notSent)
      } else {
        this.#start(job, this.#lanes.lend(job))
      }
    }
    this.#notify()
  }

  #start (job: Job, partition: number): void {
    job.attempts++
    job.want = partition
    job.phase = 'sending'
    job.sendBegin = this.#o.clock.now()
    this.#inFlight++
    let sent: Promise<SendResult>
    try {
      sent = Promise.resolve(this.#o.transport.send(job.ledger.view, partition))
    } catch (err) {
      sent = Promise.reject(err)
    }
    const attempt = job.attempts
    sent.then(
      (result) => { if (job.attempts === attempt && job.phase === 'sending') this.#onSent(job, partition, result) },
      (err: unknown) => { if (job.attempts === attempt && job.phase === 'sending') this.#onSent(job, partition, rejected(err)) }
    )
  }

  #onSent (job: Job, partition: number, result: SendResult): void {
    this.#inFlight--
    job.phase = 'waiting'
    const at = { attempt: job.attempts, partition, enqueued: job.waitingSince, begin: job.sendBegin, complete: this.#o.clock.now() }
    this.#buffered -= job.ledger.apply(result, at, placeName(this.#o.router, partition), this.#o.attempts)
    if (job.ledger.pending.length === 0) {
      this.#lanes.release(partition)
      this.#finish(job, null, same)
    } else {
      this.#retry(job, partition)
    }
    this.#pump()
  }

  // Backs off, then queues the retriable records again, unless the deadline comes first.
  #retry (job: Job, partition: number): void {
    const delay = backoffDelay(job.attempts + 1, this.#o.retryBackoffMs, this.#o.retryBackoffMaxMs, this.#random)
    if (!startsInTime(this.#o.clock.now(), delay, job.deadline)) {
      this.#lanes.release(partition)
      this.#finish(job, deliveryTimeout(this.#o.deliveryTimeoutMs, job.attempts), same)
      return
    }
    const batch = job.ledger.batch
    const pinned = batch.pinned && batch.partition !== ANY_PARTITION
    const stays = this.#o.strictPartitioning || this.#o.transport.retriesKeepPartition === true
    job.want = pinned ? batch.partition : stays ? partition : ANY_PARTITION
    if (job.want === partition) this.#lanes.hold(job, partition)
    else this.#lanes.release(partition)
    job.phase = 'sleeping'
    if (delay === 0) return this.#wake(job)
    const sleep = job.sleep = new AbortController()
    this.#o.clock.sleep(delay, sleep.signal).then(() => { this.#wake(job); this.#pump() }, () => {})
  }

  #wake (job: Job): void {
    if (job.phase !== 'sleeping') return
    job.sleep = null
    job.phase = 'waiting'
    job.waitingSince = this.#o.clock.now()
    this.#lanes.rewait(job)
  }

  /** Makes the batch final: pending records get `settle`d outcomes and `note` added to their error. */
  #finish (job: Job, note: ErrorData | null, settle: (o: Outcome) => Outcome): void {
    this.#buffered -= job.ledger.settle(note, settle)
    this.#bufferedBytes -= job.ledger.batch.bytes
    job.phase = 'done'
    job.sleep?.abort()
    this.#lanes.drop(job)
    this.#jobs.delete(job)
    this.#o.onResult(job.ledger.result(this.#o.router.target, note, job.taken, this.#o.clock.now()))
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
