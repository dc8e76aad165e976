import { test } from 'node:test'
import assert from 'node:assert/strict'
import { invariantProblem, rates, statsLine, summaryLine, zeroTally, type Tally } from '../../../src/report/summary-line.ts'
import { validateLine } from '../../helpers/schema.ts'

const T0 = Date.UTC(2026, 0, 1)

function tally (over: Partial<Tally>): Tally {
  return { ...zeroTally(), ...over }
}

test('invariantProblem is null when every read line has exactly one outcome', () => {
  const cases: Array<Partial<Tally>> = [
    {},
    { read: 5, delivered: 5 },
    { read: 10, delivered: 2, failed: 2, unknown: 2, skipped: 2, unsent: 2 }
  ]
  for (const c of cases) assert.equal(invariantProblem(tally(c)), null, JSON.stringify(c))
})

test('invariantProblem names every count when lines are missing or counted twice', () => {
  const cases: Array<Partial<Tally>> = [
    { read: 5, delivered: 4 },
    { read: 5, delivered: 5, failed: 1 },
    { read: 0, unsent: 1 }
  ]
  for (const c of cases) assert.match(invariantProblem(tally(c)) ?? '', /^Accounting invariant broken: read \d+ lines but delivered/, JSON.stringify(c))
})

test('rates are 0 when the span is empty', () => {
  assert.deepEqual(rates(tally({ delivered: 10, bytes: 100 }), 0), { recordsPerSec: 0, mibPerSec: 0 })
})

test('rates are per second and rounded to 3 decimals when the span is not empty', () => {
  assert.deepEqual(rates(tally({ delivered: 3, bytes: 3 * 1024 * 1024 }), 2000), { recordsPerSec: 1.5, mibPerSec: 1.5 })
  assert.deepEqual(rates(tally({ delivered: 1, bytes: 1 }), 3000), { recordsPerSec: 0.333, mibPerSec: 0 })
})

test('statsLine reports the difference from the previous totals when called again', () => {
  const line = statsLine({ now: T0 + 3000, started: T0, since: T0 + 1000, buffered: 4, previous: tally({ read: 2, delivered: 2 }), totals: tally({ read: 6, delivered: 5, failed: 1 }) })
  assert.deepEqual(validateLine(line), [])
  assert.equal(line.intervalMs, 2000)
  assert.equal(line.elapsedMs, 3000)
  assert.equal(line.interval.delivered, 3)
  assert.equal(line.interval.read, 4)
  assert.equal(line.interval.recordsPerSec, 1.5)
  assert.equal(line.counts.delivered, 5)
})

test('summaryLine validates against the schema when nothing was read', () => {
  const line = summaryLine({
    target: 't',
    kind: 'kinesis',
    started: T0,
    ended: T0,
    totals: zeroTally(),
    undeliveredByCode: {},
    latency: { p50: null, p99: null, max: null },
    failedOutputLines: null,
    end: { exitCode: 0, signal: null, error: null, errorCode: null, notes: [] },
    invariantHolds: true
  })
  assert.deepEqual(validateLine(line), [])
  assert.equal(Object.keys(line)[0], 'type')
})

test('summaryLine writes the error beside its code, and the undelivered lines by code in code order', () => {
  const line = summaryLine({
    target: 't',
    kind: 'kafka',
    started: T0,
    ended: T0 + 1000,
    totals: { ...zeroTally(), read: 5, failed: 3, skipped: 2 },
    undeliveredByCode: { KPROD_RECORD_TOO_LARGE: 2, KPROD_DELIVERY_TIMEOUT: 3 },
    latency: { p50: null, p99: null, max: null },
    failedOutputLines: null,
    end: { exitCode: 4, signal: null, error: '--flush-timeout of 5 ms passed after end of input', errorCode: 'KPROD_FLUSH_TIMEOUT', notes: [] },
    invariantHolds: true
  })
  assert.deepEqual(validateLine(line), [])
  assert.equal(line.errorCode, 'KPROD_FLUSH_TIMEOUT')
  assert.deepEqual(Object.entries(line.undeliveredByCode), [['KPROD_DELIVERY_TIMEOUT', 3], ['KPROD_RECORD_TOO_LARGE', 2]])
})
