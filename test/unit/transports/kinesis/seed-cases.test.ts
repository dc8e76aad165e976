// The Kinesis seed's unit cases (seed-behaviour.md §4.11) that still apply, run through the real
// kprod pieces: BatchBuilder → AsyncProducer → KinesisTransport → a fake PutRecords client, on a
// fake clock. Where kprod deliberately differs from the seed, the test name says so.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ANY_PARTITION } from '../../../../src/batch/batch.ts'
import type { InputRecord } from '../../../../src/record.ts'
import { flushMicrotasks } from '../../../helpers/fake-clock.ts'
import { allDelivered, answer, awsError, type PutCall, type PutResponder } from '../../../helpers/fake-put-records.ts'
import { kinesisPipeline, type KinesisPipelineSetup } from '../../../helpers/kinesis-pipeline.ts'
import { errorData } from '../../../../src/errors.ts'

type Setup = Pick<KinesisPipelineSetup, 'batchRecords' | 'lingerMs' | 'attempts' | 'retryBackoffMs' | 'retryBackoffMaxMs' | 'maxQueuedBatches' | 'respond'>

/** The seed's mock fails every record whose partition key is "fail" with ErrorCode "foo". */
const failKeyed: PutResponder = (call) => answer(call, (_k, key) => key === 'fail' ? ['foo', 'bar'] : null)

async function pipeline (setup: Setup = {}) {
  const { clock, fake, transport, producer, builder, results } = await kinesisPipeline(setup)
  let lineNo = 0
  const add = async (count: number, key: string | null = null): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const value = Buffer.from(`record ${++lineNo}`)
      const record: InputRecord = { line: value, key: key === null ? null : Buffer.from(key), value, lineNo, readAt: clock.now() }
      builder.add(record, ANY_PARTITION, false)
    }
    await flushMicrotasks()
  }
  const count = (outcome: string): number => results.flatMap((r) => r.outcomes).filter((o) => o === outcome).length
  const buffered = (): number => builder.bufferedRecords + producer.bufferedRecords
  return { clock, fake, transport, producer, builder, results, add, count, buffered }
}

test('Triggers, FlushInterval (BatchSize 10): 10 records leave in 1 call at once; 20 more make 3 calls', async () => {
  const p = await pipeline({ batchRecords: 10 })
  await p.add(10)
  assert.deepEqual(p.fake.sizes, [10])
  await p.add(20)
  assert.deepEqual(p.fake.sizes, [10, 10, 10])
  assert.equal(p.count('delivered'), 30)
})

test('Triggers, BatchSize 5: 4 records make no call until linger, the 5th makes 1; then 6 → 2 calls with 1 left, 19 → 6 calls with 0 left', async () => {
  const p = await pipeline({ batchRecords: 5, lingerMs: 1000 })
  await p.add(4)
  await p.clock.advance(999)
  assert.equal(p.fake.calls.length, 0)
  await p.add(1)
  assert.deepEqual([p.fake.calls.length, p.buffered()], [1, 0])
  await p.add(6)
  assert.deepEqual([p.fake.calls.length, p.builder.bufferedRecords], [2, 1])
  await p.add(19)
  assert.deepEqual([p.fake.calls.length, p.builder.bufferedRecords], [6, 0])
})

test('Triggers, 25 records with BatchSize 10: 2 calls at once and the 5 left at the next flush (kprod differs: they go at linger, and every due record goes, not one batch per tick)', async () => {
  const p = await pipeline({ batchRecords: 10, lingerMs: 1000 })
  await p.add(25)
  assert.deepEqual(p.fake.sizes, [10, 10])
  await p.clock.advance(1000)
  assert.deepEqual(p.fake.sizes, [10, 10, 5])
  assert.equal(p.count('delivered'), 25)
})

