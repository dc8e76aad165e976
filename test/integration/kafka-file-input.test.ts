// Input is read into pooled chunks whose memory is reused once every record read from them is
// delivered (src/input/chunk-pool.ts): regular files, and pipes on stdin (a shell's `cat |`
// here; the CLI helper's stdin, a socket pair, in every other suite). These runs keep the buffer
// small so memory is reused all the time, and poison is on, so a chunk reused while any record,
// request or --failed-output write still needs it would show up as changed bytes on the broker
// or in the failed-output file. kcat reads the topic back.

import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BIN, bash, kprod, type CliRun } from '../helpers/cli.ts'
import { consumeAll, sharedKafka, type Cluster } from '../helpers/kafka.ts'
import { multiset, multisetDiff, referenceLines, trickyInput } from '../helpers/data.ts'

let kafka: Cluster
before(async () => { kafka = await sharedKafka() })

const dir = mkdtempSync(join(tmpdir(), 'kprod-file-input-'))

/** Keyed lines (key TAB value): tricky values, and every 997th line longer than a 64 KiB chunk. */
function keyedInput (count: number): Buffer {
  const values = referenceLines(trickyInput(count))
  const parts: Buffer[] = []
  values.forEach((value, i) => {
    const long = i % 997 === 500 ? Buffer.alloc(70_000 + i, 0x61 + (i % 26)) : Buffer.alloc(0)
    parts.push(Buffer.from(`k${i % 37}\t`), value, long, Buffer.from(i % 3 === 0 ? '\r\n' : '\n'))
  })
  return Buffer.concat(parts)
}

function pairs (input: Buffer): string[] {
  return referenceLines(input).map((line) => {
    const tab = line.indexOf(9)
    return `${line.subarray(0, tab).toString('latin1')}\u0000${line.subarray(tab + 1).toString('latin1')}`
  })
}

/** Some lines delivered, the others failed: together, byte for byte, exactly the input's lines. */
async function assertSplit (run: CliRun, input: Buffer, topic: string, failedFile: string): Promise<void> {
  const c = run.summary.counts as Record<string, number>
  const lines = referenceLines(input)
  assert.ok(c.failed! > 0 && c.delivered! > 0, `delivered ${c.delivered}, failed ${c.failed}: the run must both fail and deliver (${run.stderr.slice(0, 500)})`)
  assert.equal(run.code, 4)
  assert.equal(c.delivered! + c.failed!, lines.length)
  const failed = referenceLines(readFileSync(failedFile))
  assert.equal(failed.length, c.failed)
  const delivered = (await consumeAll(kafka.bootstrap, topic)).map((r) => r.value)
  assert.equal(delivered.length, c.delivered)
  assert.deepEqual(multisetDiff(multiset(lines), multiset([...delivered, ...failed])), [])
}

for (const client of ['kafkajs', 'wire']) {
  test(`${client}: a keyed file read through reused chunks reaches the topic byte for byte`, async () => {
    const topic = await kafka.topic({ partitions: 6 })
    const input = keyedInput(60_000)
    const file = join(dir, `keyed-${client}.txt`)
    writeFileSync(file, input)

    const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--kafka-client', client, '--no-progress', '--no-batch-lines',
      '--key-separator', '\\t', '--buffer-records', '2000', '--batch-records', '100', file], { timeoutMs: 180_000 })

    assert.equal(run.code, 0, run.stderr)
    const c = run.summary.counts as Record<string, number>
    assert.equal(c.delivered, 60_000)
    const consumed = await consumeAll(kafka.bootstrap, topic)
    const got = consumed.map((r) => Buffer.from(`${r.key?.toString('latin1') ?? '(null)'}\u0000${r.value.toString('latin1')}`, 'latin1'))
    const want = pairs(input).map((p) => Buffer.from(p, 'latin1'))
    assert.deepEqual(multisetDiff(multiset(want), multiset(got)), [])
  })
}

