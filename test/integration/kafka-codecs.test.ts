// Every codec of the wire client against a real broker: the broker accepts each batch (it
// decompresses and validates them), kcat (librdkafka) reads every line back byte for byte and in
// order, and the batches on the broker's disk carry the codec asked for. kafkajs compresses with
// gzip only: the other codecs are refused at start with exit 2.

import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { kprod } from '../helpers/cli.ts'
import { trickyInput, referenceLines } from '../helpers/data.ts'
import { consumeAll, sharedKafka, type Cluster } from '../helpers/kafka.ts'
import { hasLocalLog, storedBatches } from '../helpers/kafka-log.ts'

let kafka: Cluster
before(async () => { kafka = await sharedKafka() })

const CODEC_IDS = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const

/** kcat reads exactly `expected` from the topic, byte for byte and in order. */
async function assertReadBack (topic: string, expected: readonly Buffer[]): Promise<void> {
  const got = (await consumeAll(kafka.bootstrap, topic)).map((r) => r.value)
  assert.equal(got.length, expected.length)
  for (let i = 0; i < expected.length; i++) assert.ok(got[i]!.equals(expected[i]!), `line ${i + 1} differs`)
}

for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
  test(`--kafka-client wire --compression ${codec}: kcat reads every line back byte for byte, stored with that codec`, async () => {
    const topic = await kafka.topic({ partitions: 1 })
    const input = trickyInput(30_000)
    const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--kafka-client', 'wire', '--no-progress', '--no-batch-lines',
      '--compression', codec, '--batch-records', '5000'], { input })
    assert.equal(run.code, 0, run.stderr)
    const expected = referenceLines(input)
    assert.equal((run.summary.counts as Record<string, number>).delivered, expected.length)
    await assertReadBack(topic, expected)
    if (hasLocalLog(kafka)) {
      const batches = storedBatches(kafka, topic, 0)
      assert.ok(batches.length >= 6, `${batches.length} batches`)
      for (const b of batches) assert.equal(b.codec, CODEC_IDS[codec], `batch at offset ${b.baseOffset}`)
    }
  })
}

test('--compression lz4: a batch over 4 MiB that does not shrink goes as uncompressed blocks, and kcat reads it back byte for byte', async () => {
  const topic = await kafka.topic({ partitions: 1, config: { 'max.message.bytes': String(16 * 1024 * 1024) } })
  // Random base64: lz4 finds next to no repeats, so every 4 MiB block is stored as it is.
  const lines = Array.from({ length: 1200 }, () => Buffer.from(randomBytes(3000).toString('base64')))
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--kafka-client', 'wire', '--no-progress', '--no-batch-lines',
    '--compression', 'lz4', '--batch-bytes', String(6 * 1024 * 1024), '--linger', '60000'], { input: Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])) })
  assert.equal(run.code, 0, run.stderr)
  await assertReadBack(topic, lines)
  if (hasLocalLog(kafka)) {
    const batches = storedBatches(kafka, topic, 0)
    assert.equal(batches.length, 1, 'one batch of ~4.8 MiB: two blocks')
    assert.equal(batches[0]!.codec, CODEC_IDS.lz4)
  }
})

test('--compression snappy: records that repeat each other across 10 KiB and 140 KiB go as far copies (4-byte offsets) that the broker and kcat take', async () => {
  const topic = await kafka.topic({ partitions: 1 })
  // W2's shape (one 10 KiB filler, a number in front), then 70 KB lines alternating A, B: the
  // `snappy` package, 64 KiB at a time, finds next to none of these repeats, so kprod's own
  // wide-window encoder is picked, and A's repeats are 140 KB back.
  const fill = randomBytes(7_680).toString('base64')
  const a = randomBytes(52_500).toString('base64')
  const b = randomBytes(52_500).toString('base64')
  const lines = [
    ...Array.from({ length: 300 }, (_, i) => Buffer.from(`${String(i).padStart(12, '0')}${fill}`)),
    ...Array.from({ length: 60 }, (_, i) => Buffer.from(i % 2 === 0 ? a : b))
  ]
  const input = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]))
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--kafka-client', 'wire', '--no-progress', '--no-batch-lines',
    '--compression', 'snappy', '--linger', '60000'], { input })
  assert.equal(run.code, 0, run.stderr)
  await assertReadBack(topic, lines)
  if (hasLocalLog(kafka)) {
    const batches = storedBatches(kafka, topic, 0)
    assert.ok(batches.length >= 6, `${batches.length} batches`)
    for (const batch of batches) assert.equal(batch.codec, CODEC_IDS.snappy)
    const stored = batches.reduce((sum, batch) => sum + batch.bytes, 0)
    // Full 1 MiB batches (the long linger): one filler, or one A and one B, as literals, the rest
    // copies of at most 64 bytes each (3 bytes for an offset below 64 KiB, 5 above). About 1 MB
    // in all; the snappy package alone stores more than 4.2 MB (all of the second part).
    assert.ok(stored < input.length / 4, `${stored} bytes stored for ${input.length} of input`)
  }
})

for (const codec of ['snappy', 'lz4', 'zstd']) {
  test(`--kafka-client kafkajs --compression ${codec} is refused at start with exit 2, naming the flag and the client`, async () => {
    const run = await kprod(['--brokers', kafka.bootstrap, '--topic', 'any', '--kafka-client', 'kafkajs', '--compression', codec], { input: 'x\n' })
    assert.equal(run.code, 2, run.stderr)
    assert.match(run.stderr, new RegExp(`--compression ${codec} needs --kafka-client wire: --kafka-client kafkajs compresses with gzip only`))
  })
}
