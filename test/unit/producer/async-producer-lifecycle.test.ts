// abort(), backpressure (full / whenNotFull), drain() and the producer's counters.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ProducerOptions } from '../../../src/producer/async-producer.ts'
import { setupProducer } from '../../helpers/producer-harness.ts'
import { errorData } from '../../../src/errors.ts'
import { flushMicrotasks } from '../../helpers/fake-clock.ts'
import { FakeTransport, delivered, requestError, testBatch, type Responder } from '../../helpers/fake-transport.ts'

function setup (options: Partial<ProducerOptions> = {}, respond: Responder = () => undefined) {
  return setupProducer(options, respond)
}

/** Settles one held call with success and lets the producer react. */
async function deliver (transport: FakeTransport, index: number): Promise<void> {
  const call = transport.calls[index]
  assert.ok(call !== undefined && !call.settled, `call ${index} is held`)
  call.resolve(delivered(call))
  await flushMicrotasks()
}

test('abort reports the batch in flight unknown and the queued batch unsent, both with the reason\'s code', async () => {
  const { clock, producer, results } = setup()
  producer.enqueue(testBatch(clock.now(), { id: 1 }))
  producer.enqueue(testBatch(clock.now(), { id: 2 }))
  const reason = errorData('KPROD_INTERRUPTED', 'interrupted by SIGINT')
  producer.abort(reason)
  assert.deepEqual(results.map((r) => [r.batch.id, r.outcomes]), [[1, ['unknown', 'unknown']], [2, ['unsent', 'unsent']]])
  const inFlight = errorData('KPROD_INTERRUPTED', 'error producing topic t partition 0: interrupted by SIGINT while the request was in flight')
  assert.deepEqual(results[0]?.exchanges[0]?.error, inFlight)
  assert.deepEqual(results[0]?.errors, [inFlight, inFlight])
  assert.equal(results[0]?.producerError, null)
  assert.deepEqual(results[1]?.errors, [reason, reason])
  assert.deepEqual(results[1]?.producerError, reason)
  assert.deepEqual([producer.inFlight, producer.queuedBatches, producer.bufferedRecords], [0, 0, 0])
})

test('abort reports batches backing off failed, or unknown when their last error may have written them', async () => {
  const errors = [
    requestError('KPROD_BROKER', 'not leader', { retriable: true }),
    requestError('KPROD_REQUEST_TIMEOUT', 'request timed out', { retriable: true, maybeWritten: true })
  ]
  const { clock, producer, results } = setup({ partitions: [0, 1], workers: 2 }, (call) => errors[call.index])
  producer.enqueue(testBatch(clock.now(), { id: 1 }))
  producer.enqueue(testBatch(clock.now(), { id: 2 }))
  await flushMicrotasks()
  assert.equal(clock.pending, 2)
  producer.abort(errorData('KPROD_FLUSH_TIMEOUT', '--flush-timeout of 5 ms passed'))
  assert.deepEqual(results.map((r) => r.outcomes), [['failed', 'failed'], ['unknown', 'unknown']])
  // The reason's code replaces the last error's; its text is appended, and the batch's records share one.
  const noted = errorData('KPROD_FLUSH_TIMEOUT', 'error producing topic t partition 0: not leader; --flush-timeout of 5 ms passed')
  assert.deepEqual(results[0]?.errors, [noted, noted])
  assert.equal(results[0]?.errors[0], results[0]?.errors[1])
  assert.deepEqual(results[0]?.exchanges[0]?.error, errorData('KPROD_BROKER', 'error producing topic t partition 0: not leader'))
  assert.equal(clock.pending, 0, 'backoff sleeps are cut short')
})

test('abort gives every batch exactly one result, even when its exchange completes later', async () => {
  const { clock, producer, results, transport } = setup({ partitions: [0, 1], workers: 2 })
  for (let i = 0; i < 5; i++) producer.enqueue(testBatch(clock.now()))
  producer.abort(errorData('KPROD_INTERRUPTED', 'interrupted'))
  for (const call of transport.calls) call.resolve(delivered(call))
  await clock.advance(10_000)
  assert.equal(results.length, 5)
  assert.equal(new Set(results.map((r) => r.batch.id)).size, 5)
  assert.equal(transport.calls.length, 2)
})

test('drain resolves after abort', async () => {
  const { clock, producer } = setup()
  producer.enqueue(testBatch(clock.now()))
  const drained = producer.drain()
  producer.abort(errorData('KPROD_INTERRUPTED', 'interrupted'))
  await drained
})

