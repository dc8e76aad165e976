import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ANY_PARTITION, recordBytes } from '../../../src/batch/batch.ts'
import type { Batch } from '../../../src/batch/batch.ts'
import { BatchBuilder } from '../../../src/batch/builder.ts'
import type { BuilderOptions } from '../../../src/batch/builder.ts'
import { choosePartition } from '../../../src/transports/kafka/partitioners.ts'
import type { InputRecord } from '../../../src/record.ts'
import { FakeClock } from '../../helpers/fake-clock.ts'

type Overrides = Partial<Omit<BuilderOptions, 'clock' | 'onBatch'>>

// Defaults keep every cut rule out of the way unless a test turns one on.
function setup (overrides: Overrides = {}): { builder: BatchBuilder, clock: FakeClock, batches: Batch[] } {
  const clock = new FakeClock()
  const batches: Batch[] = []
  const builder = new BatchBuilder({
    maxRecords: 1000,
    maxBytes: 1_000_000,
    minRecords: 1000,
    minBytes: 0,
    lingerMs: 60_000,
    ...overrides,
    clock,
    onBatch: (batch) => batches.push(batch)
  })
  return { builder, clock, batches }
}

let lineNo = 0
function rec (value: string, key: string | null = null): InputRecord {
  const line = Buffer.from(key === null ? value : `${key}\t${value}`)
  const keyBuf = key === null ? null : line.subarray(0, Buffer.byteLength(key))
  return { line, key: keyBuf, value: line.subarray(line.length - Buffer.byteLength(value)), lineNo: ++lineNo, readAt: 0 }
}

function values (batch: Batch | undefined): string[] {
  assert.ok(batch !== undefined, 'expected a batch')
  return batch.records.map((r) => r.value.toString())
}

// --- Ported from the seed's builder tests (seed-behaviour §1.9) ---

test('builder hands on one 1-record batch for partition -1 at end when one record was added (seed StartStop)', () => {
  const { builder, batches } = setup()
  builder.add(rec('foo'), ANY_PARTITION, false)
  builder.end()
  assert.equal(batches.length, 1)
  assert.equal(batches[0]?.records.length, 1)
  assert.equal(batches[0]?.partition, ANY_PARTITION)
  assert.equal(batches[0]?.cutReason, 'end')
})

test('builder cuts each record into its own batch when minRecords is 1 (seed BigSet)', () => {
  const { builder, batches } = setup({ minRecords: 1 })
  builder.add(rec('a'), ANY_PARTITION, false)
  builder.add(rec('b'), ANY_PARTITION, false)
  assert.deepEqual(batches.map(values), [['a'], ['b']])
  assert.deepEqual(batches.map((b) => b.cutReason), ['min', 'min'])
})

test('builder puts an fnv1a key foo on partition 3 of 10 (seed Partitioned)', () => {
  const { builder, batches } = setup({ minRecords: 1 })
  const record = rec('v', 'foo')
  const { partition, pinned } = choosePartition('fnv1a', record.key, 10, null)
  builder.add(record, partition, pinned)
  assert.equal(batches[0]?.partition, 3)
  assert.equal(batches[0]?.pinned, true)
})

test('builder joins foo and bar into one batch when minBytes is 4 (seed FlushOnBytes)', () => {
  const { builder, batches } = setup({ minRecords: 0, minBytes: 4 })
  builder.add(rec('foo'), ANY_PARTITION, false)
  assert.equal(batches.length, 0)
  builder.add(rec('bar'), ANY_PARTITION, false)
  assert.deepEqual(batches.map(values), [['foo', 'bar']])
  assert.equal(batches[0]?.cutReason, 'min')
})

test('builder hands on a batch below minRecords at end (seed SmallBatchFlush)', () => {
  const { builder, batches } = setup({ minRecords: 2 })
  builder.add(rec('only'), ANY_PARTITION, false)
  assert.equal(batches.length, 0)
  builder.end()
  assert.deepEqual(batches.map(values), [['only']])
})

