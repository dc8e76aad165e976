// Picks and builds the concrete transport for a Config. The only module that imports a
// transport implementation, so the rest of kprod sees nothing but the Transport interface.
// Each implementation is loaded only when chosen: kafkajs and the AWS SDK take tens of
// milliseconds to load, which every short pipe run would otherwise pay for both (and a
// --kinesis-client http run with its credentials in the environment never loads the SDK).

import type { Config, KafkaTarget, KinesisTarget } from '../config/config.ts'
import type { KafkaTransportOptions } from '../transports/kafka/common.ts'
import type { Env } from '../transports/kinesis/http/env-settings.ts'
import type { Transport } from '../transports/transport.ts'
import type { KinesisTransport } from '../transports/kinesis/transport.ts'
import { MAX_BATCH_RECORDS } from '../transports/kinesis/limits.ts'
import type { Clock } from '../util/clock.ts'

/** `env` is the process environment: the Kinesis client may take AWS credentials and region from it. */
export async function createTransport (config: Config, clock: Clock, log: (line: string) => void, env: Env): Promise<Transport> {
  if (!config.producer.dryRun) return await createTarget(config, clock, log, env)
  // --dry-run: connect and place, never send.
  const [{ DryRunTransport }, target] = await Promise.all([import('../transports/dry-run.ts'), createTarget(config, clock, log, env)])
  // Kafka: the partition the producer sends the batch to (the key's, or the next idle one).
  if (config.target.kind === 'kafka') return new DryRunTransport(target, 'partition', (_record, partition) => String(partition), (t) => t.partitions.map(String))
  // Kinesis: the shard whose hash-key range holds the record's partition key (ListShards).
  const kinesis = target as KinesisTransport
  return new DryRunTransport(target, 'shard', (record) => kinesis.placeOf(record), () => kinesis.shardIds())
}

async function createTarget (config: Config, clock: Clock, log: (line: string) => void, env: Env): Promise<Transport> {
  const { target } = config
  return target.kind === 'kinesis' ? await createKinesis(target, config, clock, log, env) : await createKafka(target, config, clock, log, env)
}

async function createKinesis (target: KinesisTarget, { batch, producer }: Config, clock: Clock, log: (line: string) => void, env: Env): Promise<Transport> {
  const [{ KinesisTransport }, { openKinesisClient }] = await Promise.all([import('../transports/kinesis/transport.ts'), import('../transports/kinesis/client.ts')])
  const options = {
    stream: target.name,
    region: target.region,
    endpoint: target.endpoint,
    profile: target.profile,
    putRecordsOver: target.client,
    partitionKey: target.partitionKey,
    explicitHashKey: target.explicitHashKey,
    shardOrdering: target.shardOrdering,
    aggregate: target.aggregate,
    shardRate: target.shardLimit,
    lanes: producer.workers,
    placeShards: producer.dryRun,
    maxBatchRecords: target.aggregate ? batch.batchRecords : Math.min(batch.batchRecords, MAX_BATCH_RECORDS),
    maxBatchBytes: batch.batchBytes,
    requestTimeoutMs: target.requestTimeoutMs,
    connectTimeoutMs: target.connectTimeoutMs,
    log,
    clock
  }
  return new KinesisTransport({ ...options, ...await openKinesisClient(options, env) })
}

async function createKafka (target: KafkaTarget, { batch, producer }: Config, clock: Clock, log: (line: string) => void, env: Env): Promise<Transport> {
  const kafka: KafkaTransportOptions = {
    brokers: target.brokers,
    topic: target.name,
    clientId: target.clientId,
    acks: target.acks,
    ackTimeoutMs: target.ackTimeoutMs,
    requestTimeoutMs: target.requestTimeoutMs,
    connectTimeoutMs: target.connectTimeoutMs,
    connectionMaxIdleMs: target.connectionMaxIdleMs,
    compression: target.compression,
    idempotent: target.idempotent,
    maxBatchRecords: batch.batchRecords,
    maxBatchBytes: batch.batchBytes,
    headers: target.headers,
    logLevel: target.logLevel,
    log,
    clock,
    security: target.security,
    env,
    routing: { partitioner: target.partitioner, partition: target.partition, partitions: target.partitions }
  }
  const tls = target.security.tls
  if (tls !== null && !tls.verify) log('kprod: WARNING: --ssl-no-verify: broker certificates are not checked; anyone on the network path can read and change what is sent')
  else if (tls !== null && !tls.checkHostname) log('kprod: WARNING: --ssl-no-hostname-check: a trusted certificate issued for any host name is accepted')
  if (target.client === 'wire') {
    const { KafkaWireTransport } = await import('../transports/kafka/wire/transport.ts')
    // One produce connection per worker: a broker serves each connection's requests in turn.
    return new KafkaWireTransport({ ...kafka, produceConnections: producer.workers })
  }
  const { KafkaTransport } = await import('../transports/kafka/kafkajs.ts')
  return new KafkaTransport(kafka)
}
