// The Kinesis target proven through the CLI on both emulators (kinesalite and kinesis-mock, their
// own private instances): 20,000 tricky lines go in and every shard read back holds exactly the
// input multiset, byte for byte; positions reported in batch lines are where the records are;
// stats lines carry the Kinesis seed's StatsBatch fields; oversized records and partition keys are
// skipped with their line numbers while the rest is delivered. An emulator that cannot be started
// fails these tests: nothing here skips.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { kprod, type CliRun, why } from '../helpers/cli.ts'
import { multiset, multisetDiff, referenceLines, trickyInput } from '../helpers/data.ts'
import { ListShardsCommand } from '@aws-sdk/client-kinesis'
import { KINESIS_TEST_ENV, expectedClientNote, localKinesis, privateKinesisFixture, readStream, testKinesisClient, type KinesisImpl, type StoredRecord } from '../helpers/kinesis.ts'
import { contractProblems } from '../helpers/schema.ts'

// Private emulators, stopped at the end.
const { work } = privateKinesisFixture('kinesis-cli')

const SLOW = { timeout: 300_000 }
const IMPLS: readonly KinesisImpl[] = ['kinesalite', 'kinesis-mock']
const LINES = 20_000
/**
 * kinesis-mock stores a few hundred records/s, fewer on a loaded machine (110/s seen with other
 * work running): 20,000 lines from 8 workers there left 500-record requests unanswered past the
 * 30 s request timeout. It checks correctness on fewer lines and 2 workers; kinesalite takes the volume.
 */
const SIZED: Readonly<Record<KinesisImpl, { lines: number, args: readonly string[] }>> = {
  kinesalite: { lines: LINES, args: [] },
  'kinesis-mock': { lines: 5_000, args: ['--workers', '2'] }
}

/** kprod --stream S --endpoint URL, with the emulators' fake credentials and region. */
function put (endpoint: string, stream: string, args: readonly string[], input: Buffer | string): Promise<CliRun> {
  return kprod(['--stream', stream, '--endpoint', endpoint, '--no-progress', ...args], { input, env: KINESIS_TEST_ENV, timeoutMs: 240_000 })
}

/** Every output line keeps design.md's promises (schema, "type" first, times, errors). */

function assertContract (run: CliRun): void {
  assert.ok(run.lines.length > 0, `no JSON lines; stderr: ${run.stderr}`)
  for (const line of run.lines) assert.deepEqual(contractProblems(line), [], JSON.stringify(line).slice(0, 500))
  assert.equal(run.lines[run.lines.length - 1]?.type, 'summary', 'the summary is the last line')
}

function assertSameMultiset (stored: readonly Buffer[], expected: readonly Buffer[], what: string): void {
  const diff = multisetDiff(multiset(expected), multiset(stored))
  assert.deepEqual(diff, [], `${what}: ${stored.length} stored, ${expected.length} expected`)
  assert.equal(stored.length, expected.length, what)
}

interface Counts { read: number, delivered: number, failed: number, unknown: number, skipped: number, unsent: number }

const counts = (run: CliRun): Counts => run.summary.counts as Counts

