// The Kinesis transport. One send() = one PutRecords call whose results are read by index; every
// call has a deadline on the injected clock and its client makes one attempt (SDK retries off), so
// the producer's exchanges are the whole truth about what went over the wire. The client behind
// it is the AWS SDK (kinesis/sdk.ts) or kprod's own HTTP client (kinesis/http/client.ts), picked in
// kinesis/client.ts; this module loads neither, so a run that needs no SDK never loads it.

import { randomBytes as cryptoRandomBytes } from 'node:crypto'
import type { ListShardsInput, Shard } from '@aws-sdk/client-kinesis'
import { ANY_PARTITION, type Batch } from '../../batch/batch.ts'
import { KprodError } from '../../errors.ts'
import { recordValueBytes, type InputRecord } from '../../record.ts'
import type { RecordPosition, SendResult, Topology, Transport, TransportLimits } from '../transport.ts'
import type { KinesisClientOptions, PutRecordsClient } from './client-interface.ts'
import { connectError, fromKinesisError, isFinalConnectError, placeText, putRecordsResult, type PutRecordsAnswer, type StreamPlace } from './errors.ts'
import { GENERATED_KEY_BYTES, MAX_HASH_KEY_TEXT, ShardMap, explicitHashKeyOf, keyProblem, lineHashKey, openShardRanges, partitionKeys, shardIndexOf } from './shards.ts'
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS } from './limits.ts'

export interface KinesisTransportOptions extends KinesisClientOptions {
  readonly stream: string
  /** Key of a record without one: 32 random hex characters, or the hex MD5 of its line (stable). */
  readonly partitionKey: 'random' | 'hash'
  /** Each record's key (a decimal 0..2^128-1) is also sent as its ExplicitHashKey, which picks the shard. */
  readonly explicitHashKey?: boolean
  /** Partitions are shard indexes and partitionFor() maps a key to its shard, so per-key order holds. */
  readonly shardOrdering: boolean
  /** At most 500. */
  readonly maxBatchRecords: number
  /** At most 5 MiB (data + partition keys). */
  readonly maxBatchBytes: number
  /** From kinesis/client.ts (openKinesisClient), or a unit test's fake. */
  readonly client: PutRecordsClient
  /** Where the credentials come from, for an auth error (default: the AWS SDK's default chain). */
  readonly credentialsFrom?: string
  /** Said once in the summary's notes, e.g. how --kinesis-client http found its credentials. */
  readonly notes?: readonly string[]
  /** Source of random partition keys; default node:crypto randomBytes. */
  readonly randomBytes?: (size: number) => Buffer
}

/** A record's data + key limit when the stream does not report its own (MaxRecordSizeInKiB). */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024
const RETRY_AT_START_MS = 250
const MAX_SHARD_PAGES = 10_000

export class KinesisTransport implements Transport {
  readonly kind = 'kinesis' as const
  readonly target: string
  readonly partitionNoun: 'shard' | 'lane'
  readonly notes: string[]
  /** Present only with shardOrdering: the shard index a record's key lands on, or ANY_PARTITION. */
  readonly partitionFor?: (record: InputRecord) => number
  /** Present only with shardOrdering: the partition key, so no PutRecords carries a key twice. */
  readonly orderKey?: (record: InputRecord) => string | null
  #limits: TransportLimits
  readonly #o: KinesisTransportOptions
  readonly #client: PutRecordsClient
  readonly #randomBytes: (size: number) => Buffer
  #shards: ShardMap | null = null
  #place: StreamPlace
  #closed = false
  /** shardIndexOf() of each shard id seen in a result: parsed once per shard, not once per record. */
  readonly #shardIndexes = new Map<string, number | null>()

  constructor (options: KinesisTransportOptions) {
    this.#o = options
    this.target = options.stream
    this.partitionNoun = options.shardOrdering ? 'shard' : 'lane'
    this.#limits = kinesisLimits(options, DEFAULT_MAX_RECORD_BYTES)
    this.#client = options.client
    this.notes = [...(options.notes ?? [])]
    this.#randomBytes = options.randomBytes ?? cryptoRandomBytes
    this.#place = { stream: options.stream, region: options.region, endpoint: options.endpoint, credentialsFrom: options.credentialsFrom ?? null }
    if (options.shardOrdering) {
      this.partitionFor = (record) => this.#shardOf(record)
      this.orderKey = (record) => this.#orderKeyOf(record)
    }
  }

