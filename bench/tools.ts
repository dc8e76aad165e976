// The producers under test and how one run is measured. Each tool runs under /usr/bin/time, which
// reports the child's getrusage (user+sys CPU, peak RSS) after it exits; wall time is taken here.
// The bench talks to the broker through one kafkajs admin: fresh topics, end offsets, deletes.

import { spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import type { Writable } from 'node:stream'
import { median, round } from './stats.ts'

export const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '')
export const KAFKA_LIBS = `${ROOT}/.local/kafka/4.3.1/libs/*`
const LOG4J = `${ROOT}/scripts/kafka/log4j2.yaml`
// What kafka-run-class.sh uses for the tools (KAFKA_HEAP_OPTS default and its GC flags).
const JVM = ['-Xmx256M', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35',
  '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${LOG4J}`, '-Dkprod.log.appender=STDERR', '-Dkprod.log.level=WARN']

export type ToolName = 'kprod' | 'kprod-kafkajs' | 'kcat' | 'console-producer' | 'perf-test'
export const TOOLS: readonly ToolName[] = ['kprod', 'kprod-kafkajs', 'kcat', 'console-producer', 'perf-test']
/** The kprod variants: the default wire client and --kafka-client kafkajs. */
export const KPROD_TOOLS: readonly ToolName[] = ['kprod', 'kprod-kafkajs']

/** The node flags of bin/kprod.js's shebang line, so the bench runs kprod as `kprod` runs. */
export const KPROD_NODE_FLAGS: readonly string[] = (() => {
  const first = readFileSync(`${ROOT}/bin/kprod.js`, 'utf8').split('\n', 1)[0] ?? ''
  const m = /^#!.*\bnode((?:\s+--\S+)*)\s*$/.exec(first)
  return m === null ? [] : (m[1] ?? '').trim().split(/\s+/).filter((f) => f !== '')
})()

/** The fields every entry of a bench run's `results` array has (the list, plus wall time and per-run counts). */
export interface BenchResult {
  workload: string
  tool: string
  recordsPerSec: number
  mibPerSec: number
  cpuSecondsPerMillion: number
  peakRssMb: number
  runs: number
  verified: boolean
  wallSeconds: number
  counts: string[]
}

/**
 * One results entry from the measured runs of one tool on a file of `records` lines of `size`
 * bytes: medians of the per-run rates, the largest peak RSS, and `counted` per run for `counts`.
 */
export function summariseRuns<M extends Measured & { ok: boolean }> (workload: string, tool: string, records: number, size: number, ms: readonly M[], counted: (m: M) => number): BenchResult {
  const mib = (records * size) / 1048576
  const secs = ms.map(m => m.wallMs / 1000)
  return {
    workload,
    tool,
    recordsPerSec: Math.round(median(secs.map(s => records / s))),
    mibPerSec: round(median(secs.map(s => mib / s))),
    cpuSecondsPerMillion: round(median(ms.map(m => m.cpuS / (records / 1e6)))),
    peakRssMb: round(Math.max(...ms.map(m => m.maxRssMb)), 1),
    runs: ms.length,
    verified: ms.every(m => m.ok),
    wallSeconds: round(median(secs)),
    counts: ms.map(m => `${counted(m)}/${records}`)
  }
}

/** What a tool needs to know about one run. */
export interface RunSpec {
  readonly bootstrap: string
  readonly topic: string
  readonly records: number
  readonly size: number
  /** Largest record: raises the tools' own request-size limits (W4). */
  readonly large: boolean
}

/**
 * Command line of a tool; perf-test makes its own records, the others read stdin. `extra` are node
 * flags for kprod, and `kprodEntry` the script it runs (bin/kprod.js, as installed).
 */
export function command (tool: ToolName, s: RunSpec, extra: readonly string[] = [], kprodEntry = `${ROOT}/bin/kprod.js`): { cmd: string, args: string[], readsStdin: boolean } {
  switch (tool) {
    case 'kprod':
    case 'kprod-kafkajs':
      return {
        cmd: process.execPath,
        args: [...KPROD_NODE_FLAGS, ...extra, kprodEntry, ...(tool === 'kprod-kafkajs' ? ['--kafka-client', 'kafkajs'] : []), '--topic', s.topic, '--brokers', s.bootstrap, '--acks', 'all', '--compression', 'none',
          '--no-batch-lines', '--stats-interval', '0', '--no-progress', ...(s.large ? ['--max-line-bytes', '2097152', '--batch-bytes', '4194304'] : [])],
        readsStdin: true
      }
    case 'kcat':
      return {
        cmd: 'kcat',
        args: ['-P', '-b', s.bootstrap, '-t', s.topic, '-X', 'acks=all', '-X', 'compression.codec=none',
          ...(s.large ? ['-X', 'message.max.bytes=16777216'] : [])],
        readsStdin: true
      }
    case 'console-producer':
      return {
        cmd: 'java',
        args: [...JVM, '-cp', KAFKA_LIBS, 'org.apache.kafka.tools.ConsoleProducer', '--bootstrap-server', s.bootstrap, '--topic', s.topic,
          '--producer-property', 'acks=all', '--producer-property', 'compression.type=none',
          ...(s.large ? ['--producer-property', 'max.request.size=16777216'] : [])],
        readsStdin: true
      }
    case 'perf-test':
      return {
        cmd: 'java',
        args: [...JVM, '-cp', KAFKA_LIBS, 'org.apache.kafka.tools.ProducerPerformance', '--topic', s.topic,
          '--num-records', String(s.records), '--record-size', String(s.size), '--throughput', '-1',
          '--producer-props', `bootstrap.servers=${s.bootstrap}`, 'acks=all', 'compression.type=none',
          ...(s.large ? ['max.request.size=16777216'] : [])],
        readsStdin: false
      }
  }
}

/** One measured process run. */
export interface Measured {
  readonly wallMs: number
  readonly cpuS: number
  readonly maxRssMb: number
  readonly code: number | null
  readonly stdout: string
  readonly stderrTail: string
}

/** Input of a measured run: a file descriptor, nothing, or a writer fed live (W3). */
export type StdinSource = { fd: number } | { write: (w: Writable) => Promise<unknown> } | null

export async function measure (cmd: string, args: readonly string[], stdin: StdinSource, timeFile: string): Promise<Measured> {
  const stdio0 = stdin === null ? 'ignore' : 'fd' in stdin ? stdin.fd : 'pipe'
  const t0 = performance.now()
  const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, cmd, ...args], { stdio: [stdio0, 'pipe', 'pipe'] })
  const out: Buffer[] = []
  let err = ''
  child.stdout?.on('data', (b: Buffer) => out.push(b))
  child.stderr?.on('data', (b: Buffer) => { err = (err + b.toString('utf8')).slice(-4000) })
  if (stdin !== null && 'write' in stdin && child.stdin !== null) {
    child.stdin.on('error', () => {})
    stdin.write(child.stdin).catch(() => {})
  }
  const code = await new Promise<number | null>(resolve => child.on('close', c => resolve(c)))
  const wallMs = performance.now() - t0
  const [user, sys, rssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number)
  rmSync(timeFile, { force: true })
  return { wallMs, cpuS: (user ?? NaN) + (sys ?? NaN), maxRssMb: (rssKb ?? NaN) / 1024, code, stdout: Buffer.concat(out).toString('utf8'), stderrTail: err }
}

