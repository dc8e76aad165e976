// StreamChunks: a stream's pieces copied into pooled chunks, each handed on at once and whole; a
// trickle of pieces shares a chunk, a piece bigger than the room left spans two, the stream's own
// Buffers are not kept, and the lines that come out of readInput are right however the input was
// cut, with every chunk poisoned the moment it goes back to the pool.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough, Readable } from 'node:stream'
import { ChunkPool, releaseDelivered } from '../../../src/input/chunk-pool.ts'
import type { PooledBytes } from '../../../src/input/file-chunks.ts'
import { readInput, type InputSink } from '../../../src/input/read-input.ts'
import { StreamChunks } from '../../../src/input/stream-chunks.ts'
import type { InputRecord } from '../../../src/record.ts'
import { readInputOptions } from '../../helpers/read-input.ts'

async function pieces (source: StreamChunks): Promise<Array<{ text: string, bytes: Buffer, chunk: PooledBytes['chunk'] }>> {
  const out = []
  for await (const p of source) out.push({ text: p.bytes.toString('latin1'), bytes: p.bytes, chunk: p.chunk })
  return out
}

test('pieces are copied into one chunk while it has room, then into the next; the stream\'s Buffers are not kept', async () => {
  const pool = new ChunkPool({ chunkBytes: 8, maxFreeBytes: 1024 })
  const first = Buffer.from('ab\n')
  const got = await pieces(new StreamChunks(Readable.from([first, Buffer.from('cd'), Buffer.from('e\nfghij\n')]), { pool }))
  first.fill(0x2e) // the stream's own Buffer, changed after it was read
  assert.deepEqual(got.map((p) => p.text), ['ab\n', 'cd', 'e\nf', 'ghij\n'])
  // 'ab\n', 'cd' and 'e\nf' fill the first 8-byte chunk; 'ghij\n' starts the second.
  assert.equal(got[0]!.chunk, got[1]!.chunk)
  assert.equal(got[1]!.chunk, got[2]!.chunk)
  assert.notEqual(got[2]!.chunk, got[3]!.chunk)
  assert.equal(got[0]!.bytes.buffer, got[2]!.bytes.buffer)
  // Held by no record, the full chunk went back to the pool at once and was taken again for
  // 'ghij\n'; at the end that one went back too.
  assert.equal(got[3]!.bytes.buffer, got[0]!.bytes.buffer)
  assert.equal(pool.freeBytes, 8)
})

test('strings from a stream with an encoding are taken as their bytes', async () => {
  const pool = new ChunkPool({ chunkBytes: 64, maxFreeBytes: 0 })
  const stream = new PassThrough()
  stream.setEncoding('utf8')
  stream.end('é\n')
  assert.deepEqual((await pieces(new StreamChunks(stream, { pool }))).map((p) => p.text), [Buffer.from('é\n').toString('latin1')])
})

test('destroy() ends the stream', async () => {
  const stream = new PassThrough()
  const source = new StreamChunks(stream, { pool: new ChunkPool({ chunkBytes: 64, maxFreeBytes: 0 }) })
  source.destroy()
  assert.ok(stream.destroyed)
})

/** Keeps every record, as the pipeline does until its batch is delivered. */
class KeepingSink implements InputSink {
  readonly records: InputRecord[] = []
  record (record: InputRecord): void { this.records.push(record) }
  skipped (): void {}
  ready (): undefined { return undefined }
}

test('readInput through StreamChunks: every line right for any cut of the input, chunks poisoned once let go', async () => {
  const lines = Array.from({ length: 300 }, (_, i) => 'x'.repeat(i % 23) + `line ${i}` + (i % 7 === 0 ? '\r' : ''))
  const input = Buffer.from(lines.join('\n') + '\n', 'latin1')
  let seed = 7
  const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
  for (let round = 0; round < 20; round++) {
    const parts: Buffer[] = []
    for (let at = 0; at < input.length;) {
      const n = 1 + random(90)
      parts.push(input.subarray(at, at + n))
      at += n
    }
    const pool = new ChunkPool({ chunkBytes: 64, maxFreeBytes: 4096, poison: true })
    const sink = new KeepingSink()
    await readInput(readInputOptions({ stdin: Readable.from(parts), pool }), sink)
    assert.deepEqual(sink.records.map((r) => r.line.toString('latin1')), lines.map((l) => l.replace(/\r$/, '')), `round ${round}`)
    // Delivered in two halves: the first half let go, the rest still reads right.
    const half = sink.records.length >> 1
    releaseDelivered(sink.records.slice(0, half))
    assert.deepEqual(sink.records.slice(half).map((r) => r.line.toString('latin1')), lines.slice(half).map((l) => l.replace(/\r$/, '')))
    releaseDelivered(sink.records.slice(half))
    assert.ok(pool.freeBytes > 0)
  }
})
