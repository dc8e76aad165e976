// The --rate / --rate-bytes token buckets: the long-run rate is the limit, no burst is larger than
// one bucket (BURST_SECONDS of the limit), and oversized batches leave a debt.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BURST_SECONDS, RateLimiter, batchCap } from '../../../src/producer/rate-limiter.ts'

const T0 = Date.UTC(2026, 0, 1)

/**
 * Sends batches of `size` records as soon as the limiter allows for `seconds`, each wake-up
 * `lateMs` later than asked (a loaded event loop); returns the records sent.
 */
function run (limiter: RateLimiter, size: number, seconds: number, bytesPer = 0, lateMs = 0): number {
  let now = T0
  let sent = 0
  while (now < T0 + seconds * 1000) {
    const wait = limiter.wait(size, size * bytesPer, now)
    if (wait > 0) { now += wait + lateMs; continue }
    limiter.take(size, size * bytesPer, now)
    sent += size
  }
  return sent
}

test('rate limiter lets through exactly the limit per second when batches are one bucket', () => {
  const limiter = new RateLimiter({ recordsPerSec: 5000, bytesPerSec: null }, T0)
  const size = batchCap({ recordsPerSec: 5000, bytesPerSec: null }).records
  assert.equal(size, 5000 * BURST_SECONDS)
  // The full starting bucket goes at once, then one bucket every 50 ms: 200 in [0 s, 10 s).
  assert.equal(run(limiter, size, 10), 5000 * 10)
})

test('rate limiter catches up after late wake-ups while batches wait, instead of losing the time', () => {
  for (const lateMs of [10, 80, 300]) {
    const limiter = new RateLimiter({ recordsPerSec: 5000, bytesPerSec: null }, T0)
    const sent = run(limiter, 250, 10, 0, lateMs)
    assert.ok(sent >= 5000 * 10 * 0.98 && sent <= 5000 * 10 + 5000, `${sent} records in 10 s at 5000/s with wake-ups ${lateMs} ms late`)
  }
})

test('rate limiter forgets the catch-up once idle: then at most one bucket goes at once', () => {
  const limiter = new RateLimiter({ recordsPerSec: 1000, bytesPerSec: null }, T0)
  limiter.take(50, 0, T0)
  assert.ok(limiter.wait(50, 0, T0) > 0)
  // The waiting batch was not taken; nothing was held for 5 s.
  limiter.idle(T0 + 10)
  const later = T0 + 5000
  let sent = 0
  while (limiter.wait(50, 0, later) === 0) { limiter.take(50, 0, later); sent += 50 }
  assert.equal(sent, 50)
})

test('rate limiter holds the limit when each batch is larger than the bucket (debt)', () => {
  const limiter = new RateLimiter({ recordsPerSec: 100, bytesPerSec: null }, T0)
  // Bucket: 5 records; batches of 50 wait for a full bucket and leave a debt of 45.
  const sent = run(limiter, 50, 10)
  assert.ok(sent >= 950 && sent <= 1050, `sent ${sent} in 10 s at 100/s`)
})

test('rate limiter makes a batch wait exactly the time its missing tokens take', () => {
  const limiter = new RateLimiter({ recordsPerSec: 1000, bytesPerSec: null }, T0)
  assert.equal(limiter.wait(50, 0, T0), 0)
  limiter.take(50, 0, T0)
  assert.equal(limiter.wait(50, 0, T0), 50)
  assert.equal(limiter.wait(50, 0, T0 + 20), 30)
  assert.equal(limiter.wait(50, 0, T0 + 50), 0)
})

test('rate limiter never holds more than one bucket, however long it was idle', () => {
  const limiter = new RateLimiter({ recordsPerSec: 1000, bytesPerSec: null }, T0)
  const later = T0 + 60_000
  limiter.take(50, 0, later)
  assert.ok(limiter.wait(1, 0, later) > 0, 'a minute idle must not save up more than 50 ms of records')
})

test('rate limiter with both limits waits for the scarcer one', () => {
  const limiter = new RateLimiter({ recordsPerSec: 1_000_000, bytesPerSec: 10_000 }, T0)
  // 100-byte records: 10,000 B/s is 100 records/s, far below the record limit.
  const sent = run(limiter, 5, 10, 100)
  assert.ok(sent >= 990 && sent <= 1010, `sent ${sent} records of 100 B in 10 s at 10,000 B/s`)
})

test('rate limiter with only a byte limit ignores record counts', () => {
  const limiter = new RateLimiter({ recordsPerSec: null, bytesPerSec: 1000 }, T0)
  assert.equal(limiter.wait(1_000_000, 10, T0), 0)
})

test('batch cap is one bucket of each limit, at least 1, and unlimited without a limit', () => {
  assert.deepEqual(batchCap({ recordsPerSec: 5000, bytesPerSec: null }), { records: 250, bytes: Infinity })
  assert.deepEqual(batchCap({ recordsPerSec: 1, bytesPerSec: 1_048_576 }), { records: 1, bytes: 52_428 })
})