test('a keyed file through `cat |` (a pipe on stdin, read into reused chunks) reaches the topic byte for byte', async () => {
  const topic = await kafka.topic({ partitions: 6 })
  const input = keyedInput(60_000)
  const file = join(dir, 'keyed-pipe.txt')
  writeFileSync(file, input)
  const args = ['--brokers', kafka.bootstrap, '--topic', topic, '--kafka-client', 'wire', '--no-progress', '--no-batch-lines',
    '--key-separator', '\\t', '--buffer-records', '2000', '--batch-records', '100']
  const script = `cat ${JSON.stringify(file)} | ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args.map((a) => JSON.stringify(a)).join(' ')}`
  const { code, stdout: out, stderr: err } = await bash(script, { KPROD_DEBUG_POISON: '1' })
  assert.equal(code, 0, err)
  const summary = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { counts: Record<string, number> }
  assert.equal(summary.counts.delivered, 60_000)
  const consumed = await consumeAll(kafka.bootstrap, topic)
  const got = consumed.map((r) => Buffer.from(`${r.key?.toString('latin1') ?? '(null)'}\u0000${r.value.toString('latin1')}`, 'latin1'))
  assert.deepEqual(multisetDiff(multiset(pairs(input).map((p) => Buffer.from(p, 'latin1'))), multiset(got)), [])
})

/** 100,000 tricky lines from a file (or stdin redirected from it) with `flags` that make some batches fail. */
async function splitRun (name: string, flags: readonly string[], viaStdin: boolean): Promise<void> {
  const topic = await kafka.topic({ partitions: 3 })
  const input = trickyInput(100_000)
  const file = join(dir, `${name}.txt`)
  writeFileSync(file, input)
  const failedFile = join(dir, `${name}-failed.txt`)
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--kafka-client', 'wire', '--no-progress', '--no-batch-lines',
    '--batch-records', '100', '--workers', '1', '--failed-output', failedFile, ...flags, ...(viaStdin ? [] : [file])],
  { ...(viaStdin ? { stdinFile: file } : {}), timeoutMs: 180_000 })
  await assertSplit(run, input, topic, failedFile)
}

test('stdin from a file under --when-full drop: every line is on the broker or in --failed-output, byte for byte', async () => {
  await splitRun('drop', ['--when-full', 'drop', '--buffer-records', '1000'], true)
})

test('batches that miss --delivery-timeout fail into --failed-output intact while delivered ones free their chunks', async () => {
  await splitRun('late', ['--delivery-timeout', '3', '--buffer-records', '3000'], false)
})

test('records too big for the topic are skipped into --failed-output intact while the chunks around them are reused', async () => {
  const topic = await kafka.topic({ partitions: 2, config: { 'max.message.bytes': '20000' } })
  const lines: Buffer[] = []
  for (let i = 0; i < 20_000; i++) {
    lines.push(i % 500 === 250 ? Buffer.alloc(30_000, 0x41 + (i % 26)) : Buffer.from(`small ${i} ${'.'.repeat(i % 80)}`))
  }
  const file = join(dir, 'big.txt')
  writeFileSync(file, Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])))
  const failedFile = join(dir, 'big-failed.txt')

  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--no-batch-lines',
    '--buffer-records', '500', '--batch-records', '50', '--failed-output', failedFile, file], { timeoutMs: 180_000 })

  assert.equal(run.code, 4, run.stderr)
  const c = run.summary.counts as Record<string, number>
  assert.deepEqual({ delivered: c.delivered, skipped: c.skipped }, { delivered: 19_960, skipped: 40 })
  const big = lines.filter((l) => l.length === 30_000)
  assert.deepEqual(multisetDiff(multiset(big), multiset(referenceLines(readFileSync(failedFile)))), [])
  const delivered = (await consumeAll(kafka.bootstrap, topic)).map((r) => r.value)
  assert.deepEqual(multisetDiff(multiset(lines.filter((l) => l.length !== 30_000)), multiset(delivered)), [])
})
