// The benchmark suite (issue 4): a private broker, generated workloads, every tool on a fresh
// 6-partition topic (acks=all, no compression), alternating tools, medians, and a record count
// read back from the broker after every run. Tables go to stderr; the last stdout line is JSON.
// usage: node bench/run.ts [--quick] [--runs N] [--w3-runs N] [--one-line-runs N] [--no-profile] [--keep-broker] [--only kinesis|codecs|one-line|rate|json|files|secure]

import { execFileSync, spawnSync } from 'node:child_process'
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { summariseProfile, type ProfileSummary } from './profile.ts'
import { median, round, table } from './stats.ts'
import { Broker, KPROD_TOOLS, ROOT, TOOLS, command, measure, summariseRuns, warmUp, type BenchResult, type Measured, type ToolName } from './tools.ts'
import { bigWorkload, ensureFile, fileWorkloads, trickleWorkload, type FileWorkload } from './workloads.ts'
import { runTrickle, type TrickleResult } from './trickle.ts'
import { kinesisBench } from './kinesis.ts'
import { codecBench } from './codecs.ts'
import { oneLineBench } from './one-line.ts'
import { rateBench } from './rate.ts'
import { jsonInputBench } from './json-input.ts'
import { saslSslBench, scramLoginBench } from './secure.ts'

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'w3-runs': { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
    'keep-broker': { type: 'boolean', default: false },
    'one-line-runs': { type: 'string' },
    // 'kinesis': only the Kinesis part (kprod vs the SDK loop on a stub); no Kafka broker is started.
    // 'codecs': only W2 with each codec beside kcat -z; 'one-line': only the one-line-per-process runs;
    // 'rate': only --rate and --rate-bytes held over 10 s, beside perf-test --throughput;
    // 'json': only --format json against the same records as plain lines;
    // 'files': only W1 and W2, default kprod beside kcat -P (the goal's pair, without the long rest).
    // 'secure': only W1 over SASL_SSL beside kcat and SCRAM logins, on a broker of `up --secure`.
    only: { type: 'string' }
  }
})
const quick = opts.quick
const runs = Number(opts.runs ?? (quick ? 1 : 5))
const w3Runs = Number(opts['w3-runs'] ?? (quick ? 1 : 2))
const DATA = `${ROOT}/.local/bench`
const KAFKA_HOME = process.env['KPROD_KAFKA_HOME'] ?? `${ROOT}/.local/bench-kafka`
const log = (s: string): void => { process.stderr.write(s + '\n') }
const onlyKinesis = opts.only === 'kinesis'
if (opts.only !== undefined && !['kinesis', 'codecs', 'one-line', 'rate', 'json', 'files', 'secure'].includes(opts.only)) throw new Error(`--only takes 'kinesis', 'codecs', 'one-line', 'rate', 'json', 'files' or 'secure', not '${opts.only}'`)
const secure = opts.only === 'secure'
const oneLineRuns = Number(opts['one-line-runs'] ?? (quick ? 10 : 30))

/** One workload × tool entry of the final JSON. */
interface Result extends BenchResult {
  selfReportedRecordsPerSec?: number
}

function localKafka (...args: string[]): string {
  return localKafkaOutput(...args).split('\n').at(-1) ?? ''
}

// A secure cluster (--only secure) lives in a home of its own: a plain one may be kept running.
function localKafkaOutput (...args: string[]): string {
  const home = secure ? `${KAFKA_HOME}-secure` : KAFKA_HOME
  const out = execFileSync('bash', [`${ROOT}/scripts/local-kafka`, ...args], { env: { ...process.env, KPROD_KAFKA_HOME: home, KPROD_KAFKA_TIMEOUT: process.env['KPROD_KAFKA_TIMEOUT'] ?? '170' }, stdio: ['ignore', 'pipe', 'inherit'] })
  return out.toString().trim()
}

