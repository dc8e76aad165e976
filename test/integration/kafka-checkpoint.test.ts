// --checkpoint against a real broker: kprod is killed with SIGKILL at a random point of a
// multi-file import, then the same command is run again. Every line must be on the broker (kcat),
// and the duplicates may come only from what the checkpoint could not know at the kill: batches in
// flight (at most --workers x --batch-records lines) and batches acknowledged after its last write.

import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { kprod } from '../helpers/cli.ts'
import { consumeAll, sharedKafka, type Cluster } from '../helpers/kafka.ts'
import type { CheckpointData } from '../../src/checkpoint/checkpoint-file.ts'

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
      try {
        const data = JSON.parse(readFileSync(path, 'utf8')) as CheckpointData
        if ((data.files[0]?.to.line ?? 0) > 0) return
      } catch {}
    }
    await sleep(20)
  }
}

for (const client of ['wire', 'kafkajs'] as const) {
  test(`--kafka-client ${client}: kill -9 at a random point of a 3-file import, then the same command again: every line on the broker, duplicates only from the in-flight window`, { timeout: 300_000 }, async (t) => {
    const dir = tempDir(t)
    const perFile = client === 'wire' ? 200_000 : 60_000
    const files = writeFiles(dir, 3, perFile)
    const total = 3 * perFile
    const topic = await kafka.topic({ partitions: 3 })
    const checkpoint = join(dir, 'import.ckpt')
    const workers = 4
    const batchRecords = 500
    const args = ['--brokers', kafka.bootstrap, '--topic', topic, '--kafka-client', client, '--no-progress',
      '--workers', String(workers), '--batch-records', String(batchRecords), '--checkpoint', checkpoint, ...files]

    const delay = Math.floor(Math.random() * 1500)
    const first = await kprod(args, {
      timeoutMs: 120_000,
      onSpawn: (child) => { untilProgress(checkpoint, child).then(() => sleep(delay)).then(() => child.kill('SIGKILL'), () => {}) }
    })
    assert.equal(first.signal, 'SIGKILL', `the first run must be killed mid-import (it exited ${first.code}); stderr: ${first.stderr}`)
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as CheckpointData
    const savedAt = Date.parse(saved.savedAt)

    const second = await kprod(args, { timeoutMs: 180_000 })
    assert.equal(second.code, 0, second.stderr)
    const c = second.summary.counts as Record<string, number>
    const cp = second.summary.checkpoint as { alreadyDone: number, error: string | null }
    assert.equal(cp.error, null)
    assert.equal(c.read! + cp.alreadyDone, total, 'every line was either read again or done before')
    assert.equal(c.delivered, c.read)

    // Done lines as the saved checkpoint says: below `to`, not in `resend`.
    const doneBefore = (file: number, line: number): boolean => {
      const f = saved.files[file]
      if (f === undefined || line > f.to.line) return false
      return !f.resend.some(([a, b]) => a <= line && line <= b)
    }
    // Lines the first run reported delivered, with when; its batches are unkeyed, so each covers firstLine..lastLine.
    const reportedAt = new Map<number, number>()
    for (const b of first.batches) {
      if (b.produced !== true) continue
      const complete = Date.parse((b.timings as { complete: string } | undefined)?.complete ?? (b.complete as string))
      for (let n = b.firstLine as number; n <= (b.lastLine as number); n++) reportedAt.set(n, complete)
    }

    const seen = new Map<string, number>()
    for (const r of await consumeAll(kafka.bootstrap, topic)) seen.set(r.value.toString(), (seen.get(r.value.toString()) ?? 0) + 1)
    const missing: string[] = []
    let duplicates = 0
    let inFlight = 0
    let afterLastWrite = 0
    const wronglyResent: string[] = []
    for (let f = 0; f < 3; f++) {
      for (let j = 1; j <= perFile; j++) {
        const value = `f${f}-${j}`
        const count = seen.get(value) ?? 0
        if (count === 0) missing.push(value)
        if (count <= 1) continue
        duplicates += count - 1
        if (doneBefore(f, j)) wronglyResent.push(value)
        const at = reportedAt.get(f * perFile + j)
        if (at === undefined) inFlight += count - 1
        else if (at >= savedAt - 5) afterLastWrite += count - 1
        else wronglyResent.push(`${value} (reported delivered ${savedAt - at} ms before the last checkpoint write)`)
      }
    }
    t.diagnostic(`killed after ${delay} ms of progress; first run read ${first.batches.length} batch lines; resume: alreadyDone ${cp.alreadyDone}, read ${c.read}; duplicates ${duplicates}: ${inFlight} in flight at the kill, ${afterLastWrite} acknowledged after the last checkpoint write`)
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} lines missing`)
    assert.deepEqual(wronglyResent.slice(0, 5), [], 'a line the checkpoint recorded as done was sent again')
    assert.ok(inFlight <= workers * batchRecords, `${inFlight} duplicates from batches not reported at the kill: over --workers x --batch-records = ${workers * batchRecords}`)
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
