import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { progressText, startProgress } from '../../../src/report/progress.ts'
import type { Counts } from '../../../src/report/reporter.ts'

const counts: Counts = { read: 1200, delivered: 1000, failed: 2, unknown: 1, skipped: 3, unsent: 0, batches: 10, bytes: 2 * 1024 * 1024, inputBytes: 0 }

/** A Writable that says it is a terminal and keeps what was drawn. */
function terminal (isTTY: boolean): Writable & { isTTY: boolean, columns: number, text: () => string } {
  let text = ''
  const stream = new Writable({ write (chunk: Buffer, _enc, cb) { text += chunk.toString(); cb() } })
  return Object.assign(stream, { isTTY, columns: 200, text: () => text })
}

test('startProgress draws nothing when the stream is not a terminal', () => {
  const stream = terminal(false)
  const progress = startProgress(stream, () => counts)
  progress.stop()
  assert.equal(stream.text(), '')
})

test('startProgress draws the counts when the stream is a terminal', () => {
  const stream = terminal(true)
  const progress = startProgress(stream, () => counts, undefined, () => 0)
  progress.stop()
  progress.stop()
  assert.match(stream.text(), /kprod read 1,200 \| delivered 1,000 failed 2 unknown 1 skipped 3/)
})

test('progressText shows a bar, the share of the input read and an ETA when the input size is known', () => {
  const text = progressText({ ...counts, inputBytes: 1024 * 1024 }, 4 * 1024 * 1024, 2000)
  assert.match(text, /^kprod \[={5}-{15}\] 25% 1\.0\/4\.0 MiB ETA 0:06 \| /)
  assert.match(text, /\| 500 rec\/s 1\.0 MiB\/s \| 0:02$/)
})

test('progressText shows no ETA before anything was read', () => {
  assert.match(progressText(counts, 4096, 0), /0% 0\.0\/0\.0 MiB ETA -:-- \|/)
})

test('print writes a line above the bar, clearing the bar first, and the bar comes back below it', () => {
  const stream = terminal(true)
  const progress = startProgress(stream, () => counts, undefined, () => 0)
  progress.print('kprod: SIGINT: stopping input; send it again to give up')
  const text = stream.text()
  progress.stop()
  const at = text.indexOf('\r\x1b[2Kkprod: SIGINT: stopping input; send it again to give up\n')
  assert.ok(at > 0, JSON.stringify(text))
  assert.ok(text.slice(at).includes('give up\n\x1b7\x1b[1Gkprod read 1,200 |'), JSON.stringify(text))
})

test('print just writes the line when the stream is not a terminal', () => {
  const stream = terminal(false)
  const progress = startProgress(stream, () => counts)
  progress.print('kprod: a warning')
  progress.stop()
  assert.equal(stream.text(), 'kprod: a warning\n')
})

test('progressText shows unsent records only when there are some', () => {
  assert.doesNotMatch(progressText(counts, undefined, 0), /unsent/)
  assert.match(progressText({ ...counts, unsent: 4 }, undefined, 0), /skipped 3 unsent 4 \| - rec\/s \| 0:00$/)
})

test('progressText shows hours when a run is long', () => {
  assert.match(progressText(counts, undefined, 3_723_000), /1:02:03$/)
})
