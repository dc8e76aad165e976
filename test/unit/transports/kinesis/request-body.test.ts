// The PutRecords body of --kinesis-client http against what the AWS SDK would send: base64 of
// every value length around both encoders' edges (3-byte groups, the native cut-over), keys
// JSON-escaped, generated keys hex, ExplicitHashKey repeated.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LineRecord, type InputRecord } from '../../../../src/record.ts'
import { encodePutRecords, writeBase64, writeHex, type PutRecordsCall } from '../../../../src/transports/kinesis/http/request-body.ts'

function record (line: string, lineNo: number): InputRecord {
  const bytes = Buffer.from(`xx${line}yy`, 'latin1')
  return new LineRecord(bytes, 2, -1, 2, 2 + Buffer.byteLength(line, 'latin1'), lineNo, 0)
}

interface Body { StreamName: string, Records: Array<Record<string, string>> }
const parse = (call: PutRecordsCall): Body => JSON.parse(encodePutRecords(call).toString('utf8')) as Body

test('the body is the JSON the SDK sends: base64 data from the line bytes, keys escaped', () => {
  const values = ['plain', '', 'bad \xff\xfe utf8', 'nul \x00 and "quotes" and \\']
  const keys = ['k1', 'ключ "q"', '\u0001ctl', '1234567890']
  const call: PutRecordsCall = { stream: 'my "stream"', records: values.map((v, i) => record(v, i + 1)), keys: { text: keys, random: null }, explicitHashKeys: false }
  const parsed = parse(call)
  assert.equal(parsed.StreamName, 'my "stream"')
  assert.deepEqual(parsed.Records, values.map((v, i) => ({ Data: Buffer.from(v, 'latin1').toString('base64'), PartitionKey: keys[i] })))
  const explicit = parse({ ...call, explicitHashKeys: true })
  assert.deepEqual(explicit.Records.map((r) => r.ExplicitHashKey), keys)
})

test('generated keys are the hex of their 16 random bytes, beside text keys', () => {
  const random = Buffer.from(Array.from({ length: 48 }, (_, i) => (i * 37 + 11) & 255))
  const records = ['a', 'b', 'c'].map((v, i) => record(v, i + 1))
  const mixed = parse({ stream: 's', records, keys: { text: [undefined, 'own key', undefined], random }, explicitHashKeys: false })
  assert.deepEqual(mixed.Records.map((r) => r.PartitionKey), [random.toString('hex', 0, 16), 'own key', random.toString('hex', 32, 48)])
  const all = parse({ stream: 's', records, keys: { text: null, random }, explicitHashKeys: false })
  assert.deepEqual(all.Records.map((r) => r.PartitionKey), [0, 1, 2].map((i) => random.toString('hex', 16 * i, 16 * i + 16)))
  assert.deepEqual(all.Records.map((r) => r.Data), ['YQ==', 'Yg==', 'Yw=='])
})

test('writeBase64 is node\'s base64 for every length up to past the native cut-over, for line records and plain ones', () => {
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) & 255))
  const out = Buffer.alloc(4200)
  for (let len = 0; len <= 1100; len++) {
    const start = 1 + (len % 5)
    const line = new LineRecord(bytes, start, -1, start, start + len, 1, 0)
    const plain: InputRecord = { line: bytes.subarray(start, start + len), key: null, value: bytes.subarray(start, start + len), lineNo: 1, readAt: 0 }
    const expected = bytes.toString('base64', start, start + len)
    for (const r of [line, plain]) {
      const end = writeBase64(r, out, 7)
      assert.equal(out.toString('latin1', 7, end), expected, `length ${len}`)
    }
  }
  for (const len of [2047, 2048, 2049]) {
    const r = new LineRecord(bytes, 0, -1, 0, len, 1, 0)
    assert.equal(out.toString('latin1', 0, writeBase64(r, out, 0)), bytes.toString('base64', 0, len))
  }
})

test('writeHex is lower-case hex of the bytes it is given', () => {
  const src = Buffer.from([0x00, 0x0f, 0xa5, 0xff, 0x10])
  const out = Buffer.alloc(12, 0x2e)
  assert.equal(writeHex(src, 1, 3, out, 2), 8)
  assert.equal(out.toString('latin1'), '..0fa5ff....')
})
