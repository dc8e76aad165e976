// FileChunks reads files into pooled chunks that end at line ends, and chunk memory is reused once
// its records let go. Checked against the stream path on the same bytes, with poison on, so a
// chunk reused while a record still holds it shows up as changed bytes.

import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { ChunkPool, releaseDelivered } from '../../../src/input/chunk-pool.ts'
import { FileChunks } from '../../../src/input/file-chunks.ts'
import { readInput, type InputSink } from '../../../src/input/read-input.ts'
import type { InputRecord } from '../../../src/record.ts'
import { readInputOptions } from '../../helpers/read-input.ts'

async function tempFile (t: TestContext, content: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kprod-file-chunks-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'input.txt')
  await writeFile(path, content)
  return path
}

async function pieces (chunks: FileChunks): Promise<Array<{ text: string, pooled: boolean, size: number }>> {
  const seen: Array<{ text: string, pooled: boolean, size: number }> = []
  for await (const piece of chunks) {
    if (piece instanceof Uint8Array) seen.push({ text: piece.toString('latin1'), pooled: false, size: piece.length })
    else seen.push({ text: piece.bytes.toString('latin1'), pooled: true, size: piece.chunk.memory.length })
  }
  return seen
}

test('chunks end at line ends; an unterminated last line comes as a copy', async (t) => {
  const path = await tempFile(t, Buffer.from('aaa\nbb\ncccc\nd\neeeeee\nlast'))
  const pool = new ChunkPool({ chunkBytes: 8, maxFreeBytes: 1024 })
  const seen = await pieces(new FileChunks(path, { pool, maxLineBytes: 100 }))
  assert.deepEqual(seen.map((p) => p.text), ['aaa\nbb\n', 'cccc\nd\n', 'eeeeee\n', 'last'])
  assert.deepEqual(seen.map((p) => p.pooled), [true, true, true, false])
})

test('a line longer than a chunk gets a chunk big enough for it, so it is never split', async (t) => {
  const long = 'x'.repeat(100)
  const path = await tempFile(t, Buffer.from(`a\n${long}\nb\n`))
  const pool = new ChunkPool({ chunkBytes: 16, maxFreeBytes: 1024 })
  const seen = await pieces(new FileChunks(path, { pool, maxLineBytes: 1000 }))
  assert.equal(seen.map((p) => p.text).join(''), `a\n${long}\nb\n`)
  const holding = seen.find((p) => p.text.includes(long))
  assert.ok(holding !== undefined, 'one chunk holds the whole long line')
  assert.ok(holding.size >= 101 && holding.size <= 256, `chunk of ${holding.size} bytes`)
})

test('a line over maxLineBytes is handed on as it comes, never carried whole', async (t) => {
  const path = await tempFile(t, Buffer.from(`a\n${'y'.repeat(100)}\nb\n`))
  const pool = new ChunkPool({ chunkBytes: 16, maxFreeBytes: 1024 })
  const seen = await pieces(new FileChunks(path, { pool, maxLineBytes: 20 }))
  assert.equal(seen.map((p) => p.text).join(''), `a\n${'y'.repeat(100)}\nb\n`)
  assert.ok(seen.every((p) => p.size <= 64), `chunk sizes ${seen.map((p) => p.size).join(',')}`)
})

/** Seeded so a failure can be replayed: a fixed LCG. */
function lcg (seed: number): () => number {
  let x = seed >>> 0
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    return x / 2 ** 32
  }
}

function randomInput (random: () => number, lines: number): Buffer {
  const parts: Buffer[] = []
  for (let i = 0; i < lines; i++) {
    const length = random() < 0.1 ? Math.floor(random() * 120) : Math.floor(random() * 30)
    const line = Buffer.alloc(length)
    for (let j = 0; j < length; j++) line[j] = random() < 0.05 ? 13 : 32 + Math.floor(random() * 90)
    parts.push(line)
    if (i < lines - 1 || random() < 0.5) parts.push(Buffer.from('\n'))
  }
  return Buffer.concat(parts)
}

/** Holds records the way the producer does: a while, then releases a random part of them. */
class HoldingSink implements InputSink {
  readonly seen: string[] = []
  readonly held: InputRecord[] = []
  readonly expected = new Map<number, string>()
  changed: string[] = []
  readonly #random: () => number

