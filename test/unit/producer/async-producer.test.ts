// Dispatch, partition choice and the seed's producer cases (seed-behaviour.md §2.11).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ProducerOptions } from '../../../src/producer/async-producer.ts'
import { setupProducer } from '../../helpers/producer-harness.ts'
import { errorData } from '../../../src/errors.ts'
import { flushMicrotasks } from '../../helpers/fake-clock.ts'
import { delivered, deliveredRun, requestError, testBatch, type Responder } from '../../helpers/fake-transport.ts'
import { positionList } from '../../helpers/positions.ts'
import type { RecordResult } from '../../../src/transports/transport.ts'

function setup (options: Partial<ProducerOptions> = {}, respond?: Responder) {
  return setupProducer({ attempts: 1, ...options }, respond)
}

const hold: Responder = () => undefined
const notLeader = requestError('KPROD_BROKER', 'not leader for partition', { retriable: true })

test('TestUnitBatchProduced: produced is false when the batch has no exchange', () => {
  const { clock, producer, results } = setup({ partitions: [1] })
  producer.enqueue(testBatch(clock.now(), { partition: 2 }))
  assert.equal(results[0]?.exchanges.length, 0)
  assert.equal(results[0]?.produced, false)
})

test('TestUnitBatchProduced: produced is false when the only exchange failed', async () => {
  const { clock, producer, results } = setup({}, () => notLeader)
  producer.enqueue(testBatch(clock.now()))
  await producer.drain()
  assert.equal(results[0]?.exchanges.length, 1)
  assert.equal(results[0]?.produced, false)
})

test('TestUnitBatchProduced: produced is true when a failed exchange is followed by a good one', async () => {
  const { clock, producer, results } = setup({ attempts: 2 }, (call) => call.index === 0 ? notLeader : delivered(call))
  producer.enqueue(testBatch(clock.now()))
  await clock.advance(100)
  assert.deepEqual(results[0]?.exchanges.map((e) => e.error === null), [false, true])
  assert.equal(results[0]?.produced, true)
})

test('TestUnitEmptyBatch: kprod differs: an empty batch gets one result with no exchange', () => {
  const { clock, producer, results, transport } = setup()
  producer.enqueue(testBatch(clock.now(), { records: 0 }))
  assert.equal(results.length, 1)
  assert.equal(results[0]?.produced, false)
  assert.equal(transport.calls.length, 0)
})

test('TestUnitError: exchange and record errors keep the transport error\'s code beside the text, one object for the batch', async () => {
  const { clock, producer, results } = setup({}, () => notLeader)
  producer.enqueue(testBatch(clock.now()))
  await producer.drain()
  const error = errorData('KPROD_BROKER', 'error producing topic t partition 0: not leader for partition')
  assert.deepEqual(results[0]?.exchanges[0]?.error, error)
  assert.deepEqual(results[0]?.errors, [error, error])
  assert.equal(results[0]?.errors[0], results[0]?.errors[1], 'records of one failed exchange share one error object')
})

test('Success: two batches on one partition with 10 workers and 3 attempts are both produced', async () => {
  const { clock, producer, results } = setup({ workers: 10, attempts: 3 })
  await producer.drain()
  producer.enqueue(testBatch(clock.now()))
  producer.enqueue(testBatch(clock.now()))
  await producer.drain()
  assert.equal(results.length, 2)
  assert.deepEqual(results.map((r) => r.produced), [true, true])
  assert.deepEqual(results[0]?.outcomes, ['delivered', 'delivered'])
  assert.deepEqual(positionList(results[0]!.positions).map((p) => p?.position), ['0', '1'])
})

test('Partitioned: unkeyed batches go to 9 then 3 and a batch for 9 goes to 9', async () => {
  const { clock, producer, results } = setup({ partitions: [9, 3, 1] })
  producer.enqueue(testBatch(clock.now()))
  await producer.drain()
  producer.enqueue(testBatch(clock.now()))
  await producer.drain()
  producer.enqueue(testBatch(clock.now(), { partition: 9 }))
  await producer.drain()
  assert.deepEqual(results.map((r) => r.partition), [9, 3, 9])
})

