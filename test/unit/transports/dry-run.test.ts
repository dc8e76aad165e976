// --dry-run's placement table and skew (pure), and the wrapper: it counts where each record of a
// batch would land and answers delivered without positions, never calling the target's send().

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DryRunTransport, placementOf } from '../../../src/transports/dry-run.ts'
import type { Router, SendResult, Transport } from '../../../src/transports/transport.ts'
import { isDeliveredRun } from '../../../src/transports/transport.ts'
import { testBatch } from '../../helpers/fake-transport.ts'

test('placement lists every partition, zeros included, in numeric order, with skew = busiest over mean', () => {
  const p = placementOf('partition', new Map([['10', 6], ['2', 2]]), ['0', '2', '10'])
  assert.deepEqual(p, { unit: 'partition', records: { 0: 0, 2: 2, 10: 6 }, skew: 2.25 })
  assert.deepEqual(Object.keys(p.records), ['0', '2', '10'])
})

test('placement skew is 1 when even, N when all records are on one of N, null when nothing was placed', () => {
  assert.equal(placementOf('shard', new Map([['a', 5], ['b', 5]]), ['a', 'b']).skew, 1)
  assert.equal(placementOf('partition', new Map([['1', 9]]), ['0', '1', '2']).skew, 3)
  assert.equal(placementOf('partition', new Map(), ['0', '1']).skew, null)
})

test('dry-run transport counts records by their place and never calls the target\'s send', async () => {
  let sends = 0
  const inner: Transport = {
    kind: 'kafka',
    target: 't',
    limits: { maxRecordBytes: 100, maxBatchRecords: 10, maxBatchBytes: 1000 },
    notes: [],
    connect: () => Promise.resolve({ partitions: [0, 1, 2] }),
    send: (): Promise<SendResult> => { sends++; return Promise.resolve({ response: null, error: null, records: [] }) },
    close: () => Promise.resolve(),
    router: () => ({ noun: 'topic', target: 't' }) as unknown as Router
  }
  const dry = new DryRunTransport(inner, 'partition', (_r, partition) => String(partition), (t) => t.partitions.map(String))
  dry.router(await dry.connect())
  const result = await dry.send(testBatch(0, { records: 3 }), 2)
  await dry.send(testBatch(0, { records: 1 }), 0)
  assert.equal(sends, 0)
  assert.equal(result.error, null)
  assert.ok(result.records !== null && isDeliveredRun(result.records) && result.records.count === 3)
  assert.deepEqual(dry.placement(), { unit: 'partition', records: { 0: 1, 1: 0, 2: 3 }, skew: 2.25 })
  assert.match(dry.notes.join('\n'), /dry run: nothing was sent to topic 't'/)
})