  constructor (random: () => number) { this.#random = random }

  record (record: InputRecord): void {
    this.seen.push(`${record.lineNo}:${record.line.toString('latin1')}`)
    this.expected.set(record.lineNo, record.line.toString('latin1'))
    this.held.push(record)
  }

  skipped (lineNo: number, _origin: unknown, reason: string, line: Buffer | null): void {
    this.seen.push(`${lineNo}:skipped:${reason}:${line?.toString('latin1') ?? '-'}`)
  }

  ready (): undefined {
    for (let i = this.held.length - 1; i >= 0; i--) {
      if (this.#random() < 0.4) this.release(this.held.splice(i, 1))
    }
    return undefined
  }

  release (records: InputRecord[]): void {
    for (const r of records) {
      const now = r.line.toString('latin1')
      if (now !== this.expected.get(r.lineNo)) this.changed.push(`line ${r.lineNo}: '${this.expected.get(r.lineNo)}' became '${now}'`)
    }
    releaseDelivered(records)
  }
}

test('random files: pooled reading gives the lines of the stream path, and no held record changes', async (t) => {
  for (let seed = 1; seed <= 60; seed++) {
    const random = lcg(seed)
    const input = randomInput(random, 1 + Math.floor(random() * 400))
    const chunkBytes = 4 + Math.floor(random() * 60)
    const maxLineBytes = 5 + Math.floor(random() * 80)
    const path = await tempFile(t, input)

    const reference = new HoldingSink(random)
    const fromStream = await readInput(readInputOptions({ maxLineBytes, stdin: Readable.from([input]) }), reference)

    const pool = new ChunkPool({ chunkBytes, maxFreeBytes: 4096, poison: true })
    const sink = new HoldingSink(random)
    const fromFile = await readInput(readInputOptions({ maxLineBytes, sources: [path], pool, highWaterMark: chunkBytes }), sink)
    sink.release(sink.held.splice(0))

    const what = `seed ${seed}, ${input.length} bytes, chunks of ${chunkBytes}, lines up to ${maxLineBytes}`
    assert.deepEqual(sink.seen, reference.seen, what)
    assert.deepEqual(sink.changed, [], what)
    assert.equal(fromFile.lines, fromStream.lines, what)
    assert.equal(fromFile.bytes, input.length, what)
  }
})

test('memory is reused once the records of a chunk are released, and only then', async (t) => {
  const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'z'.repeat(i % 50)}`)
  const path = await tempFile(t, Buffer.from(lines.join('\n') + '\n'))
  const pool = new ChunkPool({ chunkBytes: 256, maxFreeBytes: 1 << 20, poison: true })
  const taken = new Set<Buffer>()
  let reused = 0
  const take = pool.take.bind(pool)
  pool.take = (minBytes) => {
    const chunk = take(minBytes)
    if (taken.has(chunk.memory)) reused++
    taken.add(chunk.memory)
    return chunk
  }
  const sink = new HoldingSink(lcg(7))
  await readInput(readInputOptions({ sources: [path], pool, highWaterMark: 256 }), sink)
  sink.release(sink.held.splice(0))
  assert.deepEqual(sink.changed, [])
  assert.equal(sink.seen.length, 2000)
  assert.ok(reused > 100, `memory reused ${reused} times`)
  assert.ok(taken.size < 100, `${taken.size} distinct chunks for ${sink.seen.length} lines`)
})

test('a skipped line from a pooled chunk is a copy: it stays intact after the chunk is reused', async (t) => {
  const path = await tempFile(t, Buffer.from('k1=v1\nno separator\nk2=v2\n'))
  const pool = new ChunkPool({ chunkBytes: 8, maxFreeBytes: 1024, poison: true })
  const kept: Buffer[] = []
  const sink: InputSink = {
    record (record) { releaseDelivered([record]) },
    skipped (_lineNo, _origin, _reason, line) { if (line !== null) kept.push(line) },
    ready () { return undefined }
  }
  await readInput(readInputOptions({ sources: [path], pool, highWaterMark: 8, keySeparator: Buffer.from('='), missingKey: 'skip' }), sink)
  assert.deepEqual(kept.map((b) => b.toString()), ['no separator'])
})