  get limits (): TransportLimits { return this.#limits }

  /** Why a record can never be put (its line named), or null. */
  check (record: InputRecord): string | null {
    let keyBytes = GENERATED_KEY_BYTES
    // One view of the key at most, and none of the value: this runs for every line.
    const key = record.key
    if (this.#o.explicitHashKey === true) {
      if (key === null) return `line ${record.lineNo}: no key to use as the explicit hash key (--explicit-hash-key)`
      if (explicitHashKeyOf(key) === null) {
        return `line ${record.lineNo}: key ${JSON.stringify(key.toString('latin1').slice(0, 60))} is not an explicit hash key (--explicit-hash-key needs a decimal number from 0 to ${MAX_HASH_KEY_TEXT})`
      }
    }
    if (key !== null) {
      const problem = keyProblem(key)
      if (problem !== null) return `line ${record.lineNo}: ${problem}`
      keyBytes = key.length
    }
    const size = recordValueBytes(record) + keyBytes
    const limit = this.#limits.maxRecordBytes
    if (size <= limit) return null
    return `line ${record.lineNo}: record is ${size} bytes (data + partition key), over the ${limit}-byte record limit of stream '${this.target}'`
  }

  async connect (): Promise<Topology> {
    const { clock, connectTimeoutMs } = this.#o
    const deadline = clock.now() + connectTimeoutMs
    this.#place = { ...this.#place, region: this.#o.region ?? await this.#client.region() }
    for (;;) {
      try {
        return await this.#describe(deadline)
      } catch (err) {
        const error = connectError(err, this.#place, connectTimeoutMs)
        if (isFinalConnectError(error) || clock.now() + RETRY_AT_START_MS >= deadline) throw error
        await clock.sleep(RETRY_AT_START_MS)
      }
    }
  }

  async send (batch: Batch, partition: number): Promise<SendResult> {
    const records = batch.records
    // The call (its partition keys: a string per record) is made inside the closure, which #call
    // holds until the answer: with --kinesis-client http it is garbage once the body is written.
    const put = (signal: AbortSignal): Promise<PutRecordsAnswer> => this.#client.putRecords({
      stream: this.target,
      records,
      keys: partitionKeys(records, this.#o.partitionKey, this.#randomBytes),
      explicitHashKeys: this.#o.explicitHashKey === true
    }, signal)
    try {
      const timeout = this.#o.requestTimeoutMs
      const out = await this.#call(timeout, `PutRecords got no answer within ${timeout} ms (--request-timeout)`, put)
      return putRecordsResult(out, records.length, (shardId, sequence) => this.#position(shardId, sequence, partition))
    } catch (err) {
      return { response: null, error: fromKinesisError(err), records: null }
    }
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#client.destroy()
  }

  // Stream state, record limit and (with shardOrdering) the open shards, each call within the deadline.
  async #describe (deadline: number): Promise<Topology> {
    const stream = this.target
    const out = await this.#call(this.#left(deadline), 'DescribeStreamSummary got no answer in time',
      (signal) => this.#client.describeStreamSummary({ StreamName: stream }, signal))
    const summary = out.StreamDescriptionSummary
    const status = summary?.StreamStatus
    if (status === 'DELETING') {
      throw new KprodError('KPROD_TARGET_NOT_FOUND', `stream '${stream}' is being deleted ${placeText(this.#place)} (check --stream)`)
    }
    if (status !== 'ACTIVE' && status !== 'UPDATING') throw new Error(`stream '${stream}' is ${status ?? 'in no known state'}, not ACTIVE`)
    const kib = summary?.MaxRecordSizeInKiB
    this.#limits = kinesisLimits(this.#o, kib !== undefined && kib > 0 ? kib * 1024 : DEFAULT_MAX_RECORD_BYTES)
    if (!this.#o.shardOrdering) return { partitions: Array.from({ length: Math.max(1, this.#o.lanes) }, (_, i) => i) }
    const ranges = openShardRanges(await this.#listShards(deadline))
    if (ranges.length === 0) throw new KprodError('KPROD_TARGET_NOT_FOUND', `stream '${stream}' ${placeText(this.#place)} has no open shards`)
    this.#shards = new ShardMap(ranges)
    return { partitions: this.#shards.partitions }
  }

  async #listShards (deadline: number): Promise<Shard[]> {
    const shards: Shard[] = []
    let token: string | undefined
    for (let page = 0; page < MAX_SHARD_PAGES; page++) {
      // ListShards refuses StreamName together with NextToken.
      const input: ListShardsInput = token === undefined ? { StreamName: this.target } : { NextToken: token }
      const out = await this.#call(this.#left(deadline), 'ListShards got no answer in time', (signal) => this.#client.listShards(input, signal))
      shards.push(...(out.Shards ?? []))
      token = out.NextToken
      if (token === undefined || token === '') break
    }
    return shards
  }

  #left (deadline: number): number {
    return Math.max(1, Math.min(this.#o.requestTimeoutMs, deadline - this.#o.clock.now()))
  }

  // Races a call against a timer on the injected clock; a late answer is dropped and the request aborted.
  #call<T> (timeoutMs: number, timeoutText: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const clock = this.#o.clock
    const controller = new AbortController()
    return new Promise<T>((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        const error = new KprodError('KPROD_REQUEST_TIMEOUT', timeoutText, { retriable: true, maybeWritten: true })
        reject(error)
        controller.abort(error)
      }, timeoutMs)
      let pending: Promise<T>
      try {
        pending = run(controller.signal)
      } catch (err) {
        pending = Promise.reject(err)
      }
      pending.then(
        (value) => { clock.clearTimeout(timer); resolve(value) },
        (err: unknown) => { clock.clearTimeout(timer); reject(err) })
    })
  }

  #position (shardId: string | undefined, sequence: string | undefined, lane: number): RecordPosition {
    const position = sequence ?? null
    if (shardId === undefined) return { partition: lane, position }
    const partition = this.#shards?.indexOfShard(shardId) ?? this.#indexOf(shardId) ?? lane
    return { partition, position, shardId }
  }

