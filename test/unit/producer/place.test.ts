// The place named in exchange and record errors: Kafka partitions, Kinesis shards or lanes.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { placeName, targetName } from '../../../src/transports/transport.ts'

test('errors name a topic partition for Kafka and a stream shard or lane for Kinesis', () => {
  assert.equal(placeName({ noun: 'topic', target: 'logs', partitionNoun: 'partition' }, 3), 'topic logs partition 3')
  assert.equal(placeName({ noun: 'stream', target: 's', partitionNoun: 'shard' }, 2), 'stream s shard 2')
  assert.equal(placeName({ noun: 'stream', target: 's', partitionNoun: 'lane' }, 0), 'stream s lane 0')
  assert.equal(targetName({ noun: 'topic', target: 'logs' }), "topic 'logs'")
})