/**
 * One run of each tool, in the order given, before a piece's measured runs; logged on stderr as a
 * warm-up and kept out of the results. The first runs after a broker's start pay its JIT warm-up
 * of the produce path (and of TLS and SASL, or a codec, when the runs use them): 2-3 times the
 * broker CPU of later runs, which the tool that happens to run first would carry alone.
 * `what` names the runs in the log line (`bench: <what> warm-up <tool>: ...`).
 */
export async function warmUp<T extends string> (tools: readonly T[], what: string, run: (tool: T) => Promise<Measured & { readonly ok: boolean }>, log: (line: string) => void): Promise<void> {
  for (const tool of tools) {
    const m = await run(tool)
    log(`bench: ${what} warm-up ${tool}: ${(m.wallMs / 1000).toFixed(2)} s, cpu ${m.cpuS.toFixed(2)} s (not counted)${m.ok ? '' : ' FAILED'}`)
  }
}

/**
 * For the scripts run as `node bench/X.ts` (bench/run passes --disable-warning instead): drops
 * kafkajs 2.2.4's TimeoutNegativeWarning, which Node >= 23 prints when the Broker's admin sets a
 * negative timer in its request queue (harmless, clamped to 1 ms; kprod hides it the same way,
 * src/cli/main.ts). Every other warning still goes to Node's own printer.
 */
export function hideKafkajsTimeoutWarning (): void {
  const printers = process.listeners('warning')
  process.removeAllListeners('warning')
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return
    for (const print of printers) print.call(process, warning)
  })
}

/** The bench's broker connection: fresh topics with 6 partitions, their record counts, deletes. */
export class Broker {
  readonly bootstrap: string
  readonly #admin: Admin

  constructor (bootstrap: string) {
    this.bootstrap = bootstrap
    this.#admin = new Kafka({ clientId: 'kprod-bench', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING }).admin()
  }

  connect (): Promise<void> { return this.#admin.connect() }
  disconnect (): Promise<void> { return this.#admin.disconnect() }

  async createTopic (topic: string, config: Readonly<Record<string, string>>): Promise<void> {
    const configEntries = Object.entries(config).map(([name, value]) => ({ name, value }))
    try {
      await this.#admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1, configEntries }], waitForLeaders: true })
    } catch (err) {
      // Right after a 1 GB topic was deleted the broker can take longer than kafkajs waits for the
      // leaders (UNKNOWN_TOPIC_OR_PARTITION, retriable): the topic exists, so wait on our own.
      if ((err as { retriable?: boolean }).retriable !== true) throw err
    }
    await this.#leadersOf(topic)
  }

  // Polls the metadata until all 6 partitions have a leader, for up to 60 s.
  async #leadersOf (topic: string): Promise<void> {
    const deadline = Date.now() + 60_000
    for (;;) {
      const ready = await this.#admin.fetchTopicMetadata({ topics: [topic] }).then(
        (m) => m.topics[0]?.partitions.length === 6 && m.topics[0].partitions.every((p) => p.leader >= 0),
        () => false)
      if (ready) return
      if (Date.now() > deadline) throw new Error(`bench: topic ${topic} has no leader for every partition after 60 s`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }

  /** Records on the topic: the sum of the partitions' high watermarks (the topic is fresh). */
  async count (topic: string): Promise<number> {
    const offsets = await this.#admin.fetchTopicOffsets(topic)
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)
  }

  async deleteTopic (topic: string): Promise<void> {
    await this.#admin.deleteTopics({ topics: [topic] }).catch(() => {})
  }
}
