import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, readFile, writeFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { Checkpoint } from '../../../src/checkpoint/checkpoint.ts'
import type { CheckpointData } from '../../../src/checkpoint/checkpoint-file.ts'
import { ConfigError } from '../../../src/errors.ts'
import { ChunkPool } from '../../../src/input/chunk-pool.ts'
import { readInput, type InputSink } from '../../../src/input/read-input.ts'
import { FakeClock } from '../../helpers/fake-clock.ts'
import { readInputOptions } from '../../helpers/read-input.ts'
import { inputFiles } from '../../helpers/temp.ts'

type Ending = 'done' | 'again' | 'pending'

/**
 * One run of the input stage with a checkpoint: every line read is read as its text, and ends as
 * `ending(text)` says. Small chunks, so files are read in many pieces. Returns the lines read.
 */
async function run (path: string, files: string[], ending: (text: string) => Ending, reset = false): Promise<{ read: string[], alreadyDone: number }> {
  const clock = new FakeClock()
  const checkpoint = await Checkpoint.open({ path, reset, files, clock, warn: () => {} })
  const read: string[] = []
  const sink: InputSink = {
    record (r) {
      const text = r.line.toString()
      read.push(text)
      const e = ending(text)
      if (e === 'done') checkpoint.done(r.lineNo)
      else if (e === 'again') checkpoint.again(r.lineNo)
    },
    skipped (lineNo) { checkpoint.done(lineNo) },
    ready: () => undefined,
    sourceStart: (index, _name, before) => checkpoint.sourceStart(index, before),
    position: (lineNo, offset) => checkpoint.position(lineNo, offset),
    alreadyDone: (lineNo) => checkpoint.alreadyDoneLine(lineNo)
  }
  await readInput(readInputOptions({
    sources: files,
    maxLineBytes: 100,
    highWaterMark: 64,
    pool: new ChunkPool({ chunkBytes: 64, maxFreeBytes: 0 }),
    resume: (index) => checkpoint.resume(index)
  }), sink)
  const report = await checkpoint.close()
  assert.equal(report.error, null)
  return { read, alreadyDone: report.alreadyDone }
}

function numbered (prefix: string, n: number): string {
  let text = ''
  for (let i = 1; i <= n; i++) text += `${prefix}${i}\n`
  return text
}

test('a resume reads only the lines not done: failed ones below delivered ones, pending ones, and unread files', async (t) => {
  const { paths: [a, b], checkpoint: path } = await inputFiles(t, 'checkpoint', numbered('a', 200), numbered('b', 100))
  const again = new Set(['a7', 'a8', 'a150', 'b3'])
  const pending = new Set(['a199', 'b50', 'b51'])
  const first = await run(path, [a, b], (text) => again.has(text) ? 'again' : pending.has(text) ? 'pending' : 'done')
  assert.equal(first.read.length, 300)
  const saved = JSON.parse(await readFile(path, 'utf8')) as CheckpointData
  assert.deepEqual(saved.files.map((f) => f.resend), [[[7, 8], [150, 150], [199, 199]], [[3, 3], [50, 51]]])
  assert.deepEqual(saved.files.map((f) => f.to.line), [200, 100])

  const second = await run(path, [a, b], () => 'done')
  assert.deepEqual(second.read, ['a7', 'a8', 'a150', 'a199', 'b3', 'b50', 'b51'])
  assert.equal(second.alreadyDone, 293)

  const third = await run(path, [a, b], () => 'done')
  assert.deepEqual(third.read, [])
  assert.equal(third.alreadyDone, 300)
})

test('a resume of a file cut off mid-read sends the rest, and an appended file its new lines', async (t) => {
  const { paths: [a], checkpoint: path } = await inputFiles(t, 'checkpoint', numbered('a', 50))
  // Nothing after line 20 ends in the first run, as when kprod is killed.
  await run(path, [a], (text) => Number(text.slice(1)) <= 20 ? 'done' : 'pending')
  await appendFile(a, 'a51\na52\n')
  const second = await run(path, [a], () => 'done')
  assert.deepEqual(second.read, numbered('a', 52).split('\n').slice(20, 52))
  assert.equal(second.alreadyDone, 20)
})

test('a file that changed is refused, unless --checkpoint-reset', async (t) => {
  const { dir, paths: [a, b], checkpoint: path } = await inputFiles(t, 'checkpoint', numbered('a', 50), numbered('b', 50))
  await run(path, [a, b], () => 'done')
  await writeFile(a, numbered('A', 50))
  await writeFile(join(dir, 'b2.txt'), numbered('b', 10))
  execFileSync('mv', [join(dir, 'b2.txt'), b])
  await assert.rejects(run(path, [a, b], () => 'done'), (err: unknown) => {
    assert.ok(err instanceof ConfigError)
    assert.equal(err.problems.length, 2)
    assert.match(err.problems[0] as string, /input file '.*a\.txt' changed since the checkpoint was written: its first \d+ bytes changed; add --checkpoint-reset/)
    assert.match(err.problems[1] as string, /b\.txt' changed .*another file now/)
    return true
  })
  const reset = await run(path, [a, b], () => 'done', true)
  assert.equal(reset.read.length, 60)
  assert.equal(reset.alreadyDone, 0)
})

test('a checkpoint that is not one, a named pipe and a file given twice are refused', async (t) => {
  const { dir, paths: [a], checkpoint: path } = await inputFiles(t, 'checkpoint', 'x\n')
  await writeFile(path, '{"hello":1}')
  await assert.rejects(run(path, [a], () => 'done'), /--checkpoint '.*cp\.json': cannot use it: it is not a kprod checkpoint of version 1; remove it or add --checkpoint-reset/)
  const fifo = join(dir, 'fifo')
  execFileSync('mkfifo', [fifo])
  await assert.rejects(run(path, [a, fifo, a], () => 'done', true), (err: unknown) => {
    assert.ok(err instanceof ConfigError)
    assert.deepEqual(err.problems.map((p) => p.replace(dir, 'DIR')), [
      "--checkpoint: input 'DIR/fifo' is not a regular file: only files can be read again from where they stopped",
      "--checkpoint: input file 'DIR/a.txt' is given twice; its progress can be kept only once"
    ])
    return true
  })
})

test('a checkpoint in a folder that does not exist fails before anything is read', async (t) => {
  const { dir, paths: [a] } = await inputFiles(t, 'checkpoint', 'x\n')
  await assert.rejects(run(join(dir, 'nope', 'cp.json'), [a], () => 'done'), /--checkpoint: cannot write the checkpoint file '.*nope\/cp\.json': ENOENT/)
})
