// Maps kafkajs errors to KprodError: which ones another attempt may fix (retriable) and which
// ones may already have been written by the broker (maybeWritten → outcome 'unknown').

import { KprodError, type ErrorCode } from '../../errors.ts'

/** Broker error types that no retry can fix. */
const NOT_RETRIABLE = new Map<string, ErrorCode>([
  ['MESSAGE_TOO_LARGE', 'KPROD_RECORD_TOO_LARGE'],
  ['RECORD_LIST_TOO_LARGE', 'KPROD_RECORD_TOO_LARGE'],
  ['INVALID_RECORD', 'KPROD_BROKER'],
  ['CORRUPT_MESSAGE', 'KPROD_BROKER'],
  ['INVALID_REQUIRED_ACKS', 'KPROD_BROKER'],
  ['INVALID_TOPIC_EXCEPTION', 'KPROD_TARGET_NOT_FOUND'],
  ['TOPIC_AUTHORIZATION_FAILED', 'KPROD_AUTH'],
  ['CLUSTER_AUTHORIZATION_FAILED', 'KPROD_AUTH'],
  ['TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'KPROD_AUTH'],
  ['SASL_AUTHENTICATION_FAILED', 'KPROD_AUTH'],
  ['UNSUPPORTED_VERSION', 'KPROD_BROKER'],
  ['UNSUPPORTED_FOR_MESSAGE_FORMAT', 'KPROD_BROKER'],
  ['POLICY_VIOLATION', 'KPROD_BROKER']
])

/**
 * Broker errors that say a quota was exceeded: the request was refused (nothing written) and
 * waiting helps, as with a throttled Kinesis shard. A broker sends THROTTLING_QUOTA_EXCEEDED for
 * controller mutations (CreateTopics, DeleteTopics, CreatePartitions); a produce quota delays the
 * answer instead (throttle_time_ms).
 */
const THROTTLED = new Set(['THROTTLING_QUOTA_EXCEEDED'])

/**
 * Broker errors after which the records may be in the log: the leader appended them but the
 * replicas did not confirm in time.
 */
const MAYBE_WRITTEN = new Set(['REQUEST_TIMED_OUT', 'NOT_ENOUGH_REPLICAS_AFTER_APPEND'])

/**
 * Broker errors only a Produce answer carries, each saying the batch was not appended. kafkajs
 * may replace the error of a written request with the error of the metadata refresh or reconnect
 * that follows it, but those (Metadata, ApiVersions, SASL, a socket) never carry these codes: an
 * error of these types is the Produce answer itself.
 */
const ANSWER_NOT_WRITTEN = new Set([
  'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER', 'NOT_ENOUGH_REPLICAS', 'MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_REQUIRED_ACKS', 'KAFKA_STORAGE_ERROR', 'INVALID_TIMESTAMP',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT', 'POLICY_VIOLATION', 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'DUPLICATE_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH'
])

interface KafkaLikeError {
  name?: string
  type?: string
  message?: string
  retriable?: boolean
  cause?: unknown
  originalError?: unknown
}

/** The innermost kafkajs error: kafkajs wraps the real cause in retry errors. */
export function rootCause (err: unknown): KafkaLikeError {
  let e = err as KafkaLikeError
  for (let i = 0; i < 8; i++) {
    const next = (e.name === 'KafkaJSNumberOfRetriesExceeded' || e.name === 'KafkaJSNonRetriableError')
      ? (e.cause ?? e.originalError)
      : undefined
    if (next === undefined || next === null || next === e) break
    e = next as KafkaLikeError
  }
  return e
}

/**
 * One kafkajs send()'s failure as a KprodError. `written`: its Produce request reached a socket.
 * Whether the records may be in the log depends on that, never on the error's name: a request
 * never written is `failed` (maybeWritten false) whatever the error says; a written one is
 * `unknown` unless the error is a Produce answer that says it was not appended.
 */
export function fromKafkaError (err: unknown, written: boolean): KprodError {
  const e = kafkaError(err)
  if (!written) return notWritten(e)
  if (e.maybeWritten || ANSWER_NOT_WRITTEN.has(rootCause(err).type ?? '')) return e
  return new KprodError(e.code, e.message, { retriable: e.retriable, maybeWritten: true, targetCode: e.targetCode ?? undefined, cause: err })
}

/** The same error, saying the request never left: its records are definitely not written. */
export function notWritten (e: KprodError): KprodError {
  if (!e.maybeWritten) return e
  return new KprodError(e.code, e.message, { retriable: e.retriable, maybeWritten: false, targetCode: e.targetCode ?? undefined, cause: e.cause })
}

function kafkaError (err: unknown): KprodError {
  const e = rootCause(err)
  const message = e.message ?? String(err)
  const type = e.type ?? ''
  if (NOT_RETRIABLE.has(type) || type === 'UNKNOWN_TOPIC_OR_PARTITION' || MAYBE_WRITTEN.has(type)) {
    return fromBrokerError(type, message, e.retriable !== false, err)
  }
  if (e.name === 'KafkaJSRequestTimeoutError') {
    return new KprodError('KPROD_REQUEST_TIMEOUT', message, { retriable: true, maybeWritten: true, cause: err })
  }
  if (e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSConnectionClosedError') {
    return new KprodError('KPROD_CONNECTION_LOST', message, { retriable: true, maybeWritten: true, cause: err })
  }
  if (e.name === 'KafkaJSProtocolError') return fromBrokerError(type, message, e.retriable !== false, err)
  return new KprodError('KPROD_BROKER', message, { retriable: true, cause: err })
}

/** A broker's error code (by its protocol name, e.g. NOT_LEADER_OR_FOLLOWER) as a KprodError. */
export function fromBrokerError (type: string, message: string, retriable: boolean, cause?: unknown): KprodError {
  const targetCode = type
  const code = NOT_RETRIABLE.get(type)
  if (code !== undefined) return new KprodError(code, message, { targetCode, cause })
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') return new KprodError('KPROD_TARGET_NOT_FOUND', message, { retriable: true, targetCode, cause })
  if (THROTTLED.has(type)) return new KprodError('KPROD_THROTTLED', message, { retriable: true, targetCode, cause })
  if (MAYBE_WRITTEN.has(type)) return new KprodError('KPROD_BROKER', message, { retriable: true, maybeWritten: true, targetCode, cause })
  return new KprodError('KPROD_BROKER', message, { retriable, targetCode, cause })
}

/** Errors at start: reaching the cluster, finding the topic. */
export function connectError (err: unknown, brokers: readonly string[], topic: string, timeoutMs: number): KprodError {
  // TLS and SASL failures come complete: they name their cause and the setting that fixes it.
  if (err instanceof KprodError && (err.code === 'KPROD_TLS' || err.code === 'KPROD_AUTH')) return err
  const e = rootCause(err)
  const message = e.message ?? String(err)
  const type = e.type ?? ''
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return new KprodError('KPROD_TARGET_NOT_FOUND', `topic '${topic}' does not exist on ${brokers.join(',')} (kprod never creates topics; check --topic)`, { cause: err })
  }
  if (NOT_RETRIABLE.get(type) === 'KPROD_AUTH') {
    return new KprodError('KPROD_AUTH', `not authorized for topic '${topic}' on ${brokers.join(',')}: ${message}`, { cause: err })
  }
  return new KprodError('KPROD_CONNECT', `cannot reach the Kafka brokers ${brokers.join(',')} (--brokers) within ${timeoutMs} ms (--connect-timeout): ${message}`, { cause: err })
}

/** True when trying again at start cannot help. */
export function isFinalConnectError (err: KprodError): boolean {
  return err.code === 'KPROD_TARGET_NOT_FOUND' || err.code === 'KPROD_AUTH' || err.code === 'KPROD_TLS'
}
