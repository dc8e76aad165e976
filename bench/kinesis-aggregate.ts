// Issue 18's bench: --aggregate against the plain path, and kprod's KPL encoder against AWS's.
//
// 1. Lines per second per shard through kprod on a one-shard stream (the loopback stub,
//    kinesis-stub.ts, its own process), plain (--shard-ordering) and --aggregate, both with the
//    default shard shaping (1,000 records/s and 1 MiB/s): what a shard takes of 100-byte lines
//    either way. Then both with --shard-limit off: what the client alone can do (CPU-bound).
// 2. The encoder: kprod's aggregate() (src/transports/kinesis/aggregate.ts) against
//    aws-kinesis-agg's aggregate() on the same 100-byte records, rounds interleaved.
// A kprod run counts only when it exits 0 with every line delivered.
//
// usage: node bench/kinesis-aggregate.ts [--quick]   prints a table and a JSON line with the figures.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { aggregate } from '../src/transports/kinesis/aggregate.ts'
import type { InputRecord } from '../src/record.ts'
import { median, round } from './stats.ts'
import { ROOT } from './tools.ts'

const { values: opts } = parseArgs({ options: { quick: { type: 'boolean', default: false } } })
const ROUNDS = opts.quick ? 1 : 3
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' }

/** n lines of 100 bytes (99 and the LF). */
function lines (n: number): Buffer {
  const out = Buffer.alloc(n * 100, 0x61)
  for (let i = 0; i < n; i++) {
    out.write(String(i).padStart(10, '0'), i * 100, 'latin1')
    out[i * 100 + 99] = 0x0a
  }
  return out
}

async function startStub (): Promise<{ child: ChildProcess, endpoint: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'kinesis-stub.ts'), '--shards', '1'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve))
  return { child, endpoint: `http://127.0.0.1:${(JSON.parse(first) as { port: number }).port}` }
}

/** kprod over a file on stdin; its lines/s (delivered / elapsed) from the summary. */
function kprodRate (endpoint: string, file: string, n: number, args: readonly string[]): number {
  const fd = openSync(file, 'r')
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'kprod.js'), '--stream', 'bench', '--endpoint', endpoint, '--kinesis-client', 'http',
    '--no-batch-lines', '--stats-interval', '0', '--no-progress', ...args], { stdio: [fd, 'pipe', 'pipe'], env: { ...process.env, ...AWS_ENV }, maxBuffer: 64 * 1024 * 1024 })
  closeSync(fd)
  const summary = JSON.parse(r.stdout.toString().trim().split('\n').at(-1) ?? '{}') as { counts?: { delivered: number }, elapsedMs?: number }
  if (r.status !== 0 || summary.counts?.delivered !== n) throw new Error(`kprod ${args.join(' ')}: exit ${String(r.status)}, ${JSON.stringify(summary.counts)}; ${r.stderr.toString().slice(0, 500)}`)
  return n / ((summary.elapsedMs ?? 1) / 1000)
}

interface AwsKinesisAgg {
  aggregate (records: Array<{ partitionKey: string, data: Buffer }>, onEncoded: (record: { data: Buffer }, done: (err?: Error) => void) => void,
    afterAll: () => void, onError: (err: Error) => void): void
}

