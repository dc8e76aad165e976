// The Kinesis part of the bench (issue 4): kprod against a bare SDK PutRecords loop
// (kinesis-sdk-loop.ts) at the same concurrency and batch size, both on the loopback stub
// (kinesis-stub.ts, its own process), alternating, medians. A run is verified when the tool
// exits 0 and the stub received exactly as many records (and data bytes) as the file has lines.

import { spawn, type ChildProcess } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { median, round, table } from './stats.ts'
import { KPROD_NODE_FLAGS, ROOT, measure, summariseRuns, type BenchResult, type Measured } from './tools.ts'
import { ensureFile, type FileWorkload } from './workloads.ts'

/** kprod-http: --kinesis-client http. sdk-loop-lean: the loop without the SDK's logger middleware, which kprod removes too. */
export const KINESIS_TOOLS = ['kprod', 'kprod-http', 'sdk-loop', 'sdk-loop-lean'] as const
export type KinesisTool = typeof KINESIS_TOOLS[number]

/** Same fields as the suite's other results entries, plus the stub's share of the CPU. */
export interface KinesisResult extends BenchResult {
  workload: 'kinesis'
  tool: KinesisTool
  /** The stub's CPU seconds per wall second of the run (median): 1.0 would be one core. */
  stubCpuShare: number
}

export interface KinesisBench {
  results: KinesisResult[]
  ratios: Record<'kprod/sdk-loop' | 'kprod/sdk-loop cpu s per M' | 'kprod/sdk-loop-lean' | 'kprod/sdk-loop-lean cpu s per M' | 'kprod-http/sdk-loop' | 'kprod-http/sdk-loop cpu s per M', number | null>
  settings: { records: number, size: number, concurrency: number, batchRecords: number, file: string, shards: number }
}

/** 8 = kprod's default --workers; 500 = the PutRecords maximum. */
const CONCURRENCY = 8
const BATCH = 500
const SHARDS = 4
const STREAM = 'bench'
const AWS_ENV = ['AWS_ACCESS_KEY_ID=test', 'AWS_SECRET_ACCESS_KEY=test', 'AWS_REGION=us-east-1', 'AWS_EC2_METADATA_DISABLED=true']

interface StubStats { records: number, bytes: number, requests: number, failedRequests: number, cpuS: number, wallS: number }

class Stub {
  readonly #child: ChildProcess
  port = 0

  constructor () {
    this.#child = spawn(process.execPath, [`${ROOT}/bench/kinesis-stub.ts`, '--shards', String(SHARDS)], { stdio: ['pipe', 'pipe', 'inherit'] })
  }

  async start (): Promise<void> {
    const lines = createInterface({ input: this.#child.stdout! })
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve)
      this.#child.once('exit', (code) => reject(new Error(`kinesis stub exited with ${String(code)} before listening`)))
    })
    this.port = (JSON.parse(first) as { port: number }).port
  }

  get endpoint (): string { return `http://127.0.0.1:${this.port}` }

  /** Counts since the last call, then zero them. */
  async take (): Promise<StubStats> {
    const res = await fetch(`${this.endpoint}/__stats?reset=1`)
    return await res.json() as StubStats
  }

  async stop (): Promise<void> {
    const exited = new Promise(resolve => this.#child.once('exit', resolve))
    this.#child.stdin!.end()
    await exited
  }
}

type Run = Measured & { stub: StubStats, ok: boolean }

function commandOf (tool: KinesisTool, endpoint: string, extra: readonly string[] = []): string[] {
  const kprod = tool === 'kprod' || tool === 'kprod-http'
  const args = kprod
    ? [`${ROOT}/bin/kprod.js`, ...(tool === 'kprod-http' ? ['--kinesis-client', 'http'] : []), '--stream', STREAM, '--endpoint', endpoint, '--batch-records', String(BATCH), '--workers', String(CONCURRENCY),
        '--no-batch-lines', '--stats-interval', '0', '--no-progress']
    : [`${ROOT}/bench/kinesis-sdk-loop.ts`, '--stream', STREAM, '--endpoint', endpoint, '--batch', String(BATCH), '--concurrency', String(CONCURRENCY),
        ...(tool === 'sdk-loop-lean' ? ['--lean'] : [])]
  // `env` execs the tool in its place, so /usr/bin/time still measures the tool's own process.
  // kprod gets its shebang's node flags (as the installed command runs); the loops run on plain node.
  return [...AWS_ENV, process.execPath, ...(kprod ? KPROD_NODE_FLAGS : []), ...extra, ...args]
}

async function runOnce (stub: Stub, w: FileWorkload, tool: KinesisTool, timeFile: string, extra: readonly string[] = []): Promise<Run> {
  await stub.take()
  const fd = openSync(w.file, 'r')
  try {
    const m = await measure('env', commandOf(tool, stub.endpoint, extra), { fd }, timeFile)
    const stats = await stub.take()
    const ok = m.code === 0 && stats.records === w.records && stats.bytes === w.records * w.size && stats.failedRequests === 0
    return { ...m, stub: stats, ok }
  } finally {
    closeSync(fd)
  }
}

