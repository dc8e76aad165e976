// The Kinesis transport. One send() = one PutRecords call whose results are read by index; every
// call has a deadline on the injected clock and its client makes one attempt (SDK retries off), so
// the producer's exchanges are the whole truth about what went over the wire. The client behind
// it is the AWS SDK (kinesis/sdk.ts) or kprod's own HTTP client (kinesis/http/client.ts), picked in
// kinesis/client.ts; this module loads neither, so a run that needs no SDK never loads it.

import { randomBytes as cryptoRandomBytes } from 'node:crypto'
import type { ListShardsInput, Shard } from '@aws-sdk/client-kinesis'
import { ANY_PARTITION, type Batch } from '../../batch/batch.ts'
import { KprodError } from '../../errors.ts'
import { recordKeyBytes, recordValueBytes, type InputRecord } from '../../record.ts'
import { isDeliveredRun, targetName, type DeliveredRun, type Placement, type RecordPosition, type RecordResult, type Router, type SendResult, type Topology, type Transport, type TransportLimits } from '../transport.ts'
import type { JsonFieldRules } from '../../input/json-records.ts'
import { connectWithRetry } from '../connect-retry.ts'
import type { KinesisClientOptions, PutRecordsClient } from './client-interface.ts'
import { connectError, fromKinesisError, isFinalConnectError, placeText, putRecordsResult, type PutRecordsAnswer, type StreamPlace } from './errors.ts'
import { GENERATED_KEY_BYTES, MAX_HASH_KEY_TEXT, ShardMap, type ShardRange, explicitHashKeyOf, keyProblem, lineHashKey, openShardRanges, partitionKeys, shardIndexOf } from './shards.ts'
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS } from './limits.ts'
import { HEADROOM, KINESIS_SHARD_RATE, ShardLimiter, type ShardRate } from './shard-limiter.ts'
import { AGGREGATE_FRAME_BYTES, KEY_ENTRY_OVERHEAD, USER_RECORD_OVERHEAD, aggregate } from './aggregate.ts'

export interface KinesisTransportOptions extends KinesisClientOptions {
  readonly stream: string
  /** Key of a record without one: 32 random hex characters, or the hex MD5 of its line (stable). */
  readonly partitionKey: 'random' | 'hash'
  /** Each record's key (a decimal 0..2^128-1) is also sent as its ExplicitHashKey, which picks the shard. */
  readonly explicitHashKey?: boolean
  /** Partitions are shard indexes and the router places a record on its key's shard, so per-key order holds. */
  readonly shardOrdering: boolean
  /**
   * User records packed into KPL aggregated records (kinesis/aggregate.ts). Partitions are shard
   * indexes (as with shardOrdering): every user record of an aggregate maps to the shard it is sent
   * to. A batch is one aggregate (kinesisLimits), so a call succeeds or fails whole.
   */
  readonly aggregate?: boolean
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
  /**
   * With shardOrdering or aggregate: each shard's writes are kept under these limits before they
   * are sent (kinesis/shard-limiter.ts); null: no shaping. Default: Kinesis's published limits.
   */
  readonly shardRate?: ShardRate | null
  /** Source of random partition keys; default node:crypto randomBytes. */
  readonly randomBytes?: (size: number) => Buffer
}

/** A record's data + key limit when the stream does not report its own (MaxRecordSizeInKiB). */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024
/** --format json: Kinesis takes neither tombstones nor headers, and a shard is not chosen by number. */
export const KINESIS_JSON: JsonFieldRules = Object.freeze({ nullValue: '"value" is null (a tombstone): Kinesis has no null records', headers: '"headers": Kinesis records have no headers', partition: false })
/** Where a record goes when batches are not per shard: any lane, which may move it. */
const ANY: Placement = Object.freeze({ partition: ANY_PARTITION, pinned: false })
const MAX_SHARD_PAGES = 10_000

export class KinesisTransport implements Transport {
  readonly kind = 'kinesis' as const
  readonly target: string
  readonly notes: string[]
  /** What a partition number is: a shard index when batches are per shard, else a lane (a --workers slot). */
  readonly #partitionNoun: 'shard' | 'lane'
  /** Batches per shard (--shard-ordering, --aggregate): each record goes to its key's shard, pinned. */
  readonly #perShard: boolean
  /** --shard-ordering without --aggregate: no PutRecords may carry a partition key twice. */
  readonly #keysOnce: boolean
  #limits: TransportLimits
  readonly #o: KinesisTransportOptions
  readonly #client: PutRecordsClient
  readonly #randomBytes: (size: number) => Buffer
  #shards: ShardMap | null = null
  #place: StreamPlace
  #closed = false
  readonly #limiter: ShardLimiter | null = null
  /**
   * With --aggregate, where keyless records go: the shard (rank in the map) that gets them until
   * they would fill one batch (the builder's cut), then the next. Sending each to the next shard in
   * turn spread a linger's worth over every shard: on 1,000 shards, ~6 records per aggregate.
   */
  #sticky = { rank: -1, records: 0, bytes: 0 }
  /** With --aggregate, a random partition key per shard index that hashes into it, found once. */
  readonly #shardKeys = new Map<number, Buffer>()
  /** shardIndexOf() of each shard id seen in a result: parsed once per shard, not once per record. */
  readonly #shardIndexes = new Map<string, number | null>()

