import { test } from 'node:test'
import assert from 'node:assert/strict'
import { KprodError } from '../../../src/errors.ts'
import { backoffDelay, deliveryTimeout, shouldRetry, startsInTime } from '../../../src/producer/retry-policy.ts'

test('backoffDelay doubles from the base before attempt 2 and stops at the cap', () => {
  const cases: [attempt: number, expected: number][] = [[1, 0], [2, 100], [3, 200], [4, 400], [5, 800], [6, 1000], [60, 1000], [5000, 1000]]
  for (const [attempt, expected] of cases) {
    assert.equal(backoffDelay(attempt, 100, 1000, () => 1), expected, `attempt ${attempt}`)
  }
})

test('backoffDelay keeps equal jitter between half the step and the whole step', () => {
  const cases: [random: number, expected: number][] = [[0, 200], [0.5, 300], [0.999, 400], [-1, 200], [7, 400]]
  for (const [random, expected] of cases) {
    assert.equal(backoffDelay(4, 100, 1000, () => random), expected, `random ${random}`)
  }
})

test('backoffDelay is 0 when the base or the cap is 0', () => {
  assert.equal(backoffDelay(3, 0, 1000, () => 0.5), 0)
  assert.equal(backoffDelay(3, 100, 0, () => 0.5), 0)
})

test('backoffDelay returns whole milliseconds', () => {
  assert.equal(backoffDelay(2, 3, 1000, () => 0.5), 2)
})

test('shouldRetry retries a retriable error only while attempts remain', () => {
  const retriable = new KprodError('KPROD_BROKER', 'not leader', { retriable: true })
  const cases: [attempt: number, attempts: number, expected: boolean][] = [[1, 1, false], [1, 3, true], [2, 3, true], [3, 3, false], [4, 3, false]]
  for (const [attempt, attempts, expected] of cases) {
    assert.equal(shouldRetry(retriable, attempt, attempts), expected, `attempt ${attempt} of ${attempts}`)
  }
})

test('shouldRetry never retries a non-retriable error', () => {
  assert.equal(shouldRetry(new KprodError('KPROD_RECORD_TOO_LARGE', 'too large'), 1, 10), false)
  assert.equal(shouldRetry(new KprodError('KPROD_AUTH', 'denied'), 1, 10), false)
})

test('startsInTime allows an attempt exactly at the deadline and not after it', () => {
  assert.equal(startsInTime(1000, 100, 1100), true)
  assert.equal(startsInTime(1000, 101, 1100), false)
})

test('deliveryTimeout names the timeout and the attempts made, with its code', () => {
  assert.deepEqual(deliveryTimeout(250, 2), { code: 'KPROD_DELIVERY_TIMEOUT', text: 'delivery timeout of 250 ms exceeded after 2 attempts', targetCode: null })
  assert.deepEqual(deliveryTimeout(250, 1), { code: 'KPROD_DELIVERY_TIMEOUT', text: 'delivery timeout of 250 ms exceeded after 1 attempt', targetCode: null })
})
