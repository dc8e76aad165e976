import { test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveConfig } from '../../../src/config/config.ts'
import { kinesisTarget } from '../../helpers/config-target.ts'

test('--batch-records defaults by client: 4000 with the wire client (the default), 1000 with kafkajs, 500 on Kinesis', () => {
  const records = (flags: Record<string, string>, env: Record<string, string> = {}): [number, number, boolean] => {
    const c = resolveConfig(flags, env, [])
    return [c.batch.batchRecords, c.batch.minRecords, c.batch.batchRecordsExplicit]
  }
  assert.deepEqual(records({ topic: 't' }), [4000, 4000, false])
  assert.deepEqual(records({ topic: 't', kafkaClient: 'kafkajs' }), [1000, 1000, false])
  assert.deepEqual(records({ topic: 't' }, { KPROD_KAFKA_CLIENT: 'kafkajs' }), [1000, 1000, false])
  assert.deepEqual(records({ stream: 's' }), [500, 500, false])
  assert.deepEqual(records({ topic: 't', kafkaClient: 'wire', batchRecords: '250' }), [250, 250, true])
  assert.deepEqual(records({ topic: 't', kafkaClient: 'wire' }, { KPROD_BATCH_RECORDS: '50' }), [50, 50, true])
  assert.deepEqual(records({ topic: 't', kafkaClient: 'wire', minRecords: '10' }), [4000, 10, false])
})

test('--buffer-records defaults to 20000 on Kafka, and on Kinesis to one batch waiting per worker', () => {
  const buffer = (flags: Record<string, string>, env: Record<string, string> = {}): number => resolveConfig(flags, env, []).producer.bufferRecords
  assert.equal(buffer({ topic: 't' }), 20000)
  assert.equal(buffer({ topic: 't', kafkaClient: 'wire', workers: '32' }), 20000)
  assert.equal(buffer({ stream: 's' }), 8 * 500)
  assert.equal(buffer({ stream: 's', workers: '3', batchRecords: '100' }), 300)
  // A batch over 500 from the environment is cut at 500 by the transport, so the queue counts 500.
  assert.equal(buffer({ stream: 's', workers: '2' }, { KPROD_BATCH_RECORDS: '1000' }), 1000)
  assert.equal(buffer({ stream: 's', bufferRecords: '50000' }), 50000)
  assert.equal(buffer({ stream: 's' }, { KPROD_BUFFER_RECORDS: '123' }), 123)
})

test('--aggregate: --batch-records counts lines (default 10000, over 500 allowed), one batch waiting per worker', () => {
  const c = resolveConfig({ stream: 's', aggregate: true } as unknown as Record<string, string>, {}, [])
  assert.deepEqual([kinesisTarget(c).aggregate, c.batch.batchRecords, c.producer.bufferRecords], [true, 10000, 8 * 10000])
  const wide = resolveConfig({ stream: 's', aggregate: true, batchRecords: '5000' } as unknown as Record<string, string>, {}, [])
  assert.equal(wide.batch.batchRecords, 5000)
  assert.throws(() => resolveConfig({ stream: 's', batchRecords: '5000' }, {}, []), /--batch-records: 5000 is over the 500 records one Kinesis PutRecords takes/)
})

test('--shard-limit: Kinesis\'s published limits by default, records/s,bytes/s or off, anything else refused with the value', () => {
  assert.deepEqual(kinesisTarget(resolveConfig({ stream: 's' }, {}, [])).shardLimit, { recordsPerSecond: 1000, bytesPerSecond: 1048576 })
  assert.deepEqual(kinesisTarget(resolveConfig({ stream: 's', shardLimit: '200, 500000' }, {}, [])).shardLimit, { recordsPerSecond: 200, bytesPerSecond: 500000 })
  assert.equal(kinesisTarget(resolveConfig({ stream: 's', shardLimit: 'off' }, {}, [])).shardLimit, null)
  for (const bad of ['1000', '0,1', 'x,y', '1000,1048576,3']) {
    assert.throws(() => resolveConfig({ stream: 's', shardLimit: bad }, {}, []), { message: new RegExp(`--shard-limit: '${bad}' is not records/s,bytes/s`) })
  }
})
