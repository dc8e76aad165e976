// The PutRecords body of --kinesis-client http against what the AWS SDK would send: base64 data,
// keys JSON-escaped, ExplicitHashKey repeated.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LineRecord, type InputRecord } from '../../../src/record.ts'
import { encodePutRecords, type PutRecordsCall } from '../../../src/transports/kinesis-request.ts'

function record (line: string, lineNo: number): InputRecord {
  const bytes = Buffer.from(`xx${line}yy`, 'latin1')
  return new LineRecord(bytes, 2, -1, 2, 2 + Buffer.byteLength(line, 'latin1'), lineNo, 0)
}

interface Body { StreamName: string, Records: Array<Record<string, string>> }
const parse = (call: PutRecordsCall): Body => JSON.parse(encodePutRecords(call).toString('utf8')) as Body

test('the body is the JSON the SDK sends: base64 data from the line bytes, keys escaped', () => {
  const values = ['plain', '', 'bad \xff\xfe utf8', 'nul \x00 and "quotes" and \\']
  const keys = ['k1', 'ключ "q"', '\u0001ctl', '1234567890']
  const call: PutRecordsCall = { stream: 'my "stream"', records: values.map((v, i) => record(v, i + 1)), keys, explicitHashKeys: false }
  const parsed = parse(call)
  assert.equal(parsed.StreamName, 'my "stream"')
  assert.deepEqual(parsed.Records, values.map((v, i) => ({ Data: Buffer.from(v, 'latin1').toString('base64'), PartitionKey: keys[i] })))
  const explicit = parse({ ...call, explicitHashKeys: true })
  assert.deepEqual(explicit.Records.map((r) => r.ExplicitHashKey), keys)
})
