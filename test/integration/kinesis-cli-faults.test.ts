// The Kinesis target under faults, through the CLI: test/helpers/fault-proxy.ts sits in front of a
// real emulator, so a record it fails is really not stored. Partial failures of PutRecords retry
// only the failed records and never duplicate one; with one attempt they are failed, counted and
// written to --failed-output (exit 4). Request-level failures (HTTP 500, dropped connections, the
// endpoint down) are ridden out when attempts allow, and counted when they do not: failed when
// the request surely never reached Kinesis (connection refused), unknown when it may have.
// Emulators are private to this file and missing ones fail the tests: nothing here skips.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { type CliRun, why } from '../helpers/cli.ts'
import { multiset, multisetDiff, referenceLines, trickyInput } from '../helpers/data.ts'
import { everyKth, type FaultProxy, type ProxiedRecord } from '../helpers/fault-proxy.ts'
import { localKinesis, privateKinesisFixture, proxiedStream, putThrough, readStream, type KinesisImpl } from '../helpers/kinesis.ts'
import { contractProblems } from '../helpers/schema.ts'

const { work, proxies } = privateKinesisFixture('kinesis-faults')

const SLOW = { timeout: 300_000 }
const IMPLS: readonly KinesisImpl[] = ['kinesalite', 'kinesis-mock']

interface Counts { read: number, delivered: number, failed: number, unknown: number, skipped: number, unsent: number }
const counts = (run: CliRun): Counts => run.summary.counts as Counts

interface ExchangeOut { attempt: number, partition: number, records: number, begin: string, complete: string, error: string | null, errorCode: string | null, response: Record<string, unknown> | null }
const exchangesOf = (batch: Record<string, unknown>): ExchangeOut[] => batch.exchanges as ExchangeOut[]

function assertContract (run: CliRun): void {
  assert.ok(run.lines.length > 0, `no JSON lines; stderr: ${run.stderr}`)
  for (const line of run.lines) assert.deepEqual(contractProblems(line), [], JSON.stringify(line).slice(0, 500))
  assert.equal(run.summary.invariantHolds, true)
}

function assertSameMultiset (actual: readonly Buffer[], expected: readonly Buffer[], what: string): void {
  assert.deepEqual(multisetDiff(multiset(expected), multiset(actual)), [], `${what}: got ${actual.length}, expected ${expected.length}`)
  assert.equal(actual.length, expected.length, what)
}

async function stored (impl: KinesisImpl, stream: string): Promise<Buffer[]> {
  return (await readStream((await localKinesis(impl)).endpoint, stream)).map((r) => r.data)
}

/** Lines minus (as a multiset) the ones in `removed`. */
function without (lines: readonly Buffer[], removed: readonly Buffer[]): Buffer[] {
  const left = multiset(removed)
  return lines.filter((l) => {
    const k = l.toString('latin1')
    const n = left.get(k) ?? 0
    if (n === 0) return true
    left.set(k, n - 1)
    return false
  })
}

/**
 * Fails every `k`-th record the first time its data is seen and lets every later sight pass, so
 * each PutRecords of fresh records has failures and every retry succeeds: an exact count.
 */
function failFirstSightOfEvery (k: number): { fail: (r: ProxiedRecord) => boolean, failed: Buffer[] } {
  const seen = new Set<string>()
  const failed: Buffer[] = []
  let fresh = 0
  return {
    failed,
    fail: (r) => {
      const key = r.data.toString('latin1')
      if (seen.has(key)) return false
      seen.add(key)
      if (++fresh % k !== 0) return false
      failed.push(r.data)
      return true
    }
  }
}

