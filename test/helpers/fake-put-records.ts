// A scripted PutRecordsClient for unit tests: records every call, answers PutRecords from a script
// (or holds it for the test to settle), and serves DescribeStreamSummary and paginated ListShards
// from plain data. SDK-shaped errors come from awsError() and socketError().

import type { DescribeStreamSummaryOutput, ListShardsInput, ListShardsOutput, PutRecordsInput, Shard } from '@aws-sdk/client-kinesis'
import type { PutRecordsAnswer } from '../../src/transports/kinesis/errors.ts'
import type { PutRecordsClient } from '../../src/transports/kinesis/client-interface.ts'
import { putRecordsInput } from '../../src/transports/kinesis/sdk.ts'
import type { PutRecordsCall } from '../../src/transports/kinesis/http/request-body.ts'

/** One PutRecords call as the fake saw it. `resolve`/`reject` settle a held call. */
export interface PutCall {
  /** 0-based index of the call across the fake's life. */
  readonly index: number
  readonly input: PutRecordsInput
  /** Partition keys and data of the request, in order. */
  readonly keys: readonly string[]
  readonly data: readonly Uint8Array[]
  readonly signal: AbortSignal
  readonly resolve: (answer: PutRecordsAnswer) => void
  readonly reject: (err: unknown) => void
}

/** Answers a call: an answer settles it, an Error rejects it, undefined holds it for the test. */
export type PutResponder = (call: PutCall) => PutRecordsAnswer | Error | undefined

/** Answers DescribeStreamSummary: an output, or an Error to reject with. */
export type DescribeResponder = (attempt: number) => DescribeStreamSummaryOutput | Error

export interface FakePutRecordsOptions {
  readonly respond?: PutResponder
  readonly describe?: DescribeResponder
  readonly shards?: readonly Shard[]
  /** Shards per ListShards page; default 2, so that paging is exercised. */
  readonly pageSize?: number
  readonly region?: string | null
}

export class FakePutRecords implements PutRecordsClient {
  readonly calls: PutCall[] = []
  readonly listCalls: ListShardsInput[] = []
  describeCalls = 0
  destroyed = 0
  respond: PutResponder
  describe: DescribeResponder
  readonly #shards: readonly Shard[]
  readonly #pageSize: number
  readonly #region: string | null

  constructor (options: FakePutRecordsOptions = {}) {
    this.respond = options.respond ?? ((call) => allDelivered(call))
    this.describe = options.describe ?? (() => streamSummary('ACTIVE'))
    this.#shards = options.shards ?? evenShards(1)
    this.#pageSize = options.pageSize ?? 2
    this.#region = options.region === undefined ? 'us-east-1' : options.region
  }

  async describeStreamSummary (): Promise<DescribeStreamSummaryOutput> {
    const answer = this.describe(++this.describeCalls)
    if (answer instanceof Error) throw answer
    return answer
  }

  async listShards (input: ListShardsInput): Promise<ListShardsOutput> {
    this.listCalls.push(input)
    const from = input.NextToken === undefined ? 0 : Number(input.NextToken)
    const to = from + this.#pageSize
    const out: ListShardsOutput = { Shards: this.#shards.slice(from, to) }
    return to < this.#shards.length ? { ...out, NextToken: String(to) } : out
  }

  putRecords (request: PutRecordsCall, signal: AbortSignal): Promise<PutRecordsAnswer> {
    return new Promise((resolve, reject) => {
      // Seen as the SDK would get it.
      const input = putRecordsInput(request)
      const records = input.Records ?? []
      const call: PutCall = {
        index: this.calls.length,
        input,
        keys: records.map((r) => r.PartitionKey ?? ''),
        data: records.map((r) => r.Data ?? new Uint8Array()),
        signal,
        resolve,
        reject
      }
      this.calls.push(call)
      const answer = this.respond(call)
      if (answer instanceof Error) reject(answer)
      else if (answer !== undefined) resolve(answer)
    })
  }

  async region (): Promise<string | null> { return this.#region }

  destroy (): void { this.destroyed++ }

  /** Records carried by each PutRecords call, in call order. */
  get sizes (): number[] {
    return this.calls.map((c) => c.keys.length)
  }
}

/** A DescribeStreamSummary answer with the given status (and record limit). */
export function streamSummary (status: string, maxRecordSizeInKiB?: number): DescribeStreamSummaryOutput {
  return {
    StreamDescriptionSummary: {
      StreamName: 's',
      StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
      StreamStatus: status as 'ACTIVE',
      RetentionPeriodHours: 24,
      StreamCreationTimestamp: new Date(0),
      EnhancedMonitoring: [],
      OpenShardCount: 1,
      ...(maxRecordSizeInKiB === undefined ? {} : { MaxRecordSizeInKiB: maxRecordSizeInKiB })
    }
  }
}

/** Per-entry answer: `fail(k, key)` returns [ErrorCode, ErrorMessage] for a failed entry, or null. */
export function answer (call: PutCall, fail: (k: number, key: string) => readonly [string, string] | null, shard = 'shardId-000000000000'): PutRecordsAnswer {
  let failed = 0
  const Records = call.keys.map((key, k) => {
    const error = fail(k, key)
    if (error === null) return { ShardId: shard, SequenceNumber: `${1000 + call.index * 1000 + k}` }
    failed++
    return { ErrorCode: error[0], ErrorMessage: error[1] }
  })
  return { FailedRecordCount: failed, Records, EncryptionType: 'NONE', $metadata: { requestId: `req-${call.index}` } }
}

export function allDelivered (call: PutCall): PutRecordsAnswer {
  return answer(call, () => null)
}

/** An error shaped like an AWS SDK ServiceException. */
export function awsError (name: string, message: string, httpStatusCode = 400, fault: 'client' | 'server' = 'client'): Error {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode, requestId: 'rid-1' } })
}

/** A socket error as Node raises it (`code` set), optionally renamed the way the NodeHttpHandler does. */
export function socketError (code: string, message: string, name = 'Error'): Error {
  return Object.assign(new Error(message), { code, name })
}

const SPACE = 1n << 128n

/** Open shards splitting the hash key space evenly, the way CreateStream does. */
export function evenShards (count: number): Shard[] {
  const shards: Shard[] = []
  for (let i = 0; i < count; i++) {
    const start = SPACE * BigInt(i) / BigInt(count)
    const end = SPACE * BigInt(i + 1) / BigInt(count) - 1n
    shards.push(shard(i, start, end))
  }
  return shards
}

export function shard (index: number, start: bigint, end: bigint, closed = false): Shard {
  return {
    ShardId: `shardId-${String(index).padStart(12, '0')}`,
    HashKeyRange: { StartingHashKey: start.toString(), EndingHashKey: end.toString() },
    SequenceNumberRange: { StartingSequenceNumber: '1', ...(closed ? { EndingSequenceNumber: '2' } : {}) }
  }
}