test('Partial failure, MaxAttempts 2: the failing record is retried alone and failed after the 2nd attempt', async () => {
  const p = await pipeline({ batchRecords: 5, attempts: 2, respond: failKeyed })
  await p.add(2)
  await p.add(1, 'fail')
  await p.add(2)
  assert.equal(p.fake.calls.length, 1)
  assert.equal(p.results.length, 0, 'the failing record is still pending after attempt 1')
  assert.equal(p.buffered(), 1)
  await p.clock.advance(100)
  assert.deepEqual(p.fake.sizes, [5, 1])
  assert.deepEqual(p.fake.calls[1]!.keys, ['fail'])
  const [result] = p.results
  assert.deepEqual(result?.outcomes, ['delivered', 'delivered', 'failed', 'delivered', 'delivered'])
  assert.deepEqual(result?.exchanges.map((e) => [e.attempt, e.records]), [[1, 5], [2, 1]])
  assert.equal(p.buffered(), 0)
})

test('Stats, MaxAttempts 1: 19 of 20 records succeed and the failing one is failed and counted at once', async () => {
  const p = await pipeline({ batchRecords: 20, attempts: 1, respond: failKeyed })
  await p.add(10)
  await p.add(1, 'fail')
  await p.add(9)
  assert.deepEqual([p.count('delivered'), p.count('failed'), p.fake.calls.length], [19, 1, 1])
})

test('Stats, MaxAttempts 1: two failing records are both counted (dropped = 2)', async () => {
  const p = await pipeline({ batchRecords: 10, attempts: 1, respond: failKeyed })
  await p.add(4)
  await p.add(2, 'fail')
  await p.add(4)
  assert.deepEqual([p.count('delivered'), p.count('failed')], [8, 2])
  assert.match(p.results[0]?.errors[4]?.text ?? '', /foo: bar/)
})

test('Stats, BufferSize: 10 records are buffered, then 0 once their batch is sent', async () => {
  const p = await pipeline({ batchRecords: 20 })
  await p.add(10)
  assert.equal(p.buffered(), 10)
  p.builder.end()
  await flushMicrotasks()
  assert.equal(p.buffered(), 0)
  assert.equal(p.count('delivered'), 10)
})

test('Errors, BatchError: a request-level failure then success delivers after backoff (kprod differs: the failed request counts as an attempt)', async () => {
  let fail = true
  const p = await pipeline({ batchRecords: 5, retryBackoffMs: 50, respond: (call) => fail ? awsError('InternalFailure', 'boom', 500, 'server') : allDelivered(call) })
  await p.add(5)
  assert.equal(p.fake.calls.length, 1)
  assert.equal(p.buffered(), 5, 'the records stay buffered after the failed request')
  fail = false
  await p.clock.advance(37)
  assert.equal(p.fake.calls.length, 1, 'no retry before the backoff')
  await p.clock.advance(1)
  assert.equal(p.fake.calls.length, 2)
  const [result] = p.results
  assert.deepEqual(result?.outcomes, Array(5).fill('delivered'))
  assert.deepEqual(result?.exchanges.map((e) => [e.attempt, e.error === null]), [[1, false], [2, true]])
  assert.equal(p.buffered(), 0)
})

test('Errors, failing client: request errors use up attempts (kprod differs: the seed retries them forever)', async () => {
  const p = await pipeline({ batchRecords: 5, attempts: 3, respond: () => awsError('ProvisionedThroughputExceededException', 'Rate exceeded') })
  await p.add(5)
  await p.clock.advance(10_000)
  assert.equal(p.fake.calls.length, 3)
  assert.deepEqual([p.count('delivered'), p.count('failed')], [0, 5])
  assert.equal(p.results[0]?.exchanges.filter((e) => e.error !== null).length, 3, 'request errors, the seed\'s kinesisErrors stat')
})

test('Errors, backoff doubles per failure from 50 ms (kprod differs: capped at the maximum and equal-jittered)', async () => {
  const p = await pipeline({ batchRecords: 1, attempts: 6, retryBackoffMs: 50, retryBackoffMaxMs: 200, respond: () => awsError('InternalFailure', 'boom', 500, 'server') })
  await p.add(1)
  await p.clock.advance(10_000)
  const begins = p.results[0]?.exchanges.map((e) => e.begin) ?? []
  const gaps = begins.slice(1).map((b, i) => b - (begins[i] as number))
  // Jitter 0.5 of [cap/2, cap]: 3/4 of 50, 100, 200, 200, 200 (the seed: 50, 100, 200, 400, 800).
  assert.deepEqual(gaps, [38, 75, 150, 150, 150])
})