describe('kprod --stream: partial failure of PutRecords (ProvisionedThroughputExceededException per record)', () => {
  for (const impl of IMPLS) {
    test(`${impl}: only the failed records are re-sent; none is duplicated in the stream; exit 0`, SLOW, async () => {
      const { stream, proxy } = await proxiedStream(proxies, impl)
      const input = trickyInput(3000)
      const lines = referenceLines(input)
      const plan = failFirstSightOfEvery(7)
      proxy.setPlan({ mode: 'fail-records', fail: plan.fail })
      // A long linger: batches are cut at 500 records only, so each one holds records the proxy fails.
      const run = await putThrough(proxy, stream, ['--batch-records', '500', '--linger', '60000', '--retry-backoff', '20'], input)
      assert.equal(run.code, 0, why(run))
      assertContract(run)
      assert.deepEqual(counts(run), { read: 3000, delivered: 3000, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
      const failedOnce = plan.failed.length
      assert.ok(failedOnce >= 300, `records failed by the proxy: ${failedOnce}`)
      assert.equal(proxy.stats.recordsFailed, failedOnce)
      // Each record reached Kinesis once: nothing delivered was sent again.
      assert.equal(proxy.stats.recordsForwarded, 3000)
      assertSameMultiset(await stored(impl, stream), lines, 'stream content')

      assert.equal(run.batches.length, 6)
      let resent = 0
      for (const batch of run.batches) {
        const xs = exchangesOf(batch)
        const firstFailed = xs[0]?.response?.failedRecordCount as number
        assert.ok(firstFailed > 0, `batch ${String(batch.id)}: some records of its first PutRecords failed`)
        assert.equal(xs.length, 2, `batch ${String(batch.id)}: one retry`)
        assert.equal(xs[1]?.records, firstFailed, 'the retry carries exactly the failed records')
        assert.deepEqual(xs[0]?.response?.errorCodes, { ProvisionedThroughputExceededException: firstFailed })
        assert.match(xs[0]?.error ?? '', new RegExp(`^error producing stream ${stream} lane \\d+: ${firstFailed} of ${batch.records as number} records failed, the first with: ProvisionedThroughputExceededException`))
        assert.equal(xs[0]?.errorCode, 'KPROD_THROTTLED')
        assert.equal(xs[1]?.error, null)
        resent += xs[1]?.records ?? 0
      }
      assert.equal(resent, failedOnce)
      assert.equal(run.summary.exchanges, 2 * run.batches.length)
    })
  }

  test('kinesalite: with --attempts 1 the failed records are failed, counted, written to --failed-output, and exit 4', SLOW, async () => {
    const { stream, proxy } = await proxiedStream(proxies, 'kinesalite')
    const input = trickyInput(3000)
    const lines = referenceLines(input)
    const failedData: Buffer[] = []
    const kth = everyKth(9)
    proxy.setPlan({ mode: 'fail-records', fail: (r) => { const f = kth(r); if (f) failedData.push(r.data); return f } })
    const failedFile = join(work, 'partial-failed.txt')
    const run = await putThrough(proxy, stream, ['--batch-records', '250', '--attempts', '1', '--failed-output', failedFile], input)
    assert.equal(run.code, 4, why(run))
    assertContract(run)
    assert.equal(failedData.length, Math.floor(3000 / 9))
    assert.deepEqual(counts(run), { read: 3000, delivered: 3000 - failedData.length, failed: failedData.length, unknown: 0, skipped: 0, unsent: 0 })
    assert.equal(run.summary.exitCode, 4)
    assert.equal(run.summary.failedOutputLines, failedData.length)
    assertSameMultiset(referenceLines(readFileSync(failedFile)), failedData, '--failed-output holds exactly the failed lines')
    assertSameMultiset(await stored('kinesalite', stream), without(lines, failedData), 'stream = input minus the failed lines')
    assert.equal(proxy.stats.recordsForwarded, 3000 - failedData.length, 'no record was sent twice')
    assert.equal(proxy.stats.putRecordsRequests, run.batches.length, 'one PutRecords per batch, no retry')
    assert.ok(run.batches.some((b) => b.produced === false))
    assert.deepEqual(run.summary.undeliveredByCode, { KPROD_THROTTLED: failedData.length })
    for (const batch of run.batches) {
      // A batch cut small (by --linger while the reader waited) may hold no 9th record at all.
      assert.equal(batch.produced, (batch.counts as Counts).failed === 0)
      const errors = batch.errors as { error: string, code: string, targetCode: string | null, records: number }[]
      assert.deepEqual(errors.map((e) => e.records).reduce((a, b) => a + b, 0), (batch.counts as Counts).failed)
      assert.ok(errors.every((e) => e.code === 'KPROD_THROTTLED' && e.targetCode === 'ProvisionedThroughputExceededException'), JSON.stringify(errors))
      assert.ok(errors.every((e) => /^error producing stream \S+ lane \d+: ProvisionedThroughputExceededException: Rate exceeded/.test(e.error)), JSON.stringify(errors))
    }
  })
})

describe('kprod --stream --shard-ordering under partial failure', () => {
  test('kinesalite: errors name shards; every record of a key lands in its order', SLOW, async () => {
    const { endpoint, stream, proxy } = await proxiedStream(proxies, 'kinesalite', 4)
    const lines = Array.from({ length: 2000 }, (_, i) => `k${i % 16}\t${i}`)
    const plan = failFirstSightOfEvery(7)
    proxy.setPlan({ mode: 'fail-records', fail: plan.fail })
    const run = await putThrough(proxy, stream, ['--shard-ordering', '--key-separator', '\\t', '--batch-records', '100', '--retry-backoff', '20'], Buffer.from(lines.join('\n')))
    assert.equal(run.code, 0, why(run))
    assertContract(run)
    assert.equal(counts(run).delivered, 2000)
    const errors = run.batches.flatMap(exchangesOf).map((x) => x.error).filter((e) => e !== null)
    assert.ok(errors.length > 0)
    assert.ok(errors.every((e) => new RegExp(`^error producing stream ${stream} shard \\d+: `).test(e)), JSON.stringify(errors.slice(0, 3)))
    assert.ok(run.batches.some((b) => b.cutReason === 'key'), 'batches are cut before a repeated key')
    const records = await readStream(endpoint, stream)
    assert.equal(records.length, 2000)
    const last = new Map<string, number>()
    const outOfOrder: string[] = []
    for (const r of records) {
      const n = Number(r.data.toString())
      const before = last.get(r.partitionKey) ?? -1
      if (n < before) outOfOrder.push(`${r.partitionKey}: ${n} after ${before}`)
      last.set(r.partitionKey, Math.max(before, n))
    }
    assert.deepEqual(outOfOrder.slice(0, 5), [], `${outOfOrder.length} records of a key out of order`)
  })
})

describe('kprod --stream: request-level failures', () => {
  const LINES = 1000
  const args = ['--batch-records', '100', '--retry-backoff', '20']

  test('HTTP 500 on the first 3 PutRecords calls, then answers: delivered after backoff, each record once; exit 0', SLOW, async () => {
    const { stream, proxy } = await proxiedStream(proxies, 'kinesalite')
    const input = trickyInput(LINES)
    proxy.setPlan({ mode: 'error', status: 500, putRecordsOnly: true, times: 3 })
    const run = await putThrough(proxy, stream, args, input)
    assert.equal(run.code, 0, why(run))
    assertContract(run)
    assert.deepEqual(counts(run), { read: LINES, delivered: LINES, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
    assert.equal(run.summary.requestErrors, 3)
    assert.equal(proxy.stats.requestsFaulted, 3)
    assert.equal(proxy.stats.recordsForwarded, LINES)
    assertSameMultiset(await stored('kinesalite', stream), referenceLines(input), 'stream content')
    const failedExchanges = run.batches.flatMap(exchangesOf).filter((x) => x.error !== null)
    assert.equal(failedExchanges.length, 3)
    assert.ok(failedExchanges.every((x) => /^error producing stream \S+ lane \d+: InternalFailure: injected by fault-proxy \(HTTP 500/.test(x.error ?? '')), JSON.stringify(failedExchanges))
    assert.deepEqual(failedExchanges.map((x) => x.errorCode), ['KPROD_BROKER', 'KPROD_BROKER', 'KPROD_BROKER'])
  })

  test('connections dropped on the first 3 PutRecords calls, then answered: delivered, each record once; exit 0', SLOW, async () => {
    const { stream, proxy } = await proxiedStream(proxies, 'kinesalite')
    const input = trickyInput(LINES)
    proxy.setPlan({ mode: 'destroy', putRecordsOnly: true, times: 3 })
    const run = await putThrough(proxy, stream, args, input)
    assert.equal(run.code, 0, why(run))
    assertContract(run)
    assert.deepEqual(counts(run), { read: LINES, delivered: LINES, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
    assert.equal(run.summary.requestErrors, 3)
    assert.equal(proxy.stats.recordsForwarded, LINES)
    assertSameMultiset(await stored('kinesalite', stream), referenceLines(input), 'stream content')
  })

  /** Starts kprod with stdin held open, waits until it has connected, takes the endpoint down, then feeds the input. */
  async function startThenDown (proxy: FaultProxy, stream: string, runArgs: readonly string[], input: Buffer): Promise<{ running: Promise<CliRun> }> {
    const stdin = new PassThrough()
    const running = putThrough(proxy, stream, runArgs, stdin)
    const deadline = Date.now() + 60_000
    while (proxy.stats.requestsAnswered < 1) {
      if (Date.now() > deadline) assert.fail('kprod did not connect within 60 s')
      await sleep(20)
    }
    await proxy.down()
    // Let the client see its kept-alive connection closed, so the first PutRecords is refused rather than reset.
    await sleep(300)
    stdin.end(input)
    // Wrapped: an async function returning the bare promise would wait for the whole run.
    return { running }
  }

  test('endpoint down (connections refused) for a while, then back: delivered after backoff; exit 0', SLOW, async () => {
    const { stream, proxy } = await proxiedStream(proxies, 'kinesalite')
    const input = trickyInput(LINES)
    // Ten attempts with backoff from 200 ms take well over 1.5 s, however fast the machine is.
    const { running } = await startThenDown(proxy, stream, ['--batch-records', '100', '--retry-backoff', '200', '--stats-interval', '100'], input)
    await sleep(1500)
    await proxy.up()
    const run = await running
    assert.equal(run.code, 0, why(run))
    assertContract(run)
    assert.deepEqual(counts(run), { read: LINES, delivered: LINES, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
    const requestErrors = run.summary.requestErrors as number
    assert.ok(requestErrors >= 1, 'the first calls were refused')
    assert.equal(proxy.stats.recordsForwarded, LINES)
    assertSameMultiset(await stored('kinesalite', stream), referenceLines(input), 'stream content')
    // Backoff: a retry starts no sooner than half the base delay (equal jitter) after the failure.
    for (const batch of run.batches) {
      const xs = exchangesOf(batch)
      for (let i = 1; i < xs.length; i++) {
        const gap = Date.parse(xs[i]?.begin ?? '') - Date.parse(xs[i - 1]?.complete ?? '')
        assert.ok(gap >= 99, `batch ${String(batch.id)} attempt ${i + 1} started ${gap} ms after attempt ${i} failed`)
      }
      assert.ok(xs.slice(0, -1).every((x) => /ECONNREFUSED/.test(x.error ?? '')), JSON.stringify(xs))
    }
    // Stats lines report the request errors (the seed's KinesisErrors) in the intervals they happened.
    const stats = run.lines.filter((l) => l.type === 'stats')
    const sum = stats.reduce((n, s) => n + (s.interval as { requestErrors: number }).requestErrors, 0)
    assert.equal(sum, requestErrors)
    assert.ok(stats.some((s) => (s.interval as { requestErrors: number }).requestErrors > 0 && (s.buffered as number) > 0), 'a stats line shows errors while records are buffered')
  })

  test('endpoint down and not back, --attempts 3: every record failed (never sent), counted, in --failed-output; exit 4', SLOW, async () => {
    const { stream, proxy } = await proxiedStream(proxies, 'kinesalite')
    const input = trickyInput(LINES)
    const failedFile = join(work, 'down-failed.txt')
    const { running } = await startThenDown(proxy, stream, [...args, '--attempts', '3', '--failed-output', failedFile], input)
    const run = await running
    await proxy.up()
    assert.equal(run.code, 4, why(run))
    assertContract(run)
    assert.deepEqual(counts(run), { read: LINES, delivered: 0, failed: LINES, unknown: 0, skipped: 0, unsent: 0 })
    assert.deepEqual(run.summary.undeliveredByCode, { KPROD_CONNECTION_LOST: LINES })
    assert.equal(run.summary.failedOutputLines, LINES)
    assertSameMultiset(referenceLines(readFileSync(failedFile)), referenceLines(input), '--failed-output')
    // Request-level failures use up attempts: three exchanges per batch, all refused.
    assert.ok(run.batches.every((b) => exchangesOf(b).length === 3))
    assert.equal(run.summary.requestErrors, 3 * run.batches.length)
    assert.equal(proxy.stats.putRecordsRequests, 0)
    assert.deepEqual(await stored('kinesalite', stream), [])
  })

  test('HTTP 500 on every PutRecords, --attempts 2: every record unknown (a 500 may follow a write), in --failed-output; exit 4', SLOW, async () => {
    const { stream, proxy } = await proxiedStream(proxies, 'kinesalite')
    const input = trickyInput(LINES)
    proxy.setPlan({ mode: 'error', status: 500, putRecordsOnly: true })
    const failedFile = join(work, 'error-failed.txt')
    const run = await putThrough(proxy, stream, [...args, '--attempts', '2', '--failed-output', failedFile], input)
    assert.equal(run.code, 4, why(run))
    assertContract(run)
    assert.deepEqual(counts(run), { read: LINES, delivered: 0, failed: 0, unknown: LINES, skipped: 0, unsent: 0 })
    assert.deepEqual(run.summary.undeliveredByCode, { KPROD_BROKER: LINES })
    assertSameMultiset(referenceLines(readFileSync(failedFile)), referenceLines(input), '--failed-output')
    assert.equal(run.summary.requestErrors, 2 * run.batches.length)
    assert.equal(proxy.stats.requestsFaulted, 2 * run.batches.length)
    assert.deepEqual(await stored('kinesalite', stream), [], 'the proxy forwarded nothing')
  })

  test('connection dropped on every PutRecords, --attempts 2: every record unknown; exit 4', SLOW, async () => {
    const { stream, proxy } = await proxiedStream(proxies, 'kinesalite')
    const input = trickyInput(LINES)
    proxy.setPlan({ mode: 'destroy', putRecordsOnly: true })
    const run = await putThrough(proxy, stream, [...args, '--attempts', '2'], input)
    assert.equal(run.code, 4, why(run))
    assertContract(run)
    assert.deepEqual(counts(run), { read: LINES, delivered: 0, failed: 0, unknown: LINES, skipped: 0, unsent: 0 })
    assert.deepEqual(run.summary.undeliveredByCode, { KPROD_CONNECTION_LOST: LINES })
    assert.equal(run.summary.requestErrors, 2 * run.batches.length)
    assert.deepEqual(await stored('kinesalite', stream), [])
  })
})
