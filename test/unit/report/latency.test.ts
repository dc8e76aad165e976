import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LatencyHistogram, bucketOf } from '../../../src/report/latency.ts'

test('LatencyHistogram gives null percentiles and max when nothing was recorded', () => {
  const h = new LatencyHistogram()
  assert.equal(h.percentile(50), null)
  assert.equal(h.max, null)
  assert.equal(h.count, 0)
})

test('LatencyHistogram is exact when values are below 128 ms', () => {
  for (const v of [0, 1, 7, 64, 127]) {
    const h = new LatencyHistogram()
    h.record(v)
    assert.equal(h.percentile(50), v, `value ${v}`)
  }
})

test('LatencyHistogram stays within 1% when values are large', () => {
  for (const v of [128, 129, 1000, 12_345, 999_999, 16_000_000]) {
    const h = new LatencyHistogram()
    h.record(v, 3)
    h.record(0)
    const p = h.percentile(99)!
    assert.ok(Math.abs(p - v) / v <= 0.01, `value ${v} came back as ${p}`)
  }
})

test('LatencyHistogram percentiles follow the distribution when many values are recorded', () => {
  const h = new LatencyHistogram()
  for (let v = 1; v <= 10_000; v++) h.record(v)
  assert.equal(h.count, 10_000)
  for (const [p, want] of [[50, 5000], [99, 9900], [100, 10_000]] as const) {
    const got = h.percentile(p)!
    assert.ok(Math.abs(got - want) / want <= 0.01, `p${p}: ${got}`)
  }
})

test('LatencyHistogram counts repeated values once per count when given a count', () => {
  const h = new LatencyHistogram()
  h.record(10, 99)
  h.record(1000, 1)
  assert.equal(h.count, 100)
  assert.equal(h.percentile(99), 10)
  assert.equal(h.percentile(100), 1000)
})

test('LatencyHistogram keeps max exact when a value is beyond the bucketed range', () => {
  const h = new LatencyHistogram()
  h.record(5e10)
  assert.equal(h.max, 5e10)
  assert.ok(h.percentile(50)! <= 5e10)
})

test('LatencyHistogram records negative values as 0 when clocks disagree', () => {
  const h = new LatencyHistogram()
  h.record(-5)
  assert.equal(h.percentile(50), 0)
})

test('bucketOf moves by at most one bucket when the value grows by one', () => {
  let previous = bucketOf(0)
  for (let v = 1; v < 2 ** 20; v++) {
    const b = bucketOf(v)
    if (b !== previous && b !== previous + 1) assert.fail(`bucketOf(${v}) = ${b} after ${previous}`)
    previous = b
  }
})
