// The rate gate in front of a real AsyncProducer (on a fake transport and clock): batches are
// handed on as the limit allows, in cut order, `full` bounds what it holds, and a drain or an
// abort gives every held record exactly one outcome.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RateGate } from '../../../src/producer/rate-gate.ts'
import { setupProducer } from '../../helpers/producer-harness.ts'
import { flushMicrotasks } from '../../helpers/fake-clock.ts'
import { testBatch, type Responder } from '../../helpers/fake-transport.ts'

function setup (recordsPerSec: number, maxHeldRecords = 1000, respond?: Responder) {
  const h = setupProducer({ workers: 4, partitions: [0, 1, 2, 3] }, respond)
  const gate = new RateGate({ producer: h.producer, limit: { recordsPerSec, bytesPerSec: null }, clock: h.clock, maxHeldRecords, maxHeldBytes: Infinity })
  return { ...h, gate }
}

test('rate gate hands batches to the producer at the limit, in cut order', async () => {
  // 100 records/s: a bucket of 5; batches of 5 go every 50 ms after the first.
  const { clock, gate, transport } = setup(100)
  const ids = [1, 2, 3, 4].map((id) => { const b = testBatch(clock.now(), { id: 9000 + id, records: 5 }); gate.enqueue(b); return b.id })
  await flushMicrotasks()
  assert.equal(transport.calls.length, 1)
  await clock.advance(49)
  assert.equal(transport.calls.length, 1)
  await clock.advance(1)
  assert.equal(transport.calls.length, 2)
  await clock.advance(100)
  assert.deepEqual(transport.calls.map((c) => c.batch.id), ids)
})

test('rate gate is full once it holds its record bound, and not full after releasing', async () => {
  const { clock, gate } = setup(100, 10)
  gate.enqueue(testBatch(clock.now(), { records: 5 }))
  gate.enqueue(testBatch(clock.now(), { records: 5 }))
  gate.enqueue(testBatch(clock.now(), { records: 5 }))
  assert.equal(gate.full, true, 'holds 10 records: at the bound')
  let room = false
  gate.whenNotFull().then(() => { room = true }, () => {})
  await flushMicrotasks()
  assert.equal(room, false)
  await clock.advance(50)
  assert.equal(room, true)
  assert.equal(gate.full, false)
})

test('rate gate drain resolves once every held batch was handed on and answered', async () => {
  const { clock, gate, results } = setup(100)
  for (let i = 0; i < 4; i++) gate.enqueue(testBatch(clock.now(), { records: 5 }))
  let drained = false
  gate.drain().then(() => { drained = true }, () => {})
  await clock.advance(100)
  assert.equal(drained, false)
  await clock.advance(50)
  assert.equal(drained, true)
  assert.equal(results.length, 4)
  assert.ok(results.every((r) => r.outcomes.every((o) => o === 'delivered')))
})

test('rate gate abort gives held batches their unsent result at once', async () => {
  const { clock, gate, results, transport } = setup(100)
  for (let i = 0; i < 3; i++) gate.enqueue(testBatch(clock.now(), { records: 5 }))
  await flushMicrotasks()
  gate.abort({ code: 'KPROD_INTERRUPTED', text: 'interrupted by SIGINT', targetCode: null })
  await gate.drain()
  assert.equal(transport.calls.length, 1)
  assert.equal(results.length, 3)
  const outcomes = results.flatMap((r) => r.outcomes)
  assert.equal(outcomes.filter((o) => o === 'unsent').length, 10)
  assert.equal(gate.bufferedRecords, 0)
  await clock.advance(1000)
  assert.equal(transport.calls.length, 1, 'nothing is sent after the abort')
})

test('rate gate holds batches while the producer is full, whatever the limit allows', async () => {
  const hold: Responder = () => undefined
  const h = setupProducer({ workers: 1, partitions: [0], maxQueuedBatches: 1 }, hold)
  const gate = new RateGate({ producer: h.producer, limit: { recordsPerSec: 1_000_000, bytesPerSec: null }, clock: h.clock, maxHeldRecords: 1000, maxHeldBytes: Infinity })
  for (let i = 0; i < 4; i++) gate.enqueue(testBatch(h.clock.now(), { records: 1 }))
  await flushMicrotasks()
  // One in flight, one queued (the producer's bound): the other two stay in the gate.
  assert.equal(h.producer.bufferedRecords, 2)
  assert.equal(gate.bufferedRecords, 4)
})