test('builder hands on no batch when no record was added (seed EmptySets and NilRecords)', () => {
  const { builder, batches } = setup()
  builder.flush(0)
  builder.end()
  assert.equal(batches.length, 0)
})

test('builder flush(0) hands on records held under minRecords (seed Flush)', () => {
  const { builder, batches } = setup({ minRecords: 10 })
  builder.add(rec('a'), ANY_PARTITION, false)
  builder.add(rec('b'), ANY_PARTITION, false)
  builder.flush(0)
  assert.deepEqual(batches.map(values), [['a', 'b']])
  assert.equal(batches[0]?.cutReason, 'flush')
})

test('builder flush(age) skips a young batch and cuts it once it is old enough (seed age flush)', async () => {
  const { builder, clock, batches } = setup({ lingerMs: 3_600_000 })
  builder.add(rec('a'), ANY_PARTITION, false)
  builder.flush(3_600_000)
  assert.equal(batches.length, 0)
  await clock.advance(100)
  builder.flush(10)
  assert.deepEqual(batches.map(values), [['a']])
})

test('builder cuts every record into its own batch when both minimums are 0', () => {
  const { builder, batches } = setup({ minRecords: 0, minBytes: 0 })
  for (const v of ['a', 'b', 'c']) builder.add(rec(v), ANY_PARTITION, false)
  assert.deepEqual(batches.map(values), [['a'], ['b'], ['c']])
})

// --- Maximums ---

test('builder cuts with reason records when a batch reaches maxRecords', () => {
  const { builder, batches } = setup({ maxRecords: 2 })
  for (const v of ['a', 'b', 'c']) builder.add(rec(v), 0, true)
  assert.deepEqual(batches.map(values), [['a', 'b']])
  assert.equal(batches[0]?.cutReason, 'records')
  assert.equal(builder.bufferedRecords, 1)
})

test('builder reports records rather than min when a batch is full and meets the minimums', () => {
  const { builder, batches } = setup({ maxRecords: 2, minRecords: 2 })
  builder.add(rec('a'), 0, true)
  builder.add(rec('b'), 0, true)
  assert.equal(batches[0]?.cutReason, 'records')
})

test('builder cuts before a record that would cross maxBytes', () => {
  const { builder, batches } = setup({ maxBytes: 10 })
  builder.add(rec('aaaa'), 0, true)
  builder.add(rec('bbbb'), 0, true)
  builder.add(rec('ccc'), 0, true)
  assert.deepEqual(batches.map(values), [['aaaa', 'bbbb']])
  assert.equal(batches[0]?.cutReason, 'bytes')
  assert.equal(batches[0]?.bytes, 8)
})

test('builder cuts a batch that reaches exactly maxBytes without waiting for the next record', () => {
  const { builder, batches } = setup({ maxBytes: 6 })
  builder.add(rec('abc'), 0, true)
  builder.add(rec('def'), 0, true)
  assert.equal(batches.length, 1)
  assert.equal(batches[0]?.bytes, 6)
  assert.equal(batches[0]?.cutReason, 'bytes')
})

test('builder counts key bytes as well as value bytes against maxBytes', () => {
  const { builder, batches } = setup({ maxBytes: 10 })
  builder.add(rec('vvv', 'kkk'), 0, true)
  builder.add(rec('vvv', 'kkk'), 0, true)
  assert.equal(batches.length, 1)
  assert.equal(batches[0]?.bytes, 6)
})

test('builder gives a record larger than maxBytes a batch of its own', () => {
  const { builder, batches } = setup({ maxBytes: 5 })
  builder.add(rec('ab'), 0, true)
  builder.add(rec('0123456789'), 0, true)
  builder.add(rec('cd'), 0, true)
  builder.end()
  assert.deepEqual(batches.map(values), [['ab'], ['0123456789'], ['cd']])
  assert.deepEqual(batches.map((b) => b.cutReason), ['bytes', 'bytes', 'end'])
})

