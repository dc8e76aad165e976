import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { KprodError } from '../../../src/errors.ts'
import { readInput, type InputSink } from '../../../src/input/read-input.ts'
import type { InputRecord, LineOrigin } from '../../../src/record.ts'
import { FakeClock, flushMicrotasks } from '../../helpers/fake-clock.ts'
import { readInputOptions } from '../../helpers/read-input.ts'

interface Skip { lineNo: number, origin: LineOrigin, reason: string, line: string | null }

class RecordingSink implements InputSink {
  readonly records: InputRecord[] = []
  readonly skips: Skip[] = []
  readyCalls = 0
  onReady: () => Promise<void> | undefined = () => undefined
  record (record: InputRecord): void { this.records.push(record) }
  skipped (lineNo: number, origin: LineOrigin, reason: string, line: Buffer | null): void {
    this.skips.push({ lineNo, origin, reason, line: line === null ? null : line.toString('latin1') })
  }

  ready (): Promise<void> | undefined { this.readyCalls++; return this.onReady() }
  get lines (): string[] { return this.records.map((r) => `${r.lineNo}:${r.line.toString('latin1')}`) }
}

const chunks = (...parts: string[]): Readable => Readable.from(parts.map((p) => Buffer.from(p, 'latin1')))

async function tempFiles (t: TestContext, files: Record<string, string>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'kprod-read-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const paths: string[] = []
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(dir, name), text)
    paths.push(join(dir, name))
  }
  return paths
}

test('readInput reads stdin when there are no sources and totals lines and bytes', async () => {
  const sink = new RecordingSink()
  const totals = await readInput(readInputOptions({ stdin: chunks('a\r\nb', 'c\n\nlast') }), sink)
  assert.deepEqual(sink.lines, ['1:a', '2:bc', '3:', '4:last'])
  assert.deepEqual(totals, { lines: 4, partialLine: null, bytes: 11, interrupted: false })
  assert.equal(sink.readyCalls, 2)
})

test('readInput stamps each line with the clock time its chunk arrived', async () => {
  const clock = new FakeClock(1000)
  const stdin = new PassThrough()
  const sink = new RecordingSink()
  const done = readInput(readInputOptions({ stdin, clock }), sink)
  stdin.write('a\nb')
  await flushMicrotasks()
  await clock.advance(50)
  stdin.end('c\n')
  await done
  assert.deepEqual(sink.records.map((r) => [r.line.toString(), r.readAt]), [['a', 1000], ['bc', 1050]])
})

test('readInput reads files in order and ends each unterminated last line at its file end', async (t) => {
  const [a, b] = await tempFiles(t, { 'a.txt': 'a1\na2', 'b.txt': 'b1\n' }) as [string, string]
  const sink = new RecordingSink()
  const totals = await readInput(readInputOptions({ sources: [a, b], highWaterMark: 2 }), sink)
  assert.deepEqual(sink.lines, ['1:a1', '2:a2', '3:b1'])
  assert.deepEqual(totals, { lines: 3, partialLine: null, bytes: 8, interrupted: false })
})

test('readInput reads stdin where - appears among the files', async (t) => {
  const [a, b] = await tempFiles(t, { 'a.txt': 'a\n', 'b.txt': 'b\n' }) as [string, string]
  const sink = new RecordingSink()
  await readInput(readInputOptions({ sources: [a, '-', b], stdin: chunks('s1\ns2\n') }), sink)
  assert.deepEqual(sink.lines, ['1:a', '2:s1', '3:s2', '4:b'])
})

test('readInput reports skipped lines with global number, origin, reason and bytes', async (t) => {
  const [a] = await tempFiles(t, { 'a.txt': 'k:v\nnokey\n' }) as [string]
  const sink = new RecordingSink()
  const stdin = chunks('x'.repeat(8), 'x\nk2:v2\n')
  await readInput(readInputOptions({ sources: [a, '-'], stdin, maxLineBytes: 6, keySeparator: Buffer.from(':') }), sink)
  assert.deepEqual(sink.lines, ['1:k:v', '4:k2:v2'])
  assert.deepEqual(sink.skips, [
    { lineNo: 2, origin: { source: a, sourceLine: 2 }, reason: "line 2 has no key separator ':'", line: 'nokey' },
    { lineNo: 3, origin: { source: '-', sourceLine: 1 }, reason: 'line 3 is 9 bytes, over --max-line-bytes 6', line: null }
  ])
})

