import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { FailedOutput } from '../../../src/report/failed-output.ts'
import { KprodError } from '../../../src/errors.ts'
import { LineSplitter } from '../../../src/input/line-splitter.ts'
import { tempDir } from '../../helpers/temp.ts'

test('FailedOutput writes each line byte for byte followed by LF when lines hold odd bytes', async (t) => {
  const path = join(await tempDir(t, 'failed'), 'failed.txt')
  const lines = [
    Buffer.from('plain'),
    Buffer.from('cr\rinside'),
    Buffer.from([0xff, 0xfe, 0x80, 0x41]),
    Buffer.from([0x61, 0x00, 0x62]),
    Buffer.alloc(0),
    Buffer.from('key\tvalue with ünïcode')
  ]
  const out = await FailedOutput.open(path)
  for (const line of lines) out.write(line)
  await out.close()
  const want = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]))
  assert.deepEqual(await readFile(path), want)
  assert.equal(out.count, lines.length)
})

test('FailedOutput ends a line that ends in CR with CRLF, so reading it back gives the same line', async (t) => {
  const path = join(await tempDir(t, 'failed'), 'failed.txt')
  const lines = [Buffer.from('one cr\r'), Buffer.from('two crs\r\r'), Buffer.from('\r'), Buffer.from('none')]
  const out = await FailedOutput.open(path)
  for (const line of lines) out.write(line)
  await out.close()
  const back: Buffer[] = []
  const splitter = new LineSplitter(1024, { line: (b, start, end) => back.push(Buffer.from(b.subarray(start, end))), overlong: () => {} })
  splitter.push(await readFile(path))
  splitter.end()
  assert.deepEqual(back, lines)
})

test('FailedOutput truncates the file when it already exists', async (t) => {
  const path = join(await tempDir(t, 'failed'), 'failed.txt')
  await writeFile(path, 'old content\nmore\n')
  const out = await FailedOutput.open(path)
  out.write(Buffer.from('new'))
  await out.close()
  assert.equal(await readFile(path, 'utf8'), 'new\n')
})

test('FailedOutput creates an empty file when nothing fails', async (t) => {
  const path = join(await tempDir(t, 'failed'), 'failed.txt')
  const out = await FailedOutput.open(path)
  await out.close()
  assert.equal(await readFile(path, 'utf8'), '')
})

test('FailedOutput.open rejects with KPROD_INPUT naming the flag when the folder does not exist', async (t) => {
  const path = join(await tempDir(t, 'failed'), 'missing', 'failed.txt')
  await assert.rejects(FailedOutput.open(path), (err: unknown) => {
    assert.ok(err instanceof KprodError)
    assert.equal(err.code, 'KPROD_INPUT')
    assert.match(err.message, /--failed-output/)
    assert.ok(err.message.includes(path))
    return true
  })
})

test('FailedOutput.close rejects with KPROD_INPUT when a write fails', { skip: !existsSync('/dev/full') && 'needs /dev/full' }, async () => {
  const out = await FailedOutput.open('/dev/full')
  out.write(Buffer.alloc(64 * 1024, 0x61))
  await assert.rejects(out.close(), (err: unknown) => {
    assert.ok(err instanceof KprodError)
    assert.equal(err.code, 'KPROD_INPUT')
    assert.match(err.message, /--failed-output file '\/dev\/full'/)
    return true
  })
})

test('FailedOutput.close returns the same result when called twice', async (t) => {
  const path = join(await tempDir(t, 'failed'), 'failed.txt')
  const out = await FailedOutput.open(path)
  out.write(Buffer.from('x'))
  await Promise.all([out.close(), out.close()])
  out.write(Buffer.from('after close'))
  assert.equal(await readFile(path, 'utf8'), 'x\n')
})