  // Random keys never repeat, so only a record key or a line hash can.
  #orderKeyOf (record: InputRecord): string | null {
    if (record.key !== null) return record.key.toString('latin1')
    return this.#o.partitionKey === 'hash' ? lineHashKey(record.line) : null
  }

  #indexOf (shardId: string): number | null {
    let index = this.#shardIndexes.get(shardId)
    if (index === undefined) this.#shardIndexes.set(shardId, index = shardIndexOf(shardId))
    return index
  }

  #shardOf (record: InputRecord): number {
    const map = this.#shards
    if (map === null) return ANY_PARTITION
    if (record.key !== null) {
      if (this.#o.explicitHashKey !== true) return map.shardFor(record.key)
      const value = explicitHashKeyOf(record.key)
      return value === null ? ANY_PARTITION : map.shardForHashKey(value)
    }
    if (this.#o.partitionKey === 'hash') return map.shardFor(lineHashKey(record.line))
    return ANY_PARTITION
  }
}

/**
 * Limits for the builder. It counts key + value bytes, but a generated partition key (32 bytes)
 * is not in them, so the 5 MiB cap keeps room for one per record of a full batch.
 */
export function kinesisLimits (options: Pick<KinesisTransportOptions, 'maxBatchRecords' | 'maxBatchBytes'>, maxRecordBytes: number): TransportLimits {
  const maxBatchRecords = Math.max(1, Math.min(options.maxBatchRecords, MAX_BATCH_RECORDS))
  const cap = MAX_BATCH_BYTES - maxBatchRecords * GENERATED_KEY_BYTES
  return { maxRecordBytes, maxBatchRecords, maxBatchBytes: Math.max(1, Math.min(options.maxBatchBytes, cap)) }
}
