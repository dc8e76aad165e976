// What both Kafka transports (kafkajs and kprod's wire client) share: their options and the
// batch limits that keep a full produce request under the topic's max.message.bytes.

import type { Clock } from '../util/clock.ts'
import type { TransportLimits } from './transport.ts'

export interface KafkaTransportOptions {
  readonly brokers: readonly string[]
  readonly topic: string
  readonly clientId: string
  readonly acks: -1 | 0 | 1
  readonly ackTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly connectionMaxIdleMs: number
  readonly compression: 'none' | 'gzip'
  readonly idempotent: boolean
  /** Records per send(); kafkajs groups messages with a quadratic copy, so this stays in the low thousands. */
  readonly maxBatchRecords: number
  /** Key + value bytes per send() the user asked for; lowered to fit the topic's max.message.bytes. */
  readonly maxBatchBytes: number
  readonly logLevel: 'nothing' | 'error' | 'warn' | 'info' | 'debug'
  readonly log: (line: string) => void
  readonly clock: Clock
}

/** The broker default for message.max.bytes, used when the topic's own limit cannot be read. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1048588
/** Record batch header (61 bytes) plus slack for the produce request framing. */
const BATCH_OVERHEAD = 512
/** Upper bound of a record's framing in a v2 batch without headers: length, attributes, deltas, key/value lengths. */
const RECORD_OVERHEAD = 24

/** Limits for the builder: a full batch, framing included, must stay under max.message.bytes. */
export function limitsFor (options: Pick<KafkaTransportOptions, 'maxBatchRecords' | 'maxBatchBytes'>, maxMessageBytes: number): TransportLimits {
  const fit = maxMessageBytes - BATCH_OVERHEAD - options.maxBatchRecords * RECORD_OVERHEAD
  const maxRecordBytes = Math.max(1, maxMessageBytes - BATCH_OVERHEAD - RECORD_OVERHEAD)
  return {
    maxRecordBytes,
    maxBatchRecords: options.maxBatchRecords,
    maxBatchBytes: Math.max(maxRecordBytes, Math.min(options.maxBatchBytes, fit))
  }
}
