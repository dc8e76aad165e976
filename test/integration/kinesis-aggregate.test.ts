// --aggregate on both emulators: 200,000 small lines (100,000 on kinesis-mock) (keys, invalid UTF-8, NUL, CR) go in as KPL
// aggregated records; every shard read back and de-aggregated with AWS's own package
// (aws-kinesis-agg, checksums on) holds exactly the input lines whose partition key maps to it, byte
// for byte and in input order. Keyless lines spread over the shards with keys of their shard. A
// fault proxy fails some aggregated records: only their user records are sent again, each line
// ends delivered once, and every line keeps its own accounting. --failed-output still writes the
// lines of an aggregate that failed for good.

import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ListShardsCommand } from '@aws-sdk/client-kinesis'
import { kprod, type CliRun, why } from '../helpers/cli.ts'
import { startFaultProxy } from '../helpers/fault-proxy.ts'
import { KINESIS_TEST_ENV, localKinesis, privateKinesisFixture, readStream, testKinesisClient, type KinesisImpl, type StoredRecord } from '../helpers/kinesis.ts'
import { deaggregate, type UserRecord } from '../helpers/kpl.ts'
import { AGGREGATE_MAGIC } from '../../src/transports/kinesis/aggregate.ts'

const { work, proxies } = privateKinesisFixture('kinesis-aggregate')
const SLOW = { timeout: 600_000 }
// kinesis-mock is slow with large requests and reads (200,000 lines took 80 s there under load,
// 33 s of it kprod's run): half of them keep the case well under two minutes.
const LINES: Record<KinesisImpl, number> = { kinesalite: 200_000, 'kinesis-mock': 100_000 }

interface Counts { read: number, delivered: number, failed: number, unknown: number, skipped: number, unsent: number }

/** Line i: key k<i % 97>, TAB, a value with the bytes that break text handling. */
function keyedLines (n: number): { input: Buffer, keys: string[], values: Buffer[] } {
  const parts: Buffer[] = []
  const keys: string[] = []
  const values: Buffer[] = []
  for (let i = 0; i < n; i++) {
    const key = `k${i % 97}`
    const value = Buffer.concat([Buffer.from(`v${i} `), i % 5 === 0 ? Buffer.from([0xff, 0x00, 0xc3]) : Buffer.from('é'), Buffer.from(i % 7 === 0 ? ' \r' : ' x')])
    // A trailing CR before LF is removed from the line; value bytes inside stay.
    const stored = value.at(-1) === 0x0d ? value.subarray(0, -1) : value
    keys.push(key)
    values.push(stored)
    parts.push(Buffer.from(key + '\t'), value, Buffer.from('\n'))
  }
  return { input: Buffer.concat(parts), keys, values }
}

interface Range { readonly shardId: string, readonly start: bigint, readonly end: bigint }

async function shardRanges (endpoint: string, stream: string): Promise<Range[]> {
  const client = testKinesisClient(endpoint)
  try {
    const out = await client.send(new ListShardsCommand({ StreamName: stream }))
    return (out.Shards ?? []).map((s) => ({ shardId: s.ShardId ?? '', start: BigInt(s.HashKeyRange?.StartingHashKey ?? '0'), end: BigInt(s.HashKeyRange?.EndingHashKey ?? '0') }))
  } finally {
    client.destroy()
  }
}

function shardOfKey (ranges: readonly Range[], key: string): string {
  const hash = BigInt('0x' + createHash('md5').update(key, 'utf8').digest('hex'))
  const range = ranges.find((r) => r.start <= hash && hash <= r.end)
  assert.ok(range !== undefined, `no shard holds key ${key}`)
  return range.shardId
}

