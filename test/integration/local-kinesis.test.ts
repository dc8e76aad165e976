// Smoke test of scripts/local-kinesis and the Kinesis test helpers on private emulators (their own
// KPROD_KINESIS_HOME): both implementations at once, streams, the fault proxy's partial failures
// and outages, read-back of every shard, and each emulator's ingest rate. No skip on failure.

import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ListShardsCommand, ListStreamsCommand, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis'
import { ROOT } from '../helpers/kafka.ts'
import { localKinesis, readStream, testKinesisClient, type KinesisImpl } from '../helpers/kinesis.ts'
import { everyKth, startFaultProxy } from '../helpers/fault-proxy.ts'

const home = mkdtempSync(join(tmpdir(), 'kprod-local-kinesis-'))
// The helpers run the script with this process's environment: they share these private emulators.
process.env.KPROD_KINESIS_HOME = home
const SCRIPT = join(ROOT, 'scripts', 'local-kinesis')
const SLOW = { timeout: 180_000 }
const IMPLS: readonly KinesisImpl[] = ['kinesalite', 'kinesis-mock']

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

function script (...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(SCRIPT, args, { timeout: 170_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

function entries (count: number, size: number, tag: string): PutRecordsRequestEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    Data: Buffer.from(`${tag}-${i}-`.padEnd(size, 'x')),
    PartitionKey: `key-${i}`
  }))
}

