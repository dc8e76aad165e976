// Pure retry decisions for the async producer: whether a failed exchange earns another attempt,
// how long to wait before it, and whether that attempt could still start before the delivery
// deadline. No timers and no clock here: the producer passes every input in.

import { errorData, type ErrorData, type KprodError } from '../errors.ts'

/**
 * Milliseconds to sleep before attempt number `attempt` (2 = the first retry; 0 for attempt 1).
 * Exponential: `baseMs` before attempt 2, doubling per attempt, capped at `maxMs`. Equal jitter:
 * the result lies in [cap/2, cap], so retries of many batches spread out, yet no retry fires at
 * once after a failure (a leader election or a throttled shard needs some time). `random` returns
 * a number in [0, 1); values outside are clamped.
 */
export function backoffDelay (attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  if (attempt < 2 || baseMs <= 0 || maxMs <= 0) return 0
  // 2 ** 52 keeps the product finite for any attempt count; the cap applies right after.
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 2, 52))
  const r = Math.min(1, Math.max(0, random()))
  return Math.round(cap / 2 + r * (cap / 2))
}

/**
 * Whether records that failed with `error` on attempt number `attempt` (1-based) get another
 * attempt out of `attempts` in total. Errors not marked retriable (record too large,
 * authorisation, an internal error) are final at once: retrying cannot change their outcome.
 */
export function shouldRetry (error: KprodError, attempt: number, attempts: number): boolean {
  return error.retriable && attempt < attempts
}

/** Whether an attempt that would start `delayMs` from `now` starts no later than `deadline`. */
export function startsInTime (now: number, delayMs: number, deadline: number): boolean {
  return now + delayMs <= deadline
}

/**
 * Appended to a record's last error when its delivery deadline stops further attempts; its code
 * (KPROD_DELIVERY_TIMEOUT) becomes the record's.
 */
export function deliveryTimeout (deliveryTimeoutMs: number, attempts: number): ErrorData {
  return errorData('KPROD_DELIVERY_TIMEOUT', `delivery timeout of ${deliveryTimeoutMs} ms exceeded after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}`)
}
