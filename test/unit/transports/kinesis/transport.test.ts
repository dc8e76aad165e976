// The Kinesis transport against a fake PutRecords client: one call per send(), results by index,
// request errors, timeouts on the fake clock, connect, limits, and the router it hands the core
// (which records it refuses, where each goes, the batch key).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import { ANY_PARTITION, recordBytes, type Batch } from '../../../../src/batch/batch.ts'
import type { InputRecord } from '../../../../src/record.ts'
import { KinesisTransport, kinesisLimits, type KinesisTransportOptions } from '../../../../src/transports/kinesis/transport.ts'
import { clientConfig } from '../../../../src/transports/kinesis/sdk.ts'
import { FakeClock } from '../../../helpers/fake-clock.ts'
import { FakePutRecords, answer, awsError, evenShards, shard, socketError, streamSummary } from '../../../helpers/fake-put-records.ts'
import { isDeliveredRun, type DeliveredRun, type RecordResult, type Router, type SendResult } from '../../../../src/transports/transport.ts'

/** An all-delivered answer comes back as one run; its positions, read one by one. */
function runPositions (result: SendResult): Array<{ at: unknown, shardId: string | undefined }> {
  assert.ok(result.records !== null && isDeliveredRun(result.records), 'expected one run for an answer without a failed entry')
  const run = result.records as DeliveredRun
  return Array.from({ length: run.count }, (_, k) => ({ at: run.at(k), shardId: run.shardId(k) }))
}

const MiB = 1024 * 1024

/** The router the transport hands the core once connected: the tests ask it as the pipeline does. */
async function routerOf (t: KinesisTransport): Promise<Router> {
  return t.router(await t.connect())
}

/** The partition the router places a record on (it must not refuse it). */
function placed (router: Router, record: InputRecord): number {
  const place = router.place(record)
  assert.notEqual(typeof place, 'string', `refused: ${String(place)}`)
  return (place as { partition: number }).partition
}

function transport (fake: FakePutRecords, options: Partial<KinesisTransportOptions> = {}): { t: KinesisTransport, clock: FakeClock, logs: string[] } {
  const clock = new FakeClock()
  const logs: string[] = []
  const t = new KinesisTransport({
    stream: 's',
    region: 'us-east-1',
    endpoint: null,
    partitionKey: 'random',
    shardOrdering: false,
    lanes: 4,
    maxBatchRecords: 500,
    maxBatchBytes: 5 * MiB,
    requestTimeoutMs: 1000,
    connectTimeoutMs: 2000,
    log: (line) => logs.push(line),
    clock,
    client: fake,
    randomBytes: (n) => Buffer.alloc(n, 0xab),
    ...options
  })
  return { t, clock, logs }
}

function rec (lineNo: number, value: string, key: string | Buffer | null = null): InputRecord {
  const k = key === null ? null : Buffer.isBuffer(key) ? key : Buffer.from(key)
  const v = Buffer.from(value)
  const line = k === null ? v : Buffer.concat([k, Buffer.from('\t'), v])
  // key and value are views into the line, as the parser makes them.
  return { line, key: k === null ? null : line.subarray(0, k.length), value: k === null ? line : line.subarray(k.length + 1), lineNo, readAt: 0 }
}

function batch (records: InputRecord[], partition = ANY_PARTITION): Batch {
  return { id: 1, partition, pinned: false, records, bytes: records.reduce((s, r) => s + recordBytes(r), 0), cutReason: 'end', opened: 0, enqueued: 0 }
}

test('send makes one PutRecords call carrying each value as a view and its partition key', async () => {
  const fake = new FakePutRecords()
  const { t } = transport(fake)
  const records = [rec(1, 'v1', 'k1'), rec(2, 'v2'), rec(3, 'v3', 'é中')]
  await t.send(batch(records), 2)
  assert.equal(fake.calls.length, 1)
  const call = fake.calls[0]!
  assert.equal(call.input.StreamName, 's')
  assert.deepEqual(call.keys, ['k1', 'ab'.repeat(16), 'é中'])
  for (let i = 0; i < records.length; i++) {
    const data = call.data[i]!
    assert.equal(data.buffer, records[i]!.line.buffer, `record ${i} is not copied`)
    assert.equal(data.byteOffset, records[i]!.value.byteOffset)
    assert.equal(Buffer.from(data).toString(), `v${i + 1}`)
  }
})

