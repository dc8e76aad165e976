// How many connections the wire client opens, counted by a loopback TCP proxy the broker
// advertises: the start-up connection carries on as the first produce connection of the broker it
// reached when the broker advertises the address kprod was given (as librdkafka's bootstrap
// connection does), and is closed after start-up when it does not.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { kprod } from '../helpers/cli.ts'
import { consumeAll, privateKafka, type Cluster } from '../helpers/kafka.ts'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts'

let kafka: Cluster
let proxy: TcpProxy
const env = { KPROD_KAFKA_CLIENT: '' }

before(async () => {
  proxy = await startTcpProxy()
  kafka = await privateKafka(1, [proxy.port])
  proxy.setTarget(Number(kafka.bootstrap.split(':').pop()))
  // A fresh cluster can refuse the first start-up (producer ids not allocated yet), which kprod
  // retries on a new connection: one run first, so that the counts below are of a settled cluster.
  const warm = await kprod(['--brokers', `127.0.0.1:${proxy.port}`, '--topic', await kafka.topic({ partitions: 1 }), '--no-progress'], { input: 'warm-up\n', env })
  assert.equal(warm.code, 0, warm.stderr)
})
after(async () => {
  await kafka?.down()
  await proxy?.close()
})

test('the start-up connection carries the produce requests when the broker advertises the address given: one connection in all', async () => {
  const topic = await kafka.topic({ partitions: 1 })
  const before = proxy.stats.connections
  const run = await kprod(['--brokers', `127.0.0.1:${proxy.port}`, '--topic', topic, '--no-progress'], { input: 'one\ntwo\nthree\n', env })
  assert.equal(run.code, 0, run.stderr)
  assert.equal((run.summary.counts as { delivered: number }).delivered, 3)
  assert.equal(proxy.stats.connections - before, 1, `kprod opened a second connection to the broker it had already reached\n${run.stderr}`)
  assert.deepEqual((await consumeAll(kafka.bootstrap, topic)).map((r) => r.value.toString()), ['one', 'two', 'three'])
})

test('a start-up connection to an address the broker does not advertise is closed; produce requests go to the advertised one', async () => {
  const topic = await kafka.topic({ partitions: 1 })
  const before = proxy.stats.connections
  // The broker's own port: the metadata names the proxy's, so the start-up connection is not kept.
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress'], { input: 'one\ntwo\n', env })
  assert.equal(run.code, 0, run.stderr)
  assert.equal((run.summary.counts as { delivered: number }).delivered, 2)
  assert.equal(proxy.stats.connections - before, 1, 'the produce connection should be the only one through the advertised address')
  assert.deepEqual((await consumeAll(kafka.bootstrap, topic)).map((r) => r.value.toString()), ['one', 'two'])
})
