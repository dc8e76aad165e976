// The rate piece of the bench: how closely --rate and --rate-bytes hold over ~10 s, kprod beside
// kafka-producer-perf-test --throughput (the Java client's own limiter, the one peer that has one).
// The rate is measured on the broker, not from the tools' own reports: each run goes to a fresh
// topic with message.timestamp.type=LogAppendTime, read back with kcat (%T), and
// achieved = (records - 1) / (last append time - first append time); smoothness is the spread of
// the records appended in each whole second from the first. Every record is counted.

import { execFile } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { promisify } from 'node:util'
import { median, round } from './stats.ts'
import { command, measure } from './tools.ts'
import { kprodArgs, type Common } from './codecs.ts'
import { ensureFile, type FileWorkload } from './workloads.ts'

const exec = promisify(execFile)

export interface RateResult {
  readonly workload: string
  readonly tool: string
  readonly target: string
  readonly runs: number
  /** Median over the runs of the achieved rate, in the target's unit per second. */
  readonly achieved: number
  /** (achieved - target) / target, in %, of the median run. */
  readonly deviationPct: number
  /** Largest |deviation| of any run, in %. */
  readonly worstDeviationPct: number
  /** Median over the runs of the largest |records in one whole second - the target| / target, in %. */
  readonly worstSecondPct: number
  readonly verified: boolean
}

interface Case {
  readonly name: string
  readonly tool: 'kprod' | 'perf-test'
  readonly unit: 'records' | 'bytes'
  readonly perSec: number
  readonly args: readonly string[]
}

const SIZE = 100
const SECONDS = 10
/** 100-byte lines (99 bytes and the LF): --rate-bytes counts key + value bytes, 99 each. */
const RECORD_BYTES = SIZE - 1

function cases (quick: boolean): Case[] {
  const perSec = 5000
  const bytesPerSec = 500 * 1024
  const list: Case[] = [
    { name: 'rate 5000/s', tool: 'kprod', unit: 'records', perSec, args: ['--rate', String(perSec)] },
    { name: 'rate 5000/s', tool: 'perf-test', unit: 'records', perSec, args: [] },
    { name: 'rate-bytes 500 KiB/s', tool: 'kprod', unit: 'bytes', perSec: bytesPerSec, args: ['--rate-bytes', '500k'] }
  ]
  return quick ? list.filter((c) => c.tool === 'kprod') : list
}

/** Each case `runs` times, cases interleaved; medians per case. */
export async function rateBench (o: Common & { readonly quick: boolean }): Promise<{ results: RateResult[], ratios: Record<string, number | null> }> {
  const all = cases(o.quick)
  const per = new Map<Case, Array<{ achieved: number, worstSecond: number, ok: boolean }>>(all.map((c) => [c, []]))
  for (let r = 0; r < o.runs; r++) {
    for (const c of r % 2 === 0 ? all : [...all].reverse()) {
      const m = await rateRun(o, c)
      per.get(c)!.push(m)
      o.log(`bench: ${c.name} ${c.tool} run ${r + 1}/${o.runs}: ${Math.round(m.achieved)} ${c.unit}/s (${pct(m.achieved, c.perSec)} %), worst second ${m.worstSecond.toFixed(1)} %${m.ok ? '' : ' FAILED'}`)
    }
  }
  const results = all.map((c): RateResult => {
    const ms = per.get(c)!
    const achieved = median(ms.map((m) => m.achieved))
    return {
      workload: c.name,
      tool: c.tool === 'perf-test' ? 'perf-test --throughput' : 'kprod',
      target: `${c.perSec} ${c.unit}/s`,
      runs: ms.length,
      achieved: round(achieved, 1),
      deviationPct: pct(achieved, c.perSec),
      worstDeviationPct: Math.max(...ms.map((m) => Math.abs(pct(m.achieved, c.perSec)))),
      worstSecondPct: round(median(ms.map((m) => m.worstSecond)), 1),
      verified: ms.every((m) => m.ok)
    }
  })
  const ratios: Record<string, number | null> = {}
  for (const r of results) ratios[`${r.workload} ${r.tool} achieved/target`] = round(1 + r.deviationPct / 100, 4)
  return { results, ratios }
}

function pct (achieved: number, target: number): number {
  return round((achieved - target) / target * 100, 2)
}

async function rateRun (o: Common, c: Case): Promise<{ achieved: number, worstSecond: number, ok: boolean }> {
  const recordsPerSec = c.unit === 'records' ? c.perSec : c.perSec / RECORD_BYTES
  const records = Math.round(recordsPerSec * SECONDS)
  const w: FileWorkload = { name: 'rate', records, size: SIZE, file: `${o.dataDir}/rate-${records}.txt`, topicConfig: {} }
  await ensureFile(w)
  const topic = o.topicName(`rate-${c.unit}`, c.tool)
  await o.broker.createTopic(topic, { 'message.timestamp.type': 'LogAppendTime' })
  const timeFile = `${o.dataDir}/time-${process.pid}.txt`
  try {
    let code: number | null
    if (c.tool === 'kprod') {
      const fd = openSync(w.file, 'r')
      try {
        code = (await measure(process.execPath, kprodArgs(o.broker.bootstrap, topic, c.args), { fd }, timeFile)).code
      } finally { closeSync(fd) }
    } else {
      const perf = command('perf-test', { bootstrap: o.broker.bootstrap, topic, records, size: RECORD_BYTES, large: false })
      perf.args[perf.args.indexOf('--throughput') + 1] = String(c.perSec)
      code = (await measure(perf.cmd, perf.args, null, timeFile)).code
    }
    const { stdout } = await exec('kcat', ['-C', '-b', o.broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%T\n'], { maxBuffer: 64 << 20 })
    const times = stdout.split('\n').filter((l) => l !== '').map(Number).sort((a, b) => a - b)
    const first = times[0] ?? 0
    const last = times[times.length - 1] ?? 0
    const unitsPer = c.unit === 'records' ? 1 : RECORD_BYTES
    const achieved = last > first ? (times.length - 1) * unitsPer / ((last - first) / 1000) : 0
    // Whole seconds from the first append: how far each is from the target.
    const perSecond = new Map<number, number>()
    for (const t of times) perSecond.set(Math.floor((t - first) / 1000), (perSecond.get(Math.floor((t - first) / 1000)) ?? 0) + 1)
    const whole = [...perSecond.entries()].filter(([s]) => s < Math.floor((last - first) / 1000)).map(([, n]) => n * unitsPer)
    const worstSecond = whole.length === 0 ? 0 : Math.max(...whole.map((n) => Math.abs(n - c.perSec) / c.perSec * 100))
    return { achieved, worstSecond, ok: code === 0 && times.length === records }
  } finally {
    await o.broker.deleteTopic(topic)
  }
}