test('enqueue after abort gives an unsent result at once with no exchange', () => {
  const { clock, producer, results, transport } = setup()
  producer.abort(errorData('KPROD_INTERRUPTED', 'interrupted'))
  producer.enqueue(testBatch(clock.now()))
  assert.deepEqual(results[0]?.outcomes, ['unsent', 'unsent'])
  assert.equal(results[0]?.exchanges.length, 0)
  assert.equal(transport.calls.length, 0)
})

test('producer is full when maxQueuedBatches batches wait and whenNotFull resolves once one starts', async () => {
  const { clock, producer, transport } = setup({ maxQueuedBatches: 2 })
  producer.enqueue(testBatch(clock.now()))
  producer.enqueue(testBatch(clock.now()))
  assert.equal(producer.full, false)
  producer.enqueue(testBatch(clock.now()))
  assert.deepEqual([producer.full, producer.queuedBatches, producer.inFlight], [true, 2, 1])
  let room = false
  const waiting = producer.whenNotFull().then(() => { room = true })
  await flushMicrotasks()
  assert.equal(room, false)
  await deliver(transport, 0)
  assert.equal(room, true)
  assert.equal(producer.full, false)
  await waiting
})

test('producer counts batches backing off as queued, so failures still push back on the reader', async () => {
  const notLeader = requestError('KPROD_BROKER', 'not leader', { retriable: true })
  const { clock, producer } = setup({ partitions: [0, 1], workers: 2, maxQueuedBatches: 2 }, () => notLeader)
  producer.enqueue(testBatch(clock.now()))
  producer.enqueue(testBatch(clock.now()))
  await flushMicrotasks()
  assert.deepEqual([producer.inFlight, producer.queuedBatches, producer.full], [0, 2, true])
})

test('producer is full when its batches carry maxBufferedBytes bytes, in flight included, and has room once one is delivered', async () => {
  // testBatch: 2 records of 2 bytes, so 4 bytes a batch; maxQueuedBatches stays far away.
  const { clock, producer, transport } = setup({ maxBufferedBytes: 10 })
  producer.enqueue(testBatch(clock.now()))
  producer.enqueue(testBatch(clock.now()))
  assert.deepEqual([producer.full, producer.bufferedBytes, producer.inFlight], [false, 8, 1])
  producer.enqueue(testBatch(clock.now()))
  assert.deepEqual([producer.full, producer.bufferedBytes, producer.queuedBatches], [true, 12, 2])
  let room = false
  const waiting = producer.whenNotFull().then(() => { room = true })
  await deliver(transport, 0)
  assert.deepEqual([room, producer.full, producer.bufferedBytes], [true, false, 8])
  await waiting
})

test('a single batch in flight over maxBufferedBytes makes the producer full until its result', async () => {
  const { clock, producer, transport } = setup({ maxBufferedBytes: 3 })
  producer.enqueue(testBatch(clock.now()))
  assert.deepEqual([producer.full, producer.queuedBatches, producer.inFlight], [true, 0, 1])
  await deliver(transport, 0)
  assert.deepEqual([producer.full, producer.bufferedBytes], [false, 0])
})

test('whenNotFull resolves at once when the producer is not full', async () => {
  const { producer } = setup()
  await producer.whenNotFull()
})

test('drain resolves only when every batch has its result', async () => {
  const { clock, producer, transport, results } = setup({ partitions: [0, 1], workers: 2 })
  producer.enqueue(testBatch(clock.now()))
  producer.enqueue(testBatch(clock.now()))
  let drained = false
  const draining = producer.drain().then(() => { drained = true })
  await deliver(transport, 1)
  assert.deepEqual([drained, results.length], [false, 1])
  await deliver(transport, 0)
  assert.deepEqual([drained, results.length], [true, 2])
  await draining
})

test('drain resolves at once when nothing was enqueued', async () => {
  const { producer } = setup()
  await producer.drain()
})

test('producer counts buffered records until their outcome is final', async () => {
  const { clock, producer, transport } = setup()
  producer.enqueue(testBatch(clock.now(), { records: 3 }))
  producer.enqueue(testBatch(clock.now(), { records: 4 }))
  assert.equal(producer.bufferedRecords, 7)
  await deliver(transport, 0)
  assert.equal(producer.bufferedRecords, 4)
  await deliver(transport, 1)
  assert.equal(producer.bufferedRecords, 0)
})
