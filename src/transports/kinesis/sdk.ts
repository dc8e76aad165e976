// The AWS SDK side of the Kinesis transport: a PutRecordsClient on @aws-sdk/client-kinesis, with
// the SDK's default credential chain, region and endpoint resolution. Loaded only when a run
// needs the SDK (kinesis/client.ts): --kinesis-client sdk, or http without credentials and a
// region in the environment. With http, PutRecords goes through kinesis/http/client.ts and the SDK
// still finds credentials, region and endpoint and makes the calls at start.

import { format } from 'node:util'
import {
  KinesisClient, DescribeStreamSummaryCommand, ListShardsCommand, PutRecordsCommand,
  type KinesisClientConfig, type PutRecordsInput, type PutRecordsRequestEntry
} from '@aws-sdk/client-kinesis'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import type { AwsCredentialIdentity, Logger } from '@smithy/types'
import type { InputRecord } from '../../record.ts'
import type { StaticCredentials } from './aws-config.ts'
import type { KinesisClientOptions, PutRecordsClient } from './client-interface.ts'
import { KinesisHttpClient, type HttpEndpoint } from './http/client.ts'
import type { PutRecordsCall } from './http/request-body.ts'
import { partitionKeyTexts } from './shards.ts'

/** The SDK's input for a call: values as Uint8Array views into the lines, no copy before the SDK serializes them. */
export function putRecordsInput (call: PutRecordsCall): PutRecordsInput {
  const { records } = call
  const keys = partitionKeyTexts(call.keys, records.length)
  const entries = new Array<PutRecordsRequestEntry>(records.length)
  for (let i = 0; i < records.length; i++) {
    entries[i] = { Data: (records[i] as InputRecord).value, PartitionKey: keys[i] as string }
    if (call.explicitHashKeys) entries[i]!.ExplicitHashKey = keys[i]
  }
  return { StreamName: call.stream, Records: entries }
}

type ClientOptions = Pick<KinesisClientOptions, 'region' | 'endpoint' | 'profile' | 'credentials' | 'requestTimeoutMs' | 'connectTimeoutMs' | 'log'>

/**
 * The KinesisClient settings: no SDK retries, the profile, region, endpoint and credentials kprod
 * resolved (kinesis/aws-config.ts), HTTP/1.1 for http:// endpoints (the SDK's Kinesis client speaks
 * HTTP/2, which emulators and plain-HTTP proxies refuse with ERR_HTTP2_ERROR), SDK logs to `log`.
 */
export function clientConfig (options: ClientOptions): KinesisClientConfig {
  const logger = sdkLogger(options.log)
  const http = options.endpoint?.startsWith('http://') === true
  return {
    maxAttempts: 1,
    logger,
    ...(options.region === null ? {} : { region: options.region }),
    ...(options.endpoint === null ? {} : { endpoint: options.endpoint }),
    ...(options.profile == null ? {} : { profile: options.profile }),
    ...(options.credentials === undefined ? {} : { credentials: sdkCredentials(options.credentials) }),
    ...(http
      ? {
          requestHandler: new NodeHttpHandler({
            requestTimeout: options.requestTimeoutMs,
            connectionTimeout: options.connectTimeoutMs,
            throwOnRequestTimeout: true,
            logger
          })
        }
      : {})
  }
}

/**
 * A PutRecordsClient on a real KinesisClient with the default credential chain. With `http`,
 * PutRecords skips the SDK (kinesis/http/client.ts) but uses its credentials, region and the endpoint
 * its last call went to.
 */
export function sdkClient (options: KinesisClientOptions): PutRecordsClient {
  const client = new KinesisClient(clientConfig(options))
  // The SDK's logger middleware builds a filtered copy of every call's whole input and output for
  // one log entry per call, which sdkLogger drops (it has a commandName); without it kprod spends
  // ~12% less CPU on 100-byte records (bench/README.md, Kinesis). Warnings still reach the logger.
  client.middlewareStack.remove('loggerMiddleware')
  const direct = options.putRecordsOver === 'http' ? httpPutRecords(client, options) : null
  return {
    describeStreamSummary: (input, signal) => client.send(new DescribeStreamSummaryCommand(input), { abortSignal: signal }),
    listShards: (input, signal) => client.send(new ListShardsCommand(input), { abortSignal: signal }),
    putRecords: direct === null
      ? (call, signal) => client.send(new PutRecordsCommand(putRecordsInput(call)), { abortSignal: signal })
      : (call, signal) => direct.putRecords(call, signal),
    region: async () => {
      try {
        return await client.config.region()
      } catch {
        return null
      }
    },
    destroy: () => {
      direct?.destroy()
      client.destroy()
    }
  }
}

/** PutRecords for --kinesis-client http, to the endpoint the SDK's last call (DescribeStreamSummary at start) went to. */
function httpPutRecords (client: KinesisClient, options: Pick<KinesisClientOptions, 'connectTimeoutMs' | 'lanes' | 'clock'>): KinesisHttpClient {
  let endpoint: HttpEndpoint | null = null
  client.middlewareStack.add((next) => async (args) => {
    const r = args.request as Partial<HttpEndpoint>
    if (typeof r.hostname === 'string' && typeof r.protocol === 'string') {
      endpoint = { protocol: r.protocol, hostname: r.hostname, port: r.port, path: r.path ?? '/' }
    }
    return await next(args)
  }, { step: 'finalizeRequest', name: 'kprodEndpointMiddleware' })
  return new KinesisHttpClient({
    credentials: () => client.config.credentials(),
    region: () => client.config.region(),
    endpoint: () => endpoint,
    connectTimeoutMs: options.connectTimeoutMs,
    maxSockets: options.lanes + 1,
    clock: options.clock
  })
}

function sdkCredentials ({ accessKeyId, secretAccessKey, sessionToken }: StaticCredentials): AwsCredentialIdentity {
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) }
}

// The SDK's logger middleware reports each failed call with its whole input (every record's data);
// the exchange records already carry the error, so those entries are dropped and the rest kept short.
function sdkLogger (log: (line: string) => void): Logger {
  const quiet = (): void => {}
  const write = (level: string) => (...content: unknown[]): void => {
    const first = content[0]
    if (content.length === 1 && typeof first === 'object' && first !== null && 'commandName' in first) return
    log(`kprod: aws-sdk ${level}: ${format(...content).slice(0, 2000)}`)
  }
  return { trace: quiet, debug: quiet, info: quiet, warn: write('warn'), error: write('error') }
}
