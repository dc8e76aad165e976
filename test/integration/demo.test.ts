// The README's first command, `bash scripts/demo`, must work on a clean checkout. Runs
// scripts/demo (it reuses the running local broker, or starts one, which this test then stops) and
// checks its two kprod runs and what kcat reads back, byte for byte for the unkeyed sample lines.

import { execFile, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import assert from 'node:assert/strict'

const ROOT = join(import.meta.dirname, '..', '..')

test('bash scripts/demo sends both samples and reads every line back from the broker', { timeout: 180_000 }, async (t) => {
  // The demo leaves its broker running, as a user wants; one it had to start is stopped here.
  const localKafka = (command: string): number => spawnSync('bash', ['scripts/local-kafka', command], { cwd: ROOT, stdio: 'ignore' }).status ?? -1
  if (localKafka('bootstrap') !== 0) t.after(() => { localKafka('down') })
  const { code, stdout, stderr } = await new Promise<{ code: number, stdout: Buffer, stderr: string }>((resolve) => {
    execFile('bash', ['scripts/demo'], { cwd: ROOT, encoding: 'buffer', timeout: 170_000, maxBuffer: 16 * 1024 * 1024 }, (err, out, errOut) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout: out, stderr: errOut.toString() })
    })
  })
  assert.equal(code, 0, stderr.slice(-2000))
  const lines = stdout.toString('latin1').split('\n')
  const summaries = lines.filter((l) => l.startsWith('{"type":"summary"')).map((l) => JSON.parse(l) as { exitCode: number, counts: { read: number, delivered: number } })
  assert.deepEqual(summaries.map((s) => [s.exitCode, s.counts.read, s.counts.delivered]), [[0, 6, 6], [0, 6, 6]])

  // kcat prints partition, offset, key and value separated by tabs; the unkeyed lines have an empty key.
  const readBack = lines.filter((l) => /^\d+\t\d+\t/.test(l)).map((l) => l.split('\t').slice(3).join('\t'))
  const sample = readFileSync(join(ROOT, 'examples', 'access.log')).toString('latin1').split('\n').map((l) => l.replace(/\r$/, ''))
  for (const line of sample) assert.ok(readBack.includes(line), `not read back: ${JSON.stringify(line)}`)
  assert.equal(readBack.length, 12)
})
