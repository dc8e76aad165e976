// The --format json fast path: it takes only plain {"key","value"} lines, and for every line the
// record is what JSON.parse's reading gives (differential table), whichever path took it.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fastSpans, type FastSpans } from '../../../src/input/json-fast.ts'
import { JsonLineParser, TAKES_EVERY_FIELD } from '../../../src/input/json-records.ts'
import { KINESIS_JSON } from '../../../src/transports/kinesis/transport.ts'
import type { InputRecord } from '../../../src/record.ts'

const spans = (): FastSpans => ({ keyStart: -2, keyEnd: -2, valueStart: -2, valueEnd: -2 })
const fast = (line: string): boolean => fastSpans(Buffer.from(line, 'latin1'), 0, Buffer.byteLength(line, 'latin1'), spans())

const TAKEN = [
  '{"key":"k1","value":"v1"}', '{"value":"v","key":"k"}', '{"value":"only"}', '{"key":null,"value":"v"}',
  '{"key":"k","value":null}', '{"key":"","value":""}', '{"value":"a \' ~ {}[]:,"}'
]
const REFUSED = [
  '{"key": "k","value":"v"}', ' {"value":"v"}', '{"value":"v"} ', '{"value":"caf\u00e9"}', '{"value":"a\\"b"}', '{"value":"a\\nb"}',
  '{"key":"k"}', '{"key":"k","key":"j","value":"v"}', '{"value":"v","partition":1}', '{"value":"v","headers":{}}', '{"value":1}',
  '{"value":"v",}', '{"value":"v"', '{"value":"v"}}', '{"value":nul}', '{"valuex":"v"}', '{"keys":"k","value":"v"}', '{}', '{"value":"\u0001"}',
  '[{"value":"v"}]', '{"value":"v"}x'
]

test('fast path takes plain key/value lines and refuses everything else', () => {
  for (const line of TAKEN) assert.equal(fast(line), true, line)
  for (const line of REFUSED) assert.equal(fast(line), false, line)
})

/** What JSON.parse's reading of a line gives, for the fields both paths fill. */
function viaJson (line: string): { key: string | null, value: string, nullValue: boolean } | 'skip' {
  let doc: Record<string, unknown>
  try { doc = JSON.parse(line) as Record<string, unknown> } catch { return 'skip' }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || doc.value === undefined || typeof doc.value === 'number') return 'skip'
  return { key: doc.key == null ? null : String(doc.key), value: doc.value === null ? '' : String(doc.value), nullValue: doc.value === null }
}

test('every line gives the record JSON.parse reads, whichever path takes it', () => {
  const parser = new JsonLineParser(TAKES_EVERY_FIELD)
  for (const line of [...TAKEN, ...REFUSED]) {
    const bytes = Buffer.from(line, 'utf8')
    const got = parser.parse(bytes, 0, bytes.length, 1, 0)
    const want = viaJson(line)
    if (want === 'skip') {
      if (!line.includes('partition') && !line.includes('headers')) assert.equal(typeof got, 'string', line)
      continue
    }
    assert.notEqual(typeof got, 'string', `${line}: ${String(got)}`)
    const r = got as InputRecord
    assert.deepEqual({ key: r.key?.toString('utf8') ?? null, value: r.value.toString('utf8'), nullValue: r.nullValue === true }, want, line)
    assert.deepEqual(r.line, bytes, `${line}: the line is kept byte for byte`)
  }
})

test('for Kinesis a null value still gets the reason from the full parser', () => {
  const parser = new JsonLineParser(KINESIS_JSON)
  const bytes = Buffer.from('{"key":"k","value":null}')
  assert.match(String(parser.parse(bytes, 0, bytes.length, 1, 0)), /Kinesis has no null records/)
})
