// The idempotent producer's bookkeeping, pure: stamps kept across retries, sequences per
// partition, the local epoch bump after a refused or abandoned batch, and the sequence wrap.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { IdempotentProducer, nextSequence } from '../../../../src/transports/kafka/wire/idempotence.ts'

test('each partition counts its own sequence from 0; a retry of the same batch gets the same stamp', () => {
  const p = new IdempotentProducer('1000', 0)
  const a = p.stamp(1, 10, 0)
  assert.deepEqual(a, { producerId: '1000', epoch: 0, baseSequence: 0 })
  assert.deepEqual(p.stamp(1, 10, 0), a, 'retry before any answer: unchanged')
  p.acknowledged(1, 0)
  assert.deepEqual(p.stamp(2, 5, 0), { producerId: '1000', epoch: 0, baseSequence: 10 })
  assert.deepEqual(p.stamp(3, 7, 1), { producerId: '1000', epoch: 0, baseSequence: 0 })
  p.acknowledged(2, 0)
  assert.deepEqual(p.stamp(4, 1, 0), { producerId: '1000', epoch: 0, baseSequence: 15 })
  assert.equal(p.bumps, 0)
})

test('OUT_OF_ORDER / UNKNOWN_PRODUCER_ID: the retry starts its partition over at a bumped epoch', () => {
  const p = new IdempotentProducer('7', 3)
  p.stamp(1, 10, 0)
  p.acknowledged(1, 0)
  p.stamp(2, 10, 0)
  p.stamp(9, 4, 1)
  p.refused(2, 0)
  assert.deepEqual(p.stamp(2, 10, 0), { producerId: '7', epoch: 4, baseSequence: 0 })
  assert.deepEqual(p.stamp(2, 10, 0), { producerId: '7', epoch: 4, baseSequence: 0 }, 'a further retry keeps the new stamp')
  assert.equal(p.bumps, 1)
  // Partition 1 still has its batch open at epoch 3: its retry is unchanged; its next batch moves up to epoch 4.
  assert.deepEqual(p.stamp(9, 4, 1), { producerId: '7', epoch: 3, baseSequence: 0 })
  p.acknowledged(9, 1)
  assert.deepEqual(p.stamp(10, 4, 1), { producerId: '7', epoch: 4, baseSequence: 0 })
  assert.equal(p.bumps, 1)
})

test('a batch given up without a settling answer: the next batch on that partition bumps the epoch', () => {
  const p = new IdempotentProducer('7', 0)
  p.stamp(1, 10, 0) // its answer never came and the producer gave up on it
  assert.deepEqual(p.stamp(2, 3, 0), { producerId: '7', epoch: 1, baseSequence: 0 })
  assert.equal(p.bumps, 1)
})

test('at epoch 32767 a bump needs a new producer id; renew() starts every partition over', () => {
  const p = new IdempotentProducer('7', 32767)
  p.stamp(1, 10, 0)
  assert.equal(p.needsNewId(1, 0), false, 'a retry needs no bump')
  assert.equal(p.needsNewId(2, 0), true)
  p.renew('8', 0)
  assert.deepEqual(p.stamp(2, 3, 0), { producerId: '8', epoch: 0, baseSequence: 0 })
})

test('sequences wrap from 2^31-1 to 0, as the broker counts them', () => {
  assert.equal(nextSequence(0, 5), 5)
  assert.equal(nextSequence(2147483647 - 5, 5), 2147483647)
  assert.equal(nextSequence(2147483647 - 4, 5), 0)
  assert.equal(nextSequence(2147483647, 1), 0)
  assert.equal(nextSequence(2147483640, 10), 2)
})
