// Picks the client behind the Kinesis transport. --kinesis-client sdk: the AWS SDK for every
// call. --kinesis-client http: kprod's own HTTP client (kinesis/http/client.ts) for every call, with the
// credentials and region from the environment (kinesis/http/env-settings.ts); or, when the run needs the
// SDK's default chain to find them, PutRecords from kprod and the rest from the SDK. The SDK
// (kinesis/sdk.ts) is imported only in the runs that use it.

import { readFileSync } from 'node:fs'
import { directSettings, type DirectSettings, type Env, type ReadConfigFile } from './http/env-settings.ts'
import { KinesisHttpClient } from './http/client.ts'
import type { KinesisClientOptions, PutRecordsClient } from './client-interface.ts'

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