test('send gives an unkeyed record the hex MD5 of its line with partitionKey hash', async () => {
  const fake = new FakePutRecords()
  const { t } = transport(fake, { partitionKey: 'hash' })
  await t.send(batch([rec(1, 'same'), rec(2, 'same')]), 0)
  const md5 = createHash('md5').update('same').digest('hex')
  assert.deepEqual(fake.calls[0]!.keys, [md5, md5])
})

test('send maps results by index to shard index, sequence number and shard id', async () => {
  const fake = new FakePutRecords({
    respond: (call) => ({
      FailedRecordCount: 0,
      Records: [{ ShardId: 'shardId-000000000003', SequenceNumber: '111' }, { ShardId: 'shardId-000000000000', SequenceNumber: '222' }],
      EncryptionType: 'KMS',
      $metadata: { requestId: `r${call.index}` }
    })
  })
  const { t } = transport(fake)
  const result = await t.send(batch([rec(1, 'a'), rec(2, 'b')]), 1)
  assert.equal(result.error, null)
  assert.deepEqual(runPositions(result), [
    { at: { partition: 3, position: '111', shardId: 'shardId-000000000003' }, shardId: 'shardId-000000000003' },
    { at: { partition: 0, position: '222', shardId: 'shardId-000000000000' }, shardId: 'shardId-000000000000' }
  ])
  assert.deepEqual(result.response, { failedRecordCount: 0, records: 2, errorCodes: {}, encryptionType: 'KMS', requestId: 'r0' })
})

test('send reports the lane as partition when a shard id has no number', async () => {
  const fake = new FakePutRecords({ respond: (call) => answer(call, () => null, 'odd-shard') })
  const { t } = transport(fake)
  const result = await t.send(batch([rec(1, 'a')]), 2)
  assert.deepEqual(runPositions(result), [{ at: { partition: 2, position: '1000', shardId: 'odd-shard' }, shardId: 'odd-shard' }])
})

test('send turns a partial failure into per-record results with counted error codes', async () => {
  const fake = new FakePutRecords({
    respond: (call) => answer(call, (k) => k === 1
      ? ['ProvisionedThroughputExceededException', 'Rate exceeded for shard shardId-000000000000']
      : k === 3 ? ['InternalFailure', 'Internal service failure.'] : null)
  })
  const { t } = transport(fake)
  const result = await t.send(batch([rec(1, 'a'), rec(2, 'b'), rec(3, 'c'), rec(4, 'd')]), 0)
  assert.equal(result.error, null)
  const records = (result.records ?? []) as readonly RecordResult[]
  assert.deepEqual(records.map((r) => r.ok), [true, false, true, false])
  const [throttled, internal] = [records[1], records[3]].map((r) => r?.ok === false ? r.error : null)
  assert.deepEqual([throttled?.code, throttled?.retriable, throttled?.maybeWritten], ['KPROD_THROTTLED', true, false])
  assert.equal(throttled?.message, 'ProvisionedThroughputExceededException: Rate exceeded for shard shardId-000000000000')
  assert.deepEqual([internal?.code, internal?.retriable, internal?.maybeWritten], ['KPROD_BROKER', true, false])
  assert.deepEqual(result.response, {
    failedRecordCount: 2,
    records: 4,
    errorCodes: { ProvisionedThroughputExceededException: 1, InternalFailure: 1 },
    encryptionType: 'NONE',
    requestId: 'req-0'
  })
})

