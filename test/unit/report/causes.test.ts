// stderr tells why lines were not delivered in one line per distinct cause with its count, and
// ends a non-zero run with why the exit code is what it is.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CauseTally, MAX_CAUSES, causeText } from '../../../src/report/causes.ts'
import { exitReason } from '../../../src/report/exit-reason.ts'

test('causeText sets aside partition numbers and attempt counts, nothing else', () => {
  assert.equal(causeText('error producing topic t partition 3: NOT_ENOUGH_REPLICAS; delivery timeout of 5000 ms exceeded after 12 attempts'),
    'error producing topic t partition *: NOT_ENOUGH_REPLICAS; delivery timeout of 5000 ms exceeded after * attempts')
  assert.equal(causeText('broker 127.0.0.1:9092: connect ECONNREFUSED 127.0.0.1:9092'), 'broker 127.0.0.1:9092: connect ECONNREFUSED 127.0.0.1:9092')
})

test('CauseTally gives one line per outcome and cause, most frequent first, however many records and batches', () => {
  const tally = new CauseTally()
  for (let p = 0; p < 4; p++) {
    for (let i = 0; i < 1000; i++) tally.add('failed', `error producing topic t partition ${p}: NOT_ENOUGH_REPLICAS; delivery timeout of 5000 ms exceeded after ${p + 3} attempts`)
  }
  for (let i = 0; i < 7; i++) tally.add('unknown', 'error producing topic t partition 1: request timed out')
  tally.add('failed', null)
  assert.deepEqual(tally.lines(), [
    '4000 lines failed: error producing topic t partition *: NOT_ENOUGH_REPLICAS; delivery timeout of 5000 ms exceeded after * attempts',
    '7 lines unknown: error producing topic t partition *: request timed out',
    '1 line failed: no error recorded'
  ])
})

test('CauseTally keeps at most MAX_CAUSES causes and counts the rest together', () => {
  const tally = new CauseTally()
  for (let i = 0; i < MAX_CAUSES + 5; i++) tally.add('failed', `cause ${String.fromCharCode(65 + i)}`)
  const lines = tally.lines()
  assert.equal(lines.length, MAX_CAUSES + 1)
  assert.match(lines.at(-1) as string, /^5 more lines not delivered/)
})

const counts = { read: 10, delivered: 6, failed: 2, unknown: 1, skipped: 0, unsent: 1, batches: 3, bytes: 60, inputBytes: 600 }

test('exitReason says nothing for exit 0 and why for every other code', () => {
  assert.equal(exitReason({ exitCode: 0, counts, signal: null, error: null }), null)
  assert.equal(exitReason({ exitCode: 4, counts, signal: null, error: null }),
    'kprod: exit 4: not every line was delivered: of 10 lines read, 6 delivered, 2 failed (definitely not written), 1 unknown (may have been written), 1 unsent')
  assert.equal(exitReason({ exitCode: 3, counts, signal: null, error: 'cannot reach the Kafka brokers x:1' }), 'kprod: exit 3: nothing was sent: cannot reach the Kafka brokers x:1')
  assert.match(exitReason({ exitCode: 143, counts, signal: 'SIGTERM', error: null }) as string, /^kprod: exit 143: interrupted by SIGTERM: of 10 lines read, 6 delivered/)
  assert.match(exitReason({ exitCode: 1, counts, signal: null, error: 'boom' }) as string, /^kprod: exit 1: internal error: boom/)
})
