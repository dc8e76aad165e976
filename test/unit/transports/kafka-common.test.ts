// Pure parts shared by both Kafka transports.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { deliveredRecords } from '../../../src/transports/kafka-common.ts'

test('deliveredRecords: one run whose k-th record is at base offset + k', () => {
  const run = deliveredRecords(3, 4, '1000')
  assert.deepEqual([run.kind, run.count, run.partition], ['run', 3, 4])
  assert.deepEqual([0, 1, 2].map((k) => run.position(k)), ['1000', '1001', '1002'])
})

test('deliveredRecords: offsets past 2^53 are counted exactly', () => {
  const run = deliveredRecords(3, 0, '9007199254740991')
  assert.deepEqual([0, 1, 2].map((k) => run.position(k)), ['9007199254740991', '9007199254740992', '9007199254740993'])
})

test('deliveredRecords: with no base offset (acks=0) every position is null', () => {
  const run = deliveredRecords(2, 1, null)
  assert.deepEqual([run.position(0), run.position(1)], [null, null])
})