function build (): void {
  const tsc = spawnSync(`${ROOT}/node_modules/.bin/tsc`, ['-p', `${ROOT}/tsconfig.build.json`], { stdio: ['ignore', 'pipe', 'pipe'] })
  if (tsc.status !== 0) {
    log(`bench: build failed, using the existing dist/:\n${tsc.stdout.toString().slice(0, 2000)}`)
    return
  }
  const bundle = spawnSync(process.execPath, ['scripts/bundle.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  if (bundle.status !== 0) log(`bench: bundling failed, using the existing dist/kprod:\n${bundle.stderr.toString().slice(0, 2000)}`)
}

let topicSeq = 0
const topicName = (w: string, tool: string): string => `bench-${w}-${tool}-${process.pid}-${++topicSeq}`

// One run of one tool on one file workload; the topic is created before and deleted after.
async function runOnce (broker: Broker, w: FileWorkload, tool: ToolName): Promise<Measured & { counted: number, ok: boolean }> {
  const topic = topicName(w.name, tool)
  await broker.createTopic(topic, w.topicConfig)
  const c = command(tool, { bootstrap: broker.bootstrap, topic, records: w.records, size: w.size, large: w.size > 100_000 })
  const fd = c.readsStdin ? openSync(w.file, 'r') : -1
  try {
    const m = await measure(c.cmd, c.args, c.readsStdin ? { fd } : null, `${DATA}/time-${process.pid}.txt`)
    const counted = await broker.count(topic)
    const ok = m.code === 0 && counted === w.records
    if (!ok) log(`bench: ${w.name} ${tool}: exit ${m.code}, ${counted}/${w.records} records on the topic\n${m.stderrTail.slice(-1500)}`)
    return { ...m, counted, ok }
  } finally {
    if (fd >= 0) closeSync(fd)
    await broker.deleteTopic(topic)
  }
}

function summarise (w: FileWorkload, tool: string, ms: Array<Measured & { counted: number, ok: boolean }>): Result {
  return {
    ...summariseRuns(w.name, tool, w.records, w.size, ms, m => m.counted),
    ...(tool === 'perf-test' ? { selfReportedRecordsPerSec: Math.round(median(ms.map(m => perfTestRate(m.stdout)))) } : {})
  }
}

// perf-test's own last line: "N records sent, X records/sec (Y MB/sec), ..." (its steady-state
// rate, without JVM start-up and connection set-up, which the wall-clock figure includes).
function perfTestRate (stdout: string): number {
  const m = /records sent, ([\d.]+) records\/sec/.exec(stdout.trim().split('\n').at(-1) ?? '')
  return m === null ? Number.NaN : Number(m[1])
}

// `cat file | node -e 'consume stdin'`: how fast a Node process can read the pipe at all.
async function rawPipe (w: FileWorkload): Promise<number> {
  const js = "process.stdin.on('data',()=>{})"
  const secs: number[] = []
  for (let i = 0; i < Math.max(1, Math.min(runs, 3)); i++) {
    const m = await measure('bash', ['-c', `cat "$0" | "${process.execPath}" -e "${js}"`, w.file], null, `${DATA}/time-${process.pid}.txt`)
    secs.push(m.wallMs / 1000)
  }
  return round(median(secs.map(s => (w.records * w.size) / 1048576 / s)))
}

async function inputOnly (w: FileWorkload): Promise<{ linesPerSec: number, peakRssMb: number }> {
  const rates: number[] = []
  let rss = 0
  for (let i = 0; i < 3; i++) {
    const m = await measure(process.execPath, [`${ROOT}/bench/input-only.ts`, w.file], null, `${DATA}/time-${process.pid}.txt`)
    rates.push((JSON.parse(m.stdout.trim()) as { linesPerSec: number }).linesPerSec)
    rss = Math.max(rss, m.maxRssMb)
  }
  return { linesPerSec: Math.round(median(rates)), peakRssMb: round(rss, 1) }
}

async function profileKprod (broker: Broker, w: FileWorkload, tool: ToolName): Promise<ProfileSummary | null> {
  const dir = `${DATA}/prof-${process.pid}`
  mkdirSync(dir, { recursive: true })
  const topic = topicName(w.name, `${tool}-prof`)
  await broker.createTopic(topic, w.topicConfig)
  const c = command(tool, { bootstrap: broker.bootstrap, topic, records: w.records, size: w.size, large: false }, ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${tool}-w1.cpuprofile`], `${ROOT}/bench/unbundled.js`)
  const fd = openSync(w.file, 'r')
  try {
    await measure(c.cmd, c.args, { fd }, `${DATA}/time-${process.pid}.txt`)
  } finally {
    closeSync(fd)
    await broker.deleteTopic(topic)
  }
  try { return summariseProfile(`${dir}/${tool}-w1.cpuprofile`) } catch { return null }
}

function ratio (a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined || b === 0 ? null : round(a / b, 3)
}

async function main (): Promise<void> {
  const started = new Date()
  mkdirSync(DATA, { recursive: true })
  log(`bench: ${quick ? 'quick' : 'full'} mode, ${runs} run(s) per tool, W3 ${w3Runs} run(s); building dist/${onlyKinesis ? ' (Kinesis part only)' : ' and starting the broker'}`)
  build()
  const broker = onlyKinesis ? null : new Broker(secure ? localKafka('up', '--secure') : localKafka('up'))
  await broker?.connect()
  try {
    const out = broker === null
      ? await kinesisPart()
      : opts.only === 'codecs'
        ? await codecPart(broker)
        : opts.only === 'one-line'
          ? await oneLinePart(broker)
          : opts.only === 'rate'
            ? await ratePart(broker)
            : opts.only === 'json'
              ? await jsonPart(broker)
              : opts.only === 'files'
                ? await filesPart(broker, ['kprod', 'kcat'])
                : secure ? await securePart(broker) : await suite(broker)
    const finished = new Date()
    const doc = { mode: quick ? 'quick' : 'full', started: started.toISOString(), finished: finished.toISOString(), machine: machine(), ...out }
    mkdirSync(`${ROOT}/bench/results`, { recursive: true })
    const base = `${ROOT}/bench/results/${started.toISOString().slice(0, 10)}-${quick ? 'quick' : 'full'}${opts.only === undefined ? '' : `-${opts.only}`}`
    const file = writeNew(base, started, JSON.stringify(doc, null, 2) + '\n')
    log(`bench: results written to ${file} after ${Math.round((finished.getTime() - started.getTime()) / 1000)} s`)
    process.stdout.write(JSON.stringify(doc) + '\n')
  } finally {
    if (broker !== null) {
      await broker.disconnect()
      if (opts['keep-broker'] !== true) localKafka('down')
    }
  }
}

// Kinesis: kprod vs a bare SDK PutRecords loop on a loopback stub (bench/kinesis.ts); no broker.
async function kinesisPart (): Promise<{ results: unknown[], ratios: Record<string, unknown>, kinesis: unknown }> {
  const k = await kinesisBench({ dataDir: DATA, quick, runs: opts.runs === undefined && quick ? 3 : runs, log })
  return { results: k.results, ratios: { kinesis: k.ratios }, kinesis: k.settings }
}

// W2 with each codec: kprod --compression C beside kcat -z C.
async function codecPart (broker: Broker): Promise<{ results: unknown[], ratios: Record<string, unknown> }> {
  const w2 = fileWorkloads(DATA, quick).find((w) => w.name === 'W2')!
  // The goal is stated on W2; quick mode's fifth of it is over in ~0.4 s for kcat on a quiet
  // machine, and kprod's start-up (Node, the bundle, connecting) is a large share of that.
  if (quick) log(`bench: codecs on ${w2.records.toLocaleString('en')} lines, a fifth of W2: start-up weighs more than on W2 itself; the goal is judged on \`--only codecs --runs 3\` (100,000 lines)`)
  if (await ensureFile(w2)) log(`bench: generated ${w2.file}`)
  execFileSync('bash', ['-c', 'cat "$0" > /dev/null', w2.file])
  const c = await codecBench({ broker, dataDir: DATA, runs, log, topicName, w2 })
  log('\n' + table(['workload', 'tool', 'records/s', 'MiB/s', 'cpu s/M', 'peak RSS MB', 'wall s', 'runs', 'verified'],
    c.results.map(r => [r.workload, r.tool, r.recordsPerSec, r.mibPerSec, r.cpuSecondsPerMillion, r.peakRssMb, r.wallSeconds, r.runs, r.verified])))
  log('\n' + table(['codec ratio', 'kprod/kcat'], Object.entries(c.ratios).map(([k, v]) => [k, v])))
  return { results: c.results, ratios: { codecs: c.ratios } }
}

// W1 over SASL_SSL (kprod PLAIN and SCRAM-SHA-512 beside kcat PLAIN), then SCRAM logins by client.
async function securePart (broker: Broker): Promise<{ results: unknown[], ratios: Record<string, unknown>, scramLogin: unknown }> {
  const l = new Map(localKafkaOutput('listeners').split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]))
  const listeners = { saslSsl: l.get('SASL_SSL')!, saslPlaintext: l.get('SASL_PLAINTEXT')!, caFile: l.get('CA_FILE')! }
  const w1 = fileWorkloads(DATA, quick).find((w) => w.name === 'W1')!
  if (await ensureFile(w1)) log(`bench: generated ${w1.file}`)
  execFileSync('bash', ['-c', 'cat "$0" > /dev/null', w1.file])
  const s = await saslSslBench({ broker, dataDir: DATA, runs, log, topicName, w1, listeners })
  log('\n' + table(['workload', 'tool', 'records/s', 'MiB/s', 'cpu s/M', 'peak RSS MB', 'wall s', 'runs', 'verified'],
    s.results.map(r => [r.workload, r.tool, r.recordsPerSec, r.mibPerSec, r.cpuSecondsPerMillion, r.peakRssMb, r.wallSeconds, r.runs, r.verified])))
  log('\n' + table(['SASL_SSL ratio', 'kprod/kcat'], Object.entries(s.ratios).map(([k, v]) => [k, v])))
  const scramLogin = await scramLoginBench(listeners, quick ? 15 : 40, log)
  return { results: s.results, ratios: { saslSsl: s.ratios }, scramLogin }
}

