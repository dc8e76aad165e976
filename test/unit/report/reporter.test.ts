import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough, Writable } from 'node:stream'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Reporter, type ReporterOptions } from '../../../src/report/reporter.ts'
import { FailedOutput } from '../../../src/report/failed-output.ts'
import { SourceLines } from '../../../src/input/source-lines.ts'
import type { BatchResult, Exchange } from '../../../src/producer/result.ts'
import type { InputRecord, Outcome } from '../../../src/record.ts'
import { errorData, type ErrorCode, type ErrorData } from '../../../src/errors.ts'
import { FakeClock } from '../../helpers/fake-clock.ts'
import { contractProblems } from '../../helpers/schema.ts'
import { positionsOf } from '../../helpers/positions.ts'
import { tempDir } from '../../helpers/temp.ts'

interface Harness {
  readonly reporter: Reporter
  readonly clock: FakeClock
  readonly warnings: string[]
  /** Every stdout line so far, parsed. */
  lines (): Array<Record<string, unknown>>
}

function harness (over: Partial<ReporterOptions> = {}): Harness {
  const out = new PassThrough()
  let text = ''
  out.on('data', (chunk: Buffer) => { text += chunk.toString('utf8') })
  const clock = new FakeClock()
  const warnings: string[] = []
  const reporter = new Reporter({
    out,
    warn: (m) => warnings.push(m),
    target: 'logs',
    kind: 'kafka',
    clock,
    statsIntervalMs: 0,
    batchLines: true,
    failedOutput: null,
    buffered: () => 0,
    ...over
  })
  return { reporter, clock, warnings, lines: () => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) }
}

let nextLine = 1
let nextId = 1

/** Counts `n` lines as read and returns them as records read now. */
function read (h: Harness, n: number, text = 'v'): InputRecord[] {
  return Array.from({ length: n }, () => {
    h.reporter.lineRead()
    const lineNo = nextLine++
    const line = Buffer.from(`${text}${lineNo}`)
    return { line, key: null, value: line, lineNo, readAt: h.clock.now() }
  })
}

/** An exchange error as the producer hands it over, text and code. */
function err (text: string, code: ErrorCode = 'KPROD_BROKER'): ErrorData {
  return errorData(code, text)
}

function exchange (clock: FakeClock, records: number, error: ErrorData | null): Exchange {
  const t = clock.now()
  return { attempt: 1, partition: 0, records, enqueued: t, begin: t, complete: t, response: error === null ? { baseOffset: '0' } : null, error }
}

/** Records not delivered carry the producer error, else the code of the batch's first exchange error. */
function result (clock: FakeClock, records: InputRecord[], outcomes: Outcome[], exchanges: Exchange[], producerError: ErrorData | null = null): BatchResult {
  const code = exchanges.find((x) => x.error !== null)?.error?.code ?? 'KPROD_BROKER'
  const now = clock.now()
  return {
    batch: { id: nextId++, partition: 0, pinned: false, records, bytes: records.reduce((n, r) => n + r.value.length, 0), cutReason: 'linger', opened: now, enqueued: now },
    target: 'logs',
    partition: 0,
    exchanges,
    producerError,
    produced: exchanges.length > 0 && outcomes.every((o) => o === 'delivered'),
    outcomes,
    positions: positionsOf(outcomes.map((o, i) => o === 'delivered' ? { partition: 0, position: String(i) } : null)),
    errors: outcomes.map((o) => o === 'delivered' ? null : producerError ?? err(`error producing topic logs partition 0: ${o}`, code)),
    begin: now,
    complete: now
  }
}

const end = { exitCode: 4, signal: null, error: null, errorCode: null, notes: [] }

