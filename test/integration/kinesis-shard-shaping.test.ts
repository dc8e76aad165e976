// Shard-aware rate shaping, proven against kinesalite behind the fault proxy acting as a Kinesis
// that enforces per-shard limits (a token bucket per shard of records/s and bytes/s, holding one
// second's worth, as the service does): with shaping the run sees no throttle; with --shard-limit
// off it sees many, counted and retried until every line is delivered. The limits are a tenth of
// Kinesis's (100 records/s, 100 KiB/s; kprod told so by --shard-limit): kinesalite behind the proxy
// on a shared 2-core machine answered under 1,000 records/s per shard, so at the real figures an
// unshaped run was never throttled and proved nothing. The defaults are Kinesis's published
// limits (the first run checks the note saying so).

import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ListShardsCommand } from '@aws-sdk/client-kinesis'
import { kprod, type CliRun } from '../helpers/cli.ts'
import { startFaultProxy, type FaultProxy, type ProxiedRecord } from '../helpers/fault-proxy.ts'
import { KINESIS_TEST_ENV, localKinesis, privateKinesisFixture, readStream, testKinesisClient } from '../helpers/kinesis.ts'

const { proxies } = privateKinesisFixture('kinesis-shard-shaping')
const SLOW = { timeout: 300_000 }
const RECORDS_PER_SECOND = 100
const BYTES_PER_SECOND = 100 * 1024
const LIMIT = `${RECORDS_PER_SECOND},${BYTES_PER_SECOND}`

const why = (run: CliRun): string => `stderr: ${run.stderr.slice(0, 3000)}\nsummary: ${JSON.stringify(run.summary)}`

interface Range { readonly start: bigint, readonly end: bigint }

/**
 * A predicate for the proxy's fail-records plan that throttles like Kinesis: a record is refused
 * when its shard's record or byte bucket cannot take it at the moment it arrives.
 */
function shardThrottle (ranges: readonly Range[]): { fail: (r: ProxiedRecord) => boolean, throttled: () => number } {
  const buckets = ranges.map(() => ({ records: RECORDS_PER_SECOND, bytes: BYTES_PER_SECOND, at: performance.now() }))
  let throttled = 0
  const fail = (r: ProxiedRecord): boolean => {
    const hash = BigInt('0x' + createHash('md5').update(r.partitionKey, 'utf8').digest('hex'))
    const i = ranges.findIndex((s) => s.start <= hash && hash <= s.end)
    const b = buckets[i]!
    const now = performance.now()
    b.records = Math.min(RECORDS_PER_SECOND, b.records + (now - b.at) / 1000 * RECORDS_PER_SECOND)
    b.bytes = Math.min(BYTES_PER_SECOND, b.bytes + (now - b.at) / 1000 * BYTES_PER_SECOND)
    b.at = now
    const bytes = r.data.length + Buffer.byteLength(r.partitionKey)
    if (b.records < 1 || b.bytes < bytes) {
      throttled++
      return true
    }
    b.records -= 1
    b.bytes -= bytes
    return false
  }
  return { fail, throttled: () => throttled }
}

async function limitedStream (shards: number): Promise<{ endpoint: string, stream: string, proxy: FaultProxy, ranges: Range[] }> {
  const kinesis = await localKinesis('kinesalite')
  const stream = await kinesis.createStream({ shards })
  const client = testKinesisClient(kinesis.endpoint)
  const out = await client.send(new ListShardsCommand({ StreamName: stream }))
  client.destroy()
  const ranges = (out.Shards ?? []).map((s) => ({ start: BigInt(s.HashKeyRange?.StartingHashKey ?? '0'), end: BigInt(s.HashKeyRange?.EndingHashKey ?? '0') }))
  const proxy = await startFaultProxy(kinesis.endpoint, { mode: 'pass' })
  proxies.push(proxy)
  return { endpoint: kinesis.endpoint, stream, proxy, ranges }
}

