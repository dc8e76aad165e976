// --flush-timeout through the whole pipeline (input → builder → producer → reporter) on a fake
// clock and a scripted fake transport: once input has ended, records still pending after the
// deadline are given up the way a drain deadline gives them up (never sent → unsent, in flight →
// unknown, between attempts → the outcome of their last error), the summary says why with the
// delivered and remaining counts, and the exit code is 4. Without the option nothing changes.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveConfig, type RawValues } from '../../../src/config/config.ts'
import { runPipeline, type PipelineResult } from '../../../src/pipeline.ts'
import { FakeClock, flushMicrotasks } from '../../helpers/fake-clock.ts'
import { FakeTransport, delivered, requestError, type Responder } from '../../helpers/fake-transport.ts'
import { contractProblems } from '../../helpers/schema.ts'

const work = mkdtempSync(join(tmpdir(), 'kprod-flush-timeout-'))
after(() => rmSync(work, { recursive: true, force: true }))

interface Run {
  readonly clock: FakeClock
  readonly transport: FakeTransport
  readonly stop: AbortController
  readonly lines: () => Array<Record<string, unknown>>
  readonly summary: () => Record<string, unknown>
  readonly warnings: string[]
  /** The result once the pipeline has finished, else null. */
  readonly result: () => PipelineResult | null
  readonly finished: Promise<PipelineResult>
}

/** Ten lines "line1".."line10", batches of 2 over partitions 0 and 1 with 2 workers. */
async function start (flags: RawValues, respond: Responder): Promise<Run> {
  const config = resolveConfig({ topic: 't', batchRecords: '2', workers: '2', statsInterval: '0', retryBackoff: '5000', retryBackoffMax: '5000', ...flags }, {}, [])
  const clock = new FakeClock()
  const transport = new FakeTransport({ partitions: [0, 1], respond })
  const out: Buffer[] = []
  const stdout = new Writable({ write (chunk: Buffer, _enc, done) { out.push(chunk); done() } })
  const input = Array.from({ length: 10 }, (_, i) => `line${i + 1}\n`).join('')
  const stop = new AbortController()
  const warnings: string[] = []
  let result: PipelineResult | null = null
  const finished = runPipeline(config, {
    transport,
    stdin: Readable.from([Buffer.from(input)]),
    stdout,
    warn: (m) => warnings.push(m),
    clock,
    stop: stop.signal,
    abort: new AbortController().signal
  }).then((r) => { result = r; return r })
  // Opening --failed-output is real file I/O: wait (unbounded in fake time) until sending began.
  // From there on everything runs on promises and the fake clock, so the input is then read
  // and the end-of-input wait begun once the queued callbacks have run.
  const openedBy = Date.now() + 10_000
  while (transport.calls.length === 0) {
    if (Date.now() > openedBy) throw new Error('the pipeline did not start sending within 10 s')
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  await flushMicrotasks()
  const lines = (): Array<Record<string, unknown>> => Buffer.concat(out).toString().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>)
  return {
    clock,
    transport,
    stop,
    lines,
    summary: () => lines().findLast((l) => l.type === 'summary') ?? {},
    warnings,
    result: () => result,
    finished
  }
}

/** Call 0 delivered, call 1 throttled (retriable, nothing written), every later call held. */
const deliverThrottleHold: Responder = (call) => {
  if (call.index === 0) return delivered(call)
  if (call.index === 1) return requestError('KPROD_THROTTLED', 'slow down', { retriable: true })
  return undefined
}

