// --format json lines: every field, kcat's -J envelope, base64 fields, and the reasons lines are skipped.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { JsonLineParser, JsonRecord, TAKES_EVERY_FIELD } from '../../../src/input/json-records.ts'
import { KINESIS_JSON } from '../../../src/transports/kinesis/transport.ts'
import type { InputRecord } from '../../../src/record.ts'

const kafka = new JsonLineParser(TAKES_EVERY_FIELD)
const kinesis = new JsonLineParser(KINESIS_JSON)

function parse (text: string, parser = kafka): InputRecord | string {
  const bytes = Buffer.from(`xx${text}yy`)
  return parser.parse(bytes, 2, bytes.length - 2, 7, 1000)
}

function ok (text: string, parser = kafka): JsonRecord {
  const r = parse(text, parser)
  assert.ok(r instanceof JsonRecord, `expected a record, got: ${String(r)}`)
  return r
}

test('key, value, headers object, epoch timestamp and partition', () => {
  const r = ok('{"key":"k","value":"v\\u00e9","headers":{"a":"1","b":null},"timestamp":1500000000000,"partition":2}')
  assert.equal(r.key?.toString(), 'k')
  assert.equal(r.value.toString(), 'v\u00e9')
  assert.equal(r.nullValue, false)
  assert.deepEqual(r.headers, [{ name: 'a', value: Buffer.from('1') }, { name: 'b', value: null }])
  assert.equal(r.timestamp, 1500000000000)
  assert.equal(r.partition, 2)
  assert.equal(r.lineNo, 7)
  assert.equal(r.readAt, 1000)
  assert.equal(r.line.toString(), '{"key":"k","value":"v\\u00e9","headers":{"a":"1","b":null},"timestamp":1500000000000,"partition":2}')
})

test('a null value is a tombstone; no key is a null key; RFC 3339 timestamps with an offset', () => {
  const r = ok('{"value":null,"timestamp":"2020-01-02T04:04:05.678+01:00"}')
  assert.equal(r.key, null)
  assert.equal(r.nullValue, true)
  assert.equal(r.value.length, 0)
  assert.equal(r.timestamp, Date.UTC(2020, 0, 2, 3, 4, 5, 678))
  assert.equal(r.headers, undefined)
  assert.equal(r.partition, undefined)
})

test('kcat -J output is read as is: payload, ts, a header array, extra fields ignored', () => {
  const r = ok('{"topic":"t","partition":1,"offset":5,"tstype":"create","ts":1600000000000,"broker":1,"headers":["a","1","a","2"],"key":null,"payload":"p"}')
  assert.equal(r.value.toString(), 'p')
  assert.equal(r.key, null)
  assert.equal(r.timestamp, 1600000000000)
  assert.equal(r.partition, 1)
  assert.deepEqual(r.headers?.map((h) => [h.name, h.value?.toString()]), [['a', '1'], ['a', '2']])
  assert.equal(ok('{"payload":"p","ts":-1}').timestamp, undefined, 'kcat writes -1 when there is no timestamp')
})

test('key_b64 and value_b64 carry any bytes', () => {
  const bytes = Buffer.from([0, 0xff, 0x0a, 0x80])
  const r = ok(`{"key_b64":"${bytes.toString('base64')}","value_b64":"${bytes.toString('base64')}"}`)
  assert.deepEqual(r.key, bytes)
  assert.deepEqual(r.value, bytes)
})

test('bad lines give the reason: not JSON, not an object, wrong types, both forms of a field, no value', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty line/],
    ['{"value":', /not valid JSON/],
    ['"text"', /not a JSON object: the line is the string "text"/],
    ['null', /not a JSON object: the line is null/],
    ['{"key":"k"}', /no value: give "value"/],
    ['{"key":5,"value":"v"}', /"key" is the number 5: it must be a string or null/],
    ['{"value":true}', /"value" is the boolean true/],
    ['{"value":"v","payload":"p"}', /"value" and "payload" are both given/],
    ['{"value_b64":"@@@"}', /"value_b64" is not base64/],
    ['{"value":"v","headers":"h"}', /"headers" is the string "h": it must be an object/],
    ['{"value":"v","headers":["a"]}', /"headers" has 1 items/],
    ['{"value":"v","headers":{"a":1}}', /"headers"\."a" is the number 1/],
    ['{"value":"v","timestamp":1.5}', /"timestamp" is 1\.5/],
    ['{"value":"v","timestamp":"2020-01-02"}', /RFC 3339/],
    ['{"value":"v","partition":-1}', /"partition" is the number -1/],
    ['{"value":"v","partition":"0"}', /"partition" is the string "0"/]
  ]
  for (const [line, reason] of cases) {
    const r = parse(line)
    assert.equal(typeof r, 'string', line)
    assert.match(r as string, reason, line)
  }
})

test('for Kinesis, key is the partition key; headers and null values are refused; partition is not used', () => {
  const r = ok('{"key":"pk","value":"v","partition":3}', kinesis)
  assert.equal(r.key?.toString(), 'pk')
  assert.equal(r.partition, undefined)
  assert.match(parse('{"value":null}', kinesis) as string, /Kinesis has no null records/)
  assert.match(parse('{"value":"v","headers":{"a":"b"}}', kinesis) as string, /Kinesis records have no headers/)
  assert.ok(parse('{"value":"v","headers":{}}', kinesis) instanceof JsonRecord, 'no headers is fine')
})