const SIZE_CASES: ReadonlyArray<{ maxBytes: number, sizes: readonly number[] }> = [
  { maxBytes: 10, sizes: [3, 3, 3, 3, 3, 3, 3] },
  { maxBytes: 10, sizes: [9, 2, 9, 1, 0, 0, 10, 1] },
  { maxBytes: 7, sizes: [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1] },
  { maxBytes: 1, sizes: [0, 0, 1, 0, 1, 1] },
  { maxBytes: 100, sizes: Array.from({ length: 200 }, (_, i) => (i * 37) % 41) }
]

for (const { maxBytes, sizes } of SIZE_CASES) {
  test(`builder never exceeds maxBytes ${maxBytes} for record sizes ${sizes.slice(0, 8).join(',')}…`, () => {
    const { builder, batches } = setup({ maxBytes })
    for (const size of sizes) builder.add(rec('x'.repeat(size)), 0, true)
    builder.end()
    for (const batch of batches) assert.ok(batch.bytes <= maxBytes, `batch ${batch.id} has ${batch.bytes} bytes`)
    assert.deepEqual(batches.flatMap((b) => b.records.map((r) => r.value.length)), sizes)
  })
}

// --- Minimums ---

const MIN_CASES: ReadonlyArray<{ minRecords: number, minBytes: number, sizes: readonly number[], cuts: readonly number[] }> = [
  { minRecords: 3, minBytes: 0, sizes: [1, 1, 1, 1, 1, 1, 1], cuts: [3, 3] },
  { minRecords: 1, minBytes: 5, sizes: [2, 2, 2, 5, 1, 4], cuts: [3, 1, 2] },
  { minRecords: 3, minBytes: 5, sizes: [5, 5, 0, 1, 1, 1, 1, 1], cuts: [3, 5] },
  { minRecords: 2, minBytes: 4, sizes: [4, 4, 1, 1, 1, 1], cuts: [2, 4] }
]

for (const { minRecords, minBytes, sizes, cuts } of MIN_CASES) {
  test(`builder cuts at the first record meeting minRecords ${minRecords} and minBytes ${minBytes}`, () => {
    const { builder, batches } = setup({ minRecords, minBytes })
    for (const size of sizes) builder.add(rec('x'.repeat(size)), 0, true)
    assert.deepEqual(batches.map((b) => b.records.length), cuts)
    assert.ok(batches.every((b) => b.cutReason === 'min'))
  })
}

// --- Linger ---

test('builder linger cuts only the batch whose time has come', async () => {
  const { builder, clock, batches } = setup({ lingerMs: 100 })
  builder.add(rec('a'), 0, true)
  await clock.advance(60)
  builder.add(rec('b'), 1, true)
  await clock.advance(40)
  assert.deepEqual(batches.map(values), [['a']])
  assert.equal(batches[0]?.cutReason, 'linger')
  assert.equal(builder.openBatches, 1)
  await clock.advance(60)
  assert.deepEqual(batches.map(values), [['a'], ['b']])
})

test('builder linger counts from the first record, not the latest', async () => {
  const { builder, clock, batches } = setup({ lingerMs: 100 })
  builder.add(rec('a'), 0, true)
  await clock.advance(99)
  builder.add(rec('b'), 0, true)
  await clock.advance(1)
  assert.deepEqual(batches.map(values), [['a', 'b']])
})

test('builder with linger 0 cuts on the next timer tick, not inside add()', async () => {
  const { builder, clock, batches } = setup({ lingerMs: 0 })
  builder.add(rec('a'), 0, true)
  builder.add(rec('b'), 0, true)
  assert.equal(batches.length, 0)
  await clock.advance(0)
  assert.deepEqual(batches.map(values), [['a', 'b']])
  assert.equal(batches[0]?.cutReason, 'linger')
})

test('builder arms one timer per open batch, not one per record', () => {
  const { builder, clock } = setup({ lingerMs: 100 })
  for (let i = 0; i < 50; i++) builder.add(rec('x'), i % 2, true)
  assert.equal(clock.pending, 2)
})

