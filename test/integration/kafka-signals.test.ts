// Signals and closed stdout against a real broker: SIGTERM drains and every line kprod calls
// delivered is on the broker; `| head -1` keeps delivering and exits with the delivery code.

import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { BIN, kprod } from '../helpers/cli.ts'
import { consumeAll, sharedKafka, type Cluster } from '../helpers/kafka.ts'

let kafka: Cluster
before(async () => { kafka = await sharedKafka() })

/** Lines "n" for n = 1..total, produced in chunks of `perChunk` every `everyMs`. */
function paced (total: number, perChunk: number, everyMs: number): Readable {
  let next = 1
  return new Readable({
    read () {
      if (next > total) { this.push(null); return }
      setTimeout(() => {
        const end = Math.min(total, next + perChunk - 1)
        let text = ''
        for (let n = next; n <= end; n++) text += `${n}\n`
        next = end + 1
        this.push(text)
      }, everyMs)
    }
  })
}

test('SIGTERM in the middle of a 1,000,000-line pipe drains, exits 143, and the accounting holds', async () => {
  const topic = await kafka.topic({ partitions: 3 })

  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--drain-timeout', '10000'], {
    input: paced(1_000_000, 2_000, 10),
    onSpawn: (child) => { setTimeout(() => child.kill('SIGTERM'), 2500) },
    timeoutMs: 60_000
  })

  assert.equal(run.code, 143, run.stderr)
  const c = run.summary.counts as Record<string, number>
  assert.equal(run.summary.signal, 'SIGTERM')
  assert.ok(c.read! > 0 && c.read! < 1_000_000, `read ${c.read}`)
  assert.equal(c.read, c.delivered! + c.failed! + c.unknown! + c.skipped! + c.unsent!)
  assert.equal(run.summary.invariantHolds, true)

  const onBroker = new Set((await consumeAll(kafka.bootstrap, topic)).map((r) => r.value.toString()))
  let delivered = 0
  for (const batch of run.batches) {
    if (batch.produced !== true) continue
    for (let n = batch.firstLine as number; n <= (batch.lastLine as number); n++) {
      delivered++
      if (!onBroker.has(String(n))) assert.fail(`line ${n} reported delivered but not on the broker`)
    }
  }
  assert.equal(delivered, c.delivered)
  assert.ok(onBroker.size >= c.delivered! && onBroker.size <= c.delivered! + c.unknown!)
})

test('kprod | head -1: no EPIPE trace, delivery goes on, exit code is the delivery code', async () => {
  const topic = await kafka.topic({ partitions: 2 })
  const dir = mkdtempSync(join(tmpdir(), 'kprod-head-'))
  const file = join(dir, 'in.txt')
  writeFileSync(file, Array.from({ length: 50_000 }, (_, i) => `row ${i}\n`).join(''))
  const script = `node ${JSON.stringify(BIN)} --brokers ${kafka.bootstrap} --topic ${topic} --no-progress --batch-records 100 ${JSON.stringify(file)} | head -1; echo "kprod-exit=\${PIPESTATUS[0]}" >&2`

  const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr.on('data', (c: Buffer) => { err += c.toString() })
  await new Promise((resolve) => child.on('close', resolve))

  assert.equal(out.split('\n').filter((l) => l !== '').length, 1)
  assert.equal(JSON.parse(out).type, 'batch')
  assert.match(err, /kprod-exit=0/)
  assert.doesNotMatch(err, /EPIPE|Error:|at .*\.js:\d+/)
  assert.equal((await consumeAll(kafka.bootstrap, topic)).length, 50_000)
})

test('a closed stdin with no input ends at once with exit 0 and an all-zero summary', async () => {
  const topic = await kafka.topic({ partitions: 1 })
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress'], { input: '' })
  assert.equal(run.code, 0, run.stderr)
  assert.equal((run.summary.counts as Record<string, number>).read, 0)
  assert.equal(run.batches.length, 0)
})