async function scenario (h: Harness): Promise<void> {
  const { reporter, clock } = h
  reporter.start()
  const delivered = read(h, 3)
  await clock.advance(250)
  reporter.batch(result(clock, delivered, ['delivered', 'delivered', 'delivered'], [exchange(clock, 3, null)]))
  reporter.lineRead()
  reporter.skipped(nextLine++, 'KPROD_RECORD_TOO_LARGE', 'line is over the 10-byte limit', Buffer.from('much too long'))
  const partial = read(h, 3)
  await clock.advance(800)
  reporter.batch(result(clock, partial, ['delivered', 'failed', 'failed'], [exchange(clock, 3, err('error producing topic logs partition 0: throttled', 'KPROD_THROTTLED')), exchange(clock, 3, null)]))
  const refused = read(h, 2)
  reporter.batch(result(clock, refused, ['failed', 'failed'], [], err('buffer full: 2 records not sent', 'KPROD_BUFFER_FULL')))
  const timedOut = read(h, 1)
  await clock.advance(1000)
  reporter.batch(result(clock, timedOut, ['unknown'], [exchange(clock, 1, err('error producing topic logs partition 0: request timed out', 'KPROD_REQUEST_TIMEOUT'))]))
}

test('Reporter output validates against the schema on every line when a run mixes outcomes', async () => {
  const h = harness({ statsIntervalMs: 1000, buffered: () => 7 })
  await scenario(h)
  await h.reporter.finish(end)
  const lines = h.lines()
  for (const line of lines) assert.deepEqual(contractProblems(line), [], JSON.stringify(line))
  assert.deepEqual(lines.map((l) => l.type), ['batch', 'stats', 'batch', 'batch', 'stats', 'batch', 'stats', 'summary'])
})

test('Reporter summary accounts for every line when a run mixes outcomes', async () => {
  const h = harness()
  await scenario(h)
  await h.reporter.finish(end)
  const summary = h.lines().at(-1)!
  assert.equal(summary.type, 'summary')
  assert.deepEqual(summary.counts, { read: 10, delivered: 4, failed: 4, unknown: 1, skipped: 1, unsent: 0 })
  assert.equal(summary.invariantHolds, true)
  assert.deepEqual(summary.undeliveredByCode, { KPROD_BUFFER_FULL: 2, KPROD_RECORD_TOO_LARGE: 1, KPROD_REQUEST_TIMEOUT: 1, KPROD_THROTTLED: 2 })
  assert.equal(summary.batches, 4)
  assert.equal(summary.exchanges, 4)
  assert.equal(summary.requestErrors, 2)
  assert.equal(summary.elapsedMs, 2050)
  assert.deepEqual(summary.latencyMs, { p50: 250, p99: 800, max: 800 })
  assert.equal(h.reporter.exitCode(), 4)
})

test('Reporter stats lines show the interval and the totals when the timer fires', async () => {
  const h = harness({ statsIntervalMs: 1000, buffered: () => 7 })
  h.reporter.start()
  const first = read(h, 3)
  h.reporter.batch(result(h.clock, first, ['delivered', 'delivered', 'delivered'], [exchange(h.clock, 3, null)]))
  await h.clock.advance(1000)
  const second = read(h, 2)
  h.reporter.batch(result(h.clock, second, ['delivered', 'failed'], [exchange(h.clock, 2, err('error producing topic logs partition 0: x'))]))
  await h.clock.advance(1000)
  const stats = h.lines().filter((l) => l.type === 'stats')
  assert.equal(stats.length, 2)
  const [one, two] = stats as Array<{ buffered: number, intervalMs: number, interval: Record<string, number>, counts: Record<string, number> }>
  assert.equal(one?.buffered, 7)
  assert.equal(one?.interval.delivered, 3)
  assert.equal(one?.interval.recordsPerSec, 3)
  assert.equal(two?.intervalMs, 1000)
  assert.equal(two?.interval.delivered, 1)
  assert.equal(two?.interval.failed, 1)
  assert.equal(two?.interval.requestErrors, 1)
  assert.equal(two?.counts.delivered, 4)
  assert.equal(two?.counts.read, 5)
})

test('Reporter leaves no timer behind when finish() has run', async () => {
  const h = harness({ statsIntervalMs: 500 })
  h.reporter.start()
  assert.equal(h.clock.pending, 1)
  await h.reporter.finish({ ...end, exitCode: 0 })
  assert.equal(h.clock.pending, 0)
})

test('Reporter writes no stats lines when the interval is 0', async () => {
  const h = harness({ statsIntervalMs: 0 })
  h.reporter.start()
  await h.clock.advance(60_000)
  await h.reporter.finish({ ...end, exitCode: 0 })
  assert.deepEqual(h.lines().map((l) => l.type), ['summary'])
  assert.equal(h.clock.pending, 0)
})