test('builder arms no timer for a batch cut by the record that opened it', () => {
  const { builder, clock, batches } = setup({ minRecords: 0, lingerMs: 100 })
  for (let i = 0; i < 5; i++) builder.add(rec('x'), 0, true)
  assert.equal(batches.length, 5)
  assert.equal(clock.pending, 0)
})

test('builder clears the linger timer of a batch cut by size', async () => {
  const { builder, clock, batches } = setup({ maxRecords: 2, lingerMs: 100 })
  builder.add(rec('a'), 0, true)
  builder.add(rec('b'), 0, true)
  assert.equal(clock.pending, 0)
  await clock.advance(200)
  assert.equal(batches.length, 1)
})

// --- flush and end ---

test('builder flush(olderThan) cuts batches at least that old and keeps younger ones', async () => {
  const { builder, clock, batches } = setup()
  builder.add(rec('old'), 0, true)
  await clock.advance(50)
  builder.add(rec('edge'), 1, true)
  await clock.advance(30)
  builder.add(rec('young'), 2, true)
  await clock.advance(10)
  builder.flush(40)
  assert.deepEqual(batches.map(values), [['old'], ['edge']])
  assert.ok(batches.every((b) => b.cutReason === 'flush'))
  assert.equal(builder.openBatches, 1)
})

test('builder flush() without an age cuts every open batch, oldest first', async () => {
  const { builder, clock, batches } = setup()
  builder.add(rec('p2'), 2, true)
  await clock.advance(1)
  builder.add(rec('any'), ANY_PARTITION, false)
  builder.add(rec('p0'), 0, true)
  builder.flush()
  assert.deepEqual(batches.map(values), [['p2'], ['any'], ['p0']])
  assert.equal(builder.openBatches, 0)
})

test('builder end() cuts every open batch with reason end and clears their timers', () => {
  const { builder, clock, batches } = setup({ lingerMs: 100 })
  builder.add(rec('a'), 0, true)
  builder.add(rec('b'), 1, true)
  builder.add(rec('c'), ANY_PARTITION, false)
  builder.end()
  assert.deepEqual(batches.map(values), [['a'], ['b'], ['c']])
  assert.ok(batches.every((b) => b.cutReason === 'end'))
  assert.equal(clock.pending, 0)
  assert.equal(builder.bufferedRecords, 0)
  assert.equal(builder.openBatches, 0)
})

test('builder add() throws after end()', () => {
  const { builder } = setup()
  builder.end()
  assert.throws(() => builder.add(rec('late'), 0, true), { code: 'KPROD_INTERNAL' })
})

test('builder end() twice hands on nothing the second time', () => {
  const { builder, batches } = setup()
  builder.add(rec('a'), 0, true)
  builder.end()
  builder.end()
  builder.flush()
  assert.equal(batches.length, 1)
})

// --- Batch fields ---

test('builder sets opened to the first record time and enqueued to the cut time for every reason', async () => {
  const { builder, clock, batches } = setup({ maxRecords: 2, lingerMs: 100 })
  const t0 = clock.now()
  builder.add(rec('a'), 0, true)
  await clock.advance(5)
  builder.add(rec('b'), 0, true)
  builder.add(rec('c'), 1, true)
  await clock.advance(100)
  builder.add(rec('d'), 2, true)
  await clock.advance(7)
  builder.flush()
  builder.add(rec('e'), 3, true)
  await clock.advance(3)
  builder.end()
  const times = batches.map((b) => [b.cutReason, b.opened - t0, b.enqueued - t0])
  assert.deepEqual(times, [['records', 0, 5], ['linger', 5, 105], ['flush', 105, 112], ['end', 112, 115]])
})

