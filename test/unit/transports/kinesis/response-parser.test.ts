import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { PutRecordsResultEntry } from '@aws-sdk/client-kinesis'
import { parsedEntries, scanPutRecordsAnswer, type PutRecordsEntries } from '../../../../src/transports/kinesis/http/response-parser.ts'

interface Entry { SequenceNumber?: string | null, ShardId?: string | null, ErrorCode?: string | null, ErrorMessage?: string | null, [other: string]: unknown }

/** Every accessor of every entry, for comparing a scan with JSON.parse. */
function read (entries: PutRecordsEntries): unknown[] {
  return Array.from({ length: entries.length }, (_, i) => [entries.failed(i), entries.sequenceNumber(i), entries.shardId(i), entries.errorCode(i), entries.errorMessage(i)])
}

function scan (text: string): ReturnType<typeof scanPutRecordsAnswer> {
  return scanPutRecordsAnswer(Buffer.from(text, 'utf8'))
}

/** What the scan must agree with: the same text parsed, read the way the SDK's entries are (JSON nulls included). */
function expected (text: string): { failedRecordCount: unknown, encryptionType: unknown, entries: unknown[] } {
  const json = JSON.parse(text) as { FailedRecordCount?: number | null, EncryptionType?: string | null, Records?: Entry[] }
  return { failedRecordCount: json.FailedRecordCount ?? undefined, encryptionType: json.EncryptionType ?? undefined, entries: read(parsedEntries((json.Records ?? []) as unknown as PutRecordsResultEntry[])) }
}

function assertSameAsParse (text: string): void {
  const got = scan(text)
  assert.ok(got !== null, `scan refused ${text.slice(0, 120)}`)
  assert.deepEqual({ failedRecordCount: got.failedRecordCount, encryptionType: got.encryptionType, entries: read(got.entries) }, expected(text), text.slice(0, 200))
}

test('an AWS answer is scanned to the same entries as JSON.parse gives', () => {
  assertSameAsParse(JSON.stringify({
    FailedRecordCount: 1,
    Records: [
      { SequenceNumber: '49546986683135544286507457936321625675700192471156785154', ShardId: 'shardId-000000000001' },
      { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard shardId-000000000001 in stream s under account 111111111111.' }
    ],
    EncryptionType: 'KMS'
  }))
})

test('whitespace, key order, unknown keys of any kind, nulls and escapes are all read as JSON reads them', () => {
  assertSameAsParse(`
    { "Unknown" : { "a" : [ 1, -2.5e3, true, false, null, "x\\"y", { } , [ ] ] },
      "Records" : [
        { "ShardId" : "shardId-000000000000" , "Extra": [ {"k": "v"} ], "SequenceNumber" : "1" , "ErrorCode" : null },
        { "ErrorMessage" : "caf\\u00e9 \\"quoted\\" back\\\\slash \\/ tab\\t", "ErrorCode" : "InternalFailure" },
        { "ErrorMessage" : "raw UTF-8: café ✓", "ErrorCode" : "InternalFailure" },
        { }
      ],
      "FailedRecordCount" : 2 ,
      "EncryptionType" : null
    }
  `)
  assertSameAsParse('{"FailedRecordCount":0,"Records":[]}')
  assertSameAsParse('{}')
  assertSameAsParse('{"FailedRecordCount":null,"Records":[{"SequenceNumber":"","ShardId":"","ErrorCode":""}]}')
  assertSameAsParse('{"Records":[{"ShardId":"first\\u0031","ShardId":"second","ErrorCode":"A","ErrorCode":null}]}')
  assertSameAsParse('{"Records":[{"ShardId":"a"}],"Records":[{"ShardId":"x\\"y"},{}]}')
  assertSameAsParse('{"Records":[{"ShardId":"plain","ShardId":"esc\\u0061ped"}]}')
})

test('an escaped key is read as an unknown key, and an escaped value as its decoded text', () => {
  const got = scan('{"Records":[{"Shard\\u0049d":"a","ShardId":"shard\\u002d1"}]}')
  assert.equal(got?.entries.shardId(0), 'shard-1')
})

test('generated answers of every shape agree with JSON.parse (seeded)', () => {
  let seed = 20261201
  const random = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31 }
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T
  const texts = ['49546986683135544286507457936321625675700192471156785154', 'shardId-000000000007', '', 'a"b', 'back\\slash', 'é ✓ 𝄞', 'line\nbreak', '\u0001']
  for (let round = 0; round < 300; round++) {
    const records: Entry[] = []
    const n = Math.floor(random() * 6)
    for (let i = 0; i < n; i++) {
      const e: Entry = {}
      for (const key of ['SequenceNumber', 'ShardId', 'ErrorCode', 'ErrorMessage', 'Other']) {
        const r = random()
        if (r < 0.3) continue
        e[key] = r < 0.4 ? null : key === 'Other' ? pick([1, [true, { x: null }], 'o', { deep: [1, 2] }]) : pick(texts)
      }
      records.push(e)
    }
    const answer: Record<string, unknown> = { FailedRecordCount: Math.floor(random() * 3), Records: records }
    if (random() < 0.5) answer.EncryptionType = pick(['NONE', 'KMS', null])
    if (random() < 0.3) answer.Meta = { nested: [1, 'two', { three: 3 }] }
    assertSameAsParse(JSON.stringify(answer, null, pick([0, 1, 2, '\t'])))
  }
})

test('generated answers with repeated keys agree with JSON.parse, where the last one wins (seeded)', () => {
  let seed = 7
  const random = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31 }
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T
  const keys = ['SequenceNumber', 'ShardId', 'ErrorCode', 'ErrorMessage', 'Other']
  const values = ['"1"', '"shardId-000000000001"', '""', '"e\\u0073c"', 'null', '"Throttled"', '7', '[null]']
  for (let round = 0; round < 300; round++) {
    const entries = Array.from({ length: Math.floor(random() * 4) }, () => {
      const members = Array.from({ length: Math.floor(random() * 7) }, () => {
        const key = pick(keys)
        // Only unknown keys may hold non-strings: a number in a known field is not the shape.
        const value = key === 'Other' ? pick(values) : pick(values.filter((v) => v.startsWith('"') || v === 'null'))
        return `${JSON.stringify(key)}:${value}`
      })
      return `{${members.join(',')}}`
    })
    const text = `{"Records":[${entries.join(',')}]${random() < 0.3 ? ',"FailedRecordCount":1,"FailedRecordCount":0' : ''}}`
    assertSameAsParse(text)
  }
})

test('anything but the answer\'s shape is refused, for the caller to parse the ordinary way', () => {
  for (const text of ['', '<html>busy</html>', '[]', '"x"', '{"Records":5}', '{"Records":[1]}', '{"Records":[{"ShardId":3}]}',
    '{"FailedRecordCount":"0"}', '{"Records":[{"ShardId":"a"}]', '{"Records":[{"ShardId":"a}]}', '{"a":1} trailing', '{"a":tru}', '{"a" 1}', '{,}']) {
    assert.equal(scan(text), null, text)
  }
})

test('entries out of range read as absent', () => {
  const got = scan('{"Records":[{"ShardId":"s","SequenceNumber":"1"}]}')
  assert.ok(got !== null)
  assert.deepEqual([got.entries.shardId(1), got.entries.sequenceNumber(-1), got.entries.failed(1)], [undefined, undefined, false])
})
