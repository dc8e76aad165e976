// --dry-run against real services: records are placed as a real run would place them and nothing
// reaches the target. Kafka: the per-partition counts equal those of the same keyed lines sent by
// kcat (librdkafka's murmur2_random, the Java partitioner), and kcat reads the dry-run topic empty.
// Kinesis (kinesalite): the per-shard counts equal where a real run's records landed, and the
// dry-run stream holds nothing.

import { before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { kprod, type CliRun, why } from '../helpers/cli.ts'
import { consumeAll, sharedKafka, type Cluster } from '../helpers/kafka.ts'
import { KINESIS_TEST_ENV, localKinesis, privateKinesisHome, readStream } from '../helpers/kinesis.ts'
import { contractProblems } from '../helpers/schema.ts'

const exec = promisify(execFile)
privateKinesisHome('dry-run')
let kafka: Cluster
before(async () => { kafka = await sharedKafka() })

const LINES = 2000
const keyed = Array.from({ length: LINES }, (_, i) => `user-${i % 357}\tvalue ${i}\n`).join('')

interface DryRun { unit: string, records: Record<string, number>, skew: number | null }

function assertDryRun (run: CliRun): DryRun {
  assert.equal(run.code, 0, why(run))
  assert.deepEqual(run.summary.counts, { read: LINES, delivered: LINES, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
  for (const line of run.lines) assert.deepEqual(contractProblems(line), [], JSON.stringify(line).slice(0, 500))
  const dry = run.summary.dryRun as DryRun
  assert.equal(Object.values(dry.records).reduce((a, b) => a + b, 0), LINES)
  const counts = Object.values(dry.records)
  assert.equal(dry.skew, Math.round(Math.max(...counts) / (LINES / counts.length) * 1000) / 1000)
  return dry
}

/** Records per partition of a topic, every partition named. */
async function perPartition (topic: string, partitions: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (let p = 0; p < partitions; p++) out[String(p)] = 0
  for (const r of await consumeAll(kafka.bootstrap, topic)) out[String(r.partition)] = (out[String(r.partition)] ?? 0) + 1
  return out
}

test('kafka --dry-run places keyed lines where kcat puts them (murmur2 over the live partition count) and writes nothing', async () => {
  const dryTopic = await kafka.topic({ partitions: 5 })
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', dryTopic, '--no-progress', '--dry-run', '--key-separator', '\\t'], { input: keyed })
  const dry = assertDryRun(run)
  assert.equal(dry.unit, 'partition')
  assert.deepEqual(await consumeAll(kafka.bootstrap, dryTopic), [], 'the dry-run topic is empty')
  // The same lines through kcat, an independent client with the Java partitioner.
  const realTopic = await kafka.topic({ partitions: 5 })
  const kcat = spawn('kcat', ['-P', '-b', kafka.bootstrap, '-t', realTopic, '-K', '\t', '-X', 'partitioner=murmur2_random'], { stdio: ['pipe', 'ignore', 'pipe'] })
  kcat.stdin.end(keyed)
  assert.equal(await new Promise((resolve) => kcat.on('close', resolve)), 0)
  assert.deepEqual(dry.records, await perPartition(realTopic, 5))
})

test('kafka --dry-run spreads unkeyed lines over every partition, names each, and writes nothing', async () => {
  const topic = await kafka.topic({ partitions: 3 })
  const input = Array.from({ length: LINES }, (_, i) => `line ${i}\n`).join('')
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--dry-run', '--batch-records', '100'], { input })
  const dry = assertDryRun(run)
  assert.deepEqual(Object.keys(dry.records), ['0', '1', '2'])
  assert.ok(Object.values(dry.records).every((n) => n > 0), JSON.stringify(dry.records))
  const { stdout } = await exec('kcat', ['-C', '-b', kafka.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p\n'])
  assert.equal(stdout, '', 'kcat reads the topic empty')
})

test('kafka --dry-run still exits 3 for a topic that does not exist', async () => {
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', 'no-such-topic-dry-run', '--no-progress', '--dry-run'], { input: 'a\n' })
  assert.equal(run.code, 3, why(run))
})

test('kinesalite --dry-run places keyed lines on the shards a real run puts them on, and puts nothing', { timeout: 120_000 }, async () => {
  const kinesis = await localKinesis('kinesalite')
  const dryStream = await kinesis.createStream({ shards: 4 })
  const args = ['--endpoint', kinesis.endpoint, '--no-progress', '--key-separator', '\\t']
  const run = await kprod(['--stream', dryStream, ...args, '--dry-run'], { input: keyed, env: KINESIS_TEST_ENV, timeoutMs: 90_000 })
  const dry = assertDryRun(run)
  assert.equal(dry.unit, 'shard')
  assert.deepEqual(await readStream(kinesis.endpoint, dryStream), [], 'the dry-run stream is empty')
  // Shard ids are the stream's; a real run of the same lines on a stream of the same shape lands the same way.
  const realStream = await kinesis.createStream({ shards: 4 })
  const real = await kprod(['--stream', realStream, ...args], { input: keyed, env: KINESIS_TEST_ENV, timeoutMs: 90_000 })
  assert.equal(real.code, 0, why(real))
  const landed: Record<string, number> = Object.fromEntries(Object.keys(dry.records).map((id) => [id, 0]))
  for (const r of await readStream(kinesis.endpoint, realStream)) landed[r.shardId] = (landed[r.shardId] ?? 0) + 1
  assert.deepEqual(dry.records, landed)
})
