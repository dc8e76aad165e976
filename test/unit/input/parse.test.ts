import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigError } from '../../../src/errors.ts'
import { LineParser, parseKeySeparator, showSeparator, type ParseOptions } from '../../../src/input/parse.ts'
import { LineRecord, recordHasKey, recordKeyBytes, recordValueBytes, type InputRecord } from '../../../src/record.ts'

const RAW: ParseOptions = { keySeparator: null, missingKey: 'skip', emptyLines: 'send' }

function record (parsed: InputRecord | string): InputRecord {
  assert.notEqual(typeof parsed, 'string', `expected a record, got ${String(parsed)}`)
  return parsed as InputRecord
}

/** A whole Buffer parsed as one line. */
function parseLine (parser: LineParser, line: Buffer, lineNo: number, readAt: number): InputRecord | string {
  return parser.parse(line, 0, line.length, lineNo, readAt)
}

/** The record's InputRecord fields as a plain object. */
function plain (r: InputRecord): InputRecord {
  return { line: r.line, key: r.key, value: r.value, lineNo: r.lineNo, readAt: r.readAt }
}

test('parseKeySeparator turns valid specs into bytes', () => {
  const cases: Array<[string, number[]]> = [
    [':', [0x3a]],
    ['::', [0x3a, 0x3a]],
    ['\\t', [9]],
    ['\\\\', [0x5c]],
    ['\\0', [0]],
    ['\\x1f', [0x1f]],
    ['\\xFF', [0xff]],
    ['a\\tb', [0x61, 9, 0x62]],
    ['é', [0xc3, 0xa9]],
    ['\t', [9]],
    ['\\x0d', [13]]
  ]
  for (const [spec, bytes] of cases) assert.deepEqual(parseKeySeparator(spec), Buffer.from(bytes), spec)
})

test('parseKeySeparator rejects invalid specs with a ConfigError naming the flag, value and rule', () => {
  const cases: Array<[string, string]> = [
    ['', "--key-separator '' is not valid: it is empty"],
    ['\\n', "--key-separator '\\n' is not valid: a newline can never occur inside a line"],
    ['a\nb', "--key-separator 'a\\x0ab' is not valid: a newline can never occur inside a line"],
    ['\\x0a', "--key-separator '\\x0a' is not valid: a newline can never occur inside a line"],
    ['\\x4', "--key-separator '\\x4' is not valid: \\x needs two hex digits, got '\\x4'"],
    ['\\xzz', "--key-separator '\\xzz' is not valid: \\x needs two hex digits, got '\\xzz'"],
    ['\\q', "--key-separator '\\q' is not valid: unknown escape \\q"],
    ['a\\', "--key-separator 'a\\' is not valid: it ends with a lone \\ (write \\\\ for a backslash)"]
  ]
  for (const [spec, message] of cases) {
    assert.throws(() => parseKeySeparator(spec), (err: unknown) => {
      assert.ok(err instanceof ConfigError, spec)
      assert.equal(err.problems.length, 1)
      assert.ok(err.message.startsWith(message + '; allowed are'), `${spec}: ${err.message}`)
      assert.match(err.message, /\\t \(tab\), \\\\ \(backslash\), \\0 \(NUL\) and \\xHH/)
      return true
    })
  }
})

test('showSeparator spells a separator the way the flag accepts it', () => {
  const cases: Array<[number[], string]> = [
    [[0x3a], "':'"],
    [[9], "'\\t'"],
    [[0], "'\\0'"],
    [[0x5c], "'\\\\'"],
    [[0x20, 0x7c], "' |'"],
    [[0x1f, 0xff], "'\\x1f\\xff'"]
  ]
  for (const [bytes, shown] of cases) assert.equal(showSeparator(Buffer.from(bytes)), shown)
})

test('parser sends the whole line as the value with a null key when there is no separator', () => {
  const line = Buffer.from('a:b')
  const r = record(parseLine(new LineParser(RAW), line, 3, 1000))
  assert.deepEqual(plain(r), { line, key: null, value: line, lineNo: 3, readAt: 1000 })
  assert.equal(r.value.buffer, line.buffer)
})

