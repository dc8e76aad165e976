// The place named in exchange and record errors: Kafka partitions, Kinesis shards or lanes.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { placeOf } from '../../../src/producer/async-producer.ts'

test('errors name a topic partition for Kafka and a stream shard or lane for Kinesis', () => {
  assert.equal(placeOf({ kind: 'kafka', target: 'logs' }, 3), 'topic logs partition 3')
  assert.equal(placeOf({ kind: 'kinesis', target: 's', partitionNoun: 'shard' }, 2), 'stream s shard 2')
  assert.equal(placeOf({ kind: 'kinesis', target: 's', partitionNoun: 'lane' }, 0), 'stream s lane 0')
})
