import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CheckpointLog, LOG_BYTES } from '../../../src/checkpoint/checkpoint-log.ts'
import { CHECKPOINT_VERSION, readCheckpoint, type CheckpointData } from '../../../src/checkpoint/checkpoint-file.ts'
import { tempDir } from '../../helpers/temp.ts'

// Every state the same length, so the test knows how many fit.
const label = (n: number): string => `state ${String(n).padStart(6, '0')}`
const state = (n: number): string => JSON.stringify({ kprodCheckpoint: CHECKPOINT_VERSION, savedAt: label(n), files: [] } satisfies CheckpointData)

test('every state written is the one a reader sees at once, before any sync or close', async (t) => {
  const path = join(await tempDir(t, 'checkpoint-log'), 'cp')
  const log = new CheckpointLog(path, state(0), Date.now, (err) => { throw err })
  assert.equal((await readCheckpoint(path))?.savedAt, label(0))
  for (let n = 1; n <= 50; n++) {
    log.append(state(n))
    // What a kill -9 right now would leave: the kernel already holds this write.
    assert.equal((await readCheckpoint(path))?.savedAt, label(n))
  }
  await log.close(state(51))
  assert.equal(await readFile(path, 'utf8'), state(51) + '\n', 'closed: the newest state alone, no room left')
})

test('the log keeps its size between compactions and compacts when a state no longer fits', async (t) => {
  const dir = await tempDir(t, 'checkpoint-log')
  const path = join(dir, 'cp')
  const log = new CheckpointLog(path, state(0), Date.now, (err) => { throw err })
  assert.equal((await stat(path)).size, LOG_BYTES)
  const { ino } = await stat(path)
  const perState = state(0).length + 1
  const fit = Math.floor(LOG_BYTES / perState)
  for (let n = 1; n < fit; n++) log.append(state(n))
  assert.equal((await stat(path)).ino, ino, 'written in place')
  log.append(state(fit))
  assert.notEqual((await stat(path)).ino, ino, 'compacted into a new file')
  assert.equal((await readCheckpoint(path))?.savedAt, label(fit))
  assert.equal((await readFile(path, 'utf8')).split('\n')[0], state(fit))
  await log.close(state(fit + 1))
  assert.deepEqual(await readdir(dir), ['cp'], 'no temporary file left')
})

test('a reader passes over a line cut short and the zeros after the last state', async (t) => {
  const path = join(await tempDir(t, 'checkpoint-log'), 'cp')
  await writeFile(path, Buffer.concat([Buffer.from(`${state(1)}\n${state(2)}\n${state(3).slice(0, 20)}`), Buffer.alloc(4096)]))
  assert.equal((await readCheckpoint(path))?.savedAt, label(2))
  await writeFile(path, Buffer.alloc(100))
  await assert.rejects(readCheckpoint(path), /it is not JSON/)
})