// One line per process: start-up and shut-down against kcat's.
async function oneLinePart (broker: Broker): Promise<{ results: unknown[], ratios: Record<string, unknown> }> {
  const o = await oneLineBench({ broker, dataDir: DATA, runs: oneLineRuns, log, topicName })
  log('\n' + table(['one line', 'median wall ms', 'p90 wall ms', 'median cpu ms', 'peak RSS MB', 'runs', 'verified'],
    o.results.map(r => [r.tool, r.medianWallMs, r.p90WallMs, r.medianCpuMs, r.peakRssMb, r.runs, r.verified])))
  return { results: o.results, ratios: { oneLine: o.ratios } }
}

// --rate and --rate-bytes over 10 s, measured on the broker's append times, beside perf-test --throughput.
async function ratePart (broker: Broker): Promise<{ results: unknown[], ratios: Record<string, unknown> }> {
  const o = await rateBench({ broker, dataDir: DATA, runs: opts.runs === undefined ? (quick ? 1 : 3) : runs, log, topicName, quick })
  log('\n' + table(['rate', 'tool', 'target', 'achieved', 'deviation %', 'worst run %', 'worst second %', 'runs', 'verified'],
    o.results.map(r => [r.workload, r.tool, r.target, r.achieved, r.deviationPct, r.worstDeviationPct, r.worstSecondPct, r.runs, r.verified])))
  return { results: o.results, ratios: { rate: o.ratios } }
}