test('send classifies request-level errors and never rejects', async () => {
  const rows: [string, Error, string, boolean, boolean][] = [
    ['ValidationException', awsError('ValidationException', 'bad'), 'KPROD_BROKER', false, false],
    ['ResourceNotFoundException', awsError('ResourceNotFoundException', 'gone'), 'KPROD_TARGET_NOT_FOUND', false, false],
    ['AccessDeniedException', awsError('AccessDeniedException', 'no'), 'KPROD_AUTH', false, false],
    ['ProvisionedThroughputExceededException', awsError('ProvisionedThroughputExceededException', 'slow down'), 'KPROD_THROTTLED', true, false],
    ['LimitExceededException', awsError('LimitExceededException', 'limit'), 'KPROD_THROTTLED', true, false],
    ['KMSThrottlingException', awsError('KMSThrottlingException', 'kms'), 'KPROD_THROTTLED', true, false],
    ['socket hang up', socketError('ECONNRESET', 'socket hang up', 'TimeoutError'), 'KPROD_CONNECTION_LOST', true, true],
    ['ECONNREFUSED', socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:4567'), 'KPROD_CONNECTION_LOST', true, false],
    ['HTTP 500', awsError('InternalFailure', 'boom', 500, 'server'), 'KPROD_BROKER', true, true]
  ]
  for (const [name, err, code, retriable, maybeWritten] of rows) {
    const fake = new FakePutRecords({ respond: () => err })
    const { t } = transport(fake)
    const result = await t.send(batch([rec(1, 'a')]), 0)
    assert.equal(result.records, null, name)
    assert.equal(result.response, null, name)
    assert.deepEqual([result.error?.code, result.error?.retriable, result.error?.maybeWritten], [code, retriable, maybeWritten], name)
  }
})

test('send times out on the injected clock, aborts the request and reports maybe written', async () => {
  const fake = new FakePutRecords({ respond: () => undefined })
  const { t, clock } = transport(fake, { requestTimeoutMs: 500 })
  let settled = false
  const sent = t.send(batch([rec(1, 'a')]), 0).then((r) => { settled = true; return r })
  await clock.advance(499)
  assert.equal(settled, false)
  await clock.advance(1)
  const result = await sent
  assert.equal(result.error?.code, 'KPROD_REQUEST_TIMEOUT')
  assert.equal(result.error?.retriable, true)
  assert.equal(result.error?.maybeWritten, true)
  assert.match(result.error?.message ?? '', /PutRecords got no answer within 500 ms \(--request-timeout\)/)
  assert.equal(fake.calls[0]!.signal.aborted, true)
})

test('send clears its timer once the answer arrives', async () => {
  const fake = new FakePutRecords()
  const { t, clock } = transport(fake)
  await t.send(batch([rec(1, 'a')]), 0)
  assert.equal(clock.pending, 0)
})

test('the router refuses a record Kinesis can never take, naming its line, and passes the rest', async () => {
  const fake = new FakePutRecords()
  const { t } = transport(fake)
  const router = await routerOf(t)
  const valueFor = (size: number): string => 'v'.repeat(size)
  const rows: [string, InputRecord, string | null][] = [
    ['empty key', rec(3, 'v', ''), 'line 3: partition key is empty; Kinesis needs 1 to 256 characters'],
    ['256-character key', rec(4, 'v', 'k'.repeat(256)), null],
    ['257-character key', rec(5, 'v', 'k'.repeat(257)), "line 5: partition key is 257 characters, over Kinesis's 256"],
    ['300-character key', rec(6, 'v', 'k'.repeat(300)), "line 6: partition key is 300 characters, over Kinesis's 256"],
    ['256 multi-byte characters', rec(7, 'v', '中'.repeat(256)), null],
    ['257 multi-byte characters', rec(8, 'v', 'é'.repeat(257)), "line 8: partition key is 257 characters, over Kinesis's 256"],
    ['invalid UTF-8 key', rec(9, 'v', Buffer.from([0xc3, 0x28])), 'line 9: partition key is not valid UTF-8; Kinesis partition keys are Unicode text'],
    ['keyed, data + key exactly 1 MiB', rec(10, valueFor(MiB - 3), 'key'), null],
    ['keyed, data + key 1 MiB + 1', rec(11, valueFor(MiB - 2), 'key'), "line 11: record is 1048577 bytes (data + partition key), over the 1048576-byte record limit of stream 's'"],
    ['unkeyed, data + generated key exactly 1 MiB', rec(12, valueFor(MiB - 32)), null],
    ['unkeyed, data + generated key 1 MiB + 1', rec(13, valueFor(MiB - 31)), "line 13: record is 1048577 bytes (data + partition key), over the 1048576-byte record limit of stream 's'"]
  ]
  for (const [name, record, want] of rows) assert.equal(router.refuse(record), want, name)
})

test('the router refuses by the record limit the stream reports', async () => {
  const fake = new FakePutRecords({ describe: () => streamSummary('ACTIVE', 2048) })
  const { t } = transport(fake)
  const router = await routerOf(t)
  assert.equal(t.limits.maxRecordBytes, 2 * MiB)
  assert.equal(router.refuse(rec(1, 'v'.repeat(2 * MiB - 3), 'key')), null)
  assert.match(router.refuse(rec(2, 'v'.repeat(2 * MiB - 2), 'key')) ?? '', /over the 2097152-byte record limit/)
})

test('kinesisLimits caps records at 500 and bytes at 5 MiB less room for generated keys', () => {
  const rows: [number, number, number, number][] = [
    // maxBatchRecords, maxBatchBytes → records, bytes
    [500, 5 * MiB, 500, 5 * MiB - 500 * 32],
    [1000, 10 * MiB, 500, 5 * MiB - 500 * 32],
    [10, 5 * MiB, 10, 5 * MiB - 10 * 32],
    [100, 64 * 1024, 100, 64 * 1024]
  ]
  for (const [records, bytes, wantRecords, wantBytes] of rows) {
    assert.deepEqual(kinesisLimits({ maxBatchRecords: records, maxBatchBytes: bytes }, MiB), { maxRecordBytes: MiB, maxBatchRecords: wantRecords, maxBatchBytes: wantBytes })
  }
})

test('connect() returns the lanes as partitions without shardOrdering, and the router places records on any lane', async () => {
  const fake = new FakePutRecords()
  const { t } = transport(fake, { lanes: 3 })
  const topology = await t.connect()
  assert.deepEqual(topology, { partitions: [0, 1, 2] })
  assert.equal(fake.listCalls.length, 0)
  const router = t.router(topology)
  assert.deepEqual(router.place(rec(1, 'v', 'k')), { partition: ANY_PARTITION, pinned: false })
  assert.equal(router.batchKey, undefined)
  assert.equal(router.partitionNoun, 'lane')
})

test('connect() pages through ListShards and returns the open shards with shardOrdering', async () => {
  const shards = [...evenShards(5).map((s, i) => i === 4 ? { ...s, SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '9' } } : s)]
  const fake = new FakePutRecords({ shards, pageSize: 2 })
  const { t } = transport(fake, { shardOrdering: true })
  assert.deepEqual(await t.connect(), { partitions: [0, 1, 2, 3] })
  assert.deepEqual(fake.listCalls, [{ StreamName: 's' }, { NextToken: '2' }, { NextToken: '4' }])
})