describe('kprod --stream through the CLI', () => {
  for (const impl of IMPLS) {
    const { lines: LINES, args } = SIZED[impl]
    test(`${impl}: ${LINES} tricky lines (CRLF, no final LF, invalid UTF-8, empty) land byte for byte on a 4-shard stream; exit 0`, SLOW, async (t) => {
      const kinesis = await localKinesis(impl)
      const stream = await kinesis.createStream({ shards: 4 })
      const input = trickyInput(LINES)
      const expected = referenceLines(input)
      assert.equal(expected.length, LINES)
      const started = performance.now()
      const run = await put(kinesis.endpoint, stream, ['--batch-records', '500', '--stats-interval', '1000', ...args], input)
      const ms = performance.now() - started
      t.diagnostic(`${impl}: ${LINES} lines through kprod in ${Math.round(ms)} ms (${Math.round(LINES / ms * 1000)} records/s)`)
      assert.equal(run.code, 0, why(run))
      assert.deepEqual(counts(run), { read: LINES, delivered: LINES, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
      assert.equal(run.summary.kind, 'kinesis')
      assert.equal(run.summary.target, stream)
      assert.equal(run.summary.exitCode, 0)
      // kinesis-mock answers a few hundred records/s: on a loaded machine a request can time out and
      // be retried (delivered once all the same, as the read-back below checks). Each such error is an
      // exchange of a batch line; none happens on an idle machine.
      const exchangeErrors = run.batches.reduce((n, b) => n + (b.exchanges as Array<{ error: unknown }>).filter((e) => e.error !== null).length, 0)
      assert.equal(run.summary.requestErrors, exchangeErrors)
      assert.equal(run.summary.invariantHolds, true)
      const note = expectedClientNote()
      const notes = run.summary.notes as string[]
      assert.ok(notes.length === 1 && note.test(notes[0]!), `notes: ${JSON.stringify(notes)}, expected ${String(note)}`)
      assertContract(run)

      const readStarted = performance.now()
      const stored = await readStream(kinesis.endpoint, stream)
      t.diagnostic(`${impl}: read back ${stored.length} records in ${Math.round(performance.now() - readStarted)} ms`)
      assertSameMultiset(stored.map((r) => r.data), expected, `${impl} stream content`)
      assert.equal(new Set(stored.map((r) => r.shardId)).size, 4, 'random partition keys spread over all 4 shards')

      // Positions in batch lines are real: the shard and sequence number hold the line reported.
      const bySequence = new Map<string, StoredRecord>(stored.map((r) => [`${r.shardId}/${r.sequenceNumber}`, r]))
      let checked = 0
      for (const batch of run.batches) {
        for (const key of ['firstDelivered', 'lastDelivered'] as const) {
          const at = batch[key] as { line: number, shardId: string, position: string } | null
          assert.ok(at !== null, `batch ${String(batch.id)} has ${key}`)
          const found = bySequence.get(`${at.shardId}/${at.position}`)
          assert.ok(found !== undefined, `${key} of batch ${String(batch.id)} (${at.shardId} ${at.position}) is in the stream`)
          assert.deepEqual(found.data, expected[at.line - 1], `record at ${at.shardId} ${at.position} is line ${at.line}`)
          checked++
        }
      }
      assert.ok(checked >= 2 * Math.ceil(LINES / 500))
      assert.equal(run.batches.reduce((n, b) => n + (b.records as number), 0), LINES)
      assert.ok(run.batches.every((b) => (b.records as number) <= 500), 'no PutRecords above 500 records')
    })
  }

  test('stats lines carry the Kinesis seed\'s StatsBatch fields; intervals add up to the summary', SLOW, async () => {
    const kinesis = await localKinesis('kinesalite')
    const stream = await kinesis.createStream({ shards: 2 })
    const input = trickyInput(3000)
    const run = await put(kinesis.endpoint, stream, ['--batch-records', '100', '--stats-interval', '50'], input)
    assert.equal(run.code, 0, why(run))
    assertContract(run)
    const stats = run.lines.filter((l) => l.type === 'stats')
    assert.ok(stats.length >= 1, 'a final stats line at least')
    type Interval = Record<'delivered' | 'failed' | 'dropped' | 'requestErrors' | 'read', number>
    for (const s of stats) {
      // BufferSize now; RecordsSentSuccessfully, RecordsDropped, KinesisErrors since the last line.
      assert.equal(typeof s.buffered, 'number')
      const i = s.interval as Interval
      for (const k of ['delivered', 'failed', 'dropped', 'requestErrors'] as const) assert.equal(typeof i[k], 'number', k)
    }
    const sum = (k: keyof Interval): number => stats.reduce((n, s) => n + (s.interval as Interval)[k], 0)
    assert.equal(sum('delivered'), 3000)
    assert.equal(sum('read'), 3000)
    assert.equal(sum('failed') + sum('dropped') + sum('requestErrors'), 0)
    const last = stats[stats.length - 1] as Record<string, unknown>
    assert.equal(last.buffered, 0, 'nothing is buffered at the end')
    assert.equal((last.counts as Record<string, number>).delivered, 3000, 'the final stats line holds totals')
    assert.ok(run.lines.indexOf(last) === run.lines.length - 2, 'the final stats line comes just before the summary')
  })

  test('a 2 MiB line and a 300-character partition key are skipped with their line numbers; the rest is delivered; exit 4', SLOW, async () => {
    const kinesis = await localKinesis('kinesalite')
    const stream = await kinesis.createStream({ shards: 2 })
    const lines: Buffer[] = []
    for (let i = 1; i <= 200; i++) {
      if (i === 50) lines.push(Buffer.from(`big\t${'b'.repeat(2 * 1024 * 1024)}`))
      else if (i === 120) lines.push(Buffer.from(`${'k'.repeat(300)}\tlong key`))
      else if (i === 121) lines.push(Buffer.from(`${'é'.repeat(256)}\t256 characters of 2 bytes each: a legal key`))
      else lines.push(Buffer.from(`key-${i}\tvalue ${i}`))
    }
    const input = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]))
    const failedFile = join(work, 'skipped.txt')
    const run = await put(kinesis.endpoint, stream, ['--key-separator', '\\t', '--max-line-bytes', String(4 * 1024 * 1024), '--failed-output', failedFile], input)
    assert.equal(run.code, 4, why(run))
    assert.deepEqual(counts(run), { read: 200, delivered: 198, failed: 0, unknown: 0, skipped: 2, unsent: 0 })
    assert.equal(run.summary.exitCode, 4)
    assertContract(run)
    assert.match(run.stderr, /stdin:50: skipped: the line is a record of 2097155 bytes, over the 1048576-byte limit of stream/)
    assert.match(run.stderr, /stdin:120: skipped: partition key is 300 characters, over Kinesis's 256/)
    assert.doesNotMatch(run.stderr, /:121/)
    // Skipped lines go to --failed-output as they were read, ready to fix and re-send.
    assert.deepEqual(referenceLines(readFileSync(failedFile)), [lines[49], lines[119]])
    assert.equal(run.summary.failedOutputLines, 2)

    const stored = await readStream(kinesis.endpoint, stream)
    const sent = lines.filter((_, i) => i !== 49 && i !== 119)
    assertSameMultiset(stored.map((r) => Buffer.concat([Buffer.from(r.partitionKey), Buffer.from('\t'), r.data])), sent, 'key + value read back')
    // The record key became the partition key; the value alone is the data.
    assert.ok(stored.some((r) => r.partitionKey === 'é'.repeat(256)))
    assert.ok(stored.every((r) => !r.data.includes('\t')))
  })

  for (const impl of IMPLS) {
    test(`${impl}: --explicit-hash-key sends each record to the shard whose hash range holds its key; a key that is no number is skipped`, SLOW, async () => {
      const kinesis = await localKinesis(impl)
      const stream = await kinesis.createStream({ shards: 4 })
      const client = testKinesisClient(kinesis.endpoint)
      const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? []
      client.destroy()
      assert.equal(shards.length, 4)
      // Per shard: its first and last hash key, and one in the middle (MD5 of these keys would scatter them).
      const lines: string[] = []
      const want = new Map<string, string>()
      for (const sh of shards) {
        const start = BigInt(sh.HashKeyRange?.StartingHashKey ?? '-1')
        const end = BigInt(sh.HashKeyRange?.EndingHashKey ?? '-1')
        for (const key of [start, (start + end) / 2n, end]) {
          lines.push(`${key}\tto ${sh.ShardId} ${lines.length}`)
          want.set(`to ${sh.ShardId} ${lines.length - 1}`, sh.ShardId ?? '')
        }
      }
      lines.push('not-a-number\tskipped')
      const run = await put(kinesis.endpoint, stream, ['--key-separator', '\\t', '--explicit-hash-key'], lines.join('\n') + '\n')
      assert.equal(run.code, 4, why(run))
      assert.deepEqual(counts(run), { read: 13, delivered: 12, failed: 0, unknown: 0, skipped: 1, unsent: 0 })
      assert.match(run.stderr, /stdin:13: skipped: key "not-a-number" is not an explicit hash key/)
      const stored = await readStream(kinesis.endpoint, stream)
      assert.deepEqual(new Map(stored.map((r) => [r.data.toString(), r.shardId])), want)
    })
  }
})
