import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { closeSync, createReadStream, createWriteStream, openSync } from 'node:fs'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { ConfigError } from '../../../src/errors.ts'
import { checkSources, openSource, sourceNames } from '../../../src/input/sources.ts'
import { FileChunks } from '../../../src/input/file-chunks.ts'
import { StreamChunks } from '../../../src/input/stream-chunks.ts'
import { ChunkPool } from '../../../src/input/chunk-pool.ts'
import { tempDir } from '../../helpers/temp.ts'

/** openSource options: reads of `bytes` (streams and files alike). */
function reads (bytes: number): { highWaterMark: number, maxLineBytes: number, pool: ChunkPool } {
  return { highWaterMark: bytes, maxLineBytes: 1 << 20, pool: new ChunkPool({ chunkBytes: bytes, maxFreeBytes: 0 }) }
}

async function problemsOf (paths: readonly string[]): Promise<readonly string[]> {
  try {
    await checkSources(paths)
  } catch (err) {
    assert.ok(err instanceof ConfigError)
    return err.problems
  }
  return []
}

async function readAll (stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk instanceof Uint8Array ? chunk as Buffer : (chunk as { bytes: Buffer }).bytes)
  return Buffer.concat(chunks)
}

test('sourceNames reads stdin when no paths are given', () => {
  assert.deepEqual(sourceNames([]), ['-'])
  assert.deepEqual(sourceNames(['a', '-', 'b']), ['a', '-', 'b'])
})

test('checkSources accepts readable files and one stdin', async (t) => {
  const dir = await tempDir(t, 'sources')
  await writeFile(join(dir, 'a.txt'), 'a\n')
  assert.deepEqual(await problemsOf([join(dir, 'a.txt'), '-']), [])
  assert.deepEqual(await problemsOf([]), [])
})

test('checkSources collects every problem into one ConfigError', async (t) => {
  const dir = await tempDir(t, 'sources')
  await writeFile(join(dir, 'ok.txt'), 'a\n')
  await mkdir(join(dir, 'sub'))
  const missing = join(dir, 'x.txt')
  const problems = await problemsOf(['-', missing, join(dir, 'ok.txt'), join(dir, 'sub'), '-', join(dir, 'y.txt')])
  assert.deepEqual(problems, [
    "input '-' (stdin) is given more than once: it can be read only once",
    `input file '${missing}': no such file`,
    `input file '${join(dir, 'sub')}': is a directory`,
    `input file '${join(dir, 'y.txt')}': no such file`
  ])
})

test('checkSources reports a file that cannot be read', { skip: process.getuid?.() === 0 ? 'root can read any file' : false }, async (t) => {
  const dir = await tempDir(t, 'sources')
  const path = join(dir, 'secret.txt')
  await writeFile(path, 'a\n')
  await chmod(path, 0o200)
  assert.deepEqual(await problemsOf([path]), [`input file '${path}': permission denied`])
})

test('openSource reads the injected stdin for - through StreamChunks', async () => {
  const stdin = new PassThrough()
  const source = openSource('-', () => stdin, reads(1024))
  assert.ok(source instanceof StreamChunks)
  stdin.end('from stdin\n')
  assert.deepEqual(await readAll(source), Buffer.from('from stdin\n'))
})

test('openSource reads a file in chunks of highWaterMark bytes, each ending at a line end', async (t) => {
  const dir = await tempDir(t, 'sources')
  const path = join(dir, 'a.txt')
  const content = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n') + '\n'
  await writeFile(path, content)
  const sizes: number[] = []
  for await (const piece of openSource(path, () => new PassThrough(), reads(16))) {
    const bytes = (piece as { bytes: Buffer }).bytes
    sizes.push(bytes.length)
    assert.equal(bytes[bytes.length - 1], 10)
  }
  assert.ok(sizes.every((n) => n <= 16))
  assert.equal(sizes.reduce((a, n) => a + n, 0), content.length)
  assert.deepEqual(await readAll(openSource(path, () => new PassThrough(), reads(1024))), Buffer.from(content))
})

test('openSource reads regular files (and stdin redirected from one) in place, pipes through their stream', async (t) => {
  const dir = await tempDir(t, 'sources')
  const path = join(dir, 'a.txt')
  await writeFile(path, 'line 1\nline 2\n')
  assert.ok(openSource(path, () => new PassThrough(), reads(1024)) instanceof FileChunks)
  const fd = openSync(path, 'r')
  const stdin = createReadStream(path, { fd, autoClose: false })
  t.after(() => { closeSync(fd) })
  const fromStdin = openSource('-', () => stdin, reads(4))
  assert.ok(fromStdin instanceof FileChunks)
  assert.deepEqual(await readAll(fromStdin), Buffer.from('line 1\nline 2\n'))
  // A named pipe (like the /dev/fd/N of `kprod <(cmd)`) must not be read with blocking reads.
  const fifo = join(dir, 'fifo')
  execFileSync('mkfifo', [fifo])
  const stream = openSource(fifo, () => new PassThrough(), reads(1024))
  assert.ok(stream instanceof StreamChunks)
  const writer = createWriteStream(fifo)
  writer.end('through the pipe\n')
  assert.deepEqual(await readAll(stream), Buffer.from('through the pipe\n'))
})

test('FileChunks stops at destroy() before reading the next chunk', async (t) => {
  const dir = await tempDir(t, 'sources')
  const path = join(dir, 'a.txt')
  await writeFile(path, 'xxxxxxxxx\n'.repeat(10))
  const chunks = new FileChunks(path, { pool: new ChunkPool({ chunkBytes: 10, maxFreeBytes: 0 }), maxLineBytes: 100 })
  const seen: number[] = []
  for await (const piece of chunks) {
    seen.push((piece as { bytes: Buffer }).bytes.length)
    if (seen.length === 3) chunks.destroy()
  }
  assert.deepEqual(seen, [10, 10, 10])
})
