// kprod's own Kafka client, the pure parts: CRC-32C, varints, the v2 record batch inside a
// Produce request (decoded here by an independent reader written from the protocol guide), and
// the response decoders on hand-built answers. The client against a real broker is proven by the
// whole Kafka integration suite run with --kafka-client wire (test/integration/kafka-wire-client.test.ts).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { gunzipSync, gzipSync } from 'node:zlib'
import type { InputRecord } from '../../../../src/record.ts'
import { crc32c, crc32cJs, crc32cImplementation } from '../../../../src/transports/kafka/wire/crc32c.ts'
import { decodeMetadata, decodeProduce, metadataRequest, pickVersion } from '../../../../src/transports/kafka/wire/messages.ts'
import { API, Reader, Writer, varintSize, writeVarint } from '../../../../src/transports/kafka/wire/protocol.ts'
import { BufferPool } from '../../../../src/transports/kafka/wire/buffer-pool.ts'
import { encodeHeaders, encodeProduce, encodeRecords, type ProduceHeader } from '../../../../src/transports/kafka/wire/record-batch.ts'

test('CRC-32C of "123456789" is the check value 0xE3069283, in both implementations', () => {
  assert.equal(crc32cJs(Buffer.from('123456789')), 0xe3069283)
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283)
  assert.equal(crc32cJs(Buffer.alloc(0)), 0)
})

test('the native and JavaScript CRC-32C agree on random data and sub-ranges', () => {
  assert.ok(['native', 'js'].includes(crc32cImplementation()))
  for (const size of [1, 7, 8, 9, 63, 1000, 65_536, 100_003, 300_001]) {
    const b = randomBytes(size)
    assert.equal(crc32c(b), crc32cJs(b), `size ${size}`)
    const start = Math.floor(size / 3)
    assert.equal(crc32c(b, start, size - 1 > start ? size - 1 : size), crc32cJs(b.subarray(start, size - 1 > start ? size - 1 : size)))
  }
})

/** Zig-zag varint reader written from the protocol guide, independent of the encoder. */
function readVarint (buf: Buffer, at: number): [number, number] {
  let z = 0
  let mul = 1
  for (;;) {
    const b = buf[at++] as number
    z += (b & 0x7f) * mul
    mul *= 128
    if ((b & 0x80) === 0) break
  }
  return [z % 2 === 0 ? z / 2 : -(z + 1) / 2, at]
}

test('varints round-trip with the zig-zag mapping and the sizes the guide gives', () => {
  const cases: ReadonlyArray<readonly [number, number]> = [
    [0, 1], [-1, 1], [1, 1], [63, 1], [-64, 1], [64, 2], [-65, 2], [8191, 2], [8192, 3],
    [2 ** 20, 4], [2 ** 27, 5], [2 ** 31, 5], [-(2 ** 31), 5], [1_764_000_000_000, 6], [Number.MAX_SAFE_INTEGER, 8]
  ]
  for (const [v, size] of cases) {
    assert.equal(varintSize(v), size, `size of ${v}`)
    const buf = Buffer.alloc(10)
    const end = writeVarint(buf, 0, v)
    assert.equal(end, size, `bytes written for ${v}`)
    assert.deepEqual(readVarint(buf, 0), [v, size], `round trip of ${v}`)
  }
  const one = Buffer.alloc(1)
  writeVarint(one, 0, -1)
  assert.equal(one[0], 1, '-1 is the single byte 0x01 (the null key length)')
})

function rec (lineNo: number, value: string | Buffer, key: string | null, readAt: number): InputRecord {
  const v = Buffer.isBuffer(value) ? value : Buffer.from(value)
  const k = key === null ? null : Buffer.from(key)
  return { line: v, key: k, value: v, lineNo, readAt }
}

interface DecodedRecord { key: Buffer | null, value: Buffer | null, timestamp: number, offsetDelta: number, headers: Array<[string, string | null]> }