test('Partitioned: kprod differs: a pinned batch for 9 whose first exchange fails is produced on 9, not re-routed', async () => {
  const lost = requestError('KPROD_CONNECTION_LOST', 'connection closed', { retriable: true })
  const { clock, producer, results, transport } = setup({ partitions: [9, 3, 1], attempts: 3 }, (call) => call.index === 0 ? lost : delivered(call))
  producer.enqueue(testBatch(clock.now(), { partition: 9 }))
  await clock.advance(100)
  assert.deepEqual(transport.partitionsCalled, [9, 9])
  assert.equal(results[0]?.produced, true)
  assert.equal(results[0]?.partition, 9)
})

test('Partitioned: a batch for a partition not in the list gets no producer and zero exchanges', () => {
  const { clock, producer, results, transport } = setup({ partitions: [9, 3, 1] })
  producer.enqueue(testBatch(clock.now(), { partition: 8 }))
  assert.equal(transport.calls.length, 0)
  const noProducer = errorData('KPROD_INTERNAL', 'no producer for partition 8')
  assert.deepEqual(results[0]?.producerError, noProducer)
  assert.deepEqual(results[0]?.outcomes, ['failed', 'failed'])
  assert.deepEqual(results[0]?.errors, [noProducer, noProducer])
  assert.equal(results[0]?.partition, 8)
})

test('TopicPartitionDoesNotExist: each batch has exactly `attempts` exchanges and is not produced', async () => {
  const missing = requestError('KPROD_TARGET_NOT_FOUND', 'This server does not host this topic-partition', { retriable: true })
  const { clock, producer, results } = setup({ attempts: 3, workers: 2 }, () => missing)
  producer.enqueue(testBatch(clock.now()))
  producer.enqueue(testBatch(clock.now()))
  await clock.advance(10_000)
  assert.deepEqual(results.map((r) => r.exchanges.length), [3, 3])
  assert.deepEqual(results.map((r) => r.produced), [false, false])
})

test('producer sends unkeyed batches round robin in list order: [9,3,1] with 1 worker gives 9,3,1,9', async () => {
  const { clock, producer, transport } = setup({ partitions: [9, 3, 1] })
  for (let i = 0; i < 4; i++) producer.enqueue(testBatch(clock.now()))
  await producer.drain()
  assert.deepEqual(transport.partitionsCalled, [9, 3, 1, 9])
})

test('producer starts a batch for an idle partition while an older batch waits for a busy one', () => {
  const { clock, producer, transport } = setup({ partitions: [2, 5], workers: 2 }, hold)
  producer.enqueue(testBatch(clock.now(), { partition: 2, id: 1 }))
  producer.enqueue(testBatch(clock.now(), { partition: 2, id: 2 }))
  producer.enqueue(testBatch(clock.now(), { partition: 5, id: 3 }))
  assert.deepEqual(transport.calls.map((c) => c.batch.id), [1, 3])
  assert.equal(producer.queuedBatches, 1)
})

test('producer keeps arrival order within a partition', async () => {
  const { clock, producer, transport } = setup({ partitions: [0, 1], workers: 2 }, hold)
  for (const id of [1, 2, 3]) producer.enqueue(testBatch(clock.now(), { partition: 0, id }))
  while (transport.held.length > 0) {
    for (const call of transport.held) call.resolve(delivered(call))
    await flushMicrotasks()
  }
  assert.deepEqual(transport.calls.map((c) => c.batch.id), [1, 2, 3])
})

test('producer keeps at most one exchange per partition and at most `workers` overall', async () => {
  const { clock, producer, transport, results } = setup({ partitions: [0, 1, 2, 3], workers: 3 }, hold)
  for (let i = 0; i < 30; i++) producer.enqueue(testBatch(clock.now(), i % 3 === 0 ? { partition: i % 4 } : {}))
  while (results.length < 30) {
    const held = transport.held
    const call = held[held.length - 1]
    call?.resolve(delivered(call))
    await flushMicrotasks()
  }
  assert.equal(transport.maxInFlight, 3)
  assert.equal(transport.maxInFlightPerPartition, 1)
})

test('kprod differs: a partition listed twice still gets at most one exchange at a time', () => {
  const { clock, producer, transport } = setup({ partitions: [4, 4], workers: 2 }, hold)
  producer.enqueue(testBatch(clock.now()))
  producer.enqueue(testBatch(clock.now()))
  assert.equal(transport.calls.length, 1)
})

test('kprod differs: the producer refuses zero attempts, zero workers and an empty partition list', () => {
  const cases: Partial<ProducerOptions>[] = [{ attempts: 0 }, { workers: 0 }, { partitions: [] }, { maxQueuedBatches: 0 }]
  for (const options of cases) {
    assert.throws(() => setup(options), { code: 'KPROD_CONFIG', message: /Cannot start the producer/ }, JSON.stringify(options))
  }
})