test('builder sets bytes to the sum of recordBytes of its records', () => {
  const { builder, batches } = setup()
  const records = [rec('abc', 'k'), rec(''), rec('hello', 'key2')]
  for (const r of records) builder.add(r, 0, true)
  builder.end()
  assert.equal(batches[0]?.bytes, records.reduce((sum, r) => sum + recordBytes(r), 0))
  assert.equal(batches[0]?.bytes, 13)
})

test('builder marks an any-partition batch unpinned and a keyed batch pinned', () => {
  const { builder, batches } = setup()
  builder.add(rec('a'), ANY_PARTITION, false)
  builder.add(rec('b', 'k'), 4, true)
  builder.end()
  assert.deepEqual(batches.map((b) => [b.partition, b.pinned]), [[ANY_PARTITION, false], [4, true]])
})

test('builder pins a batch when any of its records is pinned', () => {
  const { builder, batches } = setup()
  builder.add(rec('a'), 5, false)
  builder.add(rec('b'), 5, true)
  builder.end()
  assert.equal(batches[0]?.pinned, true)
})

test('builder tracks buffered records and open batches', () => {
  const { builder } = setup({ maxRecords: 3 })
  builder.add(rec('a'), 0, true)
  builder.add(rec('b'), 0, true)
  builder.add(rec('c'), 1, true)
  assert.equal(builder.bufferedRecords, 3)
  assert.equal(builder.openBatches, 2)
  builder.add(rec('d'), 0, true)
  assert.equal(builder.bufferedRecords, 1)
  assert.equal(builder.openBatches, 1)
})

// A seeded mix of partitions, sizes and flushes: properties every batch stream must have.
test('builder hands every record on exactly once, in arrival order per partition, in unique increasing ids', async () => {
  let seed = 42
  const next = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n }
  const { builder, clock, batches } = setup({ maxRecords: 7, maxBytes: 40, minRecords: 5, minBytes: 20, lingerMs: 30 })
  const sent: Array<{ record: InputRecord, partition: number }> = []
  for (let i = 0; i < 2000; i++) {
    const partition = next(5) - 1
    const record = rec('x'.repeat(next(12)))
    sent.push({ record, partition })
    builder.add(record, partition, partition !== ANY_PARTITION)
    if (next(10) === 0) await clock.advance(next(20))
    if (next(200) === 0) builder.flush(next(30))
  }
  builder.end()
  assert.deepEqual(batches.map((b) => b.id), batches.map((_, i) => i + 1))
  const seen = new Map<InputRecord, number>()
  for (const batch of batches) {
    assert.ok(batch.records.length > 0)
    for (const r of batch.records) seen.set(r, (seen.get(r) ?? 0) + 1)
  }
  assert.equal(seen.size, sent.length)
  assert.ok([...seen.values()].every((n) => n === 1))
  for (const p of [ANY_PARTITION, 0, 1, 2, 3]) {
    const expected = sent.filter((s) => s.partition === p).map((s) => s.record)
    const actual = batches.filter((b) => b.partition === p).flatMap((b) => b.records)
    assert.deepEqual(actual, expected, `partition ${p}`)
  }
  const batchOf = new Map<InputRecord, Batch>()
  for (const b of batches) for (const r of b.records) batchOf.set(r, b)
  assert.ok(sent.every((s) => batchOf.get(s.record)?.partition === s.partition), 'each batch holds one partition only')
})

test('builder hands each batch on once even when the hand-off adds a record', () => {
  const clock = new FakeClock()
  const batches: Batch[] = []
  const builder: BatchBuilder = new BatchBuilder({
    maxRecords: 1000,
    maxBytes: 1000,
    minRecords: 1000,
    minBytes: 0,
    lingerMs: 100,
    clock,
    onBatch: (batch) => {
      batches.push(batch)
      if (batches.length === 1) builder.add(rec('from hand-off'), 0, true)
    }
  })
  builder.add(rec('a'), 0, true)
  builder.flush()
  assert.deepEqual(batches.map(values), [['a']])
  assert.equal(builder.bufferedRecords, 1)
  builder.end()
  assert.deepEqual(batches.map(values), [['a'], ['from hand-off']])
})
