// Picks the client behind the Kinesis transport, with the AWS settings read as the AWS SDK and
// CLI read them (kinesis/aws-config.ts). --kinesis-client sdk: the AWS SDK for every call, told the
// profile, region, endpoint and (when kprod can read them) credentials that kprod found, so the
// notes say what the SDK uses. --kinesis-client http: kprod's own HTTP client
// (kinesis/http/client.ts) for every call when kinesis/http/env-settings.ts says the SDK is not
// needed; else PutRecords from kprod and the rest from the SDK. The SDK (kinesis/sdk.ts) is
// imported only in the runs that use it.

import { readFileSync } from 'node:fs'
import { directSettings, regionEndpoint, type DirectSettings, type Env, type ReadConfigFile } from './http/env-settings.ts'
import { KinesisHttpClient } from './http/client.ts'
import { settingsText } from './aws-config.ts'
import type { KinesisClientOptions, PutRecordsClient } from './client-interface.ts'

/** The client and what the transport says about it. */
export interface OpenedClient {
  readonly client: PutRecordsClient
  readonly credentialsFrom?: string
  readonly notes: readonly string[]
}

export async function openKinesisClient (options: KinesisClientOptions, env: Env, readConfigFile: ReadConfigFile = readSharedConfig): Promise<OpenedClient> {
  const choice = directSettings({ profile: options.profile ?? null, region: options.region, endpoint: options.endpoint }, env, readConfigFile)
  if (options.putRecordsOver === 'http' && 'direct' in choice) {
    return { client: directClient(choice.direct, options), credentialsFrom: choice.direct.credentialsFrom, notes: [choice.direct.note] }
  }
  const config = choice.config
  const { sdkClient } = await import('./sdk.ts')
  const credentialsFrom = config.credentials?.from ?? `the AWS SDK's default chain (${config.credentialsWhy})`
  const sdkOptions = {
    ...options,
    region: config.region?.value ?? null,
    endpoint: config.endpoint?.value ?? null,
    ...(config.profileNamed ? { profile: config.profile.value } : {}),
    ...(config.credentials === null ? {} : { credentials: config.credentials.value })
  }
  const region = config.region === null ? null : regionEndpoint(config.region.value)
  const what = `credentials from ${credentialsFrom}, ${settingsText(config, region === null ? 'chosen by the AWS SDK' : `https://${region.hostname}`)}`
  const note = options.putRecordsOver === 'http'
    ? `--kinesis-client http: PutRecords signed by kprod, the other calls through the AWS SDK because ${'reason' in choice ? choice.reason : ''}; ${what}`
    : `AWS SDK: ${what}`
  return { client: sdkClient(sdkOptions), credentialsFrom, notes: [note] }
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
