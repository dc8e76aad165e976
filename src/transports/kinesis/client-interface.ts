// What a Kinesis client does for the transport, whichever sends the calls (the AWS SDK in sdk.ts,
// kprod's own HTTP client in http/client.ts, or a unit test's fake), and what building one takes.
// Its own module so that client.ts, which picks one, and sdk.ts, which it loads lazily, do not
// import each other.

import type { DescribeStreamSummaryInput, DescribeStreamSummaryOutput, ListShardsInput, ListShardsOutput } from '@aws-sdk/client-kinesis'
import type { Clock } from '../../util/clock.ts'
import type { PutRecordsAnswer } from './errors.ts'
import type { PutRecordsCall } from './http/request-body.ts'
import type { StaticCredentials } from './aws-config.ts'

/** The calls the transport makes: the SDK's, kprod's HTTP client's, or a unit test's fake. */
export interface PutRecordsClient {
  describeStreamSummary (input: DescribeStreamSummaryInput, signal: AbortSignal): Promise<DescribeStreamSummaryOutput>
  listShards (input: ListShardsInput, signal: AbortSignal): Promise<ListShardsOutput>
  putRecords (call: PutRecordsCall, signal: AbortSignal): Promise<PutRecordsAnswer>
  /** The region requests go to, for messages; null when none is configured. */
  region (): Promise<string | null>
  destroy (): void
}

/** What picking and building a client takes (the transport's options include these). */
export interface KinesisClientOptions {
  /** --region; null: AWS_REGION, else the profile's (kinesis/aws-config.ts). */
  readonly region: string | null
  /** --endpoint, e.g. http://127.0.0.1:4567; null: AWS_ENDPOINT_URL_KINESIS, ..., else the region's. An http:// endpoint gets HTTP/1.1 (emulators fail on HTTP/2). */
  readonly endpoint: string | null
  /** --profile; null: AWS_PROFILE, else the default profile. */
  readonly profile?: string | null
  /** Keys kprod read (environment or profile) for the SDK; absent: the SDK's default chain finds them. */
  readonly credentials?: StaticCredentials
  /** PutRecords through the SDK, or written and signed by kinesis/http/client.ts (default 'sdk'). */
  readonly putRecordsOver?: 'sdk' | 'http'
  /** Without shardOrdering: partitions are 0..lanes-1, concurrency lanes that all send by PutRecords. */
  readonly lanes: number
  /** --dry-run: list the shards even when batches go by lanes, so placeOf() can name each record's shard. */
  readonly placeShards?: boolean
  readonly requestTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly log: (line: string) => void
  readonly clock: Clock
}
