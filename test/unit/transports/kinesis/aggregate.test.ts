// The KPL aggregate encoder, checked against AWS's own de-aggregation (aws-kinesis-agg, checksums
// on): every user record comes back byte for byte with its partition key and explicit hash key, in
// order; records are packed up to the size limit and never over it.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AGGREGATE_MAGIC, aggregate } from '../../../../src/transports/kinesis/aggregate.ts'
import { LineRecord, type InputRecord } from '../../../../src/record.ts'
import { deaggregate } from '../../../helpers/kpl.ts'

function lineRecords (lines: readonly Buffer[]): InputRecord[] {
  const bytes = Buffer.concat(lines)
  let at = 0
  return lines.map((line, i) => {
    const r = new LineRecord(bytes, at, -1, at, at + line.length, i + 1, 0)
    at += line.length
    return r
  })
}

test('one shared key: every user record back, byte for byte, in order, checksum valid', () => {
  const lines = [Buffer.from('first'), Buffer.alloc(0), Buffer.from([0, 0xff, 0xfe, 0x0d]), Buffer.alloc(300, 'x'), Buffer.from('é\tlast')]
  const key = Buffer.from('k'.repeat(32))
  const a = aggregate(lineRecords(lines), 0, 1024 * 1024, () => key, null)
  assert.equal(a.count, lines.length)
  assert.deepEqual(a.data.subarray(0, 4), AGGREGATE_MAGIC)
  assert.equal(a.partitionKey, key)
  const back = deaggregate(a.data, key.toString())
  assert.deepEqual(back.map((r) => r.data), lines)
  assert.deepEqual(back.map((r) => r.partitionKey), lines.map(() => key.toString()))
  assert.deepEqual(back.map((r) => r.subSequenceNumber), [0, 1, 2, 3, 4])
})

test('distinct keys and explicit hash keys go into the tables once each, indexes right', () => {
  const records: InputRecord[] = Array.from({ length: 300 }, (_, i) => ({ line: Buffer.from(`${i % 7}:v${i}`), key: Buffer.from(String(i % 7)), value: Buffer.from(`v${i}`), lineNo: i + 1, readAt: 0 }))
  const keys = records.map((r) => Buffer.from(`pk-${(r.key as Buffer).toString()}-ü`))
  const hashKeys = records.map((r) => Buffer.from(String(BigInt((r.key as Buffer).toString()) * 10n ** 37n)))
  const a = aggregate(records, 0, 1024 * 1024, (i) => keys[i]!, (i) => hashKeys[i]!)
  assert.equal(a.count, 300)
  assert.equal(a.explicitHashKey, hashKeys[0])
  const back = deaggregate(a.data, a.partitionKey.toString())
  assert.deepEqual(back.map((r) => r.data.toString()), records.map((r) => r.value.toString()))
  assert.deepEqual(back.map((r) => r.partitionKey), keys.map((k) => k.toString()))
  assert.deepEqual(back.map((r) => r.explicitHashKey), hashKeys.map((k) => k.toString()))
  // 7 keys and 7 hash keys, each in a table once: 13 bytes a record (4 of data), not 13 + 47.
  assert.ok(a.data.length < 300 * 13 + 7 * 60, String(a.data.length))
})

test('packs up to the limit (data + the partition key) and starts the next aggregate where it stopped', () => {
  const lines = Array.from({ length: 5000 }, (_, i) => Buffer.from(`${i}:`.padEnd(100 + (i % 50), 'z')))
  const records = lineRecords(lines)
  const key = Buffer.from('0123456789abcdef0123456789abcdef')
  const limit = 64 * 1024
  const back: Buffer[] = []
  let from = 0
  let aggregates = 0
  while (from < records.length) {
    const a = aggregate(records, from, limit, () => key, null)
    assert.ok(a.data.length + key.length <= limit, `${a.data.length} + ${key.length} > ${limit}`)
    // Full: the next record would not have fitted (each is under 200 bytes with its framing).
    if (from + a.count < records.length) assert.ok(a.data.length + key.length > limit - 200, String(a.data.length))
    back.push(...deaggregate(a.data, key.toString()).map((r) => r.data))
    from += a.count
    aggregates++
  }
  assert.deepEqual(back, lines)
  assert.ok(aggregates > 5 && aggregates < 12, String(aggregates))
  // A record alone over the limit still makes an aggregate of one (check() keeps such records out).
  assert.equal(aggregate(records, 0, 10, () => key, null).count, 1)
})

test('long values and many keys: multi-byte varints for lengths and indexes', () => {
  const records: InputRecord[] = Array.from({ length: 400 }, (_, i) => ({ line: Buffer.alloc(i === 3 ? 70_000 : 10, i), key: null, value: Buffer.alloc(i === 3 ? 70_000 : 10, i), lineNo: i + 1, readAt: 0 }))
  const keys = records.map((_, i) => Buffer.from(`key-${i}`))
  const a = aggregate(records, 0, 1024 * 1024, (i) => keys[i]!, null)
  const back = deaggregate(a.data, 'key-0')
  assert.deepEqual(back.map((r) => r.data), records.map((r) => r.value))
  assert.equal(back[399]?.partitionKey, 'key-399')
})