async function run (proxy: FaultProxy, ranges: readonly Range[], stream: string, args: readonly string[], input: Buffer): Promise<{ run: CliRun, throttled: number }> {
  const throttle = shardThrottle(ranges)
  proxy.setPlan({ mode: 'fail-records', fail: throttle.fail, errorCode: 'ProvisionedThroughputExceededException' })
  const result = await kprod(['--stream', stream, '--endpoint', proxy.url, '--no-progress', '--attempts', '100', '--retry-backoff', '50', '--retry-backoff-max', '500', ...args], { input, env: KINESIS_TEST_ENV, timeoutMs: 240_000 })
  return { run: result, throttled: throttle.throttled() }
}

function keyedInput (n: number, valueBytes: number): Buffer {
  // Distinct keys: --shard-ordering cuts a batch before a repeated key, and full batches are what a shard must be shielded from.
  return Buffer.from(Array.from({ length: n }, (_, i) => `k${i}\t${String(i).padEnd(valueBytes, '.')}\n`).join(''))
}

describe('shard-aware rate shaping against a proxy that enforces the per-shard limits', () => {
  test('--shard-ordering: no throttle with shaping, many with --shard-limit off; every line delivered both ways', SLOW, async (t) => {
    const n = 1500
    const input = keyedInput(n, 20)
    for (const shaped of [true, false]) {
      const { stream, proxy, ranges, endpoint } = await limitedStream(2)
      const started = performance.now()
      const { run: r, throttled } = await run(proxy, ranges, stream, ['--shard-ordering', '--key-separator', '\t', '--shard-limit', shaped ? LIMIT : 'off'], input)
      t.diagnostic(`shaped=${String(shaped)}: ${throttled} records throttled, ${Math.round(performance.now() - started)} ms`)
      assert.equal(r.code, 0, why(r))
      assert.deepEqual(r.summary.counts, { read: n, delivered: n, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
      if (shaped) {
        assert.equal(throttled, 0, 'no record throttled')
        assert.ok((r.summary.notes as string[]).some((note) => /kept under 100 records\/s and 102400 bytes\/s/.test(note)))
      } else {
        assert.ok(throttled > n / 4, `${throttled} records throttled without shaping`)
      }
      assert.equal(proxy.stats.recordsFailed, throttled)
      assert.equal((await readStream(endpoint, stream)).length, n, 'each line stored once')
    }
  })

  test('the default limits are Kinesis\'s published ones, and the notes say so', SLOW, async () => {
    const { stream, proxy, ranges } = await limitedStream(1)
    const { run: r } = await run(proxy, ranges, stream, ['--shard-ordering'], Buffer.from('a\nb\n'))
    assert.equal(r.code, 0, why(r))
    assert.ok((r.summary.notes as string[]).some((note) => /each shard's writes kept under 1000 records\/s and 1048576 bytes\/s before sending/.test(note)), JSON.stringify(r.summary.notes))
  })

  test('--aggregate: the byte limit binds; no throttle with shaping, throttles with --shard-limit off', SLOW, async (t) => {
    const n = 5000
    const input = keyedInput(n, 100)
    for (const shaped of [true, false]) {
      const { stream, proxy, ranges } = await limitedStream(1)
      const started = performance.now()
      // Aggregates of ~50 KB: one fits the proxy's bucket, two back to back do not.
      const { run: r, throttled } = await run(proxy, ranges, stream, ['--aggregate', '--key-separator', '\t', '--batch-records', '500', '--shard-limit', shaped ? `1000,${BYTES_PER_SECOND}` : 'off'], input)
      const ms = performance.now() - started
      t.diagnostic(`shaped=${String(shaped)}: ${throttled} aggregated records throttled, ${Math.round(ms)} ms`)
      assert.equal(r.code, 0, why(r))
      assert.deepEqual(r.summary.counts, { read: n, delivered: n, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
      if (shaped) assert.equal(throttled, 0, 'no aggregated record throttled')
      else assert.ok(throttled > 0, 'aggregates of up to 1 MiB sent back to back are throttled')
    }
  })
})