test('with shardOrdering the router pins a key to its shard, an unkeyed record by its partition key mode, and keys a batch by its partition key', async () => {
  const half = 1n << 127n
  const fake = new FakePutRecords({ shards: [shard(0, 0n, half - 1n), shard(1, half, (1n << 128n) - 1n)] })
  const { t } = transport(fake, { shardOrdering: true })
  const router = await routerOf(t)
  const shardOf = (key: string): number => BigInt('0x' + createHash('md5').update(key).digest('hex')) < half ? 0 : 1
  for (const key of ['a', 'b', 'c', 'user-1', 'é中']) assert.deepEqual(router.place(rec(1, 'v', key)), { partition: shardOf(key), pinned: true }, key)
  assert.equal(placed(router, rec(1, 'line')), ANY_PARTITION)
  assert.equal(router.partitionNoun, 'shard')
  assert.equal(router.batchKey?.(rec(1, 'v', 'user-1')), 'user-1')
  assert.equal(router.batchKey?.(rec(1, 'line')), null, 'random keys never repeat')
  const hashed = await routerOf(transport(new FakePutRecords({ shards: [shard(0, 0n, half - 1n), shard(1, half, (1n << 128n) - 1n)] }), { shardOrdering: true, partitionKey: 'hash' }).t)
  const lineKey = createHash('md5').update('line').digest('hex')
  assert.equal(placed(hashed, rec(1, 'line')), shardOf(lineKey))
  assert.equal(hashed.batchKey?.(rec(1, 'line')), lineKey)
})

