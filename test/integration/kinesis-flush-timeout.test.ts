// --flush-timeout through the CLI against a real Kinesis emulator (kinesalite) behind
// test/helpers/fault-proxy.ts: after end of input the endpoint hangs or throttles, and the run
// still ends at the flush deadline with exit 4, every line accounted for, the summary saying
// how many were delivered and how many were given up, and --failed-output holding the rest.
// The emulator is private to this file and a missing one fails the tests: nothing here skips.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { type CliRun, why } from '../helpers/cli.ts'
import { multiset, multisetDiff, referenceLines } from '../helpers/data.ts'
import { privateKinesisFixture, proxiedStream, putThrough, readStream } from '../helpers/kinesis.ts'
import { contractProblems } from '../helpers/schema.ts'

const { work, proxies } = privateKinesisFixture('kinesis-flush')

const SLOW = { timeout: 300_000 }

interface Counts { read: number, delivered: number, failed: number, unknown: number, skipped: number, unsent: number }
const counts = (run: CliRun): Counts => run.summary.counts as Counts

function assertContract (run: CliRun): void {
  for (const line of run.lines) assert.deepEqual(contractProblems(line), [], JSON.stringify(line).slice(0, 500))
  const c = counts(run)
  assert.equal(c.read, c.delivered + c.failed + c.unknown + c.skipped + c.unsent, 'read == delivered + failed + unknown + skipped + unsent')
  assert.equal(run.summary.invariantHolds, true)
}

function assertSameMultiset (actual: readonly Buffer[], expected: readonly Buffer[], what: string): void {
  assert.deepEqual(multisetDiff(multiset(expected), multiset(actual)), [], `${what}: got ${actual.length}, expected ${expected.length}`)
  assert.equal(actual.length, expected.length, what)
}

const numbered = (from: number, to: number): string => Array.from({ length: to - from }, (_, i) => `line ${from + i}\n`).join('')

describe('kprod --stream --flush-timeout: the final flush has a deadline', () => {
  test('kinesalite: PutRecords hangs after the first 300 lines: the run ends at the 1500 ms flush deadline; 300 delivered, the rest unknown (in flight) or unsent, all in --failed-output; exit 4', SLOW, async () => {
    const { endpoint, stream, proxy } = await proxiedStream(proxies)
    const failedFile = join(work, 'hang-failed.txt')
    const stdin = new PassThrough()
    // --request-timeout far above the flush deadline: only --flush-timeout can end this run in time.
    const running = putThrough(proxy, stream, ['--batch-records', '100', '--workers', '4', '--request-timeout', '120000', '--flush-timeout', '1500', '--failed-output', failedFile], stdin)
    const first = Buffer.from(numbered(0, 300))
    const rest = Buffer.from(numbered(300, 1000))
    stdin.write(first)
    const deadline = Date.now() + 60_000
    while (proxy.stats.recordsForwarded < 300) {
      if (Date.now() > deadline) assert.fail(`only ${proxy.stats.recordsForwarded} of the first 300 lines reached the emulator within 60 s`)
      await sleep(20)
    }
    proxy.setPlan({ mode: 'hang', putRecordsOnly: true })
    stdin.end(rest)
    const run = await running
    assert.equal(run.code, 4, why(run))
    assertContract(run)
    const c = counts(run)
    assert.equal(c.read, 1000)
    assert.equal(c.delivered, 300)
    assert.equal(c.failed + c.skipped, 0)
    assert.equal(c.unknown + c.unsent, 700)
    // At most --workers requests hang; the batches behind them were never sent.
    assert.ok(c.unknown > 0 && c.unknown <= 400, `unknown: ${c.unknown}`)
    assert.ok(c.unsent >= 300, `unsent: ${c.unsent}`)
    assert.equal(run.summary.errorCode, 'KPROD_FLUSH_TIMEOUT')
    assert.deepEqual(run.summary.undeliveredByCode, { KPROD_FLUSH_TIMEOUT: 700 })
    assert.equal(run.summary.exitCode, 4)
    assert.equal(run.summary.signal, null)
    assert.equal(run.summary.error, '--flush-timeout of 1500 ms passed after end of input: 300 records delivered, 700 still pending (buffered, in flight or waiting for a retry) given up')
    assert.match(run.stderr, /kprod: --flush-timeout of 1500 ms passed after end of input/)
    assert.ok((run.summary.elapsedMs as number) >= 1500)
    assert.ok((run.summary.elapsedMs as number) < 120_000, 'ended before any request timeout')
    const errors = run.batches.flatMap((b) => (b.errors as { error: string }[]).map((e) => e.error))
    assert.ok(errors.some((e) => /^error producing stream \S+ lane \d+: --flush-timeout of 1500 ms passed after end of input while the request was in flight$/.test(e)), JSON.stringify(errors))
    assert.ok(errors.includes('--flush-timeout of 1500 ms passed after end of input'), JSON.stringify(errors))
    assert.equal(run.summary.failedOutputLines, 700)
    assertSameMultiset(referenceLines(readFileSync(failedFile)), referenceLines(rest), '--failed-output holds exactly the undelivered lines')
    // A hung request never reached the emulator: the stream holds the first 300 lines only.
    assertSameMultiset((await readStream(endpoint, stream)).map((r) => r.data), referenceLines(first), 'stream content')
  })

  test('kinesalite: every PutRecords throttled, backoff longer than the deadline: the records waiting for a retry are counted as remaining and failed with their last error; exit 4', SLOW, async () => {
    const { endpoint, stream, proxy } = await proxiedStream(proxies)
    proxy.setPlan({ mode: 'error', status: 400, errorType: 'ProvisionedThroughputExceededException', message: 'Rate exceeded for stream', putRecordsOnly: true })
    const failedFile = join(work, 'throttle-failed.txt')
    const input = Buffer.from(numbered(0, 500))
    const run = await putThrough(proxy, stream, ['--batch-records', '100', '--retry-backoff', '20000', '--retry-backoff-max', '20000', '--flush-timeout', '1500', '--failed-output', failedFile], input)
    assert.equal(run.code, 4, why(run))
    assertContract(run)
    assert.deepEqual(counts(run), { read: 500, delivered: 0, failed: 500, unknown: 0, skipped: 0, unsent: 0 })
    assert.equal(run.summary.error, '--flush-timeout of 1500 ms passed after end of input: 0 records delivered, 500 still pending (buffered, in flight or waiting for a retry) given up')
    // Each batch made one attempt, then waited (10..20 s) for its retry when the deadline came.
    assert.equal(run.summary.requestErrors, run.batches.length)
    for (const batch of run.batches) {
      const errors = (batch.errors as { error: string }[]).map((e) => e.error)
      assert.equal(errors.length, 1)
      assert.match(errors[0] ?? '', /^error producing stream \S+ lane \d+: ProvisionedThroughputExceededException: Rate exceeded for stream.*; --flush-timeout of 1500 ms passed after end of input$/)
    }
    assertSameMultiset(referenceLines(readFileSync(failedFile)), referenceLines(input), '--failed-output')
    assert.deepEqual(await readStream(endpoint, stream), [])
  })
})