test('Partial failure, throttled record: only the failed record is sent again, and it is delivered on the retry', async () => {
  const p = await pipeline({ batchRecords: 3, attempts: 3, respond: (call: PutCall) => answer(call, (_k, key) => call.index === 0 && key === 'fail' ? ['ProvisionedThroughputExceededException', 'slow'] : null) })
  await p.add(1)
  await p.add(1, 'fail')
  await p.add(1)
  await p.clock.advance(100)
  assert.deepEqual(p.fake.sizes, [3, 1])
  assert.deepEqual(p.results[0]?.outcomes, ['delivered', 'delivered', 'delivered'])
})

test('Config, BatchSize 1000 is refused (kprod differs: the transport caps a PutRecords at 500 records whatever it is given)', async () => {
  const p = await pipeline({ batchRecords: 1000 })
  assert.equal(p.transport.limits.maxBatchRecords, 500)
  await p.add(1000)
  assert.deepEqual(p.fake.sizes, [500, 500])
})

test('Config, no flush interval: fewer than BatchSize records wait forever until Flush (kprod differs: end of input always sends them)', async () => {
  const p = await pipeline({ batchRecords: 500, lingerMs: 3_600_000 })
  await p.add(10)
  assert.equal(p.fake.calls.length, 0)
  p.builder.end()
  await flushMicrotasks()
  assert.deepEqual(p.fake.sizes, [10])
  assert.equal(p.count('delivered'), 10)
})

test('Flush without timeout: 600 buffered records go out as 500 + 100', async () => {
  const p = await pipeline({ batchRecords: 500, lingerMs: 3_600_000 })
  await p.add(600)
  p.builder.end()
  await flushMicrotasks()
  assert.deepEqual(p.fake.sizes, [500, 100])
  assert.equal(p.count('delivered'), 600)
})

test('Flush with timeout (6 ms calls, 5 ms timeout): 500 sent, 100 remaining (kprod differs: at the deadline the call in flight is unknown and the 100 waiting are unsent)', async () => {
  const p = await pipeline({ batchRecords: 500, lingerMs: 3_600_000, respond: () => undefined })
  const respondLater = (): void => { for (const call of p.fake.calls) p.clock.setTimeout(() => call.resolve(allDelivered(call)), 6) }
  await p.add(600)
  p.builder.end()
  await flushMicrotasks()
  respondLater()
  await p.clock.advance(5)
  p.producer.abort(errorData('KPROD_INTERRUPTED', 'interrupted: --drain-timeout of 5 ms passed'))
  await p.producer.drain()
  assert.deepEqual(p.fake.sizes, [500])
  assert.deepEqual([p.count('unknown'), p.count('unsent'), p.count('delivered')], [500, 100, 0])
})

test('Add when full blocks with blocking on (kprod differs: blocking is the default and full is counted in held batches, no 99% rule)', async () => {
  const p = await pipeline({ batchRecords: 5, maxQueuedBatches: 1, respond: () => undefined })
  await p.add(10)
  assert.equal(p.producer.full, true, 'one batch in flight, one held')
  let room = false
  const waited = p.producer.whenNotFull().then(() => { room = true })
  await flushMicrotasks()
  assert.equal(room, false)
  const first = p.fake.calls[0] as PutCall
  first.resolve(allDelivered(first))
  await waited
  assert.equal(room, true)
  assert.equal(p.buffered(), 5)
})

test('Logs, partial success and drop (kprod differs: no log lines; the exchange and each record carry the error instead)', async () => {
  const p = await pipeline({ batchRecords: 4, attempts: 1, respond: failKeyed })
  await p.add(3)
  await p.add(1, 'fail')
  const result = p.results[0]
  // The code is kprod's class of the failure; the entry's own error code stays beside it.
  assert.deepEqual(result?.exchanges[0]?.error, errorData('KPROD_BROKER', 'error producing stream s lane 0: 1 of 4 records failed, the first with: foo: bar', 'foo'))
  assert.deepEqual(result?.errors[3], errorData('KPROD_BROKER', 'error producing stream s lane 0: foo: bar', 'foo'))
  assert.deepEqual(result?.exchanges[0]?.response, { failedRecordCount: 1, records: 4, errorCodes: { foo: 1 }, encryptionType: 'NONE', requestId: 'req-0' })
})
