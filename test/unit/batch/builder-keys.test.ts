// Per-key ordering in the builder (Kinesis --shard-ordering): no batch holds two records of a key.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Batch } from '../../../src/batch/batch.ts'
import { BatchBuilder } from '../../../src/batch/builder.ts'
import type { InputRecord } from '../../../src/record.ts'
import { FakeClock } from '../../helpers/fake-clock.ts'

function rec (key: string | null, value: string, lineNo: number): InputRecord {
  const line = Buffer.from(key === null ? value : `${key}\t${value}`)
  const keyBuf = key === null ? null : line.subarray(0, Buffer.byteLength(key))
  return { line, key: keyBuf, value: line.subarray(line.length - Buffer.byteLength(value)), lineNo, readAt: 0 }
}

function build (batchKey: ((r: InputRecord) => string | null) | undefined, records: readonly [string | null, string][]): Batch[] {
  const batches: Batch[] = []
  const builder = new BatchBuilder({
    maxRecords: 100,
    maxBytes: 1_000_000,
    minRecords: 100,
    minBytes: 0,
    lingerMs: 60_000,
    clock: new FakeClock(),
    ...(batchKey === undefined ? {} : { batchKey }),
    onBatch: (b) => batches.push(b)
  })
  records.forEach(([k, v], i) => builder.add(rec(k, v, i + 1), 0, true))
  builder.end()
  return batches
}

const byKey = (r: InputRecord): string | null => r.key === null ? null : r.key.toString('latin1')
const shape = (batches: Batch[]): [string, string[]][] => batches.map((b) => [b.cutReason, b.records.map((r) => r.value.toString())])

test('with batchKey, a record whose key the open batch holds cuts it first (reason key); keyless records never do', () => {
  const input: [string | null, string][] = [['a', '1'], ['b', '2'], [null, '3'], ['a', '4'], [null, '5'], ['b', '6'], ['c', '7'], ['a', '8']]
  assert.deepEqual(shape(build(byKey, input)), [
    ['key', ['1', '2', '3']],
    ['key', ['4', '5', '6', '7']],
    ['end', ['8']]
  ])
})

test('without batchKey, repeated keys share a batch', () => {
  assert.deepEqual(shape(build(undefined, [['a', '1'], ['a', '2']])), [['end', ['1', '2']]])
})
