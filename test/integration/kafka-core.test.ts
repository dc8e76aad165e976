// kprod against a real Kafka broker, checked by an independent consumer (kcat): byte-exact
// delivery, the seed's partitioned scenario, Java-compatible key placement, start-up failures.

import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { promisify } from 'node:util'
import { kprod } from '../helpers/cli.ts'
import { consumeAll, sharedKafka, type Cluster } from '../helpers/kafka.ts'
import { multiset, multisetDiff, referenceLines, trickyInput } from '../helpers/data.ts'
import { validateLine } from '../helpers/schema.ts'

const exec = promisify(execFile)
let kafka: Cluster

before(async () => { kafka = await sharedKafka() })

function counts (summary: Record<string, unknown>): Record<string, number> {
  return summary.counts as Record<string, number>
}

test('200,000 tricky lines reach the topic byte for byte and the summary adds up', async () => {
  const topic = await kafka.topic({ partitions: 3 })
  const input = trickyInput(200_000)
  const expected = referenceLines(input)
  assert.equal(expected.length, 200_000)

  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress'], { input })

  assert.equal(run.code, 0, run.stderr)
  for (const line of run.lines) assert.deepEqual(validateLine(line), [], JSON.stringify(line).slice(0, 300))
  assert.equal(Object.keys(run.lines.at(-1) ?? {})[0], 'type')
  assert.equal(run.lines.at(-1)?.type, 'summary')
  const c = counts(run.summary)
  assert.deepEqual({ read: c.read, delivered: c.delivered, failed: c.failed, unknown: c.unknown, skipped: c.skipped, unsent: c.unsent },
    { read: 200_000, delivered: 200_000, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
  const batchRecords = run.batches.reduce((n, b) => n + (b.records as number), 0)
  assert.equal(batchRecords, 200_000)

  const consumed = await consumeAll(kafka.bootstrap, topic)
  assert.equal(consumed.length, 200_000)
  assert.ok(consumed.every((r) => r.key === null), 'unkeyed records keep a null key')
  const diff = multisetDiff(multiset(expected), multiset(consumed.map((r) => r.value)))
  assert.deepEqual(diff, [])
})

test('files are read in order and each file\'s unterminated last line is its own line', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'kprod-files-'))
  writeFileSync(join(dir, 'a.txt'), 'a1\na2\r\na3-no-newline')
  writeFileSync(join(dir, 'b.txt'), 'b1\n\nb3\n')
  const topic = await kafka.topic({ partitions: 1 })

  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', join(dir, 'a.txt'), join(dir, 'b.txt')])

  assert.equal(run.code, 0, run.stderr)
  const values = (await consumeAll(kafka.bootstrap, topic)).map((r) => r.value.toString())
  assert.deepEqual(values, ['a1', 'a2', 'a3-no-newline', 'b1', '', 'b3'])
})

test('partitions [9,3,1] with one worker: unkeyed batches go to 9 then 3, an explicit 9 to 9', async () => {
  const topic = await kafka.topic({ partitions: 10 })
  const common = ['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--partitions', '9,3,1', '--workers', '1']

  const unkeyed = await kprod([...common, '--batch-records', '1'], { input: 'first\nsecond\n' })
  assert.equal(unkeyed.code, 0, unkeyed.stderr)
  const byId = [...unkeyed.batches].sort((a, b) => (a.id as number) - (b.id as number))
  assert.deepEqual(byId.map((b) => b.partition), [9, 3])

  const explicit = await kprod([...common, '--partition', '9'], { input: 'third\n' })
  assert.equal(explicit.code, 0, explicit.stderr)
  assert.equal(explicit.batches[0]?.partition, 9)

  const consumed = await consumeAll(kafka.bootstrap, topic)
  const where = Object.fromEntries(consumed.map((r) => [r.value.toString(), r.partition]))
  assert.deepEqual(where, { first: 9, second: 3, third: 9 })
})

test('a --partition the topic lacks exits 2 at start, naming the flag, the value and the partitions', async () => {
  const topic = await kafka.topic({ partitions: 3 })
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--partition', '5'], { input: 'x\ny\n' })
  assert.equal(run.code, 2, run.stderr)
  assert.match(run.stderr, new RegExp(`--partition: 5 is not in topic '${topic}', which has partitions 0\\.\\.2`))
  assert.equal(run.batches.length, 0)
  assert.equal((await consumeAll(kafka.bootstrap, topic)).length, 0)
})

test('a --partition outside --partitions exits 2 at start and sends nothing', async () => {
  const topic = await kafka.topic({ partitions: 10 })
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--partitions', '9,3,1',
    '--partition', '8'], { input: 'x\ny\n' })
  assert.equal(run.code, 2, run.stderr)
  assert.match(run.stderr, /--partition: 8 is not one of --partitions 9,3,1/)
  assert.equal(run.batches.length, 0)
  assert.equal((await consumeAll(kafka.bootstrap, topic)).length, 0)
})

