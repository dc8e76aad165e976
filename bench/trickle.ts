// W3, trickle then burst: the bench writes timestamped lines into the tool's stdin live, the topic
// stamps LogAppendTime, and kcat reads every record back: append time − write time per record.
// kprod's own line-to-ack p50/p99 come from its summary line.

import { spawnSync } from 'node:child_process'
import { percentileSorted, round } from './stats.ts'
import { command, measure, type Broker } from './tools.ts'
import { writeTrickle, type TrickleWorkload } from './workloads.ts'

/** One W3 run of one tool. */
export interface TrickleResult {
  readonly tool: string
  readonly sent: number
  readonly counted: number
  readonly verified: boolean
  readonly wallMs: number
  readonly cpuS: number
  readonly maxRssMb: number
  readonly appendP50Ms: number | null
  readonly appendP99Ms: number | null
  readonly trickleAppendP50Ms: number | null
  readonly trickleAppendP99Ms: number | null
  readonly burstAppendP99Ms: number | null
  /** Worst latency of the lines written during the warm-up (tool start-up included). */
  readonly startupAppendMaxMs: number | null
  readonly kprodP50Ms: number | null
  readonly kprodP99Ms: number | null
}

export async function runTrickle (broker: Broker, w: TrickleWorkload, tool: 'kprod' | 'kprod-kafkajs' | 'kcat' | 'console-producer', dir: string, topic: string): Promise<TrickleResult> {
  await broker.createTopic(topic, { 'message.timestamp.type': 'LogAppendTime' })
  try {
    const c = command(tool, { bootstrap: broker.bootstrap, topic, records: 0, size: w.size, large: false })
    let sent = 0
    const m = await measure(c.cmd, c.args, { write: async out => { sent = await writeTrickle(w, out) } }, `${dir}/time-${process.pid}.txt`)
    const counted = await broker.count(topic)
    const lat = readLatencies(broker.bootstrap, topic, w.warmupMs / w.intervalMs, w.durationMs / w.intervalMs)
    const kprod = tool.startsWith('kprod') ? kprodLatency(m.stdout) : null
    return {
      tool,
      sent,
      counted,
      verified: m.code === 0 && counted === sent && lat.all.length === sent,
      wallMs: m.wallMs,
      cpuS: m.cpuS,
      maxRssMb: m.maxRssMb,
      appendP50Ms: pct(lat.all, 50),
      appendP99Ms: pct(lat.all, 99),
      trickleAppendP50Ms: pct(lat.trickle, 50),
      trickleAppendP99Ms: pct(lat.trickle, 99),
      burstAppendP99Ms: pct(lat.burst, 99),
      startupAppendMaxMs: pct(lat.startup, 100),
      kprodP50Ms: kprod?.p50 ?? null,
      kprodP99Ms: kprod?.p99 ?? null
    }
  } finally {
    await broker.deleteTopic(topic)
  }
}

function pct (sorted: number[], p: number): number | null {
  return sorted.length === 0 ? null : round(percentileSorted(sorted, p), 1)
}

// Reads the whole topic back: '%T %s' = the record's timestamp (LogAppendTime) and its value,
// whose first field is the epoch ms at which the bench wrote the line.
function readLatencies (bootstrap: string, topic: string, warmupCount: number, trickleCount: number): Record<'all' | 'startup' | 'trickle' | 'burst', number[]> {
  const r = spawnSync('kcat', ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%T %s\n'], { maxBuffer: 1 << 28 })
  const all: number[] = []
  const trickle: number[] = []
  const burst: number[] = []
  const startup: number[] = []
  for (const line of r.stdout.toString('latin1').split('\n')) {
    const [appendAt, writtenAt, seq] = line.split(' ', 3).map(Number)
    if (appendAt === undefined || writtenAt === undefined || seq === undefined || Number.isNaN(seq)) continue
    const d = appendAt - writtenAt
    all.push(d)
    if (seq < warmupCount) startup.push(d)
    else if (seq < trickleCount) trickle.push(d)
    else burst.push(d)
  }
  for (const a of [all, startup, trickle, burst]) a.sort((x, y) => x - y)
  return { all, startup, trickle, burst }
}

function kprodLatency (stdout: string): { p50: number | null, p99: number | null } | null {
  const last = stdout.trim().split('\n').at(-1)
  try {
    const s = JSON.parse(last ?? '') as { latencyMs?: { p50: number | null, p99: number | null } }
    return s.latencyMs ?? null
  } catch {
    return null
  }
}
