// Bad input against a real broker gets the right answer at once: exit 2 naming what is wrong
// (a --failed-output that is an input or sits in a missing folder, a port past 65535, an invalid
// topic name, a timer past 2^31-1 ms), and a warning, not silence, when stdin brings nothing.

import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { linkSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BIN, bash, kprod } from '../helpers/cli.ts'
import { sharedKafka, type Cluster } from '../helpers/kafka.ts'

let kafka: Cluster
/** One topic for the runs refused before sending: they never write to it. */
let topic: string
before(async () => {
  kafka = await sharedKafka()
  topic = await kafka.topic()
})

const CLIENTS = ['wire', 'kafkajs'] as const

for (const client of CLIENTS) {
  test(`--kafka-client ${client}: an empty stdin exits 0 with a warning that nothing was read`, async () => {
    const topic = await kafka.topic()
    const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--kafka-client', client, '--no-progress'], { input: '' })
    assert.equal(run.code, 0, run.stderr)
    assert.equal((run.summary.counts as Record<string, number>).read, 0)
    assert.match(run.stderr, /kprod: warning: no input: stdin was empty or closed/)
  })
}

test('a closed stdin (<&-) exits 0 with the same warning', async () => {
  const topic = await kafka.topic()
  const script = `exec node ${JSON.stringify(BIN)} --brokers ${kafka.bootstrap} --topic ${topic} --no-progress <&-`
  const { code, stdout: out, stderr: err } = await bash(script)
  assert.equal(code, 0, err)
  assert.match(err, /no input: stdin was empty or closed/)
  assert.match(out, /"type":"summary"/)
})

test('--brokers with a port past 65535 exits 2 at once, naming the broker and the range', async () => {
  const started = Date.now()
  const run = await kprod(['--brokers', `${kafka.bootstrap},127.0.0.1:99999`, '--topic', 't', '--no-progress'], { input: 'x\n' })
  assert.equal(run.code, 2, run.stderr)
  assert.match(run.stderr, /--brokers: '127\.0\.0\.1:99999' has port 99999; allowed: 1\.\.65535/)
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`)
})

for (const client of CLIENTS) {
  test(`--kafka-client ${client}: an invalid topic name exits 2 saying so, not "cannot reach the Kafka brokers"`, async () => {
    const run = await kprod(['--brokers', kafka.bootstrap, '--topic', 'no such/topic', '--kafka-client', client, '--no-progress'], { input: 'x\n' })
    assert.equal(run.code, 2, run.stderr)
    assert.match(run.stderr, /--topic: 'no such\/topic' is not a valid Kafka topic name/)
    assert.doesNotMatch(run.stderr, /cannot reach/)
  })
}

test('--request-timeout 2147483648 exits 2 naming the range instead of becoming a 1 ms timer', async () => {
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--request-timeout', '2147483648', '--no-progress'], { input: 'x\n' })
  assert.equal(run.code, 2, run.stderr)
  assert.match(run.stderr, /--request-timeout: 2147483648 is out of range; allowed: 1\.\.2147483647/)
  assert.equal(run.stdout, '')
})

/** A folder holding in.txt with 2,000 numbered lines. */
function inputFile (): { dir: string, file: string, text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kprod-same-'))
  const file = join(dir, 'in.txt')
  const text = Array.from({ length: 2000 }, (_, i) => `line ${i + 1}\n`).join('')
  writeFileSync(file, text)
  return { dir, file, text }
}

const sameFileCases: Array<{ name: string, setup: (dir: string, file: string) => { args: string[], output: string, stdinFile?: string } }> = [
  { name: 'the input file itself', setup: (_dir, file) => ({ args: [file], output: file }) },
  { name: 'stdin redirected from it (< file)', setup: (_dir, file) => ({ args: [], output: file, stdinFile: file }) },
  { name: 'a hard link to the input', setup: (dir, file) => { const l = join(dir, 'hard.txt'); linkSync(file, l); return { args: [file], output: l } } },
  { name: 'a symbolic link to the input', setup: (dir, file) => { const l = join(dir, 'sym.txt'); symlinkSync(file, l); return { args: [file], output: l } } }
]

for (const c of sameFileCases) {
  test(`--failed-output naming ${c.name} exits 2 before anything is written, and the input is intact`, async () => {
    const { dir, file, text } = inputFile()
    const { args, output, stdinFile } = c.setup(dir, file)
    const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--failed-output', output, ...args],
      stdinFile === undefined ? {} : { stdinFile })
    assert.equal(run.code, 2, run.stderr)
    assert.match(run.stderr, /--failed-output '.*': is the same file as (input file '.*'|stdin): writing it would destroy the input/)
    assert.equal(readFileSync(file, 'utf8'), text)
    assert.equal(run.stdout, '')
  })
}

test('--failed-output in a missing folder exits 2 with a clear message and no stack trace', async () => {
  const { dir, file } = inputFile()
  const run = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--failed-output', join(dir, 'no', 'such', 'f.txt'), file])
  assert.equal(run.code, 2, run.stderr)
  assert.match(run.stderr, /--failed-output '.*f\.txt': folder '.*no\/such' does not exist; create it first/)
  assert.doesNotMatch(run.stderr, /internal error|\n\s+at /)
})