/** Every stored Kinesis record de-aggregated, per shard in stream order. */
function userRecordsByShard (stored: readonly StoredRecord[]): Map<string, UserRecord[]> {
  const byShard = new Map<string, UserRecord[]>()
  for (const r of stored) {
    assert.deepEqual(r.data.subarray(0, 4), AGGREGATE_MAGIC, 'every stored record is a KPL aggregate')
    const users = deaggregate(r.data, r.partitionKey, r.sequenceNumber)
    assert.equal(users[0]?.partitionKey, r.partitionKey, 'an aggregate is sent with its first user record\'s partition key')
    const list = byShard.get(r.shardId) ?? []
    list.push(...users)
    byShard.set(r.shardId, list)
  }
  return byShard
}

async function put (endpoint: string, stream: string, args: readonly string[], input: Buffer): Promise<CliRun> {
  return await kprod(['--stream', stream, '--endpoint', endpoint, '--no-progress', '--aggregate', ...args], { input, env: KINESIS_TEST_ENV, timeoutMs: 540_000 })
}

describe('kprod --aggregate', () => {
  for (const impl of ['kinesalite', 'kinesis-mock'] as const) {
    test(`${impl}: ${LINES[impl]} keyed lines, de-aggregated per shard with aws-kinesis-agg, equal the input byte for byte and in order`, SLOW, async (t) => {
      const kinesis = await localKinesis(impl)
      const stream = await kinesis.createStream({ shards: 4 })
      const n = LINES[impl]
      const { input, keys, values } = keyedLines(n)
      const started = performance.now()
      const run = await put(kinesis.endpoint, stream, ['--key-separator', '\t'], input)
      t.diagnostic(`${impl}: ${n} lines in ${Math.round(performance.now() - started)} ms, ${run.batches.length} batches`)
      assert.equal(run.code, 0, why(run))
      assert.deepEqual(run.summary.counts, { read: n, delivered: n, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
      // Far fewer Kinesis records than lines: the aggregates' count is in each exchange's response.
      const kinesisRecords = run.batches.reduce((sum, b) => sum + ((b.exchanges as Array<{ response: { records: number } }>).at(-1)?.response.records ?? 0), 0)
      assert.ok(kinesisRecords > 0 && kinesisRecords * 100 < n, `${kinesisRecords} Kinesis records for ${n} lines`)

      const ranges = await shardRanges(kinesis.endpoint, stream)
      const expected = new Map<string, Array<{ key: string, value: Buffer }>>(ranges.map((r) => [r.shardId, []]))
      for (let i = 0; i < n; i++) expected.get(shardOfKey(ranges, keys[i]!))!.push({ key: keys[i]!, value: values[i]! })
      const stored = await readStream(kinesis.endpoint, stream)
      assert.equal(stored.length, kinesisRecords, 'as many Kinesis records stored as were put')
      const got = userRecordsByShard(stored)
      for (const r of ranges) {
        const want = expected.get(r.shardId)!
        const have = got.get(r.shardId) ?? []
        assert.equal(have.length, want.length, `${r.shardId}: user records`)
        for (let i = 0; i < want.length; i++) {
          if (have[i]!.partitionKey !== want[i]!.key || !have[i]!.data.equals(want[i]!.value)) {
            assert.fail(`${r.shardId} user record ${i}: got ${have[i]!.partitionKey} ${have[i]!.data.toString('hex')}, expected ${want[i]!.key} ${want[i]!.value.toString('hex')}`)
          }
        }
      }
    })
  }

  test('kinesalite: keyless lines spread over the shards, each aggregate with a random key of its shard', SLOW, async () => {
    const kinesis = await localKinesis('kinesalite')
    const stream = await kinesis.createStream({ shards: 3 })
    const lines = Array.from({ length: 30_000 }, (_, i) => `line ${i}`)
    const run = await put(kinesis.endpoint, stream, ['--batch-records', '2000'], Buffer.from(lines.join('\n') + '\n'))
    assert.equal(run.code, 0, why(run))
    const ranges = await shardRanges(kinesis.endpoint, stream)
    const got = userRecordsByShard(await readStream(kinesis.endpoint, stream))
    assert.equal(got.size, 3, 'every shard got lines')
    const all: string[] = []
    for (const [shardId, users] of got) {
      // A KCL consumer drops user records whose key is not its shard's: none here.
      for (const u of users) assert.equal(shardOfKey(ranges, u.partitionKey), shardId)
      all.push(...users.map((u) => u.data.toString()))
    }
    assert.deepEqual(all.sort(), [...lines].sort())
  })

  test('kinesalite: on 1,000 shards, keyless lines still fill aggregates (one shard\'s batch at a time), each with a key of its shard', SLOW, async (t) => {
    // Sent to the shards in turn, one line each, 50,000 lines made ~8,800 aggregates of ~6 lines and took over 10 minutes.
    const kinesis = await localKinesis('kinesalite')
    const stream = await kinesis.createStream({ shards: 1000 })
    const n = 60_000
    const lines = Array.from({ length: n }, (_, i) => `${String(i).padStart(8, '0')}${'x'.repeat(91)}`)
    const run = await put(kinesis.endpoint, stream, [], Buffer.from(lines.join('\n') + '\n'))
    assert.equal(run.code, 0, why(run))
    const stored = await readStream(kinesis.endpoint, stream)
    t.diagnostic(`${n} lines in ${stored.length} aggregates on 1,000 shards`)
    assert.ok(stored.length <= n / 100, `${stored.length} aggregates: at least 100 lines each on average`)
    const ranges = await shardRanges(kinesis.endpoint, stream)
    const all: string[] = []
    for (const [shardId, users] of userRecordsByShard(stored)) {
      for (const u of users) assert.equal(shardOfKey(ranges, u.partitionKey), shardId)
      all.push(...users.map((u) => u.data.toString()))
    }
    assert.deepEqual(all.sort(), [...lines].sort())
  })

  test('kinesalite: with --shard-ordering and --explicit-hash-key, each line lands by its hash key, in order per shard', SLOW, async () => {
    const kinesis = await localKinesis('kinesalite')
    const stream = await kinesis.createStream({ shards: 3 })
    const ranges = await shardRanges(kinesis.endpoint, stream)
    const max = (1n << 128n) - 1n
    // 12 hash keys spread over the key space; keys repeat, which --shard-ordering must keep in order.
    const hashKeys = Array.from({ length: 12 }, (_, k) => String(max / 12n * BigInt(k) + 7n))
    const n = 20_000
    const lines = Array.from({ length: n }, (_, i) => `${hashKeys[i % 12]!}\tvalue ${i}`)
    const run = await put(kinesis.endpoint, stream, ['--shard-ordering', '--explicit-hash-key', '--key-separator', '\t'], Buffer.from(lines.join('\n') + '\n'))
    assert.equal(run.code, 0, why(run))
    assert.deepEqual(run.summary.counts, { read: n, delivered: n, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
    const got = userRecordsByShard(await readStream(kinesis.endpoint, stream))
    for (const r of ranges) {
      const want = lines.filter((l) => { const h = BigInt(l.split('\t')[0]!); return r.start <= h && h <= r.end })
      const have = got.get(r.shardId) ?? []
      assert.deepEqual(have.map((u) => `${u.explicitHashKey ?? ''}\t${u.data.toString()}`), want, r.shardId)
    }
  })

  test('kinesalite: --partition-key hash: each line keeps the MD5 of itself as its key, on that key\'s shard', SLOW, async () => {
    const kinesis = await localKinesis('kinesalite')
    const stream = await kinesis.createStream({ shards: 2 })
    const lines = Array.from({ length: 5000 }, (_, i) => `hashed line ${i}`)
    const run = await put(kinesis.endpoint, stream, ['--partition-key', 'hash'], Buffer.from(lines.join('\n') + '\n'))
    assert.equal(run.code, 0, why(run))
    const ranges = await shardRanges(kinesis.endpoint, stream)
    const got = userRecordsByShard(await readStream(kinesis.endpoint, stream))
    let count = 0
    for (const [shardId, users] of got) {
      for (const u of users) {
        assert.equal(u.partitionKey, createHash('md5').update(u.data).digest('hex'))
        assert.equal(shardOfKey(ranges, u.partitionKey), shardId)
      }
      // In input order within the shard.
      const order = users.map((u) => Number(u.data.toString().split(' ')[2]))
      assert.deepEqual(order, [...order].sort((a, b) => a - b))
      count += users.length
    }
    assert.equal(count, lines.length)
  })

  test('kinesalite: the fault proxy fails some aggregated records; only their lines are sent again, each delivered once', SLOW, async () => {
    const kinesis = await localKinesis('kinesalite')
    const stream = await kinesis.createStream({ shards: 2 })
    const proxy = await startFaultProxy(kinesis.endpoint, { mode: 'pass' })
    proxies.push(proxy)
    const n = 20_000
    const { input, values } = keyedLines(n)
    // Fail the first Kinesis record of the first three calls that carry more than one.
    let failed = 0
    proxy.setPlan({ mode: 'fail-records', fail: (r) => r.index === 0 && failed < 3 && ++failed > 0 })
    const run = await put(proxy.url, stream, ['--key-separator', '\t', '--batch-records', '1000', '--workers', '2', '--retry-backoff', '50'], input)
    assert.equal(run.code, 0, why(run))
    assert.equal(failed, 3)
    assert.deepEqual(run.summary.counts, { read: n, delivered: n, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
    // Only the failed aggregates' user records were retried: the retried attempts carry as many lines.
    const retried = run.batches.flatMap((b) => (b.exchanges as Array<{ attempt: number, response: { userRecords: number } | null }>).filter((e) => e.attempt > 1))
    assert.equal(retried.length, 3, 'one retry per failed aggregate')
    const stored = await readStream(kinesis.endpoint, stream)
    const users = [...userRecordsByShard(stored).values()].flat()
    assert.equal(users.length, n, 'no line stored twice')
    assert.deepEqual(users.map((u) => u.data.toString('hex')).sort(), values.map((v) => v.toString('hex')).sort())
    assert.equal(proxy.stats.recordsFailed, 3)
  })

  test('kinesalite: an aggregate that fails for good fails each of its lines, and --failed-output writes them back byte for byte', SLOW, async () => {
    const kinesis = await localKinesis('kinesalite')
    const stream = await kinesis.createStream({ shards: 1 })
    const proxy = await startFaultProxy(kinesis.endpoint, { mode: 'pass' })
    proxies.push(proxy)
    const { input } = keyedLines(3000)
    // With --batch-records 1000 each call is one aggregate of 1000 lines: fail every attempt of the second.
    proxy.setPlan({ mode: 'fail-records', fail: (r) => r.data.includes(Buffer.from('\tv1000 ')) || deaggregate(r.data, r.partitionKey).some((u) => u.data.subarray(0, 6).toString() === 'v1000 '), errorCode: 'InternalFailure' })
    const failedFile = join(work, 'failed-aggregate.txt')
    const run = await put(proxy.url, stream, ['--key-separator', '\t', '--batch-records', '1000', '--attempts', '2', '--retry-backoff', '10', '--failed-output', failedFile], input)
    assert.equal(run.code, 4, why(run))
    const counts = run.summary.counts as Counts
    assert.deepEqual(counts, { read: 3000, delivered: 2000, failed: 1000, unknown: 0, skipped: 0, unsent: 0 })
    const lines = input.toString('latin1').split('\n').slice(0, 3000)
    const failedLines = readFileSync(failedFile).toString('latin1').split('\n').filter((l) => l !== '')
    assert.deepEqual(failedLines, lines.slice(1000, 2000).map((l) => l.replace(/\r$/, '')))
  })
})
