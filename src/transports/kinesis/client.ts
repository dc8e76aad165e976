// Picks the client behind the Kinesis transport. --kinesis-client sdk: the AWS SDK for every
// call. --kinesis-client http: kprod's own HTTP client (kinesis/http/client.ts) for every call, with the
// credentials and region from the environment (kinesis/http/env-settings.ts); or, when the run needs the
// SDK's default chain to find them, PutRecords from kprod and the rest from the SDK. The SDK
// (kinesis/sdk.ts) is imported only in the runs that use it.

import { readFileSync } from 'node:fs'
import type { DescribeStreamSummaryInput, DescribeStreamSummaryOutput, ListShardsInput, ListShardsOutput } from '@aws-sdk/client-kinesis'
import type { Clock } from '../../util/clock.ts'
import { directSettings, type DirectSettings, type Env, type ReadConfigFile } from './http/env-settings.ts'
import type { PutRecordsAnswer } from './errors.ts'
import { KinesisHttpClient } from './http/client.ts'
import type { PutRecordsCall } from './http/request-body.ts'

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
  /** --region; null: AWS_REGION, else the SDK's default chain (the profile, ...). */
  readonly region: string | null
  /** e.g. http://127.0.0.1:4567; an http:// endpoint gets the HTTP/1.1 NodeHttpHandler (emulators fail on HTTP/2). */
  readonly endpoint: string | null
  /** PutRecords through the SDK, or written and signed by kinesis/http/client.ts (default 'sdk'). */
  readonly putRecordsOver?: 'sdk' | 'http'
  /** Without shardOrdering: partitions are 0..lanes-1, concurrency lanes that all send by PutRecords. */
  readonly lanes: number
  readonly requestTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly log: (line: string) => void
  readonly clock: Clock
}

/** The client and what the transport says about it. */
export interface OpenedClient {
  readonly client: PutRecordsClient
  readonly credentialsFrom?: string
  readonly notes: readonly string[]
}

export async function openKinesisClient (options: KinesisClientOptions, env: Env, readConfigFile: ReadConfigFile = readSharedConfig): Promise<OpenedClient> {
  let notes: string[] = []
  if (options.putRecordsOver === 'http') {
    const choice = directSettings(options, env, readConfigFile)
    if ('direct' in choice) {
      return { client: directClient(choice.direct, options), credentialsFrom: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment', notes: [choice.direct.note] }
    }
    notes = [`--kinesis-client http: credentials, region and endpoint from the AWS SDK's default chain, because ${choice.reason}`]
  }
  const { sdkClient } = await import('./sdk.ts')
  return { client: sdkClient(options), notes }
}

/** Every call signed and sent by kprod, to the endpoint and with the credentials settled at start. */
export function directClient (settings: DirectSettings, options: Pick<KinesisClientOptions, 'connectTimeoutMs' | 'lanes' | 'clock'>): PutRecordsClient {
  const http = new KinesisHttpClient({
    credentials: async () => settings.credentials,
    region: async () => settings.region,
    endpoint: () => settings.endpoint,
    connectTimeoutMs: options.connectTimeoutMs,
    maxSockets: options.lanes + 1,
    clock: options.clock
  })
  return {
    describeStreamSummary: (input, signal) => http.json('DescribeStreamSummary', input, signal),
    listShards: (input, signal) => http.json('ListShards', input, signal),
    putRecords: (call, signal) => http.putRecords(call, signal),
    region: async () => settings.region,
    destroy: () => http.destroy()
  }
}

function readSharedConfig (path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null
    throw err
  }
}
