// Faults on a private broker: the broker stops mid-run for longer than the delivery deadline.
// Undelivered lines must be in --failed-output byte for byte, and re-sending that file with
// kprod as is must fill the gap.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { kprod } from '../helpers/cli.ts'
import { consumeAll, privateKafka, type Cluster } from '../helpers/kafka.ts'
import { referenceLines } from '../helpers/data.ts'
import { contractProblems } from '../helpers/schema.ts'

let kafka: Cluster | null = null
after(async () => { await kafka?.down() })

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

test('broker stopped past the delivery deadline: failed lines are in --failed-output byte for byte, re-sending fills the gap', async () => {
  kafka = await privateKafka(1)
  const topic = await kafka.topic({ partitions: 2 })
  const dir = mkdtempSync(join(tmpdir(), 'kprod-faults-'))
  const failedFile = join(dir, 'failed.txt')
  const line = (n: number): string => n % 5 === 0 ? `row ${n} \u00ff\r\r` : `row ${n}`
  const input = new PassThrough()
  const chunk = (from: number, to: number): string => {
    let text = ''
    for (let n = from; n <= to; n++) text += line(n) + (n % 2 === 0 ? '\r\n' : '\n')
    return text
  }
  const write = (from: number, to: number): void => { input.write(Buffer.from(chunk(from, to), 'latin1')) }

  const running = kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--linger', '5',
    '--delivery-timeout', '4000', '--request-timeout', '1500', '--retry-backoff', '100', '--retry-backoff-max', '500',
    '--attempts', '1000', '--failed-output', failedFile], { input, timeoutMs: 120_000 })
  write(1, 1000)
  await sleep(3000)
  await kafka.stopNode(1)
  write(1001, 2000)
  await sleep(6000)
  input.end()
  const run = await running

  assert.equal(run.code, 4, run.stderr)
  const c = run.summary.counts as Record<string, number>
  assert.equal(c.read, 2000)
  assert.equal(c.read, c.delivered! + c.failed! + c.unknown! + c.skipped! + c.unsent!)
  assert.ok(c.failed! + c.unknown! >= 1000, `failed ${c.failed}, unknown ${c.unknown}`)
  for (const l of run.lines) assert.deepEqual(contractProblems(l), [], JSON.stringify(l).slice(0, 500))
  // The deadline ended the retries of every line not delivered: that is their code; each failed
  // exchange keeps the code of what went wrong on the wire.
  assert.deepEqual(run.summary.undeliveredByCode, { KPROD_DELIVERY_TIMEOUT: c.failed! + c.unknown! })
  const undelivered = run.batches.flatMap((b) => b.errors as Array<{ error: string, code: string }>)
  assert.ok(undelivered.every((e) => e.code === 'KPROD_DELIVERY_TIMEOUT' && /delivery timeout of 4000 ms exceeded/.test(e.error)), JSON.stringify(undelivered.slice(0, 3)))
  const failedExchanges = run.batches.flatMap((b) => b.exchanges as Array<{ error: string | null, errorCode: string | null }>).filter((x) => x.error !== null)
  assert.ok(failedExchanges.length > 0)
  const wireCodes = new Set(failedExchanges.map((x) => x.errorCode))
  assert.ok([...wireCodes].every((code) => code === 'KPROD_CONNECTION_LOST' || code === 'KPROD_REQUEST_TIMEOUT' || code === 'KPROD_BROKER'), [...wireCodes].join(', '))

  const expectedLines = referenceLines(Buffer.from(chunk(1, 2000), 'latin1')).map((b) => b.toString('latin1'))
  const failedLines = referenceLines(readFileSync(failedFile)).map((b) => b.toString('latin1'))
  assert.equal(failedLines.length, c.failed! + c.unknown!)
  for (const l of failedLines) assert.ok(expectedLines.includes(l), `failed-output holds a line kprod never read: ${JSON.stringify(l)}`)

  await kafka.startNode(1)
  const resend = await kprod(['--brokers', kafka.bootstrap, '--topic', topic, '--no-progress', '--connect-timeout', '30000', failedFile], { timeoutMs: 90_000 })
  assert.equal(resend.code, 0, resend.stderr)

  const onBroker = new Set((await consumeAll(kafka.bootstrap, topic)).map((r) => r.value.toString('latin1')))
  const missing = expectedLines.filter((l) => !onBroker.has(l))
  assert.deepEqual(missing.slice(0, 5), [])
})