describe('scripts/local-kinesis', () => {
  const endpoints = new Map<KinesisImpl, string>()
  const endpoint = (impl: KinesisImpl): string => endpoints.get(impl) ?? assert.fail(`${impl} is not up`)

  after(async () => { await script('down') })

  test('up starts both emulators at once, each printing only its URL', SLOW, async (t) => {
    for (const impl of IMPLS) {
      const started = performance.now()
      const up = await script('up', '--impl', impl)
      t.diagnostic(`${impl}: up took ${Math.round(performance.now() - started)} ms`)
      assert.equal(up.code, 0, up.stderr)
      assert.match(up.stdout, /^http:\/\/127\.0\.0\.1:\d+\n$/)
      endpoints.set(impl, up.stdout.trim())
    }
    assert.notEqual(endpoint('kinesalite'), endpoint('kinesis-mock'))
    for (const impl of IMPLS) {
      const client = testKinesisClient(endpoint(impl))
      const listed = await client.send(new ListStreamsCommand({}))
      assert.deepEqual(listed.StreamNames, [], `${impl} starts with no stream`)
      client.destroy()
    }
  })

  for (const impl of IMPLS) {
    test(`up and endpoint print the running ${impl} URL again`, SLOW, async () => {
      const again = await script('up', '--impl', impl)
      assert.equal(again.code, 0, again.stderr)
      assert.equal(again.stdout, `${endpoint(impl)}\n`)
      const shown = await script('endpoint', '--impl', impl)
      assert.equal(shown.stdout, `${endpoint(impl)}\n`)
      assert.equal((await localKinesis(impl)).endpoint, endpoint(impl))
    })

    test(`stream creates an ACTIVE ${impl} stream with the shards asked for and refuses a second one`, SLOW, async () => {
      const made = await script('stream', 'smoke-stream', '--shards', '3', '--impl', impl)
      assert.equal(made.code, 0, made.stderr)
      assert.equal(made.stdout, '')
      const client = testKinesisClient(endpoint(impl))
      const shards = await client.send(new ListShardsCommand({ StreamName: 'smoke-stream' }))
      client.destroy()
      assert.equal(shards.Shards?.length, 3)
      const twice = await script('stream', 'smoke-stream', '--impl', impl)
      assert.notEqual(twice.code, 0)
      assert.match(twice.stderr, /already exists/)
    })

    test(`fault proxy on ${impl}: every 3rd record failed is not stored, the others are`, SLOW, async () => {
      const kinesis = await localKinesis(impl)
      const stream = await kinesis.createStream({ shards: 2 })
      const proxy = await startFaultProxy(kinesis.endpoint, { mode: 'fail-records', fail: everyKth(3) })
      const client = testKinesisClient(proxy.url, 1)
      const sent = entries(30, 20, 'smoke')
      const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: sent }))
      client.destroy()
      await proxy.close()
      assert.equal(out.FailedRecordCount, 10)
      const results = out.Records ?? []
      assert.equal(results.length, 30)
      const kept = new Map<string, string>()
      results.forEach((r, i) => {
        const data = Buffer.from(sent[i]?.Data ?? []).toString()
        if ((i + 1) % 3 === 0) {
          assert.equal(r.ErrorCode, 'ProvisionedThroughputExceededException', `record ${i}`)
          assert.equal(r.SequenceNumber, undefined)
        } else {
          assert.equal(r.ErrorCode, undefined, `record ${i}`)
          kept.set(data, r.SequenceNumber ?? '')
        }
      })
      const stored = await readStream(kinesis.endpoint, stream)
      assert.deepEqual(new Map(stored.map((r) => [r.data.toString(), r.sequenceNumber])), kept)
      assert.equal(stored.length, 20)
      assert.equal(new Set(stored.map((r) => r.shardId)).size, 2, 'both shards hold records')
      assert.deepEqual({ ...proxy.stats }, { requests: 1, putRecordsRequests: 1, recordsForwarded: 20, recordsFailed: 10, requestsFaulted: 0, requestsAnswered: 1 })
    })

    test(`${impl} ingests PutRecords of 500 records of 100 bytes`, SLOW, async (t) => {
      const kinesis = await localKinesis(impl)
      const stream = await kinesis.createStream({ shards: 2 })
      const client = testKinesisClient(kinesis.endpoint, 1)
      const calls = 4
      const started = performance.now()
      for (let c = 0; c < calls; c++) {
        const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: entries(500, 100, `c${c}`) }))
        assert.equal(out.FailedRecordCount, 0)
      }
      const ms = performance.now() - started
      client.destroy()
      t.diagnostic(`${impl}: ${calls} x 500 records in ${Math.round(ms)} ms = ${Math.round(calls * 500 / ms * 1000)} records/s`)
      const stored = await readStream(kinesis.endpoint, stream)
      assert.equal(stored.length, calls * 500)
      assert.ok(stored.every((r) => r.data.length === 100))
    })
  }

  test('fault proxy answers every request with the planned error or a dropped connection, then passes again', SLOW, async () => {
    const kinesis = await localKinesis('kinesalite')
    const stream = await kinesis.createStream()
    const proxy = await startFaultProxy(kinesis.endpoint, { mode: 'error', status: 500 })
    const client = testKinesisClient(proxy.url, 1)
    const put = (): Promise<unknown> => client.send(new PutRecordsCommand({ StreamName: stream, Records: entries(2, 10, 'down') }))
    await assert.rejects(put(), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, 'InternalFailure')
      assert.equal(err.$metadata?.httpStatusCode, 500)
      return true
    })
    proxy.setPlan({ mode: 'destroy' })
    await assert.rejects(put(), /socket hang up|ECONNRESET/)
    proxy.setPlan({ mode: 'pass' })
    await put()
    client.destroy()
    await proxy.close()
    assert.equal((await readStream(kinesis.endpoint, stream)).length, 2)
    assert.equal(proxy.stats.requestsFaulted, 2)
    assert.equal(proxy.stats.requests, 3)
  })

  test('down stops every emulator and removes the state', SLOW, async () => {
    const down = await script('down')
    assert.equal(down.code, 0, down.stderr)
    assert.equal(down.stdout, '')
    for (const impl of IMPLS) {
      const shown = await script('endpoint', '--impl', impl)
      assert.notEqual(shown.code, 0)
      const client = testKinesisClient(endpoint(impl), 1)
      await assert.rejects(client.send(new ListStreamsCommand({})), /ECONNREFUSED/)
      client.destroy()
    }
    assert.equal(existsSync(home), false)
  })
})
