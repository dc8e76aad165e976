// --format json into Kinesis (issue 17), on both emulators: each line's "key" is the record's
// partition key and its "value" (text) or "value_b64" (any bytes: NUL, CR, LF, invalid UTF-8) the
// data; every shard read back holds exactly those pairs, byte for byte. What Kinesis cannot carry
// is refused: --header at start (exit 2, before anything is sent), and a line with a null value (a
// Kafka tombstone) or its own "headers" is skipped with its line and the reason (exit 4).

import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { kprod, type CliRun, why } from '../helpers/cli.ts'
import { KINESIS_TEST_ENV, localKinesis, privateKinesisFixture, readStream, type KinesisImpl } from '../helpers/kinesis.ts'

privateKinesisFixture('kinesis-json-input')
const SLOW = { timeout: 300_000 }
/** kinesis-mock stores a few hundred records/s: it checks fewer lines. */
const LINES: Readonly<Record<KinesisImpl, number>> = { kinesalite: 3000, 'kinesis-mock': 600 }

function put (endpoint: string, stream: string, args: readonly string[], input: string): Promise<CliRun> {
  return kprod(['--stream', stream, '--endpoint', endpoint, '--no-progress', '--format', 'json', ...args], { input, env: KINESIS_TEST_ENV, timeoutMs: 240_000 })
}

/** Record i's data: text for some, bytes JSON text cannot hold for others (sent as value_b64). */
function value (i: number): Buffer {
  if (i % 3 === 0) return Buffer.from(`текст ${i} "quoted" \\ tab\there`, 'utf8')
  return Buffer.concat([Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x80]), Buffer.from(String(i)), Buffer.from([0x0a])])
}

/** Record i's partition key: ASCII, or non-ASCII text. */
const key = (i: number): string => i % 2 === 0 ? `k${i}` : `ключ-${i}`

function jsonLine (i: number): string {
  const v = value(i)
  const fields: Record<string, unknown> = { key: key(i) }
  if (i % 3 === 0) fields.value = v.toString('utf8')
  else fields.value_b64 = v.toString('base64')
  if (i % 5 === 0) fields.timestamp = 1764756000000 + i
  return JSON.stringify(fields)
}

describe('kprod --stream --format json', () => {
  for (const impl of ['kinesalite', 'kinesis-mock'] as const) {
    test(`${impl}: key is the partition key, value, value_b64 the data, byte for byte; null values and headers skipped with their line`, SLOW, async () => {
      const kinesis = await localKinesis(impl)
      const stream = await kinesis.createStream({ shards: 2 })
      const n = LINES[impl]
      const lines = Array.from({ length: n }, (_, i) => jsonLine(i))
      // Lines n + 1 and n + 2: what Kinesis has no place for.
      lines.push('{"key":"t","value":null}', '{"key":"h","value":"v","headers":{"trace":"1"}}')
      const run = await put(kinesis.endpoint, stream, [], lines.join('\n') + '\n')
      assert.equal(run.code, 4, why(run))
      assert.deepEqual(run.summary.counts, { read: n + 2, delivered: n, failed: 0, unknown: 0, skipped: 2, unsent: 0 })
      assert.match(run.stderr, new RegExp(`stdin:${n + 1}: skipped: "value" is null \\(a tombstone\\): Kinesis has no null records`))
      assert.match(run.stderr, new RegExp(`stdin:${n + 2}: skipped: "headers": Kinesis records have no headers`))
      const stored = (await readStream(kinesis.endpoint, stream)).map((r) => `${r.partitionKey}\n${r.data.toString('hex')}`)
      const expected = Array.from({ length: n }, (_, i) => `${key(i)}\n${value(i).toString('hex')}`)
      assert.deepEqual(stored.sort(), expected.sort())
    })
  }

  test('--header with --stream is refused at start with exit 2, and nothing is sent', SLOW, async () => {
    const kinesis = await localKinesis('kinesalite')
    const stream = await kinesis.createStream({ shards: 1 })
    const run = await put(kinesis.endpoint, stream, ['--header', 'trace=1'], '{"key":"k","value":"v"}\n')
    assert.equal(run.code, 2, why(run))
    assert.match(run.stderr, /--header/)
    assert.deepEqual(await readStream(kinesis.endpoint, stream), [])
  })
})
