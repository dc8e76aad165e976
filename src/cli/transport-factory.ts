// Picks and builds the concrete transport for a Config. The only module that imports a
// transport implementation, so the rest of kprod sees nothing but the Transport interface.
// Each implementation is loaded only when chosen: kafkajs and the AWS SDK take tens of
// milliseconds to load, which every short pipe run would otherwise pay for both (and a
// --kinesis-client http run with its credentials in the environment never loads the SDK).

import type { Config } from '../config/config.ts'
import type { KafkaTransportOptions } from '../transports/kafka/common.ts'
import type { Env } from '../transports/kinesis/http/env-settings.ts'
import type { Transport } from '../transports/transport.ts'
import type { KinesisTransport } from '../transports/kinesis/transport.ts'
import { MAX_BATCH_RECORDS } from '../transports/kinesis/limits.ts'
import type { Clock } from '../util/clock.ts'

/** `env` is the process environment: the Kinesis client may take AWS credentials and region from it. */
export async function createTransport (config: Config, clock: Clock, log: (line: string) => void, env: Env): Promise<Transport> {
  if (!config.dryRun) return await createTarget(config, clock, log, env)
  // --dry-run: connect and place, never send.
  const [{ DryRunTransport }, target] = await Promise.all([import('../transports/dry-run.ts'), createTarget(config, clock, log, env)])
  // Kafka: the partition the producer sends the batch to (the key's, or the next idle one).
  if (config.kind === 'kafka') return new DryRunTransport(target, 'partition', (_record, partition) => String(partition), (t) => t.partitions.map(String))
  // Kinesis: the shard whose hash-key range holds the record's partition key (ListShards).
  const kinesis = target as KinesisTransport
  return new DryRunTransport(target, 'shard', (record) => kinesis.placeOf(record), () => kinesis.shardIds())
}

async function createTarget (config: Config, clock: Clock, log: (line: string) => void, env: Env): Promise<Transport> {
  if (config.kind === 'kinesis') {
    const [{ KinesisTransport }, { openKinesisClient }] = await Promise.all([import('../transports/kinesis/transport.ts'), import('../transports/kinesis/client.ts')])
    const options = {
      stream: config.target,
      region: config.region,
      endpoint: config.endpoint,
      profile: config.profile,
      putRecordsOver: config.kinesisClient,
      partitionKey: config.partitionKey,
      explicitHashKey: config.explicitHashKey,
      shardOrdering: config.shardOrdering,
      aggregate: config.aggregate,
      shardRate: config.shardLimit,
      lanes: config.workers,
      placeShards: config.dryRun,
      maxBatchRecords: config.aggregate ? config.batchRecords : Math.min(config.batchRecords, MAX_BATCH_RECORDS),
      maxBatchBytes: config.batchBytes,
      requestTimeoutMs: config.requestTimeoutMs,
      connectTimeoutMs: config.connectTimeoutMs,
      log,
      clock
    }
    return new KinesisTransport({ ...options, ...await openKinesisClient(options, env) })
  }
  const kafka: KafkaTransportOptions = {
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
    headers: config.headers,
    logLevel: config.logLevel,
    log,
    clock,
    security: config.security,
    env,
    routing: { partitioner: config.partitioner, partition: config.partition, partitions: config.partitions }
  }
  const tls = config.security.tls
  if (tls !== null && !tls.verify) log('kprod: WARNING: --ssl-no-verify: broker certificates are not checked; anyone on the network path can read and change what is sent')
  else if (tls !== null && !tls.checkHostname) log('kprod: WARNING: --ssl-no-hostname-check: a trusted certificate issued for any host name is accepted')
  if (config.kafkaClient === 'wire') {
    const { KafkaWireTransport } = await import('../transports/kafka/wire/transport.ts')
    // One produce connection per worker: a broker serves each connection's requests in turn.
    return new KafkaWireTransport({ ...kafka, produceConnections: config.workers })
  }
  const { KafkaTransport } = await import('../transports/kafka/kafkajs.ts')
  return new KafkaTransport(kafka)
}
