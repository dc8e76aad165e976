// The command line without a broker: help, version, and configuration errors that name the
// flag (or KPROD_* variable), the value and what is allowed, with exit code 2.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BIN, kprod } from '../helpers/cli.ts'
import { ROOT } from '../helpers/kafka.ts'
import { OPTIONS } from '../../src/config/options.ts'

test('--help lists every option of the option table and the exit codes, on stdout, exit 0', async () => {
  const run = await kprod(['--help'])
  assert.equal(run.code, 0)
  for (const spec of OPTIONS) {
    const flag = spec.kind === 'boolean' && spec.default === 'true' ? `--no-${spec.name}` : `--${spec.name}`
    assert.ok(run.stdout.includes(flag), `--help lacks ${flag}`)
  }
  assert.match(run.stdout, /Exit status:/)
  assert.match(run.stdout, /143/)
})

const cases: Array<{ name: string, args: string[], env?: Record<string, string>, stderr: RegExp }> = [
  { name: 'a missing --topic', args: [], stderr: /--topic or --stream is required/ },
  { name: '--header on Kinesis', args: ['--stream', 's', '-H', 'a=b'], stderr: /--header applies to Kafka \(--topic\) only/ },
  { name: '-Z on Kinesis', args: ['--stream', 's', '-Z'], stderr: /--null-empty applies to Kafka \(--topic\) only/ },
  { name: 'a --header without =', args: ['--topic', 't', '-H', 'a=1', '-H', 'name'], stderr: /--header 'name' is not valid: there is no '='; give name=value/ },
  { name: 'a bad --delimiter escape', args: ['--topic', 't', '-D', '\\q'], stderr: /--delimiter '\\q' is not valid: unknown escape \\q; allowed are any characters and the escapes \\n \(LF\)/ },
  { name: '--format json with --key-separator', args: ['--topic', 't', '--format', 'json', '--key-separator', ','], stderr: /--key-separator applies to --format lines/ },
  { name: 'a non-numeric --batch-records', args: ['--topic', 't', '--batch-records', 'lots'], stderr: /--batch-records: 'lots' is not a whole number; allowed: 1\.\.10000/ },
  { name: 'an out-of-range --workers', args: ['--topic', 't', '--workers', '0'], stderr: /--workers: 0 is out of range; allowed: 1\.\.1024/ },
  { name: 'a bad --acks', args: ['--topic', 't', '--acks', '2'], stderr: /--acks: '2' is not allowed; choose one of all, -1, 1, 0/ },
  { name: 'a bad KPROD_LINGER', args: ['--topic', 't'], env: { KPROD_LINGER: 'soon' }, stderr: /KPROD_LINGER \(--linger\): 'soon' is not a whole number/ },
  { name: 'a broker without a port', args: ['--topic', 't', '--brokers', 'localhost'], stderr: /--brokers: 'localhost' is not host:port/ },
  { name: 'an empty --key-separator', args: ['--topic', 't', '--key-separator', ''], stderr: /--key-separator/ },
  { name: '--idempotent with --acks 1', args: ['--topic', 't', '--idempotent', '--acks', '1'], stderr: /--idempotent needs --acks all .*got --acks 1/ },
  { name: 'KPROD_IDEMPOTENT=true with --acks 0', args: ['--topic', 't', '--acks', '0'], env: { KPROD_IDEMPOTENT: 'true' }, stderr: /--idempotent needs --acks all .*got --acks 0/ },
  { name: '--compression snappy with --kafka-client kafkajs', args: ['--topic', 't', '--compression', 'snappy', '--kafka-client', 'kafkajs'], stderr: /--compression snappy needs --kafka-client wire/ },
  { name: '--explicit-hash-key without --key-separator', args: ['--stream', 's', '--explicit-hash-key'], stderr: /--explicit-hash-key needs --key-separator/ },
  { name: 'an unknown flag', args: ['--topic', 't', '--bogus'], stderr: /unknown option '--bogus'/ },
  { name: 'both --topic and --stream', args: ['--topic', 't', '--stream', 's'], stderr: /--topic 't' and --stream 's' were both given/ },
  { name: 'a Kafka-only flag with --stream', args: ['--stream', 's', '--acks', '1'], stderr: /--acks applies to Kafka \(--topic\) only/ },
  { name: 'a Kinesis-only flag with --topic', args: ['--topic', 't', '--region', 'eu-west-1'], stderr: /--region applies to Kinesis \(--stream\) only/ },
  { name: '--batch-records over 500 with --stream', args: ['--stream', 's', '--batch-records', '501'], stderr: /--batch-records: 501 is over the 500 records one Kinesis PutRecords takes; allowed: 1\.\.500/ },
  { name: 'a bad --endpoint', args: ['--stream', 's', '--endpoint', 'localhost:4567'], stderr: /--endpoint: 'localhost:4567' is not an http:\/\/ or https:\/\/ URL/ },
  { name: 'a bad --when-full', args: ['--topic', 't', '--when-full', 'wait'], stderr: /--when-full: 'wait' is not allowed; choose one of block, error, drop/ },
  { name: 'a missing input file', args: ['--topic', 't', '--brokers', '127.0.0.1:1', 'no-such-file.txt'], stderr: /no-such-file\.txt/ }
]

for (const c of cases) {
  test(`kprod exits 2 with a message naming the flag for ${c.name}`, async () => {
    const run = await kprod(c.args, { env: c.env ?? {} })
    assert.equal(run.code, 2, run.stderr)
    assert.match(run.stderr, c.stderr)
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace')
  })
}

test('several configuration problems are reported together', async () => {
  const run = await kprod(['--workers', '0', '--attempts', 'x'])
  assert.equal(run.code, 2)
  assert.match(run.stderr, /--topic or --stream is required/)
  assert.match(run.stderr, /--workers/)
  assert.match(run.stderr, /--attempts/)
})

test('--version prints the version and the Node it runs on', async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  const run = await kprod(['--version'])
  assert.equal(run.code, 0)
  assert.equal(run.stdout, `kprod ${version} (Node ${process.version})\n`)
})

test('--help into a pipe its reader already closed (kprod --help | head -0) exits 0 without a word on stderr', async () => {
  for (let i = 0; i < 3; i++) {
    const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    assert.equal(stderr, '')
    assert.equal(code, 0)
  }
})