  constructor (options: KinesisTransportOptions) {
    this.#o = options
    this.target = options.stream
    const perShard = options.shardOrdering || options.aggregate === true
    this.#perShard = perShard
    this.#partitionNoun = perShard ? 'shard' : 'lane'
    this.#limits = kinesisLimits(options, DEFAULT_MAX_RECORD_BYTES)
    this.#client = options.client
    this.notes = [...(options.notes ?? [])]
    this.#randomBytes = options.randomBytes ?? cryptoRandomBytes
    this.#place = { stream: options.stream, region: options.region, endpoint: options.endpoint, credentialsFrom: options.credentialsFrom ?? null }
    const rate = options.shardRate === undefined ? KINESIS_SHARD_RATE : options.shardRate
    if (perShard && rate !== null) {
      this.#limiter = new ShardLimiter(rate, () => options.clock.now())
      this.notes.push(`each shard's writes kept under ${rate.recordsPerSecond} records/s and ${rate.bytesPerSecond} bytes/s before sending (${Math.round(HEADROOM * 100)} % planned; --shard-limit); throttled records are still counted and retried`)
    }
    // A call carries one aggregate, which fails or succeeds whole: keys may repeat in a batch.
    this.#keysOnce = options.shardOrdering && options.aggregate !== true
  }

