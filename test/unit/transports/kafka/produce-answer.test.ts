// What a Produce answer means for its batch (src/transports/kafka/wire/produce-answer.ts), answer
// by answer. DUPLICATE_SEQUENCE_NUMBER is tested here because no broker since Kafka 2.0 sends it
// (test/integration/kafka-idempotence.test.ts shows what a current broker answers to a retry: the
// first write's offsets).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DUPLICATE_NOTE, produceOutcome, type ProduceAnswer } from '../../../../src/transports/kafka/wire/produce-answer.ts'

const answer = (errorCode: number, baseOffset = '-1', errorMessage: string | null = null): ProduceAnswer => ({ errorCode, errorMessage, baseOffset })
const idempotent = { idempotent: true, broker: 1, lacksWrite: () => "principal User:ANONYMOUS lacks WRITE on topic 't'" }
const plain = { ...idempotent, idempotent: false }

test('NONE: delivered from the base offset the broker gave, no note', () => {
  assert.deepEqual(produceOutcome(answer(0, '41'), idempotent), { kind: 'delivered', baseOffset: '41', note: null })
  assert.deepEqual(produceOutcome(answer(0, '0'), plain), { kind: 'delivered', baseOffset: '0', note: null })
})

test('DUPLICATE_SEQUENCE_NUMBER to an idempotent batch: delivered, offsets null, and a note that says why', () => {
  const o = produceOutcome(answer(46), idempotent)
  assert.deepEqual(o, { kind: 'delivered', baseOffset: null, note: DUPLICATE_NOTE })
  assert.match(DUPLICATE_NOTE, /^DUPLICATE_SEQUENCE_NUMBER: .*earlier attempt.*positions null$/)
})

test('DUPLICATE_SEQUENCE_NUMBER without idempotence (no sequence was sent) is an error, not a delivery', () => {
  const o = produceOutcome(answer(46), plain)
  assert.equal(o.kind, 'failed')
  if (o.kind === 'failed') {
    assert.match(o.error.message, /^DUPLICATE_SEQUENCE_NUMBER: broker 1 refused the batch$/)
    assert.equal(o.error.retriable, false)
  }
})

test('OUT_OF_ORDER_SEQUENCE_NUMBER and UNKNOWN_PRODUCER_ID refuse an idempotent batch: retriable, not maybe-written', () => {
  for (const code of [45, 59]) {
    const o = produceOutcome(answer(code, '-1', 'seq 7'), idempotent)
    assert.equal(o.kind, 'sequence-refused', `code ${code}`)
    if (o.kind === 'sequence-refused') {
      assert.match(o.error.message, /: seq 7; retrying at a new producer epoch$/)
      assert.deepEqual([o.error.retriable, o.error.maybeWritten], [true, false])
    }
  }
})

test('a leadership error marks the metadata stale; TOPIC_AUTHORIZATION_FAILED names the missing ACL', () => {
  const moved = produceOutcome(answer(6), idempotent)
  assert.equal(moved.kind, 'failed')
  if (moved.kind === 'failed') assert.deepEqual([moved.staleMetadata, moved.error.retriable], [true, true])
  const denied = produceOutcome(answer(29), idempotent)
  assert.equal(denied.kind, 'failed')
  if (denied.kind === 'failed') {
    assert.equal(denied.staleMetadata, false)
    assert.match(denied.error.message, /^TOPIC_AUTHORIZATION_FAILED: principal User:ANONYMOUS lacks WRITE on topic 't'$/)
    assert.equal(denied.error.retriable, false)
  }
})

// A broker sends code 89 for controller mutation quotas (CreateTopics, DeleteTopics,
// CreatePartitions), never to a Produce request, whose quota delays the answer instead
// (throttle_time_ms): no integration test can make one, so the mapping is proven here.
test('THROTTLING_QUOTA_EXCEEDED is KPROD_THROTTLED, as a throttled Kinesis shard: retriable, not maybe-written', () => {
  for (const context of [idempotent, plain]) {
    const o = produceOutcome(answer(89, '-1', 'quota exceeded'), context)
    assert.equal(o.kind, 'failed')
    if (o.kind === 'failed') {
      assert.deepEqual([o.error.code, o.error.targetCode, o.error.retriable, o.error.maybeWritten], ['KPROD_THROTTLED', 'THROTTLING_QUOTA_EXCEEDED', true, false])
      assert.equal(o.error.message, 'THROTTLING_QUOTA_EXCEEDED: quota exceeded')
      assert.equal(o.staleMetadata, false)
    }
  }
})
