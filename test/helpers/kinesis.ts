// Test access to local Kinesis emulators (scripts/local-kinesis): one shared endpoint per
// implementation, streams, and complete reads of every shard with the AWS SDK. An emulator that
// cannot be started is a test failure, never a skip.

import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { after } from 'node:test'
import { promisify } from 'node:util'
import {
  CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand,
  KinesisClient, ListShardsCommand, type Shard
} from '@aws-sdk/client-kinesis'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import type { Readable } from 'node:stream'
import { kprod, type CliRun } from './cli.ts'
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts'
import { ROOT } from './kafka.ts'

const run = promisify(execFile)
const SCRIPT = join(ROOT, 'scripts', 'local-kinesis')

export type KinesisImpl = 'kinesalite' | 'kinesis-mock'

/**
 * What a kprod child process needs to talk to an emulator: fake credentials and a region, in the
 * environment. With KPROD_TEST_AWS_CHAIN=profile (kinesis-http-sdk-chain.test.ts), the credentials
 * come from a credential_process in a profile of a temporary shared config file instead, which only
 * the AWS SDK runs.
 */
export const KINESIS_TEST_ENV: Readonly<Record<string, string>> = Object.freeze(process.env.KPROD_TEST_AWS_CHAIN === 'profile'
  ? profileEnv()
  : {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true'
    })

function profileEnv (): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'kprod-aws-profile-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  // A credential process: the one kind of profile here that only the SDK's chain can read.
  writeFileSync(join(dir, 'config'), '[profile kprod-test]\nregion = us-east-1\ncredential_process = /bin/echo \'{"Version": 1, "AccessKeyId": "test", "SecretAccessKey": "test"}\'\n')
  return {
    AWS_PROFILE: 'kprod-test',
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_CONFIG_FILE: join(dir, 'config'),
    // Empty is unset to the SDK; AWS_REGION stays, since an empty one would be taken as the region.
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true'
  }
}

/**
 * What a run's summary notes say about its Kinesis client and where its AWS settings came from:
 * with --kinesis-client http (KPROD_KINESIS_CLIENT, set by kinesis-http-*.test.ts), which way it went.
 */
export function expectedClientNote (): RegExp {
  if (process.env.KPROD_KINESIS_CLIENT !== 'http') {
    return /^AWS SDK: credentials from AWS_ACCESS_KEY_ID in the environment, region us-east-1 \(AWS_REGION\), endpoint http:\/\/127\.0\.0\.1:\d+ \(--endpoint\)$/
  }
  return process.env.KPROD_TEST_AWS_CHAIN === 'profile'
    ? /^--kinesis-client http: PutRecords signed by kprod, the other calls through the AWS SDK because profile 'kprod-test' \(AWS_PROFILE\) has credential_process; credentials from the AWS SDK's default chain \(.*\), profile kprod-test \(AWS_PROFILE\), region us-east-1 \(AWS_REGION\), endpoint http:\/\/127\.0\.0\.1:\d+ \(--endpoint\)$/
    : /; the AWS SDK was not loaded$/
}

/** A running emulator. */
export interface LocalKinesis {
  readonly impl: KinesisImpl
  /** http://127.0.0.1:PORT */
  readonly endpoint: string
  /** Creates a stream (default: 1 shard, a random name), waits until ACTIVE, returns its name. */
  createStream (options?: StreamOptions): Promise<string>
}

export interface StreamOptions {
  readonly shards?: number
  readonly name?: string
}

/** A record as read back from a shard. */
export interface StoredRecord {
  readonly shardId: string
  readonly sequenceNumber: string
  readonly partitionKey: string
  readonly data: Buffer
}

/** An SDK client for an emulator: HTTP/1.1 (kinesalite has no HTTP/2), fake credentials. */
export function testKinesisClient (endpoint: string, maxAttempts = 3): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: KINESIS_TEST_ENV.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true })
  })
}

/**
 * Runs scripts/local-kinesis with this process's environment (KPROD_KINESIS_HOME included), or
 * with `home` as KPROD_KINESIS_HOME: a teardown must name the home it made, since test files run
 * together in one process (kinesis-http-client.test.ts) each set the variable when imported.
 */
export async function localKinesisScript (args: readonly string[], home?: string): Promise<string> {
  try {
    const env = home === undefined ? process.env : { ...process.env, KPROD_KINESIS_HOME: home }
    const { stdout } = await run(SCRIPT, args, { env, maxBuffer: 16 * 1024 * 1024, timeout: 180_000 })
    return stdout
  } catch (err) {
    const e = err as { stderr?: string, message: string }
    throw new Error(`scripts/local-kinesis ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}`)
  }
}

function lastLine (text: string): string {
  const lines = text.trim().split('\n')
  return lines[lines.length - 1] ?? ''
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function createStream (endpoint: string, options: StreamOptions): Promise<string> {
  const name = options.name ?? `s-${randomBytes(4).toString('hex')}`
  const client = testKinesisClient(endpoint)
  try {
    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: options.shards ?? 1 }))
    const deadline = Date.now() + 60_000
    for (;;) {
      const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }))
      if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return name
      if (Date.now() > deadline) throw new Error(`stream ${name} at ${endpoint} is not ACTIVE after 60 s`)
      await sleep(20)
    }
  } finally {
    client.destroy()
  }
}

