// A scripted Transport for unit tests: records every send(), answers from a script or holds the
// call until the test settles it, and counts concurrency overall and per partition.

import { ANY_PARTITION, recordBytes, type Batch } from '../../src/batch/batch.ts'
import { KprodError, type ErrorCode, type KprodErrorOptions } from '../../src/errors.ts'
import type { InputRecord } from '../../src/record.ts'
import type { RecordResult, Router, SendResult, Topology, Transport, TransportLimits } from '../../src/transports/transport.ts'
import { DEFAULT_ROUTING, kafkaRouter, type KafkaRouting } from '../../src/transports/kafka/router.ts'
import { deliveredRecords } from '../../src/transports/kafka/common.ts'

/** One send() as the fake saw it. `resolve`/`reject` settle a held call. */
export interface SendCall {
  /** 0-based index of the call across the fake's life. */
  readonly index: number
  readonly batch: Batch
  readonly partition: number
  /** Copy of batch.records.length at call time. */
  readonly records: number
  readonly resolve: (result: SendResult) => void
  readonly reject: (err: unknown) => void
  readonly settled: boolean
}

/** Answers a call: a result (or its promise) settles it, undefined holds it for the test. */
export type Responder = (call: SendCall) => SendResult | Promise<SendResult> | undefined

export interface FakeTransportOptions {
  readonly target?: string
  readonly partitions?: readonly number[]
  /** Default: every record delivered at once. */
  readonly respond?: Responder
  readonly limits?: TransportLimits
  /** --partitioner, --partition, --partitions as a Kafka run has them; default DEFAULT_ROUTING. */
  readonly routing?: KafkaRouting
}

export class FakeTransport implements Transport {
  readonly kind = 'kafka'
  readonly target: string
  readonly limits: TransportLimits
  readonly routing: KafkaRouting
  readonly notes: readonly string[] = []
  readonly calls: SendCall[] = []
  respond: Responder
  inFlight = 0
  maxInFlight = 0
  /** Highest number of concurrent calls seen on any one partition. */
  maxInFlightPerPartition = 0
  readonly #partitions: readonly number[]
  readonly #byPartition = new Map<number, number>()

  constructor (options: FakeTransportOptions = {}) {
    this.target = options.target ?? 't'
    this.#partitions = options.partitions ?? [0]
    this.respond = options.respond ?? ((call) => delivered(call))
    this.routing = options.routing ?? DEFAULT_ROUTING
    this.limits = options.limits ?? { maxRecordBytes: 1 << 20, maxBatchRecords: 10_000, maxBatchBytes: 1 << 20 }
  }

  async connect (): Promise<Topology> {
    return { partitions: this.#partitions }
  }

  router (topology: Topology): Router {
    return kafkaRouter(this.target, this.routing, topology)
  }

  async close (): Promise<void> {}

  /** Partitions of the calls so far, in call order. */
  get partitionsCalled (): number[] {
    return this.calls.map((c) => c.partition)
  }

  /** Calls not settled yet. */
  get held (): SendCall[] {
    return this.calls.filter((c) => !c.settled)
  }

  send (batch: Batch, partition: number): Promise<SendResult> {
    let settle!: (result: SendResult) => void
    let fail!: (err: unknown) => void
    const answer = new Promise<SendResult>((resolve, reject) => { settle = resolve; fail = reject })
    let settled = false
    const call: SendCall = {
      index: this.calls.length,
      batch,
      partition,
      records: batch.records.length,
      resolve: (r) => { settled = true; settle(r) },
      reject: (e) => { settled = true; fail(e) },
      get settled () { return settled }
    }
    this.calls.push(call)
    this.#enter(partition)
    const scripted = this.respond(call)
    if (scripted !== undefined) Promise.resolve(scripted).then(call.resolve, call.reject)
    // The counters drop before the producer's own handler runs, so it may start the next call.
    return answer.finally(() => this.#leave(partition))
  }

  #enter (partition: number): void {
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    const n = (this.#byPartition.get(partition) ?? 0) + 1
    this.#byPartition.set(partition, n)
    this.maxInFlightPerPartition = Math.max(this.maxInFlightPerPartition, n)
  }

  #leave (partition: number): void {
    this.inFlight--
    this.#byPartition.set(partition, (this.#byPartition.get(partition) ?? 1) - 1)
  }
}

/** Every record of the call delivered, at offsets from `baseOffset`. */
export function delivered (call: SendCall, baseOffset = 0): SendResult {
  return perRecord(call, () => null, baseOffset)
}

/** Every record delivered as one run of consecutive offsets, as the Kafka transports answer. */
export function deliveredRun (call: SendCall, baseOffset: string | null = '0', count = call.records): SendResult {
  return { response: { partition: call.partition, baseOffset }, error: null, records: deliveredRecords(count, call.partition, baseOffset) }
}

/** A request-level failure shared by every record of the call. */
export function requestError (code: ErrorCode, message: string, options: KprodErrorOptions = {}): SendResult {
  return { response: null, error: new KprodError(code, message, options), records: null }
}

/** Per-record results: `fail(k)` returns the k-th record's error, or null for delivered. */
export function perRecord (call: SendCall, fail: (k: number) => KprodError | null, baseOffset = 0): SendResult {
  const records: RecordResult[] = []
  for (let k = 0; k < call.records; k++) {
    const error = fail(k)
    records.push(error === null
      ? { ok: true, at: { partition: call.partition, position: String(baseOffset + k) } }
      : { ok: false, error })
  }
  return { response: { partition: call.partition, baseOffset }, error: null, records }
}

export interface TestBatchOptions {
  readonly id?: number
  /** Default ANY_PARTITION. */
  readonly partition?: number
  /** Default: true when partition is not ANY_PARTITION. */
  readonly pinned?: boolean
  /** Number of records; default 2. */
  readonly records?: number
}

let nextBatchId = 1

/** A batch of small records "r0", "r1", … cut at `now`. */
export function testBatch (now: number, options: TestBatchOptions = {}): Batch {
  const partition = options.partition ?? ANY_PARTITION
  const records: InputRecord[] = []
  for (let i = 0; i < (options.records ?? 2); i++) {
    const line = Buffer.from(`r${i}`)
    records.push({ line, key: null, value: line, lineNo: i + 1, readAt: now })
  }
  return {
    id: options.id ?? nextBatchId++,
    partition,
    pinned: options.pinned ?? partition !== ANY_PARTITION,
    records,
    bytes: records.reduce((sum, r) => sum + recordBytes(r), 0),
    cutReason: 'end',
    opened: now,
    enqueued: now
  }
}
