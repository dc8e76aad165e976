import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LineSplitter, type LineHandler } from '../../../src/input/line-splitter.ts'

type Out = string | { overlong: number }

// Lines as latin1 strings, so every byte (invalid UTF-8, NUL, CR) stays visible one to one.
class Collect implements LineHandler {
  readonly out: Out[] = []
  readonly buffers: Buffer[] = []
  readonly chunks: Buffer[] = []
  line (bytes: Buffer, start: number, end: number): void {
    const line = bytes.subarray(start, end)
    this.chunks.push(bytes)
    this.out.push(line.toString('latin1'))
    this.buffers.push(line)
  }

  overlong (bytes: number): void { this.out.push({ overlong: bytes }) }
}

function split (chunks: readonly Buffer[], max = 1000): Out[] {
  const sink = new Collect()
  const splitter = new LineSplitter(max, sink)
  for (const chunk of chunks) splitter.push(chunk)
  splitter.end()
  return sink.out
}

// The obvious byte-by-byte definition, to compare the fast splitter with.
function reference (input: Buffer, max: number): Out[] {
  const out: Out[] = []
  let start = 0
  for (let i = 0; i <= input.length; i++) {
    if (i < input.length && input[i] !== 10) continue
    if (i === input.length && start === input.length) break
    const raw = input.subarray(start, i)
    if (raw.length > max) out.push({ overlong: raw.length })
    else out.push((raw.at(-1) === 13 ? raw.subarray(0, -1) : raw).toString('latin1'))
    start = i + 1
  }
  return out
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1')

test('splitter gives the expected lines for each edge case', () => {
  const cases: Array<{ name: string, input: string, want: Out[] }> = [
    { name: 'LF lines', input: 'a\nbb\n', want: ['a', 'bb'] },
    { name: 'CRLF', input: 'a\r\nbb\r\n', want: ['a', 'bb'] },
    { name: 'only one trailing CR removed', input: 'a\r\r\n', want: ['a\r'] },
    { name: 'lone CR mid-line kept', input: 'a\rb\n', want: ['a\rb'] },
    { name: 'CR-only line is an empty line', input: '\r\n', want: [''] },
    { name: 'empty lines', input: '\n\n', want: ['', ''] },
    { name: 'no final LF', input: 'a\nlast', want: ['a', 'last'] },
    { name: 'no final LF, CR removed', input: 'a\nlast\r', want: ['a', 'last'] },
    { name: 'empty tail is not a line', input: 'a\n', want: ['a'] },
    { name: 'empty input', input: '', want: [] },
    { name: 'invalid UTF-8 and NUL kept', input: '\xff\xfe\x00\xc3(\n', want: ['\xff\xfe\x00\xc3('] }
  ]
  for (const c of cases) assert.deepEqual(split([b(c.input)]), c.want, c.name)
})

test('splitter keeps a line exactly at the max and skips one byte over it', () => {
  const cases: Array<{ input: string, want: Out[] }> = [
    { input: 'abcd\n', want: ['abcd'] },
    { input: 'abcde\n', want: [{ overlong: 5 }] },
    { input: 'abc\r\n', want: ['abc'] },
    { input: 'abcd\r\n', want: [{ overlong: 5 }] },
    { input: 'abcde', want: [{ overlong: 5 }] }
  ]
  for (const c of cases) assert.deepEqual(split([b(c.input)], 4), c.want, JSON.stringify(c.input))
})

const SAMPLE = b('a\r\nbb\n\r\n\nccc\rd\n\xff\x00\xfe\ntoolongline\nx\r\n12345\r\ny\r')

test('splitter matches the reference split at every chunk boundary', () => {
  const want = reference(SAMPLE, 5)
  for (let i = 0; i <= SAMPLE.length; i++) {
    assert.deepEqual(split([SAMPLE.subarray(0, i), SAMPLE.subarray(i)], 5), want, `split at ${i}`)
  }
})

test('splitter matches the reference split at every pair of chunk boundaries', () => {
  const want = reference(SAMPLE, 5)
  for (let i = 0; i <= SAMPLE.length; i++) {
    for (let j = i; j <= SAMPLE.length; j++) {
      const chunks = [SAMPLE.subarray(0, i), SAMPLE.subarray(i, j), SAMPLE.subarray(j)]
      assert.deepEqual(split(chunks, 5), want, `split at ${i} and ${j}`)
    }
  }
})

test('splitter matches the reference split when fed one byte at a time', () => {
  const chunks = [...SAMPLE].map((byte) => Buffer.of(byte))
  assert.deepEqual(split(chunks, 5), reference(SAMPLE, 5))
})

test('splitter removes a CR at a chunk end when the LF starts the next chunk', () => {
  assert.deepEqual(split([b('ab\r'), b('\ncd\n')]), ['ab', 'cd'])
})

test('splitter hands on a span of the chunk when a line lies inside it', () => {
  const chunk = b('one\ntwo\r\n')
  const sink = new Collect()
  new LineSplitter(100, sink).push(chunk)
  assert.equal(sink.chunks[1], chunk)
  assert.equal(sink.buffers[1]?.buffer, chunk.buffer)
  assert.equal(sink.buffers[1]?.byteOffset, chunk.byteOffset + 4)
  assert.equal(sink.buffers[1]?.length, 3)
})

test('splitter keeps no reference to a chunk once push() returns: the caller may reuse it', () => {
  const sink = new Collect()
  const splitter = new LineSplitter(100, sink)
  const chunk = b('first\nsec')
  splitter.push(chunk)
  chunk.fill(0xee)
  const next = b('ond\nthi')
  splitter.push(next)
  next.fill(0xee)
  splitter.push(b('rd'))
  splitter.end()
  assert.deepEqual(sink.out.slice(1), ['second', 'third'])
})

test('splitter skips an over-long line spanning many chunks without buffering it', () => {
  const sink = new Collect()
  const splitter = new LineSplitter(10, sink)
  splitter.push(b('ok\nabc'))
  for (let i = 0; i < 100; i++) {
    splitter.push(b('x'.repeat(10)))
    assert.ok(splitter.pendingBytes <= 10, `pending ${splitter.pendingBytes} after chunk ${i}`)
  }
  splitter.push(b('yy\nnext\n'))
  assert.deepEqual(sink.out, ['ok', { overlong: 1005 }, 'next'])
  assert.equal(splitter.pendingBytes, 0)
})

test('splitter reports an over-long unterminated last line at end', () => {
  assert.deepEqual(split([b('a\n'), b('x'.repeat(8)), b('x'.repeat(8))], 10), ['a', { overlong: 16 }])
})

test('splitter treats each source end as a line end', () => {
  const sink = new Collect()
  const splitter = new LineSplitter(100, sink)
  splitter.push(b('a\nfirst-tail'))
  splitter.end()
  splitter.push(b('second\n'))
  splitter.end()
  assert.deepEqual(sink.out, ['a', 'first-tail', 'second'])
})

test('splitter cut returns the pending raw bytes and forgets them', () => {
  const sink = new Collect()
  const splitter = new LineSplitter(100, sink)
  splitter.push(b('a\npar'))
  splitter.push(b('tial\r'))
  assert.deepEqual(splitter.cut(), { line: b('partial\r'), bytes: 8 })
  assert.equal(splitter.cut(), null)
  splitter.end()
  assert.deepEqual(sink.out, ['a'])
})

test('splitter cut returns null bytes when the pending line is already over the max', () => {
  const splitter = new LineSplitter(3, new Collect())
  splitter.push(b('abcdef'))
  assert.deepEqual(splitter.cut(), { line: null, bytes: 6 })
})

test('splitter cut returns null when no line is pending', () => {
  const splitter = new LineSplitter(3, new Collect())
  splitter.push(b('ab\n'))
  assert.equal(splitter.cut(), null)
})
