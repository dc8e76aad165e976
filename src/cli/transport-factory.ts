// Picks and builds the concrete transport for a Config. The only module that imports a
// transport implementation, so the rest of kprod sees nothing but the Transport interface.

import type { Config } from '../config/config.ts'
import type { Transport } from '../transports/transport.ts'
import { KafkaTransport } from '../transports/kafka.ts'
import { KinesisTransport } from '../transports/kinesis.ts'
import type { Clock } from '../util/clock.ts'

export function createTransport (config: Config, clock: Clock, log: (line: string) => void): Transport {
  if (config.kind === 'kinesis') {
    return new KinesisTransport({
      stream: config.target,
      region: config.region,
      endpoint: config.endpoint,
      partitionKey: config.partitionKey,
      shardOrdering: config.shardOrdering,
      lanes: config.workers,
      maxBatchRecords: Math.min(config.batchRecords, 500),
      maxBatchBytes: config.batchBytes,
      requestTimeoutMs: config.requestTimeoutMs,
      connectTimeoutMs: config.connectTimeoutMs,
      log,
      clock
    })
  }
  return new KafkaTransport({
    brokers: config.brokers,
    topic: config.target,
    clientId: config.clientId,
    acks: config.acks,
    ackTimeoutMs: config.ackTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
    connectionMaxIdleMs: config.connectionMaxIdleMs,
    compression: config.compression,
    idempotent: config.idempotent,
    maxBatchRecords: config.batchRecords,
    maxBatchBytes: config.batchBytes,
    logLevel: config.logLevel,
    log,
    clock
  })
}