/** Decodes a records section (count records) with the guide's layout. */
function decodeRecords (buf: Buffer, count: number, baseTimestamp: number): DecodedRecord[] {
  const out: DecodedRecord[] = []
  let at = 0
  for (let i = 0; i < count; i++) {
    let length: number
    ;[length, at] = readVarint(buf, at)
    const end = at + length
    assert.equal(buf[at++], 0, 'record attributes')
    let tsDelta: number, offsetDelta: number, keyLength: number, valueLength: number, headers: number
    ;[tsDelta, at] = readVarint(buf, at)
    ;[offsetDelta, at] = readVarint(buf, at)
    ;[keyLength, at] = readVarint(buf, at)
    const key = keyLength < 0 ? null : buf.subarray(at, at += keyLength)
    ;[valueLength, at] = readVarint(buf, at)
    const value = valueLength < 0 ? null : buf.subarray(at, at += valueLength)
    ;[headers, at] = readVarint(buf, at)
    const list: Array<[string, string | null]> = []
    for (let h = 0; h < headers; h++) {
      let nameLength: number, hvLength: number
      ;[nameLength, at] = readVarint(buf, at)
      const name = buf.toString('utf8', at, at += nameLength)
      ;[hvLength, at] = readVarint(buf, at)
      list.push([name, hvLength < 0 ? null : buf.toString('utf8', at, at += hvLength)])
    }
    assert.equal(at, end, `record ${i} length field matches its bytes`)
    out.push({ key, value, timestamp: baseTimestamp + tsDelta, offsetDelta, headers: list })
  }
  assert.equal(at, buf.length, 'no bytes after the last record')
  return out
}

interface DecodedProduce {
  header: { apiKey: number, version: number, correlationId: number, clientId: string | null, acks: number, timeoutMs: number, topic: string, partition: number }
  batch: { baseOffset: bigint, batchLength: number, leaderEpoch: number, magic: number, crcOk: boolean, attributes: number, lastOffsetDelta: number, baseTimestamp: number, maxTimestamp: number, producerId: bigint, producerEpoch: number, baseSequence: number, count: number }
  records: Buffer
}

function decodeProduceRequest (frame: Buffer): DecodedProduce {
  assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix')
  const r = new Reader(frame, 4)
  const apiKey = r.int16()
  const version = r.int16()
  const correlationId = r.int32()
  const clientId = r.nullableString()
  assert.equal(r.nullableString(), null, 'transactional id')
  const acks = r.int16()
  const timeoutMs = r.int32()
  assert.equal(r.int32(), 1, 'one topic')
  const topic = r.string()
  assert.equal(r.int32(), 1, 'one partition')
  const partition = r.int32()
  const size = r.int32()
  const start = frame.length - size
  const b = frame.subarray(start)
  const batch = {
    baseOffset: b.readBigInt64BE(0),
    batchLength: b.readInt32BE(8),
    leaderEpoch: b.readInt32BE(12),
    magic: b.readInt8(16),
    crcOk: b.readUInt32BE(17) === crc32cJs(b, 21, b.length),
    attributes: b.readInt16BE(21),
    lastOffsetDelta: b.readInt32BE(23),
    baseTimestamp: Number(b.readBigInt64BE(27)),
    maxTimestamp: Number(b.readBigInt64BE(35)),
    producerId: b.readBigInt64BE(43),
    producerEpoch: b.readInt16BE(51),
    baseSequence: b.readInt32BE(53),
    count: b.readInt32BE(57)
  }
  return { header: { apiKey, version, correlationId, clientId, acks, timeoutMs, topic, partition }, batch, records: b.subarray(61) }
}

const HEADER: ProduceHeader = { version: 8, clientId: 'kprod-test', acks: -1, timeoutMs: 30_000, topic: 'tópic', partition: 4 }