async function encoderRates (n: number): Promise<{ kprodMs: number[], awsMs: number[], kprodBytes: number, awsBytes: number }> {
  const agg = createRequire(import.meta.url)('aws-kinesis-agg') as AwsKinesisAgg
  const data = lines(n)
  const key = Buffer.from('0123456789abcdef0123456789abcdef')
  const records: InputRecord[] = Array.from({ length: n }, (_, i) => {
    const value = data.subarray(i * 100, i * 100 + 99)
    return { line: value, key: null, value, lineNo: i + 1, readAt: 0 }
  })
  const theirs = records.map((r) => ({ partitionKey: key.toString(), data: r.value }))
  const kprodMs: number[] = []
  const awsMs: number[] = []
  let kprodBytes = 0
  let awsBytes = 0
  for (let round = 0; round < ROUNDS + 1; round++) {
    let t = performance.now()
    kprodBytes = 0
    for (let from = 0; from < n;) {
      const a = aggregate(records, from, 1024 * 1024, () => key, null)
      kprodBytes += a.data.length
      from += a.count
    }
    if (round > 0) kprodMs.push(performance.now() - t)
    t = performance.now()
    awsBytes = 0
    await new Promise<void>((resolve, reject) => agg.aggregate(theirs, (encoded, done) => { awsBytes += encoded.data.length; done() }, resolve, reject))
    if (round > 0) awsMs.push(performance.now() - t)
  }
  return { kprodMs, awsMs, kprodBytes, awsBytes }
}

const work = mkdtempSync(join(tmpdir(), 'kprod-bench-agg-'))
const stub = await startStub()
try {
  const plainN = opts.quick ? 3000 : 10_000
  const aggN = opts.quick ? 30_000 : 100_000
  const freeN = opts.quick ? 100_000 : 300_000
  const files = { plain: join(work, 'plain'), agg: join(work, 'agg'), free: join(work, 'free') }
  writeFileSync(files.plain, lines(plainN))
  writeFileSync(files.agg, lines(aggN))
  writeFileSync(files.free, lines(freeN))
  const rates: Record<'plain' | 'aggregate' | 'plainFree' | 'aggregateFree', number[]> = { plain: [], aggregate: [], plainFree: [], aggregateFree: [] }
  for (let round = 0; round < ROUNDS; round++) {
    rates.plain.push(kprodRate(stub.endpoint, files.plain, plainN, ['--shard-ordering']))
    rates.aggregate.push(kprodRate(stub.endpoint, files.agg, aggN, ['--aggregate']))
    rates.plainFree.push(kprodRate(stub.endpoint, files.free, freeN, ['--shard-ordering', '--shard-limit', 'off']))
    rates.aggregateFree.push(kprodRate(stub.endpoint, files.free, freeN, ['--aggregate', '--shard-limit', 'off']))
  }
  const enc = await encoderRates(opts.quick ? 100_000 : 300_000)
  const m = (xs: number[]): number => round(median(xs), 0)
  const out = {
    linesPerSecondPerShard: { plain: m(rates.plain), aggregate: m(rates.aggregate), ratio: round(median(rates.aggregate) / median(rates.plain), 2) },
    unshaped: { plain: m(rates.plainFree), aggregate: m(rates.aggregateFree), ratio: round(median(rates.aggregateFree) / median(rates.plainFree), 2) },
    encoder: {
      records: opts.quick ? 100_000 : 300_000,
      kprodMs: m(enc.kprodMs),
      awsKinesisAggMs: m(enc.awsMs),
      speedup: round(median(enc.awsMs) / median(enc.kprodMs), 2),
      kprodBytes: enc.kprodBytes,
      awsKinesisAggBytes: enc.awsBytes
    },
    runs: rates,
    rounds: ROUNDS
  }
  process.stdout.write(`shaped (1,000 records/s, 1 MiB/s), lines/s on one shard: plain ${out.linesPerSecondPerShard.plain}, --aggregate ${out.linesPerSecondPerShard.aggregate} (${out.linesPerSecondPerShard.ratio}x)\n`)
  process.stdout.write(`--shard-limit off: plain ${out.unshaped.plain}, --aggregate ${out.unshaped.aggregate} (${out.unshaped.ratio}x)\n`)
  process.stdout.write(`encoder, ${out.encoder.records} x 100 B: kprod ${out.encoder.kprodMs} ms, aws-kinesis-agg ${out.encoder.awsKinesisAggMs} ms (${out.encoder.speedup}x)\n`)
  process.stdout.write(JSON.stringify(out) + '\n')
} finally {
  stub.child.stdin!.end()
  rmSync(work, { recursive: true, force: true })
}