test('parser makes spans of the chunk, and a line without the separator does not find the next line\'s', () => {
  const chunk = Buffer.from('k\tv\nno tab\nx\ty\n')
  const parser = new LineParser({ ...RAW, keySeparator: Buffer.from('\t'), missingKey: 'null-key' })
  const first = parser.parse(chunk, 0, 3, 1, 0)
  assert.ok(first instanceof LineRecord)
  assert.deepEqual([first.bytes, first.start, first.keyEnd, first.valueStart, first.end], [chunk, 0, 1, 2, 3])
  const second = record(parser.parse(chunk, 4, 10, 2, 0))
  assert.deepEqual([second.key, second.value.toString()], [null, 'no tab'])
  assert.deepEqual([recordHasKey(second), recordKeyBytes(second), recordValueBytes(second)], [false, 0, 6])
  const strict = new LineParser({ ...RAW, keySeparator: Buffer.from('\t') })
  assert.equal(strict.parse(chunk, 4, 10, 2, 0), "line 2 has no key separator '\\t'")
  const empty = record(parseLine(new LineParser({ ...RAW, keySeparator: Buffer.from(':') }), Buffer.from(':v'), 1, 0))
  assert.deepEqual([recordHasKey(empty), recordKeyBytes(empty), empty.key?.length], [true, 0, 0])
})

test('parser splits at the first separator into views of the line', () => {
  const line = Buffer.from('k1\tv\t2')
  const r = record(parseLine(new LineParser({ ...RAW, keySeparator: Buffer.from('\t') }), line, 1, 0))
  assert.deepEqual([r.key?.toString(), r.value.toString()], ['k1', 'v\t2'])
  assert.equal(r.key?.buffer, line.buffer)
  assert.equal(r.value.byteOffset, line.byteOffset + 3)
})

test('parser splits at a multi-byte separator and keeps empty keys and values', () => {
  const parser = new LineParser({ ...RAW, keySeparator: Buffer.from('::') })
  const cases: Array<[string, string, string]> = [
    ['a::b::c', 'a', 'b::c'],
    ['::v', '', 'v'],
    ['k::', 'k', ''],
    ['a:b::c', 'a:b', 'c']
  ]
  for (const [text, key, value] of cases) {
    const r = record(parseLine(parser, Buffer.from(text), 1, 0))
    assert.deepEqual([r.key?.toString(), r.value.toString()], [key, value], text)
  }
})

test('parser skips a line without the separator when missingKey is skip', () => {
  const parser = new LineParser({ ...RAW, keySeparator: Buffer.from('\t') })
  assert.equal(parseLine(parser, Buffer.from('no tab'), 7, 0), "line 7 has no key separator '\\t'")
})

test('parser sends a line without the separator with a null key when missingKey is null-key', () => {
  const line = Buffer.from('no tab')
  const parser = new LineParser({ ...RAW, keySeparator: Buffer.from('\t'), missingKey: 'null-key' })
  assert.deepEqual(plain(record(parseLine(parser, line, 7, 5))), { line, key: null, value: line, lineNo: 7, readAt: 5 })
})

test('parser handles empty lines by the emptyLines and missingKey settings', () => {
  const sep = Buffer.from(':')
  const cases: Array<[ParseOptions, string | null]> = [
    [RAW, null],
    [{ ...RAW, emptyLines: 'skip' }, 'line 2 is empty (--empty-lines skip)'],
    [{ ...RAW, keySeparator: sep, emptyLines: 'skip' }, 'line 2 is empty (--empty-lines skip)'],
    [{ ...RAW, keySeparator: sep }, "line 2 has no key separator ':'"],
    [{ ...RAW, keySeparator: sep, missingKey: 'null-key' }, null]
  ]
  for (const [options, reason] of cases) {
    const parsed = parseLine(new LineParser(options), Buffer.alloc(0), 2, 0)
    if (reason !== null) assert.equal(parsed, reason)
    else assert.deepEqual([record(parsed).key, record(parsed).value.length], [null, 0])
  }
})

test('a LineRecord gives back its readAt exactly: now, the epoch, far past and future, and fractions', () => {
  const line = Buffer.from('x')
  for (const readAt of [Date.now(), Date.now() + 30 * 86_400_000, 0, 1000, 253_402_300_799_999, 0.5]) {
    assert.equal(new LineRecord(line, 0, -1, 0, 1, 1, readAt).readAt, readAt)
  }
})