// --format json against the same records as plain lines with --key-separator.
async function jsonPart (broker: Broker): Promise<{ results: unknown[], ratios: Record<string, unknown> }> {
  const o = await jsonInputBench({ broker, dataDir: DATA, runs: opts.runs === undefined ? (quick ? 3 : 5) : runs, log, topicName, quick })
  log('\n' + table(['workload', 'tool', 'records/s', 'cpu s/M', 'peak RSS MB', 'runs', 'verified'],
    o.results.map(r => [r.workload, r.tool, r.recordsPerSec, r.cpuSecondsPerMillion, r.peakRssMb, r.runs, r.verified])))
  log('\n' + table(['json input ratio', 'value'], Object.entries(o.ratios).map(([k, v]) => [k, v])))
  return { results: o.results, ratios: { jsonInput: o.ratios } }
}

// W1 and W2 with only `tools`, alternating as the full suite does.
async function filesPart (broker: Broker, tools: readonly ToolName[]): Promise<{ results: unknown[], ratios: Record<string, unknown> }> {
  const workloads = fileWorkloads(DATA, quick).filter((w) => w.name === 'W1' || w.name === 'W2')
  for (const w of workloads) {
    if (await ensureFile(w)) log(`bench: generated ${w.file}`)
    execFileSync('bash', ['-c', 'cat "$0" > /dev/null', w.file])
  }
  const results: Result[] = []
  for (const w of workloads) results.push(...await fileRuns(broker, w, tools, true))
  log('\n' + table(['workload', 'tool', 'records/s', 'MiB/s', 'cpu s/M', 'peak RSS MB', 'wall s', 'runs', 'verified'],
    results.map(r => [r.workload, r.tool, r.recordsPerSec, r.mibPerSec, r.cpuSecondsPerMillion, r.peakRssMb, r.wallSeconds, r.runs, r.verified])))
  const ratios = Object.fromEntries(workloads.map((w) => {
    const k = results.find((r) => r.workload === w.name && r.tool === 'kprod')
    const c = results.find((r) => r.workload === w.name && r.tool === 'kcat')
    return [`${w.name} kprod/kcat`, ratio(k?.recordsPerSec, c?.recordsPerSec)]
  }))
  return { results, ratios }
}