test('producer treats a rejected send as a final internal error, without an unhandled rejection', async () => {
  const { clock, producer, results } = setup({ attempts: 3 }, () => Promise.reject(new Error('boom')))
  producer.enqueue(testBatch(clock.now()))
  await producer.drain()
  assert.equal(results[0]?.exchanges.length, 1)
  assert.deepEqual(results[0]?.exchanges[0]?.error, errorData('KPROD_INTERNAL', 'error producing topic t partition 0: transport send failed: boom'))
  assert.deepEqual(results[0]?.outcomes, ['failed', 'failed'])
})

test('producer treats a send that throws as a final internal error', async () => {
  const { clock, producer, results } = setup({ attempts: 3 }, () => { throw new Error('sync boom') })
  producer.enqueue(testBatch(clock.now()))
  await producer.drain()
  assert.deepEqual(results[0]?.exchanges[0]?.error, errorData('KPROD_INTERNAL', 'error producing topic t partition 0: transport send failed: sync boom'))
})

test('producer fails records the transport returned no result for', async () => {
  const { clock, producer, results } = setup({ attempts: 3 }, (call) => ({ ...delivered(call), records: (delivered(call).records as readonly RecordResult[]).slice(0, 1) }))
  producer.enqueue(testBatch(clock.now()))
  await producer.drain()
  assert.deepEqual(results[0]?.outcomes, ['delivered', 'failed'])
  assert.match(results[0]?.errors[1]?.text ?? '', /transport returned 1 results for 2 records/)
  assert.equal(results[0]?.errors[1]?.code, 'KPROD_INTERNAL')
})

test('a run answer (the Kafka transports) delivers every record at consecutive offsets', async () => {
  const { clock, producer, results } = setup({ attempts: 3 }, (call) => deliveredRun(call, '41'))
  producer.enqueue(testBatch(clock.now(), { records: 3 }))
  await producer.drain()
  assert.deepEqual(results[0]?.outcomes, ['delivered', 'delivered', 'delivered'])
  assert.deepEqual(results[0]?.errors, [null, null, null])
  assert.deepEqual(positionList(results[0]!.positions), [0, 1, 2].map((k) => ({ partition: 0, position: String(41 + k) })))
  assert.equal(results[0]?.positions.shardId(1), undefined)
})

test('a run answer after a failed attempt places the records of the retry', async () => {
  let calls = 0
  const { clock, producer, results } = setup({ attempts: 3, retryBackoffMs: 0 }, (call) =>
    calls++ === 0 ? requestError('KPROD_BROKER', 'not leader', { retriable: true }) : deliveredRun(call, null))
  producer.enqueue(testBatch(clock.now()))
  await clock.advance(10)
  await producer.drain()
  assert.equal(results[0]?.exchanges.length, 2)
  assert.deepEqual(results[0]?.outcomes, ['delivered', 'delivered'])
  assert.deepEqual(positionList(results[0]!.positions), [{ partition: 0, position: null }, { partition: 0, position: null }])
})

test('a run answer for the wrong number of records fails every record of the exchange', async () => {
  const { clock, producer, results } = setup({ attempts: 1 }, (call) => deliveredRun(call, '0', call.records - 1))
  producer.enqueue(testBatch(clock.now()))
  await producer.drain()
  assert.deepEqual(results[0]?.outcomes, ['failed', 'failed'])
  assert.match(results[0]?.errors[0]?.text ?? '', /transport returned 1 results for 2 records/)
  assert.deepEqual(positionList(results[0]!.positions), [null, null])
})

test('producer stamps the result and each exchange with the fake clock times', async () => {
  const { clock, producer, results, transport } = setup({}, hold)
  const t0 = clock.now()
  producer.enqueue(testBatch(t0))
  await clock.advance(40)
  const call = transport.calls[0]
  call?.resolve(delivered(call))
  await flushMicrotasks()
  const r = results[0]
  assert.deepEqual([r?.begin, r?.complete], [t0, t0 + 40])
  assert.deepEqual(r?.exchanges[0], { attempt: 1, partition: 0, records: 2, enqueued: t0, begin: t0, complete: t0 + 40, response: { partition: 0, baseOffset: 0 }, error: null })
  assert.equal(r?.target, 't')
  assert.equal(r?.producerError, null)
})
