// The default Kafka client is kprod's own protocol client (--kafka-client wire): a run without
// --kafka-client shows its marks (exchanges name the broker and throttle time) and is idempotent.
// The rest of the Kafka integration suite runs on this default; kafka-kafkajs-client.test.ts
// runs it again on kafkajs.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { kprod } from '../helpers/cli.ts'
import { consumeAll, sharedKafka } from '../helpers/kafka.ts'

test('without --kafka-client the wire client is in use: exchanges name the broker and throttle time; the run is idempotent', async () => {
  const kafka = await sharedKafka()
  const topic = await kafka.topic({ partitions: 2 })
  const env = { KPROD_KAFKA_CLIENT: '' }
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress'], { input: 'one\ntwo\n', env })
  assert.equal(run.code, 0, run.stderr)
  const response = (run.batches[0]?.exchanges as Array<{ response: Record<string, unknown> }>)[0]?.response
  assert.equal(typeof response?.broker, 'number', JSON.stringify(response))
  assert.equal(response?.throttleTimeMs, 0)
  assert.equal(run.summary.idempotent, true)
  assert.deepEqual((await consumeAll(kafka.bootstrap, topic)).map((r) => r.value.toString()).sort(), ['one', 'two'])
})
