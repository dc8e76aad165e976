// The only broker of a private cluster stops mid-run, or hangs (SIGSTOP), with both Kafka
// clients running side by side through the same outage. Every line kprod calls `failed` must be
// absent from the broker (read back by kcat once it is up again), every `delivered` one present,
// and the summary must add up: `failed` is a promise that the records were never written. Against
// a hung broker every deadline (drain, second signal, flush) holds within a second.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { kprod, type CliRun } from '../helpers/cli.ts'
import { consumeAll, privateKafka, type Cluster } from '../helpers/kafka.ts'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const SLOW = { timeout: 300_000 }
const CLIENTS = ['wire', 'kafkajs'] as const

let kafka: Cluster
before(async () => { kafka = await privateKafka(1) })
after(async () => { await kafka?.down() })

interface Runner {
  readonly name: string
  readonly topic: string
  readonly input: PassThrough
  readonly running: Promise<CliRun>
  readonly child: () => ChildProcess
  /** Resolves at the first batch line on stdout: connected and delivering. */
  readonly firstBatch: Promise<void>
}

function start (name: string, topic: string, args: readonly string[]): Runner {
  const input = new PassThrough()
  let child: ChildProcess | null = null
  let batched: () => void = () => {}
  const firstBatch = new Promise<void>((resolve) => { batched = resolve })
  const running = kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--linger', '5', '--batch-records', '50', ...args], {
    input,
    timeoutMs: 240_000,
    onSpawn: (c) => {
      child = c
      c.stdout?.on('data', (chunk: Buffer) => { if (chunk.includes('"type":"batch"')) batched() })
    }
  })
  return { name, topic, input, running, child: () => child as unknown as ChildProcess, firstBatch }
}

/** Writes lines `${prefix} n` for n in [from, to] to every runner, 50 lines every 10 ms. */
async function feed (runners: readonly Runner[], from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n += 50) {
    let text = ''
    for (let k = n; k < Math.min(to + 1, n + 50); k++) text += `line ${k}\n`
    for (const r of runners) r.input.write(text)
    await sleep(10)
  }
}

/** Checks a finished run against what is on the broker; returns the outcome counts. */
async function check (r: Runner, run: CliRun): Promise<Record<string, number>> {
  const c = run.summary.counts as Record<string, number>
  assert.equal(c.read, c.delivered! + c.failed! + c.unknown! + c.skipped! + c.unsent!, `${r.name}: summary adds up`)
  const onBroker = new Set((await consumeAll(kafka.bootstrap, r.topic)).map((m) => m.value.toString()))
  let failedChecked = 0
  for (const b of run.batches) {
    const outcomes = b.counts as Record<string, number>
    const lines = (b.firstLine === null ? [] : range(b.firstLine as number, b.lastLine as number)).map((n) => `line ${n}`)
    if (outcomes.delivered === b.records) {
      for (const l of lines) assert.ok(onBroker.has(l), `${r.name}: '${l}' counted delivered, not on the broker`)
    }
    if (outcomes.failed! > 0) {
      assert.equal(outcomes.failed, b.records, `${r.name}: a Kafka batch fails whole`)
      for (const l of lines) assert.ok(!onBroker.has(l), `${r.name}: '${l}' counted failed, yet on the broker (batch ${b.id}: ${JSON.stringify(b.errors)})`)
      failedChecked += lines.length
    }
  }
  assert.equal(failedChecked, c.failed, `${r.name}: every failed line checked`)
  return c
}

/**
 * stderr of an outage is short: kafkajs's repeated logs de-duplicated, no stack traces, one line
 * per distinct cause with counts that add up to the lines not delivered, and a last line saying
 * why the exit code is 4.
 */
function checkStderr (name: string, run: CliRun, c: Record<string, number>): void {
  const lines = run.stderr.split('\n').filter((l) => l !== '')
  assert.ok(lines.length <= 60, `${name}: ${lines.length} stderr lines:\n${run.stderr}`)
  assert.doesNotMatch(run.stderr, /"stack"|\n\s+at /, `${name}: a stack trace on stderr`)
  let counted = 0
  for (const l of lines) {
    const m = /^kprod: (\d+) lines? (failed|unknown|unsent): /.exec(l)
    if (m !== null) counted += Number(m[1])
  }
  assert.equal(counted, c.failed! + c.unknown! + c.unsent!, `${name}: the per-cause counts add up:\n${run.stderr}`)
  assert.match(lines.at(-1) as string, new RegExp(`^kprod: exit 4: not every line was delivered: of ${c.read} lines read, ${c.delivered} delivered`))
}

function range (from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i)
}

test('the broker stops mid-run and stays down: every line counted failed is absent from the broker, on both clients', SLOW, async (t) => {
  const runners = await Promise.all(CLIENTS.map(async (client) => start(client, await kafka.topic({ partitions: 4 }),
    ['--kafka-client', client, '--delivery-timeout', '6000', '--request-timeout', '3000', '--retry-backoff', '100', '--retry-backoff-max', '500'])))
  await feed(runners, 1, 3000)
  await Promise.all(runners.map((r) => r.firstBatch))
  await kafka.stopNode(1)
  await feed(runners, 3001, 4000)
  for (const r of runners) r.input.end()
  const runs = await Promise.all(runners.map((r) => r.running))
  await kafka.startNode(1)
  for (const [i, r] of runners.entries()) {
    const run = runs[i] as CliRun
    assert.equal(run.code, 4, `${r.name}: ${run.stderr}`)
    const c = await check(r, run)
    t.diagnostic(`${r.name}: ${JSON.stringify(c)}`)
    assert.equal(c.read, 4000)
    assert.ok(c.failed! + c.unknown! >= 1000, `${r.name}: failed ${c.failed}, unknown ${c.unknown}`)
    checkStderr(r.name, run, c)
  }
})