test('--aggregate: keyless records fill one shard\'s batch before the next shard, on any number of shards', async () => {
  const fake = new FakePutRecords({ shards: evenShards(1000), pageSize: 1000 })
  const { t } = transport(fake, { aggregate: true, shardRate: null, maxBatchRecords: 3, randomBytes })
  const router = await routerOf(t)
  assert.equal(router.batchKey, undefined, 'one aggregate per call: keys may repeat')
  const shards = Array.from({ length: 3 * 1000 + 3 }, (_, i) => placed(router, rec(i + 1, 'v')))
  // Three (a batch) to each shard in hash-range order, then round again.
  assert.deepEqual(shards.slice(0, 9), [0, 0, 0, 1, 1, 1, 2, 2, 2])
  assert.deepEqual(shards.slice(-6), [999, 999, 999, 0, 0, 0])
  // A batch is also full when its bytes are: a record that would cross maxBatchBytes goes to the next shard.
  const big = transport(new FakePutRecords({ shards: evenShards(4), pageSize: 4 }), { aggregate: true, shardRate: null, randomBytes })
  const bigRouter = await routerOf(big.t)
  const room = big.t.limits.maxBatchBytes
  const place = (r: InputRecord): number => placed(bigRouter, r)
  assert.deepEqual([place(rec(1, 'x'.repeat(room - 10))), place(rec(2, 'x'.repeat(10))), place(rec(3, 'x'))], [0, 0, 1])
})

test('--aggregate on 1,000 shards: each shard\'s random key hashes into it and is found once', async () => {
  const fake = new FakePutRecords({ shards: evenShards(1000), pageSize: 1000 })
  let drawn = 0
  const counted = (n: number): Buffer => { drawn++; return randomBytes(n) }
  const { t } = transport(fake, { aggregate: true, shardRate: null, randomBytes: counted })
  await t.connect()
  for (let round = 0; round < 2; round++) {
    for (let s = 0; s < 1000; s += 7) await t.send(batch([rec(s, 'v')], s), s)
  }
  const keys = new Map<number, string>()
  for (const call of fake.calls) {
    const key = call.keys[0]!
    const s = Number(BigInt('0x' + createHash('md5').update(key).digest('hex')) * 1000n >> 128n)
    assert.equal(keys.get(s) ?? key, key, `shard ${s} keeps its key`)
    keys.set(s, key)
  }
  assert.equal(keys.size, 143)
  // Coupon collector: about 1,000 × ln 1,000 ≈ 7,000 keys drawn for every shard; a fresh search per call drew ~286,000.
  assert.ok(drawn < 30_000, `${drawn} random keys drawn`)
})

test('--explicit-hash-key: send puts each decimal key in ExplicitHashKey as well as PartitionKey', async () => {
  const fake = new FakePutRecords()
  const { t } = transport(fake, { explicitHashKey: true })
  await t.send(batch([rec(1, 'v1', '0'), rec(2, 'v2', '340282366920938463463374607431768211455')]), 0)
  const entries = fake.calls[0]!.input.Records ?? []
  assert.deepEqual(entries.map((e) => [e.PartitionKey, e.ExplicitHashKey]), [['0', '0'], ['340282366920938463463374607431768211455', '340282366920938463463374607431768211455']])
  const plain = new FakePutRecords()
  await transport(plain).t.send(batch([rec(1, 'v1', '7')]), 0)
  assert.equal(plain.calls[0]!.input.Records?.[0]?.ExplicitHashKey, undefined, 'no ExplicitHashKey without the flag')
})

test('--explicit-hash-key: the router refuses a record without a key or with a key that is no hash key, naming its line', async () => {
  const { t } = transport(new FakePutRecords(), { explicitHashKey: true })
  const router = await routerOf(t)
  const needs = 'needs a decimal number from 0 to 340282366920938463463374607431768211455)'
  assert.equal(router.refuse(rec(4, 'v', '12345')), null)
  assert.equal(router.refuse(rec(5, 'v')), 'line 5: no key to use as the explicit hash key (--explicit-hash-key)')
  for (const [lineNo, key] of [[6, '-1'], [7, '12a'], [8, ' 1'], [9, '340282366920938463463374607431768211456'], [10, '1'.repeat(40)]] as const) {
    assert.equal(router.refuse(rec(lineNo, 'v', key)), `line ${lineNo}: key ${JSON.stringify(key)} is not an explicit hash key (--explicit-hash-key ${needs}`)
  }
})

