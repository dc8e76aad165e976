// Kafka errors as data: each broker error name (as the wire client reads it from a Produce answer
// and kafkajs names it in `type`) maps to one kprod code, and the name itself travels beside it as
// targetCode, through kafkajs's retry wrappers and the written / not-written re-classification.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fromBrokerError, fromKafkaError } from '../../../../src/transports/kafka/errors.ts'
import { brokerErrorCode } from '../../../../src/transports/kafka/wire/error-codes.ts'

test('fromBrokerError maps each broker error name to its kprod code and keeps the name as targetCode', () => {
  const rows: [string, string, boolean][] = [
    // broker error, kprod code, retriable
    ['NOT_LEADER_OR_FOLLOWER', 'KPROD_BROKER', true],
    ['REQUEST_TIMED_OUT', 'KPROD_BROKER', true],
    ['MESSAGE_TOO_LARGE', 'KPROD_RECORD_TOO_LARGE', false],
    ['RECORD_LIST_TOO_LARGE', 'KPROD_RECORD_TOO_LARGE', false],
    ['UNKNOWN_TOPIC_OR_PARTITION', 'KPROD_TARGET_NOT_FOUND', true],
    ['TOPIC_AUTHORIZATION_FAILED', 'KPROD_AUTH', false],
    ['INVALID_RECORD', 'KPROD_BROKER', false],
    ['THROTTLING_QUOTA_EXCEEDED', 'KPROD_THROTTLED', true]
  ]
  for (const [type, code, retriable] of rows) {
    const known = brokerErrorCode(codeOf(type))
    const e = fromBrokerError(known.type, `${type}: the broker says so`, known.retriable)
    assert.deepEqual([e.code, e.retriable, e.targetCode], [code, retriable, type], type)
  }
})

test('a kafkajs protocol error keeps its broker name as targetCode, written or not; a socket error has none', () => {
  const protocol = Object.assign(new Error('This server is not the leader for that topic-partition'), { name: 'KafkaJSProtocolError', type: 'NOT_LEADER_OR_FOLLOWER', retriable: true })
  const wrapped = Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', cause: protocol })
  for (const written of [true, false]) assert.equal(fromKafkaError(wrapped, written).targetCode, 'NOT_LEADER_OR_FOLLOWER', String(written))
  const timeout = Object.assign(new Error('Request Produce(key: 0, version: 7) timed out'), { name: 'KafkaJSRequestTimeoutError' })
  for (const written of [true, false]) {
    const e = fromKafkaError(timeout, written)
    assert.deepEqual([e.code, e.targetCode], ['KPROD_REQUEST_TIMEOUT', null], String(written))
  }
})

/** The protocol number of a broker error name, as a Produce answer carries it. */
function codeOf (type: string): number {
  for (let n = -1; n < 120; n++) if (brokerErrorCode(n).type === type) return n
  throw new Error(`no broker error code is named ${type}`)
}
