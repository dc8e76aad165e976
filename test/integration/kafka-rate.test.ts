// --rate and --rate-bytes against real services: every line is delivered and read back (kcat for
// Kafka, framed by sizes; GetRecords on kinesalite for Kinesis), stats lines name the limit in force, and batches
// are cut to one burst of the limit. No timing is asserted here: the rate held is measured by
// `npm run bench -- --only rate` (bench/README.md).

import { before, test } from 'node:test'
import assert from 'node:assert/strict'
import { kprod, type CliRun, why } from '../helpers/cli.ts'
import { multiset, multisetDiff, referenceLines, trickyInput } from '../helpers/data.ts'
import { consumeAll, sharedKafka, type Cluster } from '../helpers/kafka.ts'
import { KINESIS_TEST_ENV, localKinesis, privateKinesisHome, readStream } from '../helpers/kinesis.ts'
import { contractProblems } from '../helpers/schema.ts'

privateKinesisHome('rate')
let kafka: Cluster
before(async () => { kafka = await sharedKafka() })

/** Exit 0, every line delivered, every output line valid, and each stats line naming `limit`. */
function assertDeliveredUnderLimit (run: CliRun, lines: number, limit: Record<string, number | null>): void {
  assert.equal(run.code, 0, why(run))
  assert.deepEqual(run.summary.counts, { read: lines, delivered: lines, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
  for (const line of run.lines) assert.deepEqual(contractProblems(line), [], JSON.stringify(line).slice(0, 500))
  const stats = run.lines.filter((l) => l.type === 'stats')
  assert.ok(stats.length >= 1, 'a final stats line at least')
  for (const s of stats) assert.deepEqual(s.rateLimit, limit)
}

function assertSameLines (stored: readonly Buffer[], expected: readonly Buffer[]): void {
  assert.deepEqual(multisetDiff(multiset(expected), multiset(stored)), [])
  assert.equal(stored.length, expected.length)
}

for (const client of ['wire', 'kafkajs'] as const) {
  test(`--kafka-client ${client}: --rate delivers every line, read back by kcat, in batches of at most 50 ms of the rate`, async () => {
    const topic = await kafka.topic({ partitions: 3 })
    const input = trickyInput(3000)
    const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--kafka-client', client,
      '--rate', '4k/s', '--stats-interval', '250'], { input, timeoutMs: 60_000 })
    assertDeliveredUnderLimit(run, 3000, { recordsPerSec: 4000, bytesPerSec: null })
    assert.ok(run.batches.every((b) => (b.records as number) <= 200), `batches: ${run.batches.map((b) => b.records).join(',')}`)
    const stored = await consumeAll(kafka.bootstrap, topic)
    assertSameLines(stored.map((r) => r.value), referenceLines(input))
  })
}

test('--rate-bytes with --rate delivers every line; the stats lines name both limits', async () => {
  const topic = await kafka.topic({ partitions: 2 })
  const input = trickyInput(2000)
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--rate-bytes', '64k', '--rate', '1M', '--stats-interval', '250'],
    { input, timeoutMs: 60_000 })
  assertDeliveredUnderLimit(run, 2000, { recordsPerSec: 1_000_000, bytesPerSec: 65_536 })
  // A batch is at most 50 ms of the byte rate (3276 bytes), or one record when a record is larger.
  assert.ok(run.batches.every((b) => (b.bytes as number) <= 3276 || b.records === 1), 'batches within one burst')
  const stored = await consumeAll(kafka.bootstrap, topic)
  assertSameLines(stored.map((r) => r.value), referenceLines(input))
})

test('kinesalite: --rate delivers every line to the stream, byte for byte', { timeout: 120_000 }, async () => {
  const kinesis = await localKinesis('kinesalite')
  const stream = await kinesis.createStream({ shards: 2 })
  const input = trickyInput(2000)
  const run = await kprod(['--stream', stream, '--endpoint', kinesis.endpoint, '--no-progress', '--rate', '4000', '--stats-interval', '250'],
    { input, env: KINESIS_TEST_ENV, timeoutMs: 90_000 })
  assertDeliveredUnderLimit(run, 2000, { recordsPerSec: 4000, bytesPerSec: null })
  const stored = await readStream(kinesis.endpoint, stream)
  assertSameLines(stored.map((r) => r.data), referenceLines(input))
})

test('--rate out of range is exit 2 naming the flag and the range, before connecting', async () => {
  const run = await kprod(['--brokers', '127.0.0.1:1', '--topic', 't', '--rate', '0/s'], { input: '' })
  assert.equal(run.code, 2)
  assert.match(run.stderr, /--rate: '0\/s' is out of range; allowed: 1\.\.1000000000 records per second/)
})