// `runs` runs of each tool on one file workload; each run starts with the next tool, so no tool
// always runs first or last. With `warm` (the files piece), one uncounted run of each tool comes
// first (tools.ts warmUp): W1 runs right after the broker's start; W2 gets one too, so that both
// workloads are measured alike. The full suite runs without, as its recorded results did.
async function fileRuns (broker: Broker, w: FileWorkload, tools: readonly ToolName[], warm = false): Promise<Result[]> {
  const per = new Map<ToolName, Array<Measured & { counted: number, ok: boolean }>>(tools.map(t => [t, []]))
  if (warm) await warmUp(tools, w.name, (tool) => runOnce(broker, w, tool), log)
  for (let r = 0; r < runs; r++) {
    const order = tools.map((_, i) => tools[(i + r) % tools.length]!)
    for (const tool of order) {
      const m = await runOnce(broker, w, tool)
      per.get(tool)!.push(m)
      log(`bench: ${w.name} run ${r + 1}/${runs} ${tool}: ${(m.wallMs / 1000).toFixed(2)} s, cpu ${m.cpuS.toFixed(2)} s, rss ${m.maxRssMb.toFixed(0)} MB, ${m.counted}/${w.records}${m.ok ? '' : ' FAILED'}`)
    }
  }
  return tools.map((tool) => summarise(w, tool, per.get(tool)!))
}

