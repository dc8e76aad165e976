// The only broker of a private cluster stops mid-run, with both Kafka clients running side by
// side through the same outage. Every line kprod calls `failed` must be absent from the broker
// (read back by kcat once it is up again), every `delivered` one present, and the summary must
// add up: `failed` is a promise that the records were never written.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
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
}

function start (name: string, topic: string, args: readonly string[]): Runner {
  const input = new PassThrough()
  const running = kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--linger', '5', '--batch-records', '50', ...args],
    { input, timeoutMs: 240_000 })
  return { name, topic, input, running }
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
    const outcomes = b.outcomes as Record<string, number>
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

function range (from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i)
}

test('the broker stops mid-run and stays down: every line counted failed is absent from the broker, on both clients', SLOW, async (t) => {
  const runners = await Promise.all(CLIENTS.map(async (client) => start(client, await kafka.topic({ partitions: 4 }),
    ['--kafka-client', client, '--delivery-timeout', '6000', '--request-timeout', '3000', '--retry-backoff', '100', '--retry-backoff-max', '500'])))
  await feed(runners, 1, 3000)
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
  }
})

test('an outage shorter than --delivery-timeout: the default (no attempt count) rides it out on both clients; --attempts 3 still caps', SLOW, async (t) => {
  const common = ['--request-timeout', '3000', '--retry-backoff', '100', '--retry-backoff-max', '1000']
  const runners = await Promise.all([
    ...CLIENTS.map(async (client) => start(client, await kafka.topic({ partitions: 4 }), ['--kafka-client', client, ...common])),
    start('wire --attempts 3', await kafka.topic({ partitions: 4 }), ['--kafka-client', 'wire', '--attempts', '3', ...common])
  ])
  await feed(runners, 1, 1000)
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
