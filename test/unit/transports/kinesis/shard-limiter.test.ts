// The shard limiter on a fake clock: a shard's sends stay within its records/s and bytes/s (at the
// headroom), shards do not share budgets, a burst of half a second's worth goes at once, and a request
// larger than a second's worth waits for a full bucket and then leaves a debt.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HEADROOM, ShardLimiter } from '../../../../src/transports/kinesis/shard-limiter.ts'
import { FakeClock } from '../../../helpers/fake-clock.ts'

const RATE = { recordsPerSecond: 1000, bytesPerSecond: 1_000_000 }

/** Sends `n` requests to one shard as soon as the limiter lets them; returns their send times. */
async function drive (limiter: ShardLimiter, clock: FakeClock, shard: number, n: number, records: number, bytes: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const wait = limiter.wait(shard, records, bytes)
    if (wait > 0) await clock.advance(wait)
    assert.equal(limiter.wait(shard, records, bytes), 0, 'after the wait it may go')
    limiter.take(shard, records, bytes)
    times.push(clock.now())
  }
  return times
}

test('records/s: half a second\'s worth goes at once, then the rate at the headroom', async () => {
  const clock = new FakeClock(0)
  const limiter = new ShardLimiter(RATE, () => clock.now())
  const times = await drive(limiter, clock, 0, 41, 500, 100)
  assert.equal(times[0], 0)
  assert.ok(times[1]! > 500, String(times[1]))
  // 40 more requests of 500 records: 20,000 records at 950/s.
  const seconds = (times.at(-1)! - times[0]!) / 1000
  assert.ok(Math.abs(seconds - 20_000 / (1000 * HEADROOM)) < 0.1, String(seconds))
  // No window of one second (by send time) holds more than the limit.
  for (let i = 0; i < times.length; i++) {
    const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + 1000).length * 500
    assert.ok(inWindow <= 1000, `${inWindow} records in the second from ${times[i]}`)
  }
})

test('bytes/s binds when records are large, and shards keep their own budgets', async () => {
  const clock = new FakeClock(0)
  const limiter = new ShardLimiter(RATE, () => clock.now())
  const a = await drive(limiter, clock, 1, 11, 2, 200_000)
  // 11 × 200 kB: 400 kB at once (the bucket starts half full, 100 kB left), then 1.7 MB more at 950 kB/s.
  assert.equal(a[1], 0)
  assert.ok(Math.abs(a.at(-1)! - 1_700_000 / (1_000_000 * HEADROOM) * 1000) <= 2, String(a.at(-1)))
  // Shard 2 has not been touched: half a second's worth goes now.
  assert.equal(limiter.wait(2, 500, 500_000), 0)
})

test('a request over a second\'s worth waits for a full bucket, then leaves a debt the next waits for', async () => {
  const clock = new FakeClock(0)
  const limiter = new ShardLimiter(RATE, () => clock.now())
  limiter.take(0, 10, 100_000)
  // 5 MB: needs a full bucket (from 400 kB: 600 kB at 950 kB/s ≈ 632 ms).
  assert.equal(limiter.wait(0, 10, 5_000_000), Math.ceil(600_000 / 950_000 * 1000))
  await clock.advance(limiter.wait(0, 10, 5_000_000))
  limiter.take(0, 10, 5_000_000)
  // Now 4 MB in debt: a 1-byte request waits until it is paid back.
  assert.equal(limiter.wait(0, 1, 1), Math.ceil((4_000_000 + 1) / 950_000 * 1000))
})

test('time going backwards (a clock step) refills nothing and breaks nothing', () => {
  let now = 10_000
  const limiter = new ShardLimiter(RATE, () => now)
  limiter.take(0, 500, 10)
  now = 5000
  assert.equal(limiter.wait(0, 500, 10), Math.ceil(500 / 950 * 1000))
})
