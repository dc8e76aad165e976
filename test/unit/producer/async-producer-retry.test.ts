// Attempts, backoff, per-record retry, the delivery deadline and the retry partition rule.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { KprodError, errorData } from '../../../src/errors.ts'
import type { ProducerOptions } from '../../../src/producer/async-producer.ts'
import { setupProducer } from '../../helpers/producer-harness.ts'
import { flushMicrotasks } from '../../helpers/fake-clock.ts'
import { delivered, perRecord, requestError, testBatch, type Responder } from '../../helpers/fake-transport.ts'
import { positionList } from '../../helpers/positions.ts'

function setup (options: Partial<ProducerOptions> = {}, respond?: Responder) {
  return setupProducer(options, respond)
}

const notLeader = requestError('KPROD_BROKER', 'not leader for partition', { retriable: true })
const timedOut = requestError('KPROD_REQUEST_TIMEOUT', 'request timed out', { retriable: true, maybeWritten: true })

test('producer makes exactly `attempts` exchanges for a retriable error, sleeping between them and not after the last', async () => {
  const { clock, producer, results, transport } = setup({ attempts: 3 }, () => notLeader)
  const t0 = clock.now()
  producer.enqueue(testBatch(t0))
  await flushMicrotasks()
  assert.deepEqual([transport.calls.length, clock.pending], [1, 1])
  await clock.advance(99)
  assert.equal(transport.calls.length, 1)
  await clock.advance(1)
  assert.deepEqual([transport.calls.length, clock.pending], [2, 1])
  await clock.advance(200)
  assert.equal(transport.calls.length, 3)
  assert.equal(clock.pending, 0, 'no sleep after the final attempt')
  assert.equal(results.length, 1)
  assert.deepEqual(results[0]?.exchanges.map((e) => [e.attempt, e.begin - t0]), [[1, 0], [2, 100], [3, 300]])
  assert.equal(results[0]?.complete, t0 + 300)
})

test('producer makes one exchange for a non-retriable error', async () => {
  const tooLarge = requestError('KPROD_RECORD_TOO_LARGE', 'MESSAGE_TOO_LARGE')
  const { clock, producer, results } = setup({ attempts: 5 }, () => tooLarge)
  producer.enqueue(testBatch(clock.now()))
  await flushMicrotasks()
  assert.equal(results[0]?.exchanges.length, 1)
  assert.deepEqual(results[0]?.outcomes, ['failed', 'failed'])
  assert.equal(clock.pending, 0)
})

test('producer reports records unknown when the last error may have written them', async () => {
  const { clock, producer, results } = setup({ attempts: 1 }, () => timedOut)
  producer.enqueue(testBatch(clock.now()))
  await producer.drain()
  assert.deepEqual(results[0]?.outcomes, ['unknown', 'unknown'])
  assert.deepEqual(positionList(results[0]!.positions), [null, null])
})

test('producer keeps records unknown when an earlier attempt may have written them and the last failed', async () => {
  const { clock, producer, results } = setup({ attempts: 2 }, (call) => call.index === 0 ? timedOut : notLeader)
  producer.enqueue(testBatch(clock.now()))
  await clock.advance(100)
  assert.deepEqual(results[0]?.outcomes, ['unknown', 'unknown'])
  assert.deepEqual(results[0]?.errors[0], errorData('KPROD_BROKER', 'error producing topic t partition 0: not leader for partition'))
})

test('producer resends only the retriable failed records of a partial failure, under the same batch id', async () => {
  const throttled = new KprodError('KPROD_THROTTLED', 'ProvisionedThroughputExceededException', { retriable: true })
  const invalid = new KprodError('KPROD_BROKER', 'InvalidArgument')
  const { clock, producer, results, transport } = setup({ attempts: 3 }, (call) =>
    call.index === 0 ? perRecord(call, (k) => k === 1 ? throttled : k === 2 ? invalid : null) : delivered(call, 10))
  const batch = testBatch(clock.now(), { records: 4 })
  producer.enqueue(batch)
  await flushMicrotasks()
  assert.equal(producer.bufferedRecords, 1)
  await clock.advance(100)
  const retry = transport.calls[1]?.batch
  assert.equal(retry?.id, batch.id)
  assert.deepEqual(retry?.records, [batch.records[1]])
  assert.equal(retry?.bytes, 2)
  const r = results[0]
  assert.deepEqual(r?.outcomes, ['delivered', 'delivered', 'failed', 'delivered'])
  assert.deepEqual(positionList(r!.positions).map((p) => p?.position ?? null), ['0', '10', null, '3'])
  assert.deepEqual(r?.errors, [null, null, errorData('KPROD_BROKER', 'error producing topic t partition 0: InvalidArgument'), null])
  // The exchange's code is its first failed record's.
  assert.deepEqual(r?.exchanges[0]?.error, errorData('KPROD_THROTTLED', 'error producing topic t partition 0: 2 of 4 records failed, the first with: ProvisionedThroughputExceededException'))
  assert.deepEqual(r?.exchanges.map((e) => e.records), [4, 1])
  assert.equal(r?.produced, false)
  assert.equal(producer.bufferedRecords, 0)
})

