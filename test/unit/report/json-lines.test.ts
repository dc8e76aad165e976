import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough, Writable } from 'node:stream'
import { JsonLinesWriter } from '../../../src/report/json-lines.ts'

function errno (code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`write ${code}`), { code })
}

/** A Writable whose every write fails with `code`, as stdout does once its reader has gone. */
function failingStream (code: string): Writable {
  return new Writable({ write (_chunk, _enc, cb) { cb(errno(code)) } })
}

function collect (stream: PassThrough): string[] {
  const chunks: string[] = []
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')))
  return chunks
}

test('JsonLinesWriter writes one JSON line per object when the stream is open', async () => {
  const out = new PassThrough()
  const chunks = collect(out)
  const w = new JsonLinesWriter(out)
  w.write({ type: 'a', n: 1 })
  w.write({ type: 'b', s: 'x\ny' })
  await w.end()
  assert.deepEqual(chunks.join(''), '{"type":"a","n":1}\n{"type":"b","s":"x\\ny"}\n')
})

test('JsonLinesWriter turns bigint values into strings when plain JSON cannot carry them', async () => {
  const out = new PassThrough()
  const chunks = collect(out)
  const w = new JsonLinesWriter(out)
  w.write({ type: 'a', response: { baseOffset: 12345678901234567890n } })
  await w.end()
  assert.equal(chunks.join(''), '{"type":"a","response":{"baseOffset":"12345678901234567890"}}\n')
})

test('JsonLinesWriter closes quietly and ignores later writes when the reader has gone (EPIPE)', async () => {
  const w = new JsonLinesWriter(failingStream('EPIPE'))
  w.write({ type: 'a' })
  await w.end()
  assert.equal(w.closed, true)
  assert.equal(w.error, null)
  assert.doesNotThrow(() => w.write({ type: 'b' }))
  await w.end()
})

test('JsonLinesWriter closes and drops writes when the stream is destroyed', async () => {
  const out = new PassThrough()
  const w = new JsonLinesWriter(out)
  out.destroy()
  assert.doesNotThrow(() => w.write({ type: 'a' }))
  assert.equal(w.closed, true)
  assert.equal(w.error, null)
})

test('JsonLinesWriter keeps the error when a write fails for another reason', async () => {
  const w = new JsonLinesWriter(failingStream('EIO'))
  w.write({ type: 'a' })
  await w.end()
  assert.equal(w.closed, true)
  assert.equal((w.error as NodeJS.ErrnoException | null)?.code, 'EIO')
})

test('JsonLinesWriter.end waits until every written line has been flushed', async () => {
  const flushed: string[] = []
  const slow = new Writable({
    highWaterMark: 1,
    write (chunk: Buffer, _enc, cb) { setImmediate(() => { flushed.push(chunk.toString()); cb() }) }
  })
  const w = new JsonLinesWriter(slow)
  for (let i = 0; i < 5; i++) w.write({ type: 't', i })
  assert.ok(flushed.length < 5)
  await w.end()
  assert.equal(flushed.length, 5)
})

test('JsonLinesWriter.end resolves at once when nothing was written', async () => {
  const w = new JsonLinesWriter(new PassThrough())
  await w.end()
  assert.equal(w.closed, false)
})