const started = new Map<KinesisImpl, Promise<LocalKinesis>>()

/** The emulator tests share: started once per process (idempotently), left running afterwards. */
export function localKinesis (impl: KinesisImpl): Promise<LocalKinesis> {
  let shared = started.get(impl)
  if (shared === undefined) {
    shared = (async () => {
      const endpoint = lastLine(await localKinesisScript(['up', '--impl', impl]))
      if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(endpoint)) throw new Error(`local-kinesis up printed no URL: ${endpoint}`)
      return { impl, endpoint, createStream: (options = {}) => createStream(endpoint, options) }
    })()
    // A failed start is reported to every caller, and the next call tries again.
    shared.catch(() => started.delete(impl))
    started.set(impl, shared)
  }
  return shared
}

async function listShards (client: KinesisClient, stream: string): Promise<Shard[]> {
  const shards: Shard[] = []
  let token: string | undefined
  do {
    const page = await client.send(new ListShardsCommand(token === undefined ? { StreamName: stream } : { NextToken: token }))
    shards.push(...page.Shards ?? [])
    token = page.NextToken
  } while (token !== undefined)
  return shards.sort((a, b) => (a.ShardId ?? '').localeCompare(b.ShardId ?? ''))
}

async function readShard (client: KinesisClient, stream: string, shardId: string): Promise<StoredRecord[]> {
  const out: StoredRecord[] = []
  const it = await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))
  let iterator = it.ShardIterator
  const deadline = Date.now() + 60_000
  while (iterator !== undefined) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }))
    for (const r of page.Records ?? []) {
      const data = r.Data ?? new Uint8Array()
      out.push({
        shardId,
        sequenceNumber: r.SequenceNumber ?? '',
        partitionKey: r.PartitionKey ?? '',
        data: Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      })
    }
    // Drained: an empty page that is not behind, or the end of a closed shard.
    if ((page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0) break
    if (Date.now() > deadline) throw new Error(`shard ${shardId} of ${stream} not drained after 60 s`)
    iterator = page.NextShardIterator ?? undefined
  }
  return out
}

/** Every record of every shard, from TRIM_HORIZON until drained; shard by shard, in order. */
export async function readStream (endpoint: string, stream: string): Promise<StoredRecord[]> {
  const client = testKinesisClient(endpoint)
  try {
    const out: StoredRecord[] = []
    for (const shard of await listShards(client, stream)) {
      out.push(...await readShard(client, stream, shard.ShardId ?? ''))
    }
    return out
  } finally {
    client.destroy()
  }
}

/**
 * For a test file that needs emulators of its own: points the helpers (which run
 * scripts/local-kinesis with this process's environment) at a private KPROD_KINESIS_HOME, and
 * after the file stops its emulators and removes that folder.
 */
export function privateKinesisHome (name: string): string {
  const home = mkdtempSync(join(tmpdir(), `kprod-${name}-`))
  process.env.KPROD_KINESIS_HOME = home
  after(async () => {
    await localKinesisScript(['down'], home)
    rmSync(home, { recursive: true, force: true })
  })
  return home
}

/**
 * privateKinesisHome() and a scratch folder; after the file, closes the fault proxies pushed onto
 * `proxies` and removes the folder.
 */
export function privateKinesisFixture (name: string): { readonly work: string, readonly proxies: FaultProxy[] } {
  const work = mkdtempSync(join(tmpdir(), `kprod-${name}-files-`))
  const proxies: FaultProxy[] = []
  // Registered first, so it runs first: the proxies close before their emulators stop.
  after(async () => {
    for (const p of proxies) await p.close()
    rmSync(work, { recursive: true, force: true })
  })
  privateKinesisHome(name)
  return { work, proxies }
}

/**
 * A stream of `shards` on `impl`'s emulator behind a fresh fault proxy (passing everything until
 * told otherwise), pushed onto `proxies` (privateKinesisFixture's) so it is closed after the file.
 */
export async function proxiedStream (proxies: FaultProxy[], impl: KinesisImpl = 'kinesalite', shards = 2): Promise<{ endpoint: string, stream: string, proxy: FaultProxy }> {
  const kinesis = await localKinesis(impl)
  const stream = await kinesis.createStream({ shards })
  const proxy = await startFaultProxy(kinesis.endpoint, { mode: 'pass' })
  proxies.push(proxy)
  return { endpoint: kinesis.endpoint, stream, proxy }
}

/** kprod --stream S through `proxy`, with the emulators' fake credentials and region. */
export function putThrough (proxy: FaultProxy, stream: string, args: readonly string[], input: Buffer | Readable): Promise<CliRun> {
  return kprod(['--stream', stream, '--endpoint', proxy.url, '--no-progress', ...args], { input, env: KINESIS_TEST_ENV, timeoutMs: 240_000 })
}
