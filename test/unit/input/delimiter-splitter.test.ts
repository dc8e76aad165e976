// -D: records split at any delimiter, whatever the chunk boundaries, checked against a plain
// reference split of the whole input; over-long records counted, not kept.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DelimiterSplitter } from '../../../src/input/delimiter-splitter.ts'

type Out = Array<string | number>

function reference (input: Buffer, delim: Buffer, max: number): Out {
  const out: Out = []
  let start = 0
  let at = input.indexOf(delim)
  while (at !== -1) {
    out.push(at - start > max ? at - start : input.subarray(start, at).toString('latin1'))
    start = at + delim.length
    at = input.indexOf(delim, start)
  }
  if (start < input.length) out.push(input.length - start > max ? input.length - start : input.subarray(start).toString('latin1'))
  return out
}

function split (input: Buffer, delim: Buffer, max: number, cuts: number[]): Out {
  const out: Out = []
  const s = new DelimiterSplitter(delim, max, {
    line: (bytes, start, end) => { out.push(bytes.subarray(start, end).toString('latin1')) },
    overlong: (bytes) => { out.push(bytes) }
  })
  let prev = 0
  for (const c of [...cuts, input.length]) {
    const chunk = Buffer.from(input.subarray(prev, c))
    s.push(chunk)
    chunk.fill(0xee) // the splitter must not keep references to a pushed chunk, except spans handed on
    prev = c
  }
  s.end()
  return out
}

test('records split at NUL, multi-byte and self-overlapping delimiters, across every chunk boundary', () => {
  let seed = 7
  const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
  for (const delim of [Buffer.from([0]), Buffer.from('||'), Buffer.from('abc'), Buffer.from('aa'), Buffer.from('\r\n')]) {
    for (let round = 0; round < 300; round++) {
      const alphabet = [...delim, 0x61, 0x62, 0x0a, 0x0d, 0x7c, 0x00]
      const input = Buffer.from(Array.from({ length: rand(60) }, () => alphabet[rand(alphabet.length)] as number))
      const max = 1 + rand(12)
      const cuts = Array.from({ length: rand(6) }, () => rand(input.length + 1)).sort((a, b) => a - b)
      assert.deepEqual(split(input, delim, max, cuts), reference(input, delim, max), `delim ${delim.toString('hex')} input ${input.toString('hex')} max ${max} cuts ${cuts.join(',')}`)
    }
  }
})

test('nothing is stripped: a CR before the delimiter stays, a final record without a delimiter counts', () => {
  assert.deepEqual(split(Buffer.from('a\r\0b\n\0c'), Buffer.from([0]), 100, [2]), ['a\r', 'b\n', 'c'])
})

test('cut() hands back the pending record, or its size when over the limit', () => {
  const s = new DelimiterSplitter(Buffer.from('||'), 4, { line: () => {}, overlong: () => {} })
  s.push(Buffer.from('ab|'))
  assert.deepEqual(s.cut(), { line: Buffer.from('ab|'), bytes: 3 })
  s.push(Buffer.from('abcdef'))
  assert.deepEqual(s.cut(), { line: null, bytes: 6 })
})
