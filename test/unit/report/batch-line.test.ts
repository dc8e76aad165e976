import { test } from 'node:test'
import assert from 'node:assert/strict'
import { batchLine, MAX_DISTINCT_ERRORS } from '../../../src/report/batch-line.ts'
import type { BatchResult, Exchange } from '../../../src/producer/result.ts'
import { errorData } from '../../../src/errors.ts'
import type { InputRecord, Outcome } from '../../../src/record.ts'
import type { RecordPosition } from '../../../src/transports/transport.ts'
import { validateLine } from '../../helpers/schema.ts'
import { positionsOf } from '../../helpers/positions.ts'

const T0 = Date.UTC(2026, 0, 1)
const TIMEOUT = errorData('KPROD_REQUEST_TIMEOUT', 'error producing topic logs partition 2: timeout')

function rec (lineNo: number, readAt = T0 + lineNo): InputRecord {
  const line = Buffer.from(`value ${lineNo}`)
  return { line, key: null, value: line, lineNo, readAt }
}

function exchange (over: Partial<Exchange> = {}): Exchange {
  return { attempt: 1, partition: 2, records: 3, enqueued: T0 + 10, begin: T0 + 11, complete: T0 + 20, response: { baseOffset: '100' }, error: null, ...over }
}

function result (records: InputRecord[], outcomes: Outcome[], over: Partial<BatchResult> = {}): BatchResult {
  const delivered = outcomes.map((o) => o === 'delivered')
  return {
    batch: { id: 7, partition: 2, pinned: false, records, bytes: records.reduce((n, r) => n + r.value.length, 0), cutReason: 'records', opened: T0, enqueued: T0 + 5 },
    target: 'logs',
    partition: 2,
    exchanges: [exchange({ records: records.length })],
    producerError: null,
    produced: delivered.every(Boolean),
    outcomes,
    positions: positionsOf(delivered.map((d, i): RecordPosition | null => d ? { partition: 2, position: String(100 + i) } : null)),
    errors: delivered.map((d) => d ? null : TIMEOUT),
    begin: T0 + 6,
    complete: T0 + 25,
    ...over
  }
}

test('batchLine describes a delivered batch with its first and last offsets', () => {
  const line = batchLine(result([rec(1), rec(2), rec(4)], ['delivered', 'delivered', 'delivered']))
  assert.deepEqual(validateLine(line), [])
  assert.equal(Object.keys(line)[0], 'type')
  assert.equal(line.records, 3)
  assert.equal(line.firstLine, 1)
  assert.equal(line.lastLine, 4)
  assert.equal(line.produced, true)
  assert.deepEqual(line.counts, { delivered: 3, failed: 0, unknown: 0, skipped: 0, unsent: 0 })
  assert.deepEqual(line.firstDelivered, { line: 1, partition: 2, position: '100', shardId: null })
  assert.deepEqual(line.lastDelivered, { line: 4, partition: 2, position: '102', shardId: null })
  assert.deepEqual(line.errors, [])
  assert.equal(line.producerErrorCode, null)
  assert.equal(line.exchanges[0]?.errorCode, null)
  assert.equal(line.opened, '2026-01-01T00:00:00.000Z')
  assert.equal(line.maxTimestamp, '2026-01-01T00:00:00.004Z')
  assert.equal(line.exchanges[0]?.begin, '2026-01-01T00:00:00.011Z')
  assert.equal('shards' in line, false)
})

test('batchLine reports the producer error with its code and no exchanges when the batch was refused', () => {
  const line = batchLine(result([rec(1), rec(2)], ['failed', 'failed'], {
    exchanges: [],
    producerError: errorData('KPROD_BUFFER_FULL', 'buffer full: 2 records not sent'),
    produced: false,
    errors: [null, null]
  }))
  assert.deepEqual(validateLine(line), [])
  assert.deepEqual(line.exchanges, [])
  assert.equal(line.producerError, 'buffer full: 2 records not sent')
  assert.equal(line.producerErrorCode, 'KPROD_BUFFER_FULL')
  assert.deepEqual(line.errors, [{ error: 'buffer full: 2 records not sent', code: 'KPROD_BUFFER_FULL', targetCode: null, records: 2 }])
  assert.equal(line.firstDelivered, null)
})

test('batchLine counts each outcome and lists distinct errors with their codes when a batch partly fails', () => {
  const records = [rec(1), rec(2), rec(3), rec(4)]
  // Two records of one error text count together even as separate objects (per-record errors).
  const throttled = (): ReturnType<typeof errorData> => errorData('KPROD_THROTTLED', 'ProvisionedThroughputExceededException', 'ProvisionedThroughputExceededException')
  const line = batchLine(result(records, ['delivered', 'failed', 'unknown', 'failed'], {
    errors: [null, throttled(), errorData('KPROD_REQUEST_TIMEOUT', 'timeout'), throttled()]
  }))
  assert.deepEqual(validateLine(line), [])
  assert.deepEqual(line.counts, { delivered: 1, failed: 2, unknown: 1, skipped: 0, unsent: 0 })
  assert.deepEqual(line.errors, [
    { error: 'ProvisionedThroughputExceededException', code: 'KPROD_THROTTLED', targetCode: 'ProvisionedThroughputExceededException', records: 2 },
    { error: 'timeout', code: 'KPROD_REQUEST_TIMEOUT', targetCode: null, records: 1 }
  ])
  assert.equal(line.errorsOmitted, 0)
})

test('batchLine lists at most MAX_DISTINCT_ERRORS errors when every record fails differently', () => {
  const n = MAX_DISTINCT_ERRORS + 5
  const records = Array.from({ length: n }, (_, i) => rec(i + 1))
  const line = batchLine(result(records, records.map(() => 'failed'), { errors: records.map((_, i) => errorData('KPROD_BROKER', `error ${i}`)) }))
  assert.deepEqual(validateLine(line), [])
  assert.equal(line.errors.length, MAX_DISTINCT_ERRORS)
  assert.equal(line.errorsOmitted, 5)
})

test('batchLine lists Kinesis shards when positions carry shard ids', () => {
  const line = batchLine(result([rec(1), rec(2)], ['delivered', 'delivered'], {
    positions: positionsOf([
      { partition: 1, position: '4962', shardId: 'shardId-000000000001' },
      { partition: 0, position: '4963', shardId: 'shardId-000000000000' }
    ])
  }))
  assert.deepEqual(validateLine(line), [])
  assert.deepEqual(line.shards, ['shardId-000000000000', 'shardId-000000000001'])
  assert.equal(line.firstDelivered?.shardId, 'shardId-000000000001')
})

test('batchLine writes an exchange error as its text beside its code', () => {
  const lost = exchange({ error: errorData('KPROD_CONNECTION_LOST', 'socket hang up') })
  const line = batchLine(result([rec(1)], ['unknown'], { exchanges: [lost], errors: [errorData('KPROD_CONNECTION_LOST', 'socket hang up')] }))
  assert.equal(line.exchanges[0]?.error, 'socket hang up')
  assert.equal(line.exchanges[0]?.errorCode, 'KPROD_CONNECTION_LOST')
  assert.deepEqual(validateLine(JSON.parse(JSON.stringify(line))), [])
})

test('batchLine keeps the line small when a batch is large', () => {
  const records = Array.from({ length: 5000 }, (_, i) => rec(i + 1))
  const line = batchLine(result(records, records.map(() => 'delivered')))
  assert.ok(JSON.stringify(line).length < 2000)
})