test('an outage shorter than --delivery-timeout: the default (no attempt count) rides it out on both clients; --attempts 3 still caps', SLOW, async (t) => {
  const common = ['--request-timeout', '3000', '--retry-backoff', '100', '--retry-backoff-max', '1000']
  const runners = await Promise.all([
    ...CLIENTS.map(async (client) => start(client, await kafka.topic({ partitions: 4 }), ['--kafka-client', client, ...common])),
    start('wire --attempts 3', await kafka.topic({ partitions: 4 }), ['--kafka-client', 'wire', '--attempts', '3', ...common])
  ])
  await feed(runners, 1, 1000)
  await Promise.all(runners.map((r) => r.firstBatch))
  await kafka.stopNode(1)
  await feed(runners, 1001, 2000)
  // With the former default of 10 attempts and this backoff, every batch gave up after about 6 s.
  await sleep(8000)
  await kafka.startNode(1)
  for (const r of runners) r.input.end()
  const runs = await Promise.all(runners.map((r) => r.running))
  for (const [i, r] of runners.entries()) {
    const run = runs[i] as CliRun
    const c = await check(r, run)
    const most = Math.max(...run.batches.map((b) => (b.exchanges as unknown[]).length))
    t.diagnostic(`${r.name}: exit ${run.code}, ${JSON.stringify(c)}, most attempts of a batch ${most}`)
    if (r.name.includes('--attempts 3')) {
      assert.equal(run.code, 4, `${r.name}: ${run.stderr}`)
      assert.ok(most <= 3, `${r.name}: a batch took ${most} attempts`)
      assert.ok(c.failed! + c.unknown! > 0)
    } else {
      assert.equal(run.code, 0, `${r.name}: ${run.stderr}`)
      assert.equal(c.delivered, 2000)
      assert.ok(most > 10, `${r.name}: the outage was ridden out in ${most} attempts, within the former cap of 10`)
    }
  }
})

/** SIGSTOP / SIGCONT the broker's JVM: it keeps accepting connections (the kernel does) and answers nothing. */
function signalBroker (signal: 'SIGSTOP' | 'SIGCONT'): void {
  const pid = Number(readFileSync(join(kafka.home as string, 'kafka-run', 'node-1', 'node.pid'), 'utf8').trim())
  process.kill(pid, signal)
}

test('a hung broker: SIGINT exits within --drain-timeout (+1 s), a second SIGINT at once, --flush-timeout within its time, on both clients', SLOW, async (t) => {
  const cases = CLIENTS.flatMap((client) => [
    { client, kind: 'drain', args: ['--drain-timeout', '2000'] },
    { client, kind: 'second signal', args: ['--drain-timeout', '60000'] },
    { client, kind: 'flush', args: ['--flush-timeout', '2000'] }
  ])
  // One topic for all: these runs are checked for their exit times and accounting, not read back.
  const topic = await kafka.topic({ partitions: 4 })
  const runners = cases.map((c) => start(`${c.client} ${c.kind}`, topic, ['--kafka-client', c.client, ...c.args]))
  const exited = runners.map((r) => r.running.then(() => Date.now()))
  await feed(runners, 1, 500)
  await Promise.all(runners.map((r) => r.firstBatch))
  signalBroker('SIGSTOP')
  t.after(() => { signalBroker('SIGCONT') })
  await feed(runners, 501, 1000)
  await sleep(1000)
  const at = Date.now()
  for (const [i, c] of cases.entries()) {
    const r = runners[i] as Runner
    if (c.kind === 'flush') r.input.end()
    else r.child().kill('SIGINT')
  }
  await sleep(500)
  for (const [i, c] of cases.entries()) if (c.kind === 'second signal') (runners[i] as Runner).child().kill('SIGINT')
  const runs = await Promise.all(runners.map((r) => r.running))
  const times = await Promise.all(exited)
  signalBroker('SIGCONT')
  for (const [i, c] of cases.entries()) {
    const run = runs[i] as CliRun
    const name = `${c.client} ${c.kind}`
    const took = (times[i] as number) - at
    t.diagnostic(`${name}: exit ${run.code} after ${took} ms, ${JSON.stringify(run.summary.counts)}`)
    const counts = run.summary.counts as Record<string, number>
    assert.equal(counts.read, counts.delivered! + counts.failed! + counts.unknown! + counts.skipped! + counts.unsent!, name)
    assert.ok(counts.delivered! < 1000, `${name}: the broker hung before the end`)
    if (c.kind === 'flush') {
      assert.equal(run.code, 4, `${name}: ${run.stderr}`)
      assert.ok(took <= 2000 + 1000, `${name}: exited ${took} ms after end of input (--flush-timeout 2000)`)
    } else if (c.kind === 'drain') {
      assert.equal(run.code, 130, `${name}: ${run.stderr}`)
      assert.ok(took <= 2000 + 1000, `${name}: exited ${took} ms after SIGINT (--drain-timeout 2000)`)
    } else {
      assert.equal(run.code, 130, `${name}: ${run.stderr}`)
      assert.ok(took - 500 <= 1000, `${name}: exited ${took - 500} ms after the second SIGINT`)
    }
  }
})