async function suite (broker: Broker): Promise<Record<string, unknown>> {
  const workloads = fileWorkloads(DATA, quick)
  const big = bigWorkload(DATA, quick ? 2 : 10, workloads[0]!)
  for (const w of [...workloads, big]) {
    if (await ensureFile(w)) log(`bench: generated ${w.file}`)
  }
  for (const w of [...workloads, big]) execFileSync('bash', ['-c', 'cat "$0" > /dev/null', w.file])
  const results: Result[] = []
  const rawPipeMibPerSec: Record<string, number> = {}
  for (const w of workloads) {
    rawPipeMibPerSec[w.name] = await rawPipe(w)
    results.push(...await fileRuns(broker, w, TOOLS))
  }
  for (const tool of KPROD_TOOLS) {
    const bigRuns = [await runOnce(broker, big, tool)]
    results.push(summarise(big, tool, bigRuns))
    log(`bench: ${big.name} ${tool}: rss ${bigRuns[0]!.maxRssMb.toFixed(0)} MB`)
  }
  const w3: TrickleResult[] = []
  const tw = trickleWorkload(quick)
  for (let r = 0; r < w3Runs; r++) {
    for (const tool of ['kprod', 'kprod-kafkajs', 'kcat', 'console-producer'] as const) {
      const t = await runTrickle(broker, tw, tool, DATA, topicName('W3', tool))
      w3.push(t)
      log(`bench: W3 run ${r + 1}/${w3Runs} ${tool}: append latency trickle p50 ${t.trickleAppendP50Ms} ms p99 ${t.trickleAppendP99Ms} ms, burst p99 ${t.burstAppendP99Ms} ms, ${t.counted}/${t.sent}${t.verified ? '' : ' FAILED'}`)
    }
  }
  const inputStage = await inputOnly(workloads[0]!)
  log(`bench: input stage alone on W1: ${inputStage.linesPerSec} lines/s`)
  let profile: Record<string, ProfileSummary | null> | null = null
  if (opts['no-profile'] !== true) {
    profile = {}
    for (const tool of KPROD_TOOLS) profile[tool] = await profileKprod(broker, workloads[0]!, tool)
  }
  const w3Results = summariseW3(w3)
  const ratios = ratiosOf(results, rawPipeMibPerSec)
  print(results, w3Results, ratios, rawPipeMibPerSec, inputStage, profile)
  const codecs = await codecPart(broker)
  const oneLine = await oneLinePart(broker)
  const rate = await ratePart(broker)
  const json = await jsonPart(broker)
  const k = await kinesisPart()
  return {
    results: [...results, ...w3Results, ...codecs.results, ...oneLine.results, ...rate.results, ...json.results, ...k.results],
    ratios: { ...ratios, ...codecs.ratios, ...oneLine.ratios, ...rate.ratios, ...json.ratios, ...k.ratios },
    rawPipeMibPerSec,
    inputStage,
    profile,
    kinesis: k.kinesis
  }
}

function summariseW3 (all: TrickleResult[]): Array<Record<string, unknown>> {
  const tools = [...new Set(all.map(t => t.tool))]
  return tools.map(tool => {
    const ts = all.filter(t => t.tool === tool)
    const m = (f: (t: TrickleResult) => number | null): number | null => {
      const v = ts.map(f).filter((x): x is number => x !== null)
      return v.length === 0 ? null : round(median(v), 1)
    }
    return {
      workload: 'W3',
      tool,
      recordsPerSec: Math.round(median(ts.map(t => t.sent / (t.wallMs / 1000)))),
      mibPerSec: round(median(ts.map(t => (t.sent * 100) / 1048576 / (t.wallMs / 1000)))),
      cpuSecondsPerMillion: round(median(ts.map(t => t.cpuS / (t.sent / 1e6)))),
      peakRssMb: round(Math.max(...ts.map(t => t.maxRssMb)), 1),
      runs: ts.length,
      verified: ts.every(t => t.verified),
      appendLatencyMs: { p50: m(t => t.appendP50Ms), p99: m(t => t.appendP99Ms), trickleP50: m(t => t.trickleAppendP50Ms), trickleP99: m(t => t.trickleAppendP99Ms), burstP99: m(t => t.burstAppendP99Ms), startupMax: m(t => t.startupAppendMaxMs) },
      lineToAckMs: tool.startsWith('kprod') ? { p50: m(t => t.kprodP50Ms), p99: m(t => t.kprodP99Ms) } : null
    }
  })
}

function ratiosOf (results: Result[], raw: Record<string, number>): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = {}
  for (const w of ['W1', 'W2', 'W4']) {
    const get = (t: string): Result | undefined => results.find(r => r.workload === w && r.tool === t)
    out[w] = {}
    for (const t of KPROD_TOOLS) {
      const k = get(t)?.recordsPerSec
      Object.assign(out[w], {
        [`${t}/kcat`]: ratio(k, get('kcat')?.recordsPerSec),
        [`${t}/console-producer`]: ratio(k, get('console-producer')?.recordsPerSec),
        [`${t}/perf-test`]: ratio(k, get('perf-test')?.recordsPerSec),
        [`${t}/perf-test (self-reported rate)`]: ratio(k, get('perf-test')?.selfReportedRecordsPerSec),
        [`${t} MiB/s / raw pipe MiB/s`]: ratio(get(t)?.mibPerSec, raw[w])
      })
    }
  }
  return out
}