test('--explicit-hash-key with --shard-ordering: the router picks the shard whose range holds the key itself', async () => {
  const half = 1n << 127n
  const fake = new FakePutRecords({ shards: [shard(0, 0n, half - 1n), shard(1, half, (1n << 128n) - 1n)] })
  const { t } = transport(fake, { shardOrdering: true, explicitHashKey: true })
  const router = await routerOf(t)
  const partitionFor = (r: InputRecord): number => placed(router, r)
  assert.equal(partitionFor(rec(1, 'v', '0')), 0)
  assert.equal(partitionFor(rec(2, 'v', (half - 1n).toString())), 0)
  assert.equal(partitionFor(rec(3, 'v', half.toString())), 1)
  assert.equal(partitionFor(rec(4, 'v', ((1n << 128n) - 1n).toString())), 1)
})

test('connect() fails at once with KPROD_TARGET_NOT_FOUND when the stream does not exist', async () => {
  const fake = new FakePutRecords({ describe: () => awsError('ResourceNotFoundException', 'Stream s under account 0 not found.') })
  const { t } = transport(fake)
  await assert.rejects(t.connect(), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'KPROD_TARGET_NOT_FOUND')
    assert.match(e.message, /^stream 's' does not exist in region us-east-1 \(check --stream\)/)
    return true
  })
  assert.equal(fake.describeCalls, 1)
})