test('a Produce request carries one valid v2 batch whose records decode back byte for byte', () => {
  const t0 = 1_764_000_000_000
  const records = [
    rec(1, 'plain', null, t0),
    rec(2, Buffer.from([0xff, 0x00, 0xfe, 0x0d]), 'k\u00e9y', t0 + 5),
    rec(3, '', null, t0 + 3),
    rec(4, 'x'.repeat(300), '', t0 + 70_000)
  ]
  const frame = encodeProduce(HEADER, 77, records)
  const d = decodeProduceRequest(frame)
  assert.deepEqual(d.header, { apiKey: API.PRODUCE, version: 8, correlationId: 77, clientId: 'kprod-test', acks: -1, timeoutMs: 30_000, topic: 'tópic', partition: 4 })
  assert.equal(d.batch.baseOffset, 0n)
  assert.equal(d.batch.batchLength, 61 + d.records.length - 12)
  assert.equal(d.batch.leaderEpoch, -1)
  assert.equal(d.batch.magic, 2)
  assert.ok(d.batch.crcOk, 'CRC-32C over attributes..end')
  assert.equal(d.batch.attributes, 0, 'no compression, CreateTime')
  assert.equal(d.batch.lastOffsetDelta, 3)
  assert.equal(d.batch.baseTimestamp, t0)
  assert.equal(d.batch.maxTimestamp, t0 + 70_000)
  assert.equal(d.batch.producerId, -1n)
  assert.equal(d.batch.producerEpoch, -1)
  assert.equal(d.batch.baseSequence, -1)
  assert.equal(d.batch.count, 4)
  const decoded = decodeRecords(d.records, 4, t0)
  assert.deepEqual(decoded.map((r) => r.offsetDelta), [0, 1, 2, 3])
  assert.deepEqual(decoded.map((r) => r.timestamp), records.map((r) => r.readAt))
  assert.deepEqual(decoded.map((r) => r.key), records.map((r) => r.key))
  assert.deepEqual(decoded.map((r) => r.value), records.map((r) => r.value))
})

test('records carry their own headers then the --header ones, null values and their own timestamps (deltas may be negative)', () => {
  const t0 = 1_764_000_000_000
  const own = [{ name: 'h\u00e9', value: Buffer.from('v1') }, { name: 'n', value: null }]
  const records: InputRecord[] = [
    { ...rec(1, 'a', 'k1', t0), headers: own, timestamp: 1_500_000_000_000 },
    { ...rec(2, '', 'k2', t0 + 1), nullValue: true },
    { ...rec(3, 'c', null, t0 + 2), timestamp: 1_400_000_000_000 }
  ]
  const fixed = encodeHeaders([{ name: 'src', value: Buffer.from('app') }, { name: 'e', value: Buffer.alloc(0) }])
  const d = decodeProduceRequest(encodeProduce({ ...HEADER, headers: fixed }, 1, records))
  assert.ok(d.batch.crcOk)
  assert.equal(d.batch.baseTimestamp, 1_500_000_000_000)
  assert.equal(d.batch.maxTimestamp, t0 + 1)
  const decoded = decodeRecords(d.records, 3, d.batch.baseTimestamp)
  assert.deepEqual(decoded.map((r) => r.timestamp), [1_500_000_000_000, t0 + 1, 1_400_000_000_000])
  assert.deepEqual(decoded.map((r) => r.value?.toString() ?? null), ['a', null, 'c'])
  assert.deepEqual(decoded.map((r) => r.headers), [
    [['h\u00e9', 'v1'], ['n', null], ['src', 'app'], ['e', '']],
    [['src', 'app'], ['e', '']],
    [['src', 'app'], ['e', '']]
  ])
  assert.deepEqual(encodeRecords(records, fixed), d.records, 'the section compressed is the one sent plain')
})

test('a gzip batch sets codec 1 in the attributes and its records section gunzips to the plain one', () => {
  const records = Array.from({ length: 50 }, (_, i) => rec(i + 1, `value ${i}`, i % 2 === 0 ? `k${i}` : null, 1000 + i))
  const plain = encodeRecords(records)
  const frame = encodeProduce(HEADER, 1, records, 'gzip', [gzipSync(plain)])
  const d = decodeProduceRequest(frame)
  assert.equal(d.batch.attributes & 7, 1)
  assert.ok(d.batch.crcOk)
  assert.equal(d.batch.count, 50)
  assert.deepEqual(gunzipSync(d.records), plain)
  assert.deepEqual(decodeRecords(plain, 50, 1000).map((r) => String(r.value)), records.map((r) => r.value.toString()))
})

test('pickVersion takes the highest version both sides speak, or null when the ranges do not meet', () => {
  assert.equal(pickVersion(API.PRODUCE, new Map([[API.PRODUCE, [3, 12]]])), 8)
  assert.equal(pickVersion(API.PRODUCE, new Map([[API.PRODUCE, [0, 5]]])), 5)
  assert.equal(pickVersion(API.PRODUCE, new Map([[API.PRODUCE, [9, 13]]])), null)
  assert.equal(pickVersion(API.METADATA, new Map()), null)
})