function print (results: Result[], w3: Array<Record<string, unknown>>, ratios: Record<string, Record<string, number | null>>, raw: Record<string, number>,
  inputStage: { linesPerSec: number }, profile: Record<string, ProfileSummary | null> | null): void {
  log('\n' + table(['workload', 'tool', 'records/s', 'MiB/s', 'cpu s/M', 'peak RSS MB', 'wall s', 'runs', 'verified'],
    results.map(r => [r.workload, r.tool, r.recordsPerSec, r.mibPerSec, r.cpuSecondsPerMillion, r.peakRssMb, r.wallSeconds, r.runs, r.verified])))
  log('\n' + table(['W3 tool', 'all p50', 'all p99', 'trickle p50', 'trickle p99', 'burst p99', 'start-up max', 'kprod ack p50', 'kprod ack p99', 'peak RSS MB', 'verified'],
    w3.map(r => {
      const a = r['appendLatencyMs'] as Record<string, number | null>
      const k = r['lineToAckMs'] as Record<string, number | null> | null
      return [r['tool'], a['p50'], a['p99'], a['trickleP50'], a['trickleP99'], a['burstP99'], a['startupMax'], k?.['p50'], k?.['p99'], r['peakRssMb'], r['verified']]
    })))
  log('\n' + table(['workload', 'kprod client', '/kcat', '/console', '/perf-test', '/perf-test self', '/raw pipe', 'raw pipe MiB/s'],
    Object.entries(ratios).flatMap(([w, r]) => KPROD_TOOLS.map(t =>
      [w, t, r[`${t}/kcat`], r[`${t}/console-producer`], r[`${t}/perf-test`], r[`${t}/perf-test (self-reported rate)`], r[`${t} MiB/s / raw pipe MiB/s`], raw[w]]))))
  log(`\ninput stage alone (W1): ${inputStage.linesPerSec} lines/s`)
  for (const [tool, p] of Object.entries(profile ?? {})) {
    if (p === null) continue
    log('\n' + table([`${tool} W1 profile: stage`, 'self %'], p.stages.map(s => [s.stage, s.pct])))
    log('\n' + table(['charged to nearest kprod/kafkajs caller', 'self %'], p.owners.map(s => [s.stage, s.pct])))
    log('\n' + table(['top frame', 'stage', 'self %'], p.top.map(f => [f.frame, f.stage, f.pct])))
  }
}

function machine (): Record<string, unknown> {
  const sh = (c: string): string => { try { return execFileSync('bash', ['-c', c]).toString().trim() } catch { return '' } }
  return {
    cpus: sh('nproc'),
    cpuModel: sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"),
    memory: sh("free -m | awk '/Mem:/{print $2\" MiB\"}'"),
    node: process.version,
    java: sh('java -version 2>&1 | head -1'),
    kcat: sh('kcat -V 2>&1 | grep -m1 Version | cut -d"(" -f1'),
    loadAvgAtStart: sh('cat /proc/loadavg')
  }
}

/**
 * Writes `text` to `<base>.json`, or, when that exists (an earlier run of the same day and mode,
 * perhaps committed as the evidence bench/README.md cites), to `<base>-<HHMMSS>.json` (the start,
 * UTC), then `-2`, `-3`...: a run never overwrites a file. Returns the file written.
 */
function writeNew (base: string, started: Date, text: string): string {
  const time = started.toISOString().slice(11, 19).replaceAll(':', '')
  for (let n = 0; ; n++) {
    const file = n === 0 ? `${base}.json` : `${base}-${time}${n === 1 ? '' : `-${n}`}.json`
    try {
      writeFileSync(file, text, { flag: 'wx' })
      return file
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
}

await main()
