// The whole Kafka integration suite once more, with the kafkajs client (--kafka-client kafkajs)
// instead of the default wire client: every kprod child inherits KPROD_KAFKA_CLIENT from this
// process, so each proof (byte-exact round trip, murmur2 placement, acks 0/1/all, gzip, deleted
// topic, stopped broker, signals, --failed-output) holds for both clients.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { kprod } from '../helpers/cli.ts'
import { consumeAll, sharedKafka } from '../helpers/kafka.ts'

process.env.KPROD_KAFKA_CLIENT = 'kafkajs'

test('--kafka-client kafkajs is the client in use: its exchanges carry kafkajs\'s answer, without a broker id; not idempotent unless asked', async () => {
  const kafka = await sharedKafka()
  const topic = await kafka.topic({ partitions: 2 })
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress'], { input: 'one\ntwo\n' })
  assert.equal(run.code, 0, run.stderr)
  const response = (run.batches[0]?.exchanges as Array<{ response: Record<string, unknown> }>)[0]?.response
  assert.equal(response?.broker, undefined, JSON.stringify(response))
  assert.equal(run.summary.idempotent, false)
  assert.deepEqual((await consumeAll(kafka.bootstrap, topic)).map((r) => r.value.toString()).sort(), ['one', 'two'])
})

await import('./kafka-core.test.ts')
await import('./kafka-options.test.ts')
await import('./kafka-faults.test.ts')
await import('./kafka-signals.test.ts')
