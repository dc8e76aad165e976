// Kafka broker error codes that a producer can meet, with their protocol names and whether the
// protocol marks them retriable (the names match kafkajs's `type`, so kafka/errors.ts maps both).

const CODES: Readonly<Record<number, readonly [string, boolean]>> = {
  [-1]: ['UNKNOWN_SERVER_ERROR', false],
  2: ['CORRUPT_MESSAGE', true],
  3: ['UNKNOWN_TOPIC_OR_PARTITION', true],
  5: ['LEADER_NOT_AVAILABLE', true],
  6: ['NOT_LEADER_OR_FOLLOWER', true],
  7: ['REQUEST_TIMED_OUT', true],
  8: ['BROKER_NOT_AVAILABLE', false],
  9: ['REPLICA_NOT_AVAILABLE', true],
  10: ['MESSAGE_TOO_LARGE', false],
  13: ['NETWORK_EXCEPTION', true],
  17: ['INVALID_TOPIC_EXCEPTION', false],
  18: ['RECORD_LIST_TOO_LARGE', false],
  19: ['NOT_ENOUGH_REPLICAS', true],
  20: ['NOT_ENOUGH_REPLICAS_AFTER_APPEND', true],
  21: ['INVALID_REQUIRED_ACKS', false],
  29: ['TOPIC_AUTHORIZATION_FAILED', false],
  31: ['CLUSTER_AUTHORIZATION_FAILED', false],
  32: ['INVALID_TIMESTAMP', false],
  35: ['UNSUPPORTED_VERSION', false],
  42: ['INVALID_REQUEST', false],
  43: ['UNSUPPORTED_FOR_MESSAGE_FORMAT', false],
  44: ['POLICY_VIOLATION', false],
  45: ['OUT_OF_ORDER_SEQUENCE_NUMBER', false],
  46: ['DUPLICATE_SEQUENCE_NUMBER', false],
  47: ['INVALID_PRODUCER_EPOCH', false],
  49: ['INVALID_PRODUCER_ID_MAPPING', false],
  53: ['TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false],
  56: ['KAFKA_STORAGE_ERROR', true],
  58: ['SASL_AUTHENTICATION_FAILED', false],
  59: ['UNKNOWN_PRODUCER_ID', false],
  74: ['FENCED_LEADER_EPOCH', true],
  75: ['UNKNOWN_LEADER_EPOCH', true],
  76: ['UNSUPPORTED_COMPRESSION_TYPE', false],
  87: ['INVALID_RECORD', false],
  89: ['THROTTLING_QUOTA_EXCEEDED', true],
  90: ['PRODUCER_FENCED', false]
}

export interface BrokerErrorCode {
  readonly code: number
  readonly type: string
  readonly retriable: boolean
}

export function brokerErrorCode (code: number): BrokerErrorCode {
  const known = CODES[code]
  return known === undefined ? { code, type: `KAFKA_ERROR_${code}`, retriable: false } : { code, type: known[0], retriable: known[1] }
}

/** A broker error with the protocol name of its code as `type`, as kafka/errors.ts expects. */
export class BrokerError extends Error {
  readonly type: string
  readonly retriable: boolean
  constructor (code: number, message: string) {
    const known = brokerErrorCode(code)
    super(`${known.type}: ${message}`)
    this.name = 'KafkaBrokerError'
    this.type = known.type
    this.retriable = known.retriable
  }
}

/** Errors after which the partition's leader may have moved: refresh metadata before the next send. */
export const STALE_METADATA = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_OR_FOLLOWER', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH', 'KAFKA_STORAGE_ERROR', 'REPLICA_NOT_AVAILABLE'])
