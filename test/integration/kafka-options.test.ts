// Producer and input options against a real broker: acks 0/1/all, gzip, CreateTime = read
// time, and lines that can never be sent (too long, too large for the topic, no key separator,
// empty) skipped with their line numbers while the rest is delivered; each way a line is not
// delivered carries its error code in the JSON lines.

import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { kprod } from '../helpers/cli.ts'
import { consumeAll, sharedKafka, type Cluster } from '../helpers/kafka.ts'
import { contractProblems } from '../helpers/schema.ts'

const exec = promisify(execFile)
let kafka: Cluster
before(async () => { kafka = await sharedKafka() })

const counts = (summary: Record<string, unknown>): Record<string, number> => summary.counts as Record<string, number>
const lines = (n: number, tag: string): string => Array.from({ length: n }, (_, i) => `${tag} ${i}\n`).join('')
const validLines = (run: { lines: readonly Record<string, unknown>[] }): void => {
  for (const line of run.lines) assert.deepEqual(contractProblems(line), [], JSON.stringify(line).slice(0, 500))
}

for (const acks of ['all', '1', '0']) {
  test(`--acks ${acks} delivers every line${acks === '0' ? ', with offsets unknown' : ''}`, async () => {
    const topic = await kafka.topic({ partitions: 2 })
    const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--acks', acks, '--batch-records', '100'], { input: lines(1000, 'acks') })
    assert.equal(run.code, 0, run.stderr)
    assert.equal(counts(run.summary).delivered, 1000)
    const first = run.batches[0]!.firstDelivered as Record<string, unknown>
    if (acks === '0') {
      assert.equal(first.position, null)
      assert.ok((run.summary.notes as string[]).some((n) => n.includes('--acks 0')))
    } else {
      assert.match(String(first.position), /^\d+$/)
    }
    assert.equal((await consumeAll(kafka.bootstrap, topic)).length, 1000)
  })
}

test('--compression gzip delivers byte-exact values in order', async () => {
  const topic = await kafka.topic({ partitions: 1 })
  const input = lines(2000, 'gzip \u00e9')
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--compression', 'gzip'], { input })
  assert.equal(run.code, 0, run.stderr)
  const values = (await consumeAll(kafka.bootstrap, topic)).map((r) => r.value.toString())
  assert.deepEqual(values, input.split('\n').slice(0, -1))
})

test('records carry CreateTime = the time the line was read', async () => {
  const topic = await kafka.topic({ partitions: 1 })
  const before = Date.now()
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress'], { input: 'ts-1\nts-2\n' })
  const after = Date.now()
  assert.equal(run.code, 0, run.stderr)
  const { stdout } = await exec('kcat', ['-C', '-b', kafka.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%T\n'])
  const stamps = stdout.trim().split('\n').map(Number)
  assert.equal(stamps.length, 2)
  for (const ts of stamps) assert.ok(ts >= before && ts <= after, `timestamp ${ts} outside the run ${before}..${after}`)
  const batch = run.batches[0]!
  assert.equal(Date.parse(String(batch.firstTimestamp)), stamps[0])
})

test('lines that can never be sent are skipped with their line numbers; the rest is delivered; exit 4', async () => {
  const topic = await kafka.topic({ partitions: 1, config: { 'max.message.bytes': '4096' } })
  const dir = mkdtempSync(join(tmpdir(), 'kprod-skip-'))
  const failed = join(dir, 'failed.txt')
  const big = 'v'.repeat(6000)
  const input = ['k1\tok-1', 'no separator here', `k3\t${big}`, '', `k5\t${'w'.repeat(200)}`, 'k6\tok-6'].join('\n') + '\n'

  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--key-separator', '\\t',
    '--empty-lines', 'skip', '--max-line-bytes', '150', '--failed-output', failed], { input })

  assert.equal(run.code, 4, run.stderr)
  const c = counts(run.summary)
  assert.deepEqual([c.read, c.delivered, c.skipped], [6, 2, 4])
  assert.match(run.stderr, /stdin:2: skipped: the line has no key separator/)
  assert.match(run.stderr, /stdin:3: skipped: the line is \d+ bytes, over --max-line-bytes 150/)
  assert.match(run.stderr, /stdin:4: skipped: the line is empty/)
  assert.match(run.stderr, /stdin:5: skipped: the line is \d+ bytes, over --max-line-bytes 150/)
  assert.deepEqual(run.summary.undeliveredByCode, { KPROD_INVALID_RECORD: 2, KPROD_RECORD_TOO_LARGE: 2 })
  validLines(run)
  const values = (await consumeAll(kafka.bootstrap, topic)).map((r) => `${String(r.key)}=${r.value.toString()}`)
  assert.deepEqual(values, ['k1=ok-1', 'k6=ok-6'])
  // Skipped lines kprod holds are written back; over-long lines are never buffered, so they cannot be.
  assert.equal(readFileSync(failed, 'utf8'), 'no separator here\n\n')
})

test('-q prints the summary line only, with the counts, even with stats and batch lines asked for', async () => {
  const topic = await kafka.topic({ partitions: 2 })
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '-q', '--stats-interval', '1', '--batch-records', '1'], { input: 'a\nb\nc\n' })
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines.map((l) => l.type), ['summary'])
  assert.equal(run.summary.schemaVersion, 3)
  assert.deepEqual(run.summary.undeliveredByCode, {})
  assert.deepEqual([counts(run.summary).read, counts(run.summary).delivered], [3, 3])
  assert.equal((await consumeAll(kafka.bootstrap, topic)).length, 3)
})

