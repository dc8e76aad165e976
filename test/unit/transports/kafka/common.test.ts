// Pure parts shared by both Kafka transports.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { deliveredRecords, limitsFor } from '../../../../src/transports/kafka/common.ts'

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

test('limitsFor: a full batch with its framing (24 B a record, 512 B a batch) stays under max.message.bytes', () => {
  for (const [records, max] of [[1000, 1048588], [10000, 1048588], [10000, 65536], [500, 4096]] as const) {
    const l = limitsFor({ maxBatchRecords: records, maxBatchBytes: 1 << 20 }, max)
    assert.ok(l.maxBatchBytes + l.maxBatchRecords * 24 + 512 <= max, `${records} records, max.message.bytes ${max}: ${JSON.stringify(l)}`)
    assert.ok(l.maxBatchBytes >= (max - 512) / 2, 'at least half the room is left for data')
    assert.equal(l.maxRecordBytes, max - 512 - 24)
  }
  assert.deepEqual(limitsFor({ maxBatchRecords: 1000, maxBatchBytes: 4096 }, 1048588), { maxRecordBytes: 1048052, maxBatchRecords: 1000, maxBatchBytes: 4096 })
  assert.equal(limitsFor({ maxBatchRecords: 10000, maxBatchBytes: 1 << 20 }, 65536).maxBatchRecords, 1354)
})
