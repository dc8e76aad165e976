// The idempotent producer (the wire client's default with --acks all) against a real broker. A
// loopback proxy forwards a Produce request, lets the broker write it, then drops its answer and
// closes the connection: kprod cannot know whether the batch was written and sends it again.
// Idempotent, the retry carries the same producer id, epoch and sequence, the broker recognises
// it, and kcat reads every line exactly once; with --no-idempotent the same scenario writes the
// batch twice. The batches on the broker's disk show the producer id and consecutive sequences.

import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { kprod } from '../helpers/cli.ts'
import { multiset, multisetDiff } from '../helpers/data.ts'
import { consumeAll, sharedKafka, type Cluster } from '../helpers/kafka.ts'
import { hasLocalLog, storedBatches } from '../helpers/kafka-log.ts'
import { kafkaProxy } from '../helpers/kafka-proxy.ts'

let kafka: Cluster
before(async () => { kafka = await sharedKafka() })

const LINES = 3000
const PER_BATCH = 300
const input = Array.from({ length: LINES }, (_, i) => `idem ${i + 1}\n`).join('')
type Exchange = { attempt: number, partition: number, error: string | null }

async function runThroughProxy (extra: string[]): Promise<{ run: Awaited<ReturnType<typeof kprod>>, topic: string, dropped: number }> {
  const topic = await kafka.topic({ partitions: 2 })
  const proxy = await kafkaProxy(kafka.bootstrap.split(',')[0] as string)
  try {
    proxy.dropProduceAnswers([3, 6])
    const run = await kprod(['--brokers', proxy.bootstrap, '--topic', topic, '--kafka-client', 'wire', '--no-progress',
      '--batch-records', String(PER_BATCH), '--linger', '5000', '--workers', '2', '--retry-backoff', '50', ...extra], { input })
    return { run, topic, dropped: proxy.dropped }
  } finally {
    await proxy.close()
  }
}

test('idempotent (the default): a batch whose answer was lost is sent again and written once', async () => {
  const { run, topic, dropped } = await runThroughProxy([])
  assert.equal(run.code, 0, run.stderr)
  assert.equal(dropped, 2)
  assert.equal(run.summary.idempotent, true)
  assert.deepEqual((run.summary.counts as Record<string, number>).delivered, LINES)
  // Two answers were dropped: two exchanges more than batches. Both may hit one batch (the
  // dropped 6th request can be the retry of the 3rd, as seen on a loaded machine).
  const exchanges = run.batches.map((b) => b.exchanges as Exchange[])
  assert.equal(exchanges.reduce((n, e) => n + e.length - 1, 0), 2, 'each dropped answer cost one more exchange')
  for (const e of exchanges) {
    for (let k = 1; k < e.length; k++) {
      assert.match(String(e[k - 1]?.error), /connection closed/)
      assert.equal(e[k]?.partition, e[k - 1]?.partition, 'an idempotent retry stays on its partition')
    }
  }
  const records = await consumeAll(kafka.bootstrap, topic)
  const expected = multiset(input.split('\n').slice(0, -1).map((l) => Buffer.from(l)))
  assert.deepEqual(multisetDiff(expected, multiset(records.map((r) => r.value))), [], 'each line exactly once')
  // The broker answers a retry of a batch it wrote with no error and the first write's offsets
  // (DUPLICATE_SEQUENCE_NUMBER, delivered with null positions, is what brokers before Kafka 2.0
  // answered: test/unit/transports/kafka/produce-answer.test.ts). Every position kprod reports,
  // the retried batches' included, is where kcat finds the line.
  const where = new Map(records.map((r) => [r.value.toString(), `${r.partition}:${r.offset}`]))
  for (const b of run.batches) {
    const last = (b.exchanges as Array<{ response: Record<string, unknown> | null }>).at(-1)?.response
    assert.deepEqual([last?.errorCode, last?.note], [0, undefined], `batch ${String(b.id)}: last answer ${JSON.stringify(last)}`)
    for (const p of [b.firstDelivered, b.lastDelivered] as Array<{ line: number, partition: number, position: string | null }>) {
      assert.equal(`${p.partition}:${p.position}`, where.get(`idem ${p.line}`), `batch ${String(b.id)}, line ${p.line}`)
    }
  }
  if (hasLocalLog(kafka)) {
    for (const partition of [0, 1]) {
      const batches = storedBatches(kafka, topic, partition)
      let next = 0
      for (const b of batches) {
        assert.ok(b.producerId >= 0n, `partition ${partition}: batch at ${b.baseOffset} has producer id ${b.producerId}`)
        assert.equal(b.baseSequence, next, `partition ${partition}: batch at ${b.baseOffset} continues the sequence`)
        next += b.records
      }
    }
  }
})

test('--no-idempotent: the same lost answer makes the retry write the batch twice', async () => {
  const { run, topic, dropped } = await runThroughProxy(['--no-idempotent'])
  assert.equal(run.code, 0, run.stderr)
  assert.equal(dropped, 2)
  assert.equal(run.summary.idempotent, false)
  const records = await consumeAll(kafka.bootstrap, topic)
  assert.equal(records.length, LINES + 2 * PER_BATCH, 'both dropped batches are on the topic twice')
})

test('--acks 1 turns idempotence off (as in the Java client); the summary says so', async () => {
  const topic = await kafka.topic({ partitions: 1 })
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--kafka-client', 'wire', '--no-progress', '--acks', '1'], { input: 'a\nb\n' })
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.summary.idempotent, false)
  if (hasLocalLog(kafka)) for (const b of storedBatches(kafka, topic, 0)) assert.equal(b.producerId, -1n)
})

test('a batch given up unsettled (its answer lost, no attempts left): the partition goes on at a bumped epoch, and the summary notes it', async () => {
  const topic = await kafka.topic({ partitions: 1 })
  const proxy = await kafkaProxy(kafka.bootstrap.split(',')[0] as string)
  let run: Awaited<ReturnType<typeof kprod>>
  try {
    proxy.dropProduceAnswers([2])
    run = await kprod(['--brokers', proxy.bootstrap, '--topic', topic, '--kafka-client', 'wire', '--no-progress',
      '--batch-records', String(PER_BATCH), '--linger', '5000', '--attempts', '1'], { input })
  } finally {
    await proxy.close()
  }
  assert.equal(run.code, 4, run.stderr)
  const c = run.summary.counts as Record<string, number>
  assert.deepEqual([c.delivered, c.unknown], [LINES - PER_BATCH, PER_BATCH])
  assert.ok((run.summary.notes as string[]).some((n) => /idempotent producer: 1 epoch bump/.test(n)), JSON.stringify(run.summary.notes))
  // The lost answer's batch was written all the same: every line is there once.
  const records = await consumeAll(kafka.bootstrap, topic)
  assert.equal(records.length, LINES)
  if (hasLocalLog(kafka)) {
    const batches = storedBatches(kafka, topic, 0)
    assert.deepEqual(batches.map((b) => [b.epoch - batches[0]!.epoch, b.baseSequence]),
      batches.map((_, i) => i < 2 ? [0, i * PER_BATCH] : [1, (i - 2) * PER_BATCH]), 'after the unsettled batch: epoch + 1, sequence from 0')
  }
})
