// --checkpoint against a real broker: kprod is killed with SIGKILL at a random point (seeded; the
// seed is printed, KPROD_TEST_SEED replays it) of a 1M-line, 2-file import, then the same command
// is run again. Every line must be on the broker (kcat), the resumed summary must count the lines
// done before apart from `read`, and a line may be on the broker twice only if its batch was in
// flight at the kill: no line the checkpoint recorded as done, and no line whose batch line the
// first run printed (the checkpoint is written before that line), is sent again.

import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { kprod } from '../helpers/cli.ts'
import { consumeAll, sharedKafka, type Cluster } from '../helpers/kafka.ts'
import { seededRandom } from '../helpers/seeded-random.ts'
import { readCheckpoint, type CheckpointData } from '../../src/checkpoint/checkpoint-file.ts'

let kafka: Cluster
before(async () => { kafka = await sharedKafka() })

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function tempDir (t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kprod-ckpt-it-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Files f0..f{n-1}, each with `lines` lines "fI-J". Returns the paths. */
function writeFiles (dir: string, files: number, lines: number): string[] {
  const paths: string[] = []
  for (let f = 0; f < files; f++) {
    const parts: string[] = []
    for (let j = 1; j <= lines; j++) parts.push(`f${f}-${j}`)
    const path = join(dir, `f${f}.txt`)
    writeFileSync(path, parts.join('\n') + '\n')
    paths.push(path)
  }
  return paths
}

/** Resolves once the checkpoint file shows some lines of the first file read. */
async function untilProgress (path: string, child: ChildProcess): Promise<void> {
  while (child.exitCode === null && child.signalCode === null) {
    if (existsSync(path)) {
      const data = await readCheckpoint(path).catch(() => null)
      if ((data?.files[0]?.to.line ?? 0) > 0) return
    }
    await sleep(20)
  }
}

/** Kills `child` with SIGKILL once it has printed `batches` batch lines (or when it exits). */
function killAfterBatches (child: ChildProcess, batches: number): void {
  let seen = 0
  child.stdout?.on('data', (chunk: Buffer) => {
    let at = chunk.indexOf('"type":"batch"')
    while (at >= 0) {
      seen++
      at = chunk.indexOf('"type":"batch"', at + 1)
    }
    if (seen >= batches) child.kill('SIGKILL')
  })
}

/** The seed of this run's random kill points: KPROD_TEST_SEED, or a new one. */
const SEED = Number(process.env.KPROD_TEST_SEED ?? randomInt(1, 2 ** 31))

/** Lines (global numbers) the saved checkpoint records as done: read before `to`, not in `resend`. */
function doneIn (saved: CheckpointData, perFile: number): (line: number) => boolean {
  return (line) => {
    const f = saved.files[Math.floor((line - 1) / perFile)]
    const j = ((line - 1) % perFile) + 1
    if (f === undefined || j > f.to.line) return false
    return !f.resend.some(([a, b]) => a <= j && j <= b)
  }
}

for (const [index, client] of (['wire', 'kafkajs'] as const).entries()) {
  test(`--kafka-client ${client}: kill -9 at a random point of a 1M-line import, then the same command again: every line on the broker, duplicates only from batches in flight at the kill`, { timeout: 300_000 }, async (t) => {
    const random = seededRandom(SEED + index)
    const dir = tempDir(t)
    const perFile = 500_000
    const files = writeFiles(dir, 2, perFile)
    const total = 2 * perFile
    const partitions = 3
    const topic = await kafka.topic({ partitions })
    const checkpoint = join(dir, 'import.ckpt')
    const workers = 4
    const batchRecords = 500
    const args = ['--brokers', kafka.bootstrap, '--topic', topic, '--kafka-client', client, '--no-progress',
      '--workers', String(workers), '--batch-records', String(batchRecords), '--checkpoint', checkpoint, ...files]
    // Somewhere in the first 90 % of the import's batches (about total / batchRecords).
    const killAt = 1 + Math.floor(random() * 0.9 * total / batchRecords)
    t.diagnostic(`seed ${SEED} (KPROD_TEST_SEED=${SEED} replays it): kill after ${killAt} batch lines`)

    const first = await kprod(args, { timeoutMs: 120_000, onSpawn: (child) => killAfterBatches(child, killAt) })
    assert.equal(first.signal, 'SIGKILL', `the first run must be killed mid-import (it exited ${first.code}; seed ${SEED}); stderr: ${first.stderr}`)
    const saved = await readCheckpoint(checkpoint)
    assert.ok(saved !== null, 'the checkpoint exists after the kill')
    const done = doneIn(saved, perFile)
    let doneLines = 0
    for (let line = 1; line <= total; line++) if (done(line)) doneLines++

    // Lines of the batches the first run reported delivered. Unkeyed lines: each batch is a run
    // of consecutive lines, which its record count confirms.
    const reported = new Set<number>()
    for (const b of first.batches) {
      const [from, to] = [b.firstLine as number, b.lastLine as number]
      assert.equal(to - from + 1, b.records, `batch ${String(b.id)} is lines ${from}..${to}`)
      if (b.produced !== true) continue
      for (let n = from; n <= to; n++) reported.add(n)
    }

    const second = await kprod(args, { timeoutMs: 180_000 })
    assert.equal(second.code, 0, second.stderr)
    const c = second.summary.counts as Record<string, number>
    const cp = second.summary.checkpoint as { alreadyDone: number, error: string | null }
    assert.equal(cp.error, null)
    assert.equal(cp.alreadyDone, doneLines, 'alreadyDone: the lines the checkpoint recorded as done')
    assert.equal(c.read, total - doneLines, '`read` counts only the lines read again, not those done before')
    assert.equal(c.delivered, c.read)

    const seen = new Map<string, number>()
    for (const r of await consumeAll(kafka.bootstrap, topic)) seen.set(r.value.toString(), (seen.get(r.value.toString()) ?? 0) + 1)
    const missing: string[] = []
    const doneResent: string[] = []
    const reportedResent: string[] = []
    let duplicates = 0
    for (let line = 1; line <= total; line++) {
      const value = `f${Math.floor((line - 1) / perFile)}-${((line - 1) % perFile) + 1}`
      const count = seen.get(value) ?? 0
      if (count === 0) missing.push(value)
      if (count <= 1) continue
      duplicates += count - 1
      if (done(line)) doneResent.push(value)
      if (reported.has(line)) reportedResent.push(value)
    }
    const inFlight = Math.min(workers, partitions) * batchRecords
    t.diagnostic(`${client}: killed after ${first.batches.length} batch lines (${reported.size} lines reported delivered, ${doneLines} recorded done); resume read ${c.read}; ${duplicates} duplicates (bound: ${inFlight} lines in flight)`)
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} lines missing (seed ${SEED})`)
    assert.deepEqual(doneResent.slice(0, 5), [], `${doneResent.length} lines the checkpoint recorded as done were sent again (seed ${SEED})`)
    assert.deepEqual(reportedResent.slice(0, 5), [], `${reportedResent.length} lines whose batch line was printed before the kill were sent again (seed ${SEED})`)
    assert.ok(duplicates <= inFlight, `${duplicates} duplicates: over the ${inFlight} lines that can be in flight (${Math.min(workers, partitions)} batches of ${batchRecords}; seed ${SEED})`)
  })
}

test('SIGINT drains and writes the checkpoint: the resume sends each remaining line once, no duplicates', { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t)
  const perFile = 100_000
  const files = writeFiles(dir, 2, perFile)
  const topic = await kafka.topic({ partitions: 3 })
  const checkpoint = join(dir, 'import.ckpt')
  const args = ['--brokers', kafka.bootstrap, '--topic', topic, '--kafka-client', 'kafkajs', '--no-progress', '--checkpoint', checkpoint, ...files]
  const first = await kprod(args, {
    timeoutMs: 120_000,
    onSpawn: (child) => { untilProgress(checkpoint, child).then(() => child.kill('SIGINT'), () => {}) }
  })
  assert.equal(first.code, 130, first.stderr)
  const c1 = first.summary.counts as Record<string, number>
  assert.equal(c1.unknown, 0, 'a drain within --drain-timeout leaves nothing unknown')
  const second = await kprod(args, { timeoutMs: 120_000 })
  assert.equal(second.code, 0, second.stderr)
  const c2 = second.summary.counts as Record<string, number>
  const cp = second.summary.checkpoint as { alreadyDone: number }
  assert.equal(cp.alreadyDone, c1.delivered)
  assert.equal(c2.read, 2 * perFile - c1.delivered!)
  const values = (await consumeAll(kafka.bootstrap, topic)).map((r) => r.value.toString())
  assert.equal(new Set(values).size, 2 * perFile, 'every line is on the broker')
  assert.equal(values.length, 2 * perFile, 'and only once')
})

test('the same command after a complete run sends nothing and says so; a changed file is exit 2 unless --checkpoint-reset', async (t) => {
  const dir = tempDir(t)
  const files = writeFiles(dir, 2, 1000)
  const topic = await kafka.topic({ partitions: 2 })
  const checkpoint = join(dir, 'import.ckpt')
  const args = ['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--checkpoint', checkpoint, ...files]
  const first = await kprod(args)
  assert.equal(first.code, 0, first.stderr)
  assert.deepEqual(first.summary.checkpoint, { path: checkpoint, alreadyDone: 0, error: null })
  const again = await kprod(args)
  assert.equal(again.code, 0, again.stderr)
  assert.equal((again.summary.counts as Record<string, number>).read, 0)
  assert.deepEqual(again.summary.checkpoint, { path: checkpoint, alreadyDone: 2000, error: null })

  writeFileSync(files[1] as string, 'other\n')
  const changed = await kprod(args)
  assert.equal(changed.code, 2)
  assert.match(changed.stderr, /f1\.txt' changed since the checkpoint was written: it shrank from \d+ to 6 bytes; add --checkpoint-reset/)
  const reset = await kprod([...args, '--checkpoint-reset'])
  assert.equal(reset.code, 0, reset.stderr)
  assert.equal((reset.summary.counts as Record<string, number>).read, 1001)
  assert.equal((await consumeAll(kafka.bootstrap, topic)).length, 3001)
})

test('--checkpoint refuses standard input with exit 2, naming the flag', async (t) => {
  const dir = tempDir(t)
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', 'whatever', '--checkpoint', join(dir, 'c')], { input: 'a\n' })
  assert.equal(run.code, 2)
  assert.match(run.stderr, /--checkpoint needs input files: standard input cannot be read again/)
})
