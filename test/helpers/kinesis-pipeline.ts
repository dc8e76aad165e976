// The real kprod pieces wired as the pipeline wires them for Kinesis (BatchBuilder → AsyncProducer
// → KinesisTransport) over a fake PutRecords client on a fake clock, for unit tests of producer
// semantics: the seed's cases and the throttled-shard cases share it.

import { BatchBuilder } from '../../src/batch/builder.ts'
import { AsyncProducer } from '../../src/producer/async-producer.ts'
import type { BatchResult } from '../../src/producer/result.ts'
import { KinesisTransport } from '../../src/transports/kinesis/transport.ts'
import type { Shard } from '@aws-sdk/client-kinesis'
import { FakeClock } from './fake-clock.ts'
import { FakePutRecords, type PutResponder } from './fake-put-records.ts'

export interface KinesisPipelineSetup {
  readonly shardOrdering?: boolean
  readonly workers?: number
  readonly shards?: Shard[]
  /** Records per PutRecords (the builder's max). */
  readonly batchRecords?: number
  /** Records that cut a batch at once (default: batchRecords). */
  readonly minRecords?: number
  readonly lingerMs?: number
  readonly attempts?: number
  readonly retryBackoffMs?: number
  readonly retryBackoffMaxMs?: number
  readonly maxQueuedBatches?: number
  readonly respond?: PutResponder
}

/** Jitter is fixed at 0.5 (of [cap/2, cap]), so backoffs are exact. */
export async function kinesisPipeline (setup: KinesisPipelineSetup = {}) {
  const clock = new FakeClock()
  const workers = setup.workers ?? 1
  const fake = new FakePutRecords({
    ...(setup.respond === undefined ? {} : { respond: setup.respond }),
    ...(setup.shards === undefined ? {} : { shards: setup.shards })
  })
  const transport = new KinesisTransport({
    stream: 's',
    region: 'us-east-1',
    endpoint: null,
    partitionKey: 'random',
    shardOrdering: setup.shardOrdering ?? false,
    lanes: workers,
    maxBatchRecords: setup.batchRecords ?? 10,
    maxBatchBytes: 5 * 1024 * 1024,
    requestTimeoutMs: 30_000,
    connectTimeoutMs: 1000,
    log: () => {},
    clock,
    client: fake
  })
  const topology = await transport.connect()
  const router = transport.router(topology)
  const partitions = topology.partitions
  const results: BatchResult[] = []
  const producer = new AsyncProducer({
    transport,
    router,
    partitions,
    workers,
    attempts: setup.attempts ?? 10,
    retryBackoffMs: setup.retryBackoffMs ?? 50,
    retryBackoffMaxMs: setup.retryBackoffMaxMs ?? 5000,
    deliveryTimeoutMs: 120_000,
    strictPartitioning: false,
    maxQueuedBatches: setup.maxQueuedBatches ?? 1000,
    clock,
    random: () => 0.5,
    onResult: (r) => results.push(r)
  })
  const limits = transport.limits
  const builder = new BatchBuilder({
    ...(router.batchKey === undefined ? {} : { batchKey: router.batchKey }),
    maxRecords: limits.maxBatchRecords,
    maxBytes: limits.maxBatchBytes,
    minRecords: setup.minRecords ?? limits.maxBatchRecords,
    minBytes: 0,
    lingerMs: setup.lingerMs ?? 1000,
    clock,
    onBatch: (b) => producer.enqueue(b)
  })
  return { clock, fake, transport, router, producer, builder, results }
}