test('connect() fails at once with KPROD_AUTH when access is denied', async () => {
  const fake = new FakePutRecords({ describe: () => awsError('AccessDeniedException', 'not allowed') })
  const { t } = transport(fake)
  await assert.rejects(t.connect(), { code: 'KPROD_AUTH', message: /\(credentials come from the AWS SDK's default chain\): AccessDeniedException/ })
  assert.equal(fake.describeCalls, 1)
  const env = transport(new FakePutRecords({ describe: () => awsError('UnrecognizedClientException', 'bad key') }), { credentialsFrom: 'AWS_ACCESS_KEY_ID in the environment' })
  await assert.rejects(env.t.connect(), { code: 'KPROD_AUTH', message: /\(credentials come from AWS_ACCESS_KEY_ID in the environment\)/ })
})

test('the notes it is given are the transport\'s notes', () => {
  assert.deepEqual(transport(new FakePutRecords(), { notes: ['how the client was found'] }).t.notes, ['how the client was found'])
  assert.deepEqual(transport(new FakePutRecords()).t.notes, [])
})

test('connect() fails at once when the stream is being deleted', async () => {
  const fake = new FakePutRecords({ describe: () => streamSummary('DELETING') })
  const { t } = transport(fake)
  await assert.rejects(t.connect(), { code: 'KPROD_TARGET_NOT_FOUND', message: "stream 's' is being deleted in region us-east-1 (check --stream)" })
})

test('connect() retries network errors until the connect timeout, then fails with KPROD_CONNECT naming the endpoint', async () => {
  const fake = new FakePutRecords({ describe: () => socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:4567') })
  const { t, clock } = transport(fake, { endpoint: 'http://127.0.0.1:4567', connectTimeoutMs: 1000 })
  const connected = t.connect()
  const failure = assert.rejects(connected, (e: Error & { code?: string }) => {
    assert.equal(e.code, 'KPROD_CONNECT')
    assert.match(e.message, /^cannot reach Kinesis stream 's' at http:\/\/127\.0\.0\.1:4567 \(region us-east-1\) within 1000 ms \(--connect-timeout\): connect ECONNREFUSED/)
    return true
  })
  await clock.advance(1000)
  await failure
  assert.equal(fake.describeCalls, 4)
})

test('connect() waits for a CREATING stream to become ACTIVE', async () => {
  const fake = new FakePutRecords({ describe: (n) => streamSummary(n < 3 ? 'CREATING' : 'ACTIVE') })
  const { t, clock } = transport(fake, { lanes: 1 })
  const connected = t.connect()
  await clock.advance(600)
  assert.deepEqual(await connected, { partitions: [0] })
})

test('connect() gives up on a DescribeStreamSummary that never answers', async () => {
  const fake = new FakePutRecords()
  fake.describeStreamSummary = () => new Promise(() => {})
  const { t, clock } = transport(fake, { connectTimeoutMs: 300, requestTimeoutMs: 10_000 })
  const failure = assert.rejects(t.connect(), { code: 'KPROD_CONNECT' })
  await clock.advance(300)
  await failure
})

test('close() destroys the client once', async () => {
  const fake = new FakePutRecords()
  const { t } = transport(fake)
  await t.close()
  await t.close()
  assert.equal(fake.destroyed, 1)
})

test('clientConfig turns SDK retries off and uses the HTTP/1.1 NodeHttpHandler for an http:// endpoint', () => {
  const base = { region: 'eu-west-1', requestTimeoutMs: 1000, connectTimeoutMs: 500, log: () => {} }
  const http = clientConfig({ ...base, endpoint: 'http://127.0.0.1:4567' })
  assert.equal(http.maxAttempts, 1)
  assert.equal(http.region, 'eu-west-1')
  assert.equal(http.endpoint, 'http://127.0.0.1:4567')
  assert.ok(http.requestHandler instanceof NodeHttpHandler)
  const https = clientConfig({ ...base, endpoint: 'https://kinesis.eu-west-1.amazonaws.com' })
  assert.equal(https.requestHandler, undefined)
  const aws = clientConfig({ ...base, region: null, endpoint: null })
  assert.equal('region' in aws, false)
  assert.equal('endpoint' in aws, false)
  assert.equal(aws.maxAttempts, 1)
})

test('clientConfig logs SDK warnings to the log but not its per-call entries', () => {
  const logs: string[] = []
  const config = clientConfig({ region: null, endpoint: null, requestTimeoutMs: 1000, connectTimeoutMs: 500, log: (l) => logs.push(l) })
  const logger = config.logger as { info: (...a: unknown[]) => void, warn: (...a: unknown[]) => void, error: (...a: unknown[]) => void }
  logger.info({ commandName: 'PutRecordsCommand', input: {} })
  logger.error({ commandName: 'PutRecordsCommand', input: { Records: ['big'] }, error: new Error('x') })
  logger.warn('socket usage is high')
  assert.deepEqual(logs, ['kprod: aws-sdk warn: socket usage is high'])
})

test('kinesisLimits with aggregate: a batch is one aggregate, of half a second of a shard with shaping, up to 1 MiB without', () => {
  const shaped = kinesisLimits({ maxBatchRecords: 10_000, maxBatchBytes: 5 * 1024 * 1024, aggregate: true, partitionKey: 'random' }, 1024 * 1024)
  assert.equal(shaped.maxBatchRecords, 10_000)
  assert.equal(shaped.maxRecordBytes, 1024 * 1024, 'a line alone may fill a whole aggregate')
  // Room for 10000 records' framing (20 bytes each) and one aggregate's frame and key.
  assert.ok(shaped.maxBatchBytes > 300_000 && shaped.maxBatchBytes + 10_000 * 20 + 1556 <= 512 * 1024, String(shaped.maxBatchBytes))
  const free = kinesisLimits({ maxBatchRecords: 10_000, maxBatchBytes: 5 * 1024 * 1024, aggregate: true, partitionKey: 'hash', shardRate: null }, 10 * 1024 * 1024)
  assert.equal(free.maxRecordBytes, 1024 * 1024, 'an aggregate stays within 1 MiB even where the stream takes larger records')
  assert.ok(free.maxBatchBytes > 400_000 && free.maxBatchBytes + 10_000 * 52 + 1556 <= 1024 * 1024, String(free.maxBatchBytes))
})

test('kinesisLimits with --shard-ordering and shaping: a call is at most half a second of its shard', () => {
  assert.deepEqual(kinesisLimits({ maxBatchRecords: 500, maxBatchBytes: 5 * 1024 * 1024, shardOrdering: true }, 1024 * 1024),
    { maxRecordBytes: 1024 * 1024, maxBatchRecords: 500, maxBatchBytes: 512 * 1024 - 500 * 32 })
  assert.deepEqual(kinesisLimits({ maxBatchRecords: 500, maxBatchBytes: 5 * 1024 * 1024, shardOrdering: true, shardRate: { recordsPerSecond: 100, bytesPerSecond: 1_000_000 } }, 1024 * 1024),
    { maxRecordBytes: 1024 * 1024, maxBatchRecords: 50, maxBatchBytes: 500_000 - 50 * 32 })
  assert.equal(kinesisLimits({ maxBatchRecords: 500, maxBatchBytes: 5 * 1024 * 1024, shardOrdering: true, shardRate: null }, 1024 * 1024).maxBatchBytes, 5 * 1024 * 1024 - 500 * 32)
})
