// Smoke test of scripts/local-kafka itself, on a private one-node cluster (its own
// KPROD_KAFKA_HOME): up, bootstrap, topic, stop-node/start-node, down. Slow (a real JVM broker).
// A missing Java, Maven or jar makes the script exit non-zero, which fails these tests: no skip.

import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'

const SCRIPT = resolve(import.meta.dirname, '..', '..', 'scripts', 'local-kafka')
const SLOW = { timeout: 180_000 }

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

function run (file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

/** Partition → leader id, as kcat (an independent client) sees the topic on BOOTSTRAP. */
async function leaders (bootstrap: string, topic: string): Promise<Map<number, number>> {
  const { code, stdout, stderr } = await run('kcat', ['-L', '-b', bootstrap, '-t', topic, '-m', '5'])
  assert.equal(code, 0, `kcat -L failed: ${stderr}`)
  const out = new Map<number, number>()
  for (const m of stdout.matchAll(/^ +partition (\d+), leader (-?\d+),/gm)) out.set(Number(m[1]), Number(m[2]))
  return out
}

describe('scripts/local-kafka', () => {
  const home = mkdtempSync(join(tmpdir(), 'kprod-local-kafka-'))
  const env = { ...process.env, KPROD_KAFKA_HOME: home }
  const script = (...args: string[]): Promise<Run> => run(SCRIPT, args, env)
  const topic = 'smoke-topic'
  let bootstrap = ''

  before(async () => {
    const { code } = await run('kcat', ['-V'])
    assert.equal(code, 0, 'kcat must be installed (apt-get install kcat)')
  })

  after(async () => {
    await script('down')
  })

  test('up prints the bootstrap list as its only stdout line', SLOW, async () => {
    const up = await script('up')
    assert.equal(up.code, 0, up.stderr)
    assert.match(up.stdout, /^127\.0\.0\.1:\d+\n$/)
    bootstrap = up.stdout.trim()
  })

  test('up reuses the running cluster when called again with the same size', SLOW, async () => {
    const again = await script('up')
    assert.equal(again.code, 0, again.stderr)
    assert.equal(again.stdout.trim(), bootstrap)
  })

  test('up refuses another size while a cluster runs', SLOW, async () => {
    const other = await script('up', '--brokers', '3')
    assert.notEqual(other.code, 0)
    assert.equal(other.stdout, '')
    assert.match(other.stderr, /1-node .* is running/)
  })

  test('bootstrap prints the running cluster list', async () => {
    const b = await script('bootstrap')
    assert.equal(b.code, 0, b.stderr)
    assert.equal(b.stdout, `${bootstrap}\n`)
  })

  test('topic creates a topic whose partitions all have a leader, printing nothing on stdout', SLOW, async () => {
    const t = await script('topic', topic, '--partitions', '3', '--config', 'retention.ms=3600000')
    assert.equal(t.code, 0, t.stderr)
    assert.equal(t.stdout, '')
    assert.deepEqual(await leaders(bootstrap, topic), new Map([[0, 1], [1, 1], [2, 1]]))
  })

  test('stop-node stops the only node, after which bootstrap exits non-zero', SLOW, async () => {
    const stop = await script('stop-node', '1')
    assert.equal(stop.code, 0, stop.stderr)
    const b = await script('bootstrap')
    assert.notEqual(b.code, 0)
    assert.equal(b.stdout, '')
  })

  test('start-node brings the node back on the same port with its topics', SLOW, async () => {
    const start = await script('start-node', '1')
    assert.equal(start.code, 0, start.stderr)
    assert.equal((await script('bootstrap')).stdout.trim(), bootstrap)
    assert.deepEqual(await leaders(bootstrap, topic), new Map([[0, 1], [1, 1], [2, 1]]))
  })

  test('down stops the cluster and removes its state folder', SLOW, async () => {
    const down = await script('down')
    assert.equal(down.code, 0, down.stderr)
    assert.equal(existsSync(home), false)
    const k = await run('kcat', ['-L', '-b', bootstrap, '-m', '1'])
    assert.notEqual(k.code, 0)
  })
})