test('a Metadata v8 request asks for one topic without auto-creation', () => {
  const frame = metadataRequest(8, 5, 'c', ['orders'])
  const r = new Reader(frame, 4)
  assert.deepEqual([r.int16(), r.int16(), r.int32(), r.string()], [API.METADATA, 8, 5, 'c'])
  assert.deepEqual(r.array((t) => t.string()), ['orders'])
  assert.deepEqual([r.bool(), r.bool(), r.bool()], [false, false, false])
})

test('decodeMetadata reads brokers, the topic error and each partition leader (v8 layout)', () => {
  const w = new Writer().int32(0).int32(0) // size placeholder, throttle time
  w.array([[1, 'h1', 9092], [2, 'h2', 9093]] as const, (w, [id, host, port]) => { w.int32(id).string(host).int32(port).string(null) })
  w.string('cluster').int32(1)
  w.array([0], (w) => {
    w.int16(0).string('orders').bool(false)
    w.array([[0, 0, 2], [5, 1, -1]] as const, (w, [err, p, leader]) => {
      w.int16(err).int32(p).int32(leader).int32(7)
      w.array([1, 2], (w, n) => { w.int32(n) }).array([1], (w, n) => { w.int32(n) }).array([], () => {})
    })
    w.int32(0)
  })
  w.int32(0)
  const body = w.framed()
  const info = decodeMetadata(new Reader(body, 4), 8)
  assert.deepEqual(info.brokers, [{ nodeId: 1, host: 'h1', port: 9092 }, { nodeId: 2, host: 'h2', port: 9093 }])
  assert.deepEqual(info.topics, [{ errorCode: 0, name: 'orders', partitions: [{ errorCode: 0, partition: 0, leader: 2 }, { errorCode: 5, partition: 1, leader: -1 }], authorizedOperations: 0 }])
})

test('decodeProduce reads the partition result, record errors and throttle time (v8 layout)', () => {
  const w = new Writer().int32(0) // size placeholder
  w.array(['orders'], (w, name) => {
    w.string(name).array([0], (w) => {
      w.int32(3).int16(10).int32(-1).int32(-1).int32(-1).int32(-1).int32(0).int32(0)
      w.array([[2, 'too big']] as const, (w, [i, m]) => { w.int32(i).string(m) })
      w.string('MESSAGE_TOO_LARGE detail')
    })
  })
  w.int32(25)
  const r = decodeProduce(new Reader(w.framed(), 4), 8)
  assert.equal(r.topic, 'orders')
  assert.equal(r.partition, 3)
  assert.equal(r.errorCode, 10)
  assert.equal(r.baseOffset, '-1')
  assert.equal(r.logStartOffset, '0')
  assert.equal(r.throttleTimeMs, 25)
  assert.equal(r.errorMessage, 'MESSAGE_TOO_LARGE detail; record 2: too big')
})

test('a truncated response is a clear protocol error, not a crash on undefined', () => {
  assert.throws(() => decodeProduce(new Reader(Buffer.from([0, 0, 0, 1, 0, 1]), 0), 8), /response too short/)
})

test('BufferPool hands out exact sizes, reuses a given-back block of enough capacity, and keeps at most maxFree', () => {
  const pool = new BufferPool(2)
  const a = pool.take(100_000)
  assert.equal(a.length, 100_000)
  pool.give(a)
  pool.give(a)
  assert.equal(pool.free, 1, 'a block given twice is kept once')
  const b = pool.take(90_000)
  assert.equal(b.length, 90_000)
  assert.equal(b.buffer, a.buffer, 'the block is reused')
  assert.equal(pool.free, 0)
  const c = pool.take(50_000)
  assert.notEqual(c.buffer, a.buffer, 'a block in use is not handed out again')
  pool.give(Buffer.alloc(10))
  assert.equal(pool.free, 0, 'foreign buffers are not kept')
  const big = pool.take(1_000_000)
  pool.give(b)
  pool.give(c)
  pool.give(big)
  assert.equal(pool.free, 2)
  assert.equal(pool.take(900_000).buffer, big.buffer, 'with maxFree reached the larger blocks stay')
  const none = new BufferPool(0)
  none.give(none.take(10))
  assert.equal(none.free, 0, 'maxFree 0 keeps nothing')
})