test('keyed records land on the partition the Java client picks (kcat murmur2_random as the reference)', async () => {
  const partitions = 7
  const mine = await kafka.topic({ partitions })
  const reference = await kafka.topic({ partitions })
  const keys = Array.from({ length: 300 }, (_, i) => i % 3 === 0 ? `user-${i}` : `k${i * 7919}\u00e9`)
  const input = keys.map((k, i) => `${k}\tvalue ${i}\n`).join('')

  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', mine, '--no-progress', '--key-separator', '\\t'], { input })
  assert.equal(run.code, 0, run.stderr)
  // librdkafka's murmur2_random partitioner is documented as Java-compatible for non-null keys.
  await new Promise<void>((resolve, reject) => {
    const child = execFile('kcat', ['-P', '-b', kafka.bootstrap, '-t', reference, '-K', '\t', '-X', 'partitioner=murmur2_random'], (err) => err ? reject(err) : resolve())
    child.stdin?.end(input)
  })

  const placed = (records: Awaited<ReturnType<typeof consumeAll>>): Map<string, number> =>
    new Map(records.map((r) => [String(r.key), r.partition]))
  const ours = placed(await consumeAll(kafka.bootstrap, mine))
  const theirs = placed(await consumeAll(kafka.bootstrap, reference))
  assert.equal(ours.size, keys.length)
  assert.equal(new Set(ours.values()).size, partitions, 'keys spread over every partition')
  assert.deepEqual(ours, theirs)
})

test('an unreachable broker exits 3 within the connect timeout with an error naming the brokers', async () => {
  const port = await closedPort()
  const started = Date.now()

  const run = await kprod(['--brokers', `127.0.0.1:${port}`, '--topic', 'nowhere', '--connect-timeout', '2000', '--no-progress'], { input: 'a\n' })

  const elapsed = Date.now() - started
  assert.equal(run.code, 3, run.stderr)
  assert.match(run.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`))
  assert.match(run.stderr, /--connect-timeout/)
  assert.ok(elapsed < 2000 + 5000, `took ${elapsed} ms`)
  assert.equal(run.summary.exitCode, 3)
  assert.equal(run.summary.errorCode, 'KPROD_CONNECT')
  assert.equal(counts(run.summary).delivered, 0)
})

test('a topic that does not exist exits 3 at start and is not created', async () => {
  const topic = `missing-${process.pid}-${Date.now()}`

  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress'], { input: 'a\n' })

  assert.equal(run.code, 3, run.stderr)
  assert.match(run.stderr, new RegExp(`topic '${topic}' does not exist`))
  assert.equal(run.summary.errorCode, 'KPROD_TARGET_NOT_FOUND')
  for (const line of run.lines) assert.deepEqual(validateLine(line), [], JSON.stringify(line).slice(0, 300))
  const { stdout } = await exec('kcat', ['-L', '-b', kafka.bootstrap, '-t', topic])
  assert.doesNotMatch(stdout, /partition 0,/)
})

test('a topic deleted mid-run: each later batch makes exactly --attempts exchanges, exit 4', async () => {
  const topic = await kafka.topic({ partitions: 1 })
  const { PassThrough } = await import('node:stream')
  const input = new PassThrough()
  input.write('before-1\nbefore-2\n')
  const running = kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--attempts', '3',
    '--retry-backoff', '50', '--retry-backoff-max', '100', '--request-timeout', '3000', '--linger', '5'], { input })
  await waitFor(async () => (await consumeAll(kafka.bootstrap, topic)).length === 2, 20_000)
  await kafka.deleteTopic(topic)
  input.end('after-1\nafter-2\n')

  const run = await running

  assert.equal(run.code, 4, run.stderr)
  const failed = run.batches.filter((b) => b.produced === false)
  assert.equal(failed.length, 1)
  const exchanges = failed[0]!.exchanges as Array<Record<string, unknown>>
  assert.deepEqual(exchanges.map((e) => e.attempt), [1, 2, 3])
  assert.ok(exchanges.every((e) => typeof e.error === 'string' && (e.error as string).startsWith(`error producing topic ${topic} partition 0: `)))
  // --attempts ran out: the records' code is their last exchange's.
  const last = exchanges.at(-1)!
  assert.match(String(last.errorCode), /^KPROD_/)
  assert.deepEqual((failed[0]!.errors as Array<{ code: string }>).map((e) => e.code), [last.errorCode])
  assert.deepEqual(run.summary.undeliveredByCode, { [String(last.errorCode)]: 2 })
  for (const line of run.lines) assert.deepEqual(validateLine(line), [], JSON.stringify(line).slice(0, 300))
  const c = counts(run.summary)
  assert.equal(c.delivered, 2)
  assert.equal(c.failed! + c.unknown!, 2)
})

async function waitFor (check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`condition not met within ${timeoutMs} ms`)
}

/** A loopback port nobody listens on: bind one, then close it. */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}