test('--flush-timeout: at the deadline records never sent are unsent, in flight unknown, between retries failed (their last error); the summary says why, with delivered and remaining; exit 4', async () => {
  const failedFile = join(work, 'failed.txt')
  const run = await start({ flushTimeout: '1500', failedOutput: failedFile }, deliverThrottleHold)
  // 5 batches: one delivered, one backing off (2.5..5 s > 1.5 s), two in flight (both workers), one waiting.
  assert.equal(run.transport.calls.length, 4)
  await run.clock.advance(1499)
  assert.equal(run.result(), null, 'still waiting before the deadline')
  await run.clock.advance(1)
  const { exitCode } = await run.finished
  assert.equal(exitCode, 4)
  assert.equal(run.transport.calls.length, 4, 'nothing is sent after the deadline')
  const summary = run.summary()
  assert.deepEqual(summary.counts, { read: 10, delivered: 2, failed: 2, unknown: 4, skipped: 0, unsent: 2 })
  assert.equal(summary.invariantHolds, true)
  assert.equal(summary.exitCode, 4)
  assert.equal(summary.signal, null)
  assert.equal(summary.error, '--flush-timeout of 1500 ms passed after end of input: 2 records delivered, 8 still pending (buffered, in flight or waiting for a retry) given up')
  assert.equal(summary.errorCode, 'KPROD_FLUSH_TIMEOUT')
  assert.deepEqual(summary.undeliveredByCode, { KPROD_FLUSH_TIMEOUT: 8 })
  assert.deepEqual(run.warnings.filter((w) => w.startsWith('kprod: --flush-timeout')), [`kprod: ${summary.error as string}`])
  // One stderr line per cause with its count, then why the exit code is 4.
  assert.deepEqual(run.warnings.filter((w) => /^kprod: \d+ lines? /.test(w)), [
    'kprod: 4 lines unknown: error producing topic t partition *: --flush-timeout of 1500 ms passed after end of input while the request was in flight',
    'kprod: 2 lines failed: error producing topic t partition *: slow down; --flush-timeout of 1500 ms passed after end of input',
    'kprod: 2 lines unsent: --flush-timeout of 1500 ms passed after end of input'
  ])
  assert.match(run.warnings.at(-1) as string, /^kprod: exit 4: not every line was delivered: of 10 lines read, 2 delivered, 2 failed \(definitely not written\), 4 unknown \(may have been written\), 2 unsent; --flush-timeout/)
  assert.equal(summary.failedOutputLines, 8)
  const undelivered = readFileSync(failedFile, 'utf8').split('\n').filter((l) => l !== '').sort()
  assert.equal(undelivered.length, 8)
  assert.ok(!undelivered.includes('line1') && !undelivered.includes('line2'), 'the delivered batch is not in --failed-output')

  const errorsOf = (b: Record<string, unknown>): string[] => (b.errors as { error: string }[]).map((e) => e.error)
  for (const line of run.lines()) assert.deepEqual(contractProblems(line), [], JSON.stringify(line))
  const batches = run.lines().filter((l) => l.type === 'batch')
  assert.equal(batches.length, 5)
  const byOutcome = (o: string): Array<Record<string, unknown>> => batches.filter((b) => (b.counts as Record<string, number>)[o] === 2)
  assert.deepEqual(errorsOf(byOutcome('failed')[0] ?? {}), ['error producing topic t partition 1: slow down; --flush-timeout of 1500 ms passed after end of input'])
  assert.equal(byOutcome('unknown').length, 2)
  for (const b of byOutcome('unknown')) assert.deepEqual(errorsOf(b), ['error producing topic t partition ' + String((b.exchanges as { partition: number }[])[0]?.partition) + ': --flush-timeout of 1500 ms passed after end of input while the request was in flight'])
  assert.deepEqual(errorsOf(byOutcome('unsent')[0] ?? {}), ['--flush-timeout of 1500 ms passed after end of input'])
  // Whatever its last error, a record the deadline ended carries the deadline's code.
  const codes = batches.flatMap((b) => (b.errors as { code: string }[]).map((e) => e.code))
  assert.deepEqual([...new Set(codes)], ['KPROD_FLUSH_TIMEOUT'])
  assert.equal((byOutcome('unsent')[0] ?? {}).producerErrorCode, 'KPROD_FLUSH_TIMEOUT')
})

test('--flush-timeout: a run that delivers everything before the deadline ends as usual (exit 0, no error) without waiting for it', async () => {
  const run = await start({ flushTimeout: '1500' }, (call) => delivered(call))
  const { exitCode } = await run.finished
  assert.equal(exitCode, 0)
  const summary = run.summary()
  assert.deepEqual(summary.counts, { read: 10, delivered: 10, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
  assert.equal(summary.error, null)
})

test('--flush-timeout 0 (the default): no deadline after end of input but --delivery-timeout; the run ends when the held requests are answered', async () => {
  const run = await start({}, () => undefined)
  // 100 s: well past any flush deadline, within the default --delivery-timeout of 120 s.
  await run.clock.advance(100_000)
  assert.equal(run.result(), null, 'still waiting for the requests in flight')
  // Answer every call, including the ones each answer lets start.
  while (run.result() === null) {
    for (const call of run.transport.held) call.resolve(delivered(call))
    await flushMicrotasks()
  }
  assert.equal(run.result()?.exitCode, 0)
  assert.equal(run.summary().error, null)
  assert.deepEqual(run.summary().counts, { read: 10, delivered: 10, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
})

test('--flush-timeout: a signal during the end-of-input wait switches to the signal drain (--drain-timeout, exit 143, no flush-timeout error)', async () => {
  const run = await start({ flushTimeout: '60000', drainTimeout: '1000' }, () => undefined)
  run.stop.abort('SIGTERM')
  await run.clock.advance(1000)
  const { exitCode } = await run.finished
  assert.equal(exitCode, 143)
  const summary = run.summary()
  assert.equal(summary.signal, 'SIGTERM')
  assert.equal(summary.error, null)
  assert.deepEqual(summary.counts, { read: 10, delivered: 0, failed: 0, unknown: 4, skipped: 0, unsent: 6 })
  const errors = run.lines().filter((l) => l.type === 'batch').flatMap((b) => (b.errors as { error: string }[]).map((e) => e.error))
  assert.ok(errors.every((e) => e.includes('--drain-timeout of 1000 ms passed')), JSON.stringify(errors))
  assert.equal(summary.errorCode, null)
  assert.deepEqual(summary.undeliveredByCode, { KPROD_INTERRUPTED: 10 })
})