test('Reporter writes no batch lines but still counts when batch lines are off', async () => {
  const h = harness({ batchLines: false })
  const records = read(h, 2)
  h.reporter.batch(result(h.clock, records, ['delivered', 'delivered'], [exchange(h.clock, 2, null)]))
  await h.reporter.finish({ ...end, exitCode: 0 })
  const lines = h.lines()
  assert.deepEqual(lines.map((l) => l.type), ['summary'])
  assert.deepEqual(lines[0]?.counts, { read: 2, delivered: 2, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
})

test('Reporter flags the invariant loudly when lines are lost', async () => {
  const h = harness()
  read(h, 3)
  const records = read(h, 2)
  h.reporter.batch(result(h.clock, records, ['delivered', 'delivered'], [exchange(h.clock, 2, null)]))
  await h.reporter.finish({ ...end, exitCode: 0 })
  const summary = h.lines().at(-1)!
  assert.deepEqual(contractProblems(summary), [])
  assert.equal(summary.invariantHolds, false)
  assert.match(String((summary.notes as string[]).at(-1)), /read 5 lines but delivered 2/)
  assert.ok(h.warnings.some((w) => /internal error: Accounting invariant broken/.test(w)))
})

test('Reporter.exitCode is 4 when any line is not delivered and 0 otherwise', () => {
  const cases: Array<[Outcome | 'skipped-line' | 'none', 0 | 4]> = [
    ['none', 0], ['delivered', 0], ['failed', 4], ['unknown', 4], ['unsent', 4], ['skipped-line', 4]
  ]
  for (const [what, want] of cases) {
    const h = harness()
    if (what === 'skipped-line') {
      h.reporter.lineRead()
      h.reporter.skipped(1, 'KPROD_RECORD_TOO_LARGE', 'too long', null)
    } else if (what === 'unsent') {
      h.reporter.unsent(read(h, 1).map((r) => r.line), 1, 'KPROD_INTERRUPTED')
    } else if (what !== 'none') {
      h.reporter.batch(result(h.clock, read(h, 1), [what], [exchange(h.clock, 1, null)]))
    }
    assert.equal(h.reporter.exitCode(), want, what)
  }
})

test('Reporter warns about the first 20 skipped lines, then once per 1000, then the rest at the end', async () => {
  const h = harness()
  for (let i = 1; i <= 2025; i++) {
    h.reporter.lineRead()
    h.reporter.skipped(i, 'KPROD_INVALID_RECORD', 'not JSON', null)
  }
  assert.equal(h.warnings.length, 22)
  assert.equal(h.warnings[0], 'kprod: line 1: skipped: not JSON')
  assert.match(h.warnings[19]!, /line 20: skipped: not JSON \(further skipped lines/)
  assert.equal(h.warnings[20], 'kprod: 1000 more input lines skipped (1020 in total); the last was line 1020: not JSON')
  await h.reporter.finish(end)
  assert.equal(h.warnings.at(-1), 'kprod: 5 more input lines skipped (2025 in total)')
  assert.equal(h.warnings.length, 23)
})

test('Reporter names a skipped line by its file and its line within that file, without the global number', () => {
  const sources = new SourceLines()
  sources.add('a.txt', 1)
  sources.add('b.txt', 4)
  const h = harness({ locate: (n) => sources.locate(n) })
  h.reporter.lineRead()
  h.reporter.skipped(5, 'KPROD_INVALID_RECORD', 'line 5 is empty (--empty-lines skip)', null)
  h.reporter.lineRead()
  h.reporter.skipped(2, 'KPROD_INVALID_RECORD', 'line 2: key "x" is not an explicit hash key', null)
  assert.deepEqual(h.warnings, [
    'kprod: b.txt:2: skipped: the line is empty (--empty-lines skip)',
    'kprod: a.txt:2: skipped: key "x" is not an explicit hash key'
  ])
})

test('SourceLines names standard input stdin', () => {
  const sources = new SourceLines()
  sources.add('-', 1)
  assert.equal(sources.locate(7), 'stdin:7')
})

test('Reporter writes the summary with the error when the run ended on an error', async () => {
  const h = harness()
  await h.reporter.finish({ exitCode: 3, signal: null, error: 'Cannot connect to localhost:9092', errorCode: 'KPROD_CONNECT', notes: ['note a'] })
  const [summary] = h.lines()
  assert.deepEqual(contractProblems(summary), [])
  assert.equal(summary?.error, 'Cannot connect to localhost:9092')
  assert.equal(summary?.errorCode, 'KPROD_CONNECT')
  assert.deepEqual(summary?.undeliveredByCode, {})
  assert.equal(summary?.exitCode, 3)
  assert.deepEqual(summary?.notes, ['note a'])
  assert.deepEqual(summary?.latencyMs, { p50: null, p99: null, max: null })
})

test('Reporter writes one summary when finish() is called twice', async () => {
  const h = harness()
  await Promise.all([h.reporter.finish(end), h.reporter.finish(end)])
  assert.equal(h.lines().length, 1)
})

test('Reporter counts unsent records and keeps them when kprod is interrupted', async (t) => {
  const path = join(await tempDir(t, 'reporter'), 'failed.txt')
  const h = harness({ failedOutput: await FailedOutput.open(path) })
  const records = read(h, 3)
  h.reporter.unsent(records.map((r) => r.line), 3, 'KPROD_INTERRUPTED')
  await h.reporter.finish({ exitCode: 130, signal: 'SIGINT', error: null, errorCode: null, notes: [] })
  const summary = h.lines().at(-1)!
  assert.deepEqual(summary.counts, { read: 3, delivered: 0, failed: 0, unknown: 0, skipped: 0, unsent: 3 })
  assert.deepEqual(summary.undeliveredByCode, { KPROD_INTERRUPTED: 3 })
  assert.equal(summary.errorCode, null)
  assert.equal(summary.signal, 'SIGINT')
  assert.equal(summary.failedOutputLines, 3)
  assert.equal(await readFile(path, 'utf8'), records.map((r) => `${r.line.toString()}\n`).join(''))
})

test('Reporter writes every undelivered line byte for byte to the failed output', async (t) => {
  const path = join(await tempDir(t, 'reporter'), 'failed.txt')
  const h = harness({ failedOutput: await FailedOutput.open(path) })
  const odd = [Buffer.from('a\rb'), Buffer.from([0xc3, 0x28, 0x00, 0x7a]), Buffer.from('ok')]
  const records = odd.map((line, i) => { h.reporter.lineRead(); return { line, key: null, value: line, lineNo: i + 1, readAt: h.clock.now() } })
  h.reporter.batch(result(h.clock, records, ['failed', 'unknown', 'delivered'], [exchange(h.clock, 3, null)]))
  h.reporter.lineRead()
  h.reporter.skipped(4, 'KPROD_RECORD_TOO_LARGE', 'too long', Buffer.from([0xff, 0x0d, 0x41]))
  await h.reporter.finish(end)
  const want = Buffer.concat([odd[0]!, Buffer.from('\n'), odd[1]!, Buffer.from('\n'), Buffer.from([0xff, 0x0d, 0x41, 0x0a])])
  assert.deepEqual(await readFile(path), want)
})

test('Reporter keeps counting and finishes quietly when stdout is closed by its reader (EPIPE)', async () => {
  const out = new Writable({ write (_c, _e, cb) { cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) } })
  const h = harness({ out })
  const records = read(h, 2)
  h.reporter.batch(result(h.clock, records, ['delivered', 'delivered'], [exchange(h.clock, 2, null)]))
  await new Promise((resolve) => setImmediate(resolve))
  assert.doesNotThrow(() => h.reporter.batch(result(h.clock, read(h, 1), ['failed'], [])))
  await h.reporter.finish(end)
  assert.equal(h.reporter.counts.read, 3)
  assert.equal(h.reporter.counts.delivered, 2)
  // Quietly: nothing about stdout; only the cause of the failed line, counted.
  assert.deepEqual(h.warnings, ['kprod: 1 line failed: error producing topic logs partition *: failed'])
})
