// `failed` only when the request provably never left: the kafkajs adapter's classification
// depends on whether the Produce request reached a socket, never on the error's name alone.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { fromKafkaError } from '../../../../src/transports/kafka/errors.ts'
import { producePartition } from '../../../../src/transports/kafka/kafkajs-sockets.ts'

const require = createRequire(import.meta.url)

/** An error shaped as kafkajs makes it: a retry wrapper around the real cause. */
function wrapped (name: string, message: string, type?: string): Error {
  const cause = Object.assign(new Error(message), { name, ...(type === undefined ? {} : { type, retriable: true }) })
  return Object.assign(new Error(message), { name: 'KafkaJSNumberOfRetriesExceeded', cause })
}

test('ECONNREFUSED of a metadata refresh after the Produce request was written is unknown, not failed', () => {
  const err = wrapped('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092')
  assert.equal(fromKafkaError(err, true).maybeWritten, true)
  assert.equal(fromKafkaError(err, false).maybeWritten, false)
})

test('a request timeout or a closed connection is failed when nothing was written, unknown when it was', () => {
  for (const name of ['KafkaJSRequestTimeoutError', 'KafkaJSConnectionClosedError']) {
    const err = wrapped(name, 'whatever it says')
    assert.equal(fromKafkaError(err, false).maybeWritten, false, name)
    assert.equal(fromKafkaError(err, true).maybeWritten, true, name)
    assert.equal(fromKafkaError(err, false).retriable, true, name)
  }
})

test('a Produce answer that says "not appended" is failed even though the request was written', () => {
  for (const type of ['NOT_LEADER_FOR_PARTITION', 'NOT_ENOUGH_REPLICAS', 'MESSAGE_TOO_LARGE']) {
    const e = fromKafkaError(wrapped('KafkaJSProtocolError', type, type), true)
    assert.equal(e.maybeWritten, false, type)
  }
})

test('errors a metadata refresh can carry (LEADER_NOT_AVAILABLE) are unknown once the request was written', () => {
  const e = fromKafkaError(wrapped('KafkaJSProtocolError', 'no leader', 'LEADER_NOT_AVAILABLE'), true)
  assert.equal(e.maybeWritten, true)
  assert.equal(e.retriable, true)
})

test('NOT_ENOUGH_REPLICAS_AFTER_APPEND stays unknown: the leader appended the batch', () => {
  const type = 'NOT_ENOUGH_REPLICAS_AFTER_APPEND'
  assert.equal(fromKafkaError(wrapped('KafkaJSProtocolError', type, type), true).maybeWritten, true)
})

test('producePartition reads the partition of Produce requests as kafkajs encodes them (v3 and v7, with a transactional id)', async () => {
  const createRequest = require('kafkajs/src/protocol/request.js') as (o: unknown) => Promise<{ buffer: Buffer }>
  for (const version of [3, 7]) {
    const produce = require(`kafkajs/src/protocol/requests/produce/v${version}/request.js`) as (o: unknown) => unknown
    for (const [partition, transactionalId] of [[0, null], [7, null], [123456, 'tx-1']] as const) {
      const request = produce({
        acks: -1,
        timeout: 30000,
        transactionalId,
        topicData: [{ topic: 'a-topic', partitions: [{ partition, messages: [{ key: 'k', value: 'v', timestamp: Date.now() }] }] }]
      })
      const { buffer } = await createRequest({ request, correlationId: 42, clientId: 'kprod' })
      assert.equal(producePartition(buffer), partition, `v${version} partition ${partition}`)
    }
  }
})

test('producePartition returns null for a frame it cannot read', () => {
  assert.equal(producePartition(Buffer.from([0, 0, 0, 8, 0, 0, 0, 7, 0, 0, 0, 1])), null)
})
