// One AsyncProducer on a fake clock and a scripted fake transport, for the producer unit tests.

import { AsyncProducer, type ProducerOptions } from '../../src/producer/async-producer.ts'
import type { BatchResult } from '../../src/producer/result.ts'
import { FakeClock } from './fake-clock.ts'
import { FakeTransport, type Responder } from './fake-transport.ts'

/** Defaults: partition [0], 1 worker, 3 attempts, backoff 100..1000 ms, jitter at its top. */
export function setupProducer (options: Partial<ProducerOptions> = {}, respond?: Responder) {
  const clock = new FakeClock()
  const transport = new FakeTransport(respond === undefined ? {} : { respond })
  const results: BatchResult[] = []
  const producer = new AsyncProducer({
    transport,
    router: transport.router({ partitions: [0] }),
    partitions: [0],
    workers: 1,
    attempts: 3,
    retryBackoffMs: 100,
    retryBackoffMaxMs: 1000,
    deliveryTimeoutMs: 60_000,
    strictPartitioning: false,
    maxQueuedBatches: 100,
    clock,
    random: () => 1,
    onResult: (r) => results.push(r),
    ...options
  })
  return { clock, transport, producer, results }
}