  get limits (): TransportLimits { return this.#limits }

  /** Why a record can never be put (its line named), or null. */
  #refuse (record: InputRecord): string | null {
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
    if (this.#o.aggregate === true) {
      // Alone in an aggregate: framing, its key twice (table and the aggregate's own), and its explicit hash key.
      const alone = size + AGGREGATE_FRAME_BYTES + USER_RECORD_OVERHEAD + 2 * KEY_ENTRY_OVERHEAD + keyBytes + (this.#o.explicitHashKey === true ? keyBytes : 0)
      const limit = this.#aggregateBytes()
      if (alone <= limit) return null
      return `line ${record.lineNo}: record is ${size} bytes (data + partition key), ${alone} as an aggregated record, over the ${limit}-byte aggregated record limit of stream '${this.target}'`
    }
    const limit = this.#limits.maxRecordBytes
    if (size <= limit) return null
    return `line ${record.lineNo}: record is ${size} bytes (data + partition key), over the ${limit}-byte record limit of stream '${this.target}'`
  }

  /**
   * Records go to their key's shard when batches are per shard (--shard-ordering, --aggregate),
   * else to any lane; Kinesis takes neither tombstones nor headers.
   */
  router (topology: Topology): Router {
    const named = { noun: 'stream', target: this.target }
    return {
      ...named,
      partitionNoun: this.#partitionNoun,
      partitions: topology.partitions,
      sizeLimitName: targetName(named),
      batchRecordsNote: '',
      json: KINESIS_JSON,
      refuse: (record) => this.#refuse(record),
      place: this.#perShard ? (record) => ({ partition: this.#shardOf(record), pinned: true }) : () => ANY,
      ...(this.#keysOnce ? { batchKey: (record: InputRecord) => this.#orderKeyOf(record) } : {})
    }
  }

  async connect (): Promise<Topology> {
    const { clock, connectTimeoutMs } = this.#o
    const deadline = clock.now() + connectTimeoutMs
    this.#place = { ...this.#place, region: this.#o.region ?? await this.#client.region() }
    return await connectWithRetry({
      clock,
      deadline,
      attempt: () => this.#describe(deadline),
      failure: (err) => connectError(err, this.#place, connectTimeoutMs),
      isFinal: isFinalConnectError
    })
  }

  async send (batch: Batch, partition: number): Promise<SendResult> {
    if (this.#o.aggregate === true) return await this.#sendAggregated(batch.records, partition)
    const records = batch.records
    if (this.#limiter !== null) {
      let bytes = batch.bytes
      for (const r of records) if (recordKeyBytes(r) === 0) bytes += GENERATED_KEY_BYTES
      await this.#shape(partition, records.length, bytes)
    }
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

  // The user records of one shard packed into aggregates, sent in one PutRecords; each user record
  // gets the outcome of its aggregate.
  async #sendAggregated (records: readonly InputRecord[], partition: number): Promise<SendResult> {
    const n = records.length
    const map = this.#shards
    const range = map?.rangeOf(partition) ?? null
    if (map === null || range === null) {
      return { response: null, error: new KprodError('KPROD_INTERNAL', `no open shard ${partition} to aggregate records for`), records: null }
    }
    const ehk = this.#o.explicitHashKey === true
    // Keyless records of a shard share one random key, found once to hash into it (so a KCL
    // consumer, which checks that a user record's key belongs to its shard, keeps them).
    let random: Buffer | null = null
    const keyOf = (i: number): Buffer => {
      const r = records[i] as InputRecord
      if (r.key !== null) return r.key
      if (this.#o.partitionKey === 'hash') return Buffer.from(lineHashKey(r.line), 'latin1')
      return (random ??= this.#randomKeyIn(map, partition))
    }
    const aggregates: InputRecord[] = []
    const keys: string[] = []
    const aggregateOf = new Uint32Array(n)
    const limit = this.#aggregateBytes()
    let bytes = 0
    for (let from = 0; from < n;) {
      const a = aggregate(records, from, limit, keyOf, ehk ? (i) => keyOf(i) : null)
      aggregateOf.fill(aggregates.length, from, from + a.count)
      aggregates.push({ line: a.data, key: null, value: a.data, lineNo: (records[from] as InputRecord).lineNo, readAt: 0 })
      keys.push(a.partitionKey.toString('utf8'))
      bytes += a.data.length + a.partitionKey.length
      from += a.count
    }
    if (aggregates.length > MAX_BATCH_RECORDS || bytes > MAX_BATCH_BYTES) {
      return { response: null, error: new KprodError('KPROD_INTERNAL', `${n} records made ${aggregates.length} aggregated records of ${bytes} bytes: over one PutRecords`), records: null }
    }
    await this.#shape(partition, aggregates.length, bytes)
    const put = (signal: AbortSignal): Promise<PutRecordsAnswer> => this.#client.putRecords({
      stream: this.target,
      records: aggregates,
      keys: { text: keys, random: null },
      explicitHashKeys: ehk
    }, signal)
    try {
      const timeout = this.#o.requestTimeoutMs
      const out = await this.#call(timeout, `PutRecords got no answer within ${timeout} ms (--request-timeout)`, put)
      const result = putRecordsResult(out, aggregates.length, (shardId, sequence) => this.#position(shardId, sequence, partition))
      return expandAggregates(result, aggregateOf, n)
    } catch (err) {
      return { response: null, error: fromKinesisError(err), records: null }
    }
  }

  /** Waits until the shard may take `records` and `bytes` (no wait without a limiter), and books them. */
  async #shape (shard: number, records: number, bytes: number): Promise<void> {
    const limiter = this.#limiter
    if (limiter === null) return
    for (let wait = limiter.wait(shard, records, bytes); wait > 0; wait = limiter.wait(shard, records, bytes)) await this.#o.clock.sleep(wait)
    limiter.take(shard, records, bytes)
  }

  /**
   * A random partition key (32 hex characters) whose MD5 falls in the shard's hash key range. Each
   * key tried is kept for the shard it hashes into, so a stream of N shards costs about N ln N MD5s
   * in all (10,000 shards: ~100,000), where a fresh search per call cost N each.
   */
  #randomKeyIn (map: ShardMap, shard: number): Buffer {
    const keys = this.#shardKeys
    for (let tries = 0; tries < 1_000_000 && !keys.has(shard); tries++) {
      const key = Buffer.from(this.#randomBytes(GENERATED_KEY_BYTES / 2).toString('hex'), 'latin1')
      const index = map.shardFor(key)
      if (!keys.has(index)) keys.set(index, key)
    }
    const key = keys.get(shard)
    if (key === undefined) throw new KprodError('KPROD_INTERNAL', `no random partition key hashed into shard ${shard} in a million tries`)
    return key
  }

  /** Most bytes of one aggregated record with its partition key: 1 MiB, or the stream's record limit if lower. */
  #aggregateBytes (): number {
    return this.#limits.maxRecordBytes
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
    const lanes = { partitions: Array.from({ length: Math.max(1, this.#o.lanes) }, (_, i) => i) }
    const perShard = this.#o.shardOrdering || this.#o.aggregate === true
    if (!perShard && this.#o.placeShards !== true) return lanes
    const ranges = openShardRanges(await this.#listShards(deadline))
    if (ranges.length === 0) throw new KprodError('KPROD_TARGET_NOT_FOUND', `stream '${stream}' ${placeText(this.#place)} has no open shards`)
    this.#shards = new ShardMap(ranges)
    return perShard ? { partitions: this.#shards.partitions } : lanes
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

  /** The ids of the stream's open shards, after connect(). */
  shardIds (): string[] {
    return this.#shards?.ranges.map((r) => r.shardId) ?? []
  }

  /**
   * The shard a record would land on and its id (--dry-run): its key's (or explicit hash key's)
   * shard, else that of the partition key the send would make ('hash': the line's MD5, 'random':
   * fresh random bytes, as send() draws them). Empty before connect().
   */
  placeOf (record: InputRecord): string {
    const map = this.#shards
    if (map === null) return ''
    const index = record.key === null && this.#o.partitionKey === 'random' && this.#o.aggregate !== true
      ? map.shardFor(this.#randomBytes(GENERATED_KEY_BYTES / 2).toString('hex'))
      : this.#shardOf(record)
    return map.ranges.find((r) => r.index === index)?.shardId ?? ''
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
    if (this.#o.aggregate !== true) return ANY_PARTITION
    // Random keys with --aggregate: one shard until its batch is full, then the next; the aggregate gets a key of that shard.
    const ranges = map.ranges
    const s = this.#sticky
    const bytes = recordValueBytes(record)
    const limits = this.#limits
    if (s.rank < 0 || s.records >= limits.maxBatchRecords || (s.records > 0 && s.bytes + bytes > limits.maxBatchBytes)) {
      s.rank = (s.rank + 1) % ranges.length
      s.records = 0
      s.bytes = 0
    }
    s.records++
    s.bytes += bytes
    return (ranges[s.rank] as ShardRange).index
  }
}

/**
 * Limits for the builder. It counts key + value bytes, but a generated partition key (32 bytes)
 * is not in them, so the 5 MiB cap keeps room for one per record of a full batch. With aggregate,
 * a batch is user records for one aggregate: room is kept for their framing (and a generated hash
 * key each). With shard shaping, a batch is at most half a second of its shard.
 */
export function kinesisLimits (options: Pick<KinesisTransportOptions, 'maxBatchRecords' | 'maxBatchBytes'> & Partial<Pick<KinesisTransportOptions, 'aggregate' | 'shardOrdering' | 'partitionKey' | 'shardRate'>>, maxRecordBytes: number): TransportLimits {
  // With shaping, one call takes at most half a second of its shard: a bucket then keeps room for
  // requests that arrive closer together than they were sent (kinesis/shard-limiter.ts).
  const perShard = options.shardOrdering === true || options.aggregate === true
  const rate = perShard ? (options.shardRate === undefined ? KINESIS_SHARD_RATE : options.shardRate) : null
  const callRecords = rate === null ? Infinity : Math.max(1, Math.floor(rate.recordsPerSecond / 2))
  const callBytes = rate === null ? Infinity : Math.max(1, Math.floor(rate.bytesPerSecond / 2))
  if (options.aggregate === true) {
    // A line alone may make an aggregate up to the record limit; batches are cut at half a second.
    const aggregateBytes = Math.min(DEFAULT_MAX_RECORD_BYTES, maxRecordBytes)
    const maxBatchRecords = Math.max(1, options.maxBatchRecords)
    const perRecord = USER_RECORD_OVERHEAD + KEY_ENTRY_OVERHEAD + (options.partitionKey === 'hash' ? GENERATED_KEY_BYTES : 0)
    // One aggregate per call (a call then succeeds or fails whole): room for its magic, digest and
    // partition key (256 characters of up to 3 bytes) twice.
    const room = Math.min(aggregateBytes, callBytes) - AGGREGATE_FRAME_BYTES - 2 * 3 * 256
    const cap = Math.max(1, room - maxBatchRecords * perRecord)
    return { maxRecordBytes: aggregateBytes, maxBatchRecords, maxBatchBytes: Math.max(1, Math.min(options.maxBatchBytes, cap)) }
  }
  const maxBatchRecords = Math.max(1, Math.min(options.maxBatchRecords, MAX_BATCH_RECORDS, callRecords))
  const cap = Math.min(MAX_BATCH_BYTES, callBytes) - maxBatchRecords * GENERATED_KEY_BYTES
  return { maxRecordBytes, maxBatchRecords, maxBatchBytes: Math.max(1, Math.min(options.maxBatchBytes, cap)) }
}

/** The aggregates' results as the user records': record k gets the result of aggregate aggregateOf[k]. */
function expandAggregates (result: SendResult, aggregateOf: Uint32Array, n: number): SendResult {
  const response = result.response === null ? null : { ...result.response, userRecords: n }
  const records = result.records
  if (records === null) return { ...result, response }
  if (isDeliveredRun(records)) {
    const run: DeliveredRun = {
      kind: 'run',
      count: n,
      at: (k) => records.at(aggregateOf[k] as number),
      shardId: (k) => records.shardId(aggregateOf[k] as number)
    }
    return { response, error: null, records: run }
  }
  const each = new Array<RecordResult>(n)
  for (let k = 0; k < n; k++) each[k] = records[aggregateOf[k] as number] as RecordResult
  return { response, error: null, records: each }
}