test('readInput skips empty lines when emptyLines is skip', async () => {
  const sink = new RecordingSink()
  const totals = await readInput(readInputOptions({ stdin: chunks('a\n\r\n\nb\n'), emptyLines: 'skip' }), sink)
  assert.deepEqual(sink.lines, ['1:a', '4:b'])
  assert.deepEqual(sink.skips.map((s) => s.reason), ['line 2 is empty (--empty-lines skip)', 'line 3 is empty (--empty-lines skip)'])
  assert.equal(totals.lines, 4)
})

test('readInput does not process the next chunk before ready() resolves', async () => {
  const sink = new RecordingSink()
  let release = (): void => {}
  sink.onReady = () => sink.readyCalls === 1 ? new Promise<void>((resolve) => { release = resolve }) : undefined
  const done = readInput(readInputOptions({ stdin: chunks('a\nb', 'c\n', 'd\n') }), sink)
  await flushMicrotasks()
  assert.deepEqual(sink.lines, ['1:a'])
  assert.equal(sink.readyCalls, 1)
  release()
  await done
  assert.deepEqual(sink.lines, ['1:a', '2:bc', '3:d'])
})

test('readInput returns the pending partial line when aborted and delivers nothing after', async () => {
  const controller = new AbortController()
  const stdin = new PassThrough()
  const sink = new RecordingSink()
  const done = readInput(readInputOptions({ stdin, signal: controller.signal }), sink)
  stdin.write('a\nbc\r')
  await flushMicrotasks()
  controller.abort()
  stdin.write('d\ne\n')
  const totals = await done
  await flushMicrotasks()
  assert.deepEqual(sink.lines, ['1:a'])
  assert.deepEqual(totals, { lines: 2, partialLine: Buffer.from('bc\r'), bytes: 5, interrupted: true })
  assert.ok(stdin.destroyed)
})

test('readInput stops waiting for ready() when aborted', async () => {
  const controller = new AbortController()
  const sink = new RecordingSink()
  sink.onReady = () => new Promise<void>(() => {})
  const done = readInput(readInputOptions({ stdin: chunks('a\n', 'b\n'), signal: controller.signal }), sink)
  await flushMicrotasks()
  controller.abort()
  assert.deepEqual(await done, { lines: 1, partialLine: null, bytes: 2, interrupted: true })
  assert.deepEqual(sink.lines, ['1:a'])
})

test('readInput skips an over-long line cut off by abort instead of returning it', async () => {
  const controller = new AbortController()
  const stdin = new PassThrough()
  const sink = new RecordingSink()
  const done = readInput(readInputOptions({ stdin, signal: controller.signal, maxLineBytes: 3 }), sink)
  stdin.write('abcdef')
  await flushMicrotasks()
  controller.abort()
  const totals = await done
  assert.deepEqual(totals, { lines: 1, partialLine: null, bytes: 6, interrupted: true })
  assert.deepEqual(sink.skips.map((s) => s.reason), ['line 1 is at least 6 bytes, over --max-line-bytes 3 (cut off when reading stopped)'])
})

test('readInput reads nothing when aborted before it starts', async (t) => {
  const [a] = await tempFiles(t, { 'a.txt': 'a\n' }) as [string]
  const controller = new AbortController()
  controller.abort()
  const sink = new RecordingSink()
  assert.deepEqual(await readInput(readInputOptions({ sources: [a], signal: controller.signal }), sink),
    { lines: 0, partialLine: null, bytes: 0, interrupted: true })
  assert.deepEqual(sink.lines, [])
})

test('readInput rejects with KPROD_INPUT when a file cannot be read', async (t) => {
  const [a] = await tempFiles(t, { 'a.txt': 'a\n' }) as [string]
  const dir = join(a, '..')
  await assert.rejects(readInput(readInputOptions({ sources: [a, dir] }), new RecordingSink()), (err: unknown) => {
    assert.ok(err instanceof KprodError)
    assert.equal(err.code, 'KPROD_INPUT')
    assert.match(err.message, new RegExp(`^reading input file '${dir}': EISDIR`))
    return true
  })
})

test('readInput rejects with KPROD_INPUT when stdin fails', async () => {
  const stdin = new PassThrough()
  const done = readInput(readInputOptions({ stdin }), new RecordingSink())
  stdin.destroy(new Error('EIO: i/o error, read'))
  await assert.rejects(done, { code: 'KPROD_INPUT', message: 'reading standard input: EIO: i/o error, read' })
})