function summarise (w: FileWorkload, tool: KinesisTool, ms: Run[]): KinesisResult {
  return {
    ...summariseRuns('kinesis', tool, w.records, w.size, ms, m => m.stub.records),
    workload: 'kinesis',
    tool,
    stubCpuShare: round(median(ms.map(m => m.stub.cpuS / (m.wallMs / 1000))))
  }
}

export interface KinesisBenchOptions {
  readonly dataDir: string
  readonly quick: boolean
  readonly runs: number
  readonly log: (line: string) => void
}

/** kprod vs the bare SDK loop on a W1-like file (100-byte lines, the W1 files): 1,000,000 lines, 200,000 in quick mode. */
export async function kinesisBench (o: KinesisBenchOptions): Promise<KinesisBench> {
  const records = o.quick ? 200_000 : 1_000_000
  const w: FileWorkload = { name: 'kinesis', records, size: 100, file: `${o.dataDir}/w1-${records}.txt`, topicConfig: {} }
  if (await ensureFile(w)) o.log(`bench: generated ${w.file}`)
  execFileSync('bash', ['-c', 'cat "$0" > /dev/null', w.file])
  const timeFile = `${o.dataDir}/time-kinesis-${process.pid}.txt`
  const stub = new Stub()
  await stub.start()
  o.log(`bench: kinesis stub on ${stub.endpoint}; ${records} lines × 100 B, ${o.runs} run(s) per tool, concurrency ${CONCURRENCY}, ${BATCH} records per PutRecords`)
  const per = new Map<KinesisTool, Run[]>(KINESIS_TOOLS.map(t => [t, []]))
  try {
    for (let r = 0; r < o.runs; r++) {
      for (let i = 0; i < KINESIS_TOOLS.length; i++) {
        const tool = KINESIS_TOOLS[(i + r) % KINESIS_TOOLS.length]!
        const m = await runOnce(stub, w, tool, timeFile)
        per.get(tool)!.push(m)
        o.log(`bench: kinesis run ${r + 1}/${o.runs} ${tool}: ${(m.wallMs / 1000).toFixed(2)} s, cpu ${m.cpuS.toFixed(2)} s, rss ${m.maxRssMb.toFixed(0)} MB, ` +
          `stub cpu ${m.stub.cpuS.toFixed(2)} s, ${m.stub.records}/${w.records} records in ${m.stub.requests} requests${m.ok ? '' : ' FAILED'}`)
        if (!m.ok) o.log(`bench: kinesis ${tool}: exit ${m.code}, stub got ${m.stub.records} records / ${m.stub.bytes} bytes, ${m.stub.failedRequests} refused\n${m.stderrTail.slice(-1500)}`)
      }
    }
  } finally {
    await stub.stop()
  }
  const results = KINESIS_TOOLS.map(t => summarise(w, t, per.get(t)!))
  const [k, http, s, lean] = results as [KinesisResult, KinesisResult, KinesisResult, KinesisResult]
  const ratio = (a: number, b: number): number | null => b === 0 ? null : round(a / b, 3)
  const ratios = {
    'kprod/sdk-loop': ratio(k.recordsPerSec, s.recordsPerSec),
    'kprod/sdk-loop cpu s per M': ratio(k.cpuSecondsPerMillion, s.cpuSecondsPerMillion),
    'kprod/sdk-loop-lean': ratio(k.recordsPerSec, lean.recordsPerSec),
    'kprod/sdk-loop-lean cpu s per M': ratio(k.cpuSecondsPerMillion, lean.cpuSecondsPerMillion),
    'kprod-http/sdk-loop': ratio(http.recordsPerSec, s.recordsPerSec),
    'kprod-http/sdk-loop cpu s per M': ratio(http.cpuSecondsPerMillion, s.cpuSecondsPerMillion)
  }
  o.log('\n' + table(['kinesis tool', 'records/s', 'MiB/s', 'cpu s/M', 'peak RSS MB', 'wall s', 'stub cpu share', 'runs', 'verified'],
    results.map(r => [r.tool, r.recordsPerSec, r.mibPerSec, r.cpuSecondsPerMillion, r.peakRssMb, r.wallSeconds, r.stubCpuShare, r.runs, r.verified])))
  o.log(`kinesis: kprod/sdk-loop ${ratios['kprod/sdk-loop'] ?? '-'} (records/s), cpu ratio ${ratios['kprod/sdk-loop cpu s per M'] ?? '-'}; ` +
    `kprod/sdk-loop-lean ${ratios['kprod/sdk-loop-lean'] ?? '-'}, cpu ratio ${ratios['kprod/sdk-loop-lean cpu s per M'] ?? '-'}; ` +
    `kprod-http/sdk-loop ${ratios['kprod-http/sdk-loop'] ?? '-'}, cpu ratio ${ratios['kprod-http/sdk-loop cpu s per M'] ?? '-'}`)
  return { results, ratios, settings: { records, size: 100, concurrency: CONCURRENCY, batchRecords: BATCH, file: w.file, shards: SHARDS } }
}