test('a skipped line is named by its file and its line within that file when several files are read', async () => {
  const topic = await kafka.topic({ partitions: 1, config: { 'max.message.bytes': '4096' } })
  const dir = mkdtempSync(join(tmpdir(), 'kprod-where-'))
  const a = join(dir, 'a.txt')
  const b = join(dir, 'b.txt')
  writeFileSync(a, 'a1\n\na3\n')
  writeFileSync(b, `b1\n${'x'.repeat(5000)}\nb3\n\n`)

  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--empty-lines', 'skip', a, b])

  assert.equal(run.code, 4, run.stderr)
  assert.deepEqual([counts(run.summary).delivered, counts(run.summary).skipped], [4, 3])
  assert.match(run.stderr, new RegExp(`kprod: ${a}:2: skipped: the line is empty`))
  assert.match(run.stderr, new RegExp(`kprod: ${b}:2: skipped: the line is a record of 5000 bytes`))
  assert.match(run.stderr, new RegExp(`kprod: ${b}:4: skipped: the line is empty`))
})

test('a record over the topic\'s max.message.bytes is skipped, naming the limit, before any send', async () => {
  const topic = await kafka.topic({ partitions: 1, config: { 'max.message.bytes': '4096' } })
  const input = `small\n${'x'.repeat(5000)}\nsmall again\n`

  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress'], { input })

  assert.equal(run.code, 4, run.stderr)
  assert.deepEqual([counts(run.summary).delivered, counts(run.summary).skipped], [2, 1])
  assert.match(run.stderr, /stdin:2: skipped: the line is a record of 5000 bytes, over the \d+-byte limit of topic/)
  assert.deepEqual(run.summary.undeliveredByCode, { KPROD_RECORD_TOO_LARGE: 1 })
  assert.ok(run.batches.every((b) => b.produced === true), 'no batch was poisoned by the large record')
})

test('full batches fit max.message.bytes with their framing: 1,000 lines of 1,046 bytes, and a small topic limit', async () => {
  // 1,000 × 1,046 B of data is under 1 MiB, but not with ~11 B of framing per record on top.
  const big = await kafka.topic({ partitions: 1 })
  const line = `${'x'.repeat(1046)}\n`
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', big, '--no-progress', '--attempts', '1'], { input: line.repeat(3000) })
  assert.equal(run.code, 0, run.stderr)
  assert.equal(counts(run.summary).delivered, 3000)
  // 10,000 empty records would be ~110 KB of framing alone, over a 64 KiB topic limit.
  const small = await kafka.topic({ partitions: 1, config: { 'max.message.bytes': '65536' } })
  const tiny = await kprod(['--brokers', kafka.bootstrap, '--topic', small, '--no-progress', '--attempts', '1', '--batch-records', '10000', '--linger', '1000'], { input: '\n'.repeat(20000) })
  assert.equal(tiny.code, 0, tiny.stderr)
  assert.match(tiny.stderr, /--batch-records 10000 lowered to 1354 to fit the limits of topic/)
  assert.equal(counts(tiny.summary).delivered, 20000)
  assert.equal((await consumeAll(kafka.bootstrap, small)).length, 20000)
})

test('--when-full drop fails and counts whole batches while the buffer is full, and delivers the rest', async () => {
  const topic = await kafka.topic({ partitions: 1 })
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--when-full', 'drop',
    '--buffer-records', '200', '--batch-records', '100', '--workers', '1'], { input: lines(100_000, 'drop') })

  assert.equal(run.code, 4, run.stderr)
  const c = counts(run.summary)
  assert.equal(c.read, 100_000)
  assert.ok((run.summary.dropped as number) > 0, 'some batches were dropped')
  assert.equal(run.summary.dropped, c.failed)
  assert.equal(c.delivered! + c.failed!, 100_000)
  assert.equal((await consumeAll(kafka.bootstrap, topic)).length, c.delivered)
  const refused = run.batches.find((b) => b.produced === false)!
  assert.deepEqual(refused.exchanges, [])
  assert.match(String(refused.producerError), /buffer full: 100 records not sent \(--when-full drop, --buffer-records 200, --buffer-bytes 16777216\)/)
  assert.equal(refused.producerErrorCode, 'KPROD_BUFFER_FULL')
  assert.deepEqual(refused.errors, [{ error: refused.producerError, code: 'KPROD_BUFFER_FULL', targetCode: null, records: 100 }])
  assert.deepEqual(run.summary.undeliveredByCode, { KPROD_BUFFER_FULL: c.failed })
  validLines(run)
})

test('--when-full error stops reading at the first full buffer, reports why, and exits 4', async () => {
  const topic = await kafka.topic({ partitions: 1 })
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--when-full', 'error',
    '--buffer-records', '200', '--batch-records', '100', '--workers', '1'], { input: lines(100_000, 'error') })

  assert.equal(run.code, 4, run.stderr)
  const c = counts(run.summary)
  assert.ok(c.read! < 100_000, `read ${c.read}`)
  assert.equal(c.read, c.delivered! + c.failed! + c.unknown! + c.skipped! + c.unsent!)
  assert.match(String(run.summary.error), /buffer full: .*reading stopped/)
  assert.equal(run.summary.errorCode, 'KPROD_BUFFER_FULL')
  assert.deepEqual(run.summary.undeliveredByCode, { KPROD_BUFFER_FULL: c.failed! + c.unsent! })
  validLines(run)
  assert.equal((await consumeAll(kafka.bootstrap, topic)).length, c.delivered)
})