test('producer stops retrying when the next attempt would start after the delivery deadline', async () => {
  const { clock, producer, results, transport } = setup({ attempts: 10, deliveryTimeoutMs: 250 }, () => notLeader)
  producer.enqueue(testBatch(clock.now()))
  await clock.advance(1000)
  assert.equal(transport.calls.length, 2, 'attempt 3 would start at 300 ms')
  assert.equal(clock.pending, 0)
  assert.deepEqual(results[0]?.outcomes, ['failed', 'failed'])
  assert.deepEqual(results[0]?.errors[0], errorData('KPROD_DELIVERY_TIMEOUT', 'error producing topic t partition 0: not leader for partition; delivery timeout of 250 ms exceeded after 2 attempts'))
  assert.deepEqual(results[0]?.exchanges.map((x) => x.error?.code), ['KPROD_BROKER', 'KPROD_BROKER'])
})

test('producer fails a batch whose delivery deadline passed while it waited for its first attempt', async () => {
  const { clock, producer, results, transport } = setup({ deliveryTimeoutMs: 250 }, (call) => call.index === 0 ? undefined : delivered(call))
  producer.enqueue(testBatch(clock.now()))
  producer.enqueue(testBatch(clock.now()))
  await clock.advance(300)
  const first = transport.calls[0]
  first?.resolve(delivered(first))
  await flushMicrotasks()
  assert.equal(transport.calls.length, 1)
  assert.deepEqual(results[1]?.outcomes, ['failed', 'failed'])
  assert.equal(results[1]?.exchanges.length, 0)
  assert.deepEqual(results[1]?.producerError, errorData('KPROD_DELIVERY_TIMEOUT', 'delivery timeout of 250 ms exceeded after 0 attempts'))
  assert.deepEqual(results[1]?.errors.map((e) => e?.code), ['KPROD_DELIVERY_TIMEOUT', 'KPROD_DELIVERY_TIMEOUT'])
})

test('producer retries an unkeyed batch on the next idle partition, or on the same one when strict', async () => {
  const cases: [strict: boolean, expected: number[]][] = [[false, [0, 1]], [true, [0, 0]]]
  for (const [strictPartitioning, expected] of cases) {
    const { clock, producer, transport, results } = setup({ partitions: [0, 1, 2], strictPartitioning }, (call) => call.index === 0 ? notLeader : delivered(call))
    producer.enqueue(testBatch(clock.now()))
    await clock.advance(100)
    assert.deepEqual(transport.partitionsCalled, expected, `strict ${strictPartitioning}`)
    assert.equal(results[0]?.partition, expected[1])
  }
})

test('a transport with retriesKeepPartition (Kafka idempotence) retries an unkeyed batch on its partition, not strict', async () => {
  const { clock, producer, transport, results } = setup({ partitions: [0, 1, 2], strictPartitioning: false }, (call) => call.index === 0 ? notLeader : delivered(call))
  Object.assign(transport, { retriesKeepPartition: true })
  producer.enqueue(testBatch(clock.now()))
  await clock.advance(100)
  assert.deepEqual(transport.partitionsCalled, [0, 0])
  assert.equal(results[0]?.partition, 0)
})

test('producer keeps a pinned batch on its partition through its backoff, so a later batch cannot overtake it', async () => {
  const { clock, producer, transport, results } = setup({ partitions: [0, 1], workers: 2 }, (call) => call.index === 0 ? notLeader : delivered(call))
  producer.enqueue(testBatch(clock.now(), { partition: 0, id: 1 }))
  await flushMicrotasks()
  producer.enqueue(testBatch(clock.now(), { partition: 0, id: 2 }))
  producer.enqueue(testBatch(clock.now(), { id: 3 }))
  await flushMicrotasks()
  assert.deepEqual(transport.calls.map((c) => [c.batch.id, c.partition]), [[1, 0], [3, 1]])
  await clock.advance(100)
  assert.deepEqual(transport.calls.map((c) => [c.batch.id, c.partition]), [[1, 0], [3, 1], [1, 0], [2, 0]])
  assert.deepEqual(results.map((r) => r.batch.id), [3, 1, 2])
})

test('producer records when a retry started waiting, separately from when it began', async () => {
  const { clock, producer, results, transport } = setup({ partitions: [0], workers: 1 }, (call) => call.index === 0 ? notLeader : call.index === 1 ? undefined : delivered(call))
  const t0 = clock.now()
  producer.enqueue(testBatch(t0, { id: 1 }))
  await flushMicrotasks()
  producer.enqueue(testBatch(t0, { id: 2 }))
  await clock.advance(150)
  const second = transport.calls[1]
  second?.resolve(delivered(second))
  await flushMicrotasks()
  const retry = results.find((r) => r.batch.id === 1)?.exchanges[1]
  assert.deepEqual([retry?.enqueued, retry?.begin], [t0 + 100, t0 + 150])
})
