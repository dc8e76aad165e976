import { test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveConfig } from '../../../src/config/config.ts'

test('--batch-records defaults by client: 1000 with kafkajs, 4000 with the wire client, 1000 (cut at 500) on Kinesis', () => {
  const records = (flags: Record<string, string>, env: Record<string, string> = {}): [number, number, boolean] => {
    const c = resolveConfig(flags, env, [])
    return [c.batchRecords, c.minRecords, c.batchRecordsExplicit]
  }
  assert.deepEqual(records({ topic: 't' }), [1000, 1000, false])
  assert.deepEqual(records({ topic: 't', kafkaClient: 'wire' }), [4000, 4000, false])
  assert.deepEqual(records({ topic: 't' }, { KPROD_KAFKA_CLIENT: 'wire' }), [4000, 4000, false])
  assert.deepEqual(records({ stream: 's' }), [1000, 1000, false])
  assert.deepEqual(records({ topic: 't', kafkaClient: 'wire', batchRecords: '250' }), [250, 250, true])
  assert.deepEqual(records({ topic: 't', kafkaClient: 'wire' }, { KPROD_BATCH_RECORDS: '50' }), [50, 50, true])
  assert.deepEqual(records({ topic: 't', kafkaClient: 'wire', minRecords: '10' }), [4000, 10, false])
})
